import datetime as dt

import pytest
from django.core.management import call_command

from casework.choices import Stage
from casework.demo import load_demo
from casework.models import Franchise, InfringingItem, ProtectedElement, RightsHolder
from notices.models import Demand, Remedy


@pytest.mark.django_db
def test_seed_demo_twice_gives_the_same_counts(settings):
    settings.DEBUG = True
    first = load_demo()
    call_command("seed_demo")
    assert load_demo() == first
    assert first["rights_holders"] == 3
    assert first["demands"] == 2


@pytest.mark.django_db
def test_seed_demo_carries_the_article(settings):
    load_demo()
    netflix = RightsHolder.objects.get(code="NFLX")
    assert set(Franchise.objects.filter(rights_holder=netflix).values_list("name", flat=True)) == {
        "Stranger Things",
        "Squid Game",
        "Bridgerton",
        "KPop Demon Hunters",
    }
    for name in [
        "Young-hee doll",
        "Red Light, Green Light set",
        "Series finale",
        "Lady in Silver gown (Sophie Baek)",
        "Visual style",
        "Character designs",
    ]:
        assert ProtectedElement.objects.filter(franchise__rights_holder=netflix, name=name).exists()
    stages_seen = set(
        InfringingItem.objects.filter(rights_holder=netflix).values_list("stage", flat=True)
    )
    assert stages_seen == set(Stage.values)
    assert InfringingItem.objects.filter(relapse_count__gt=0).exists()
    statuses = set(Demand.objects.values_list("status", flat=True))
    assert statuses == {"draft", "sent"}
    for demand in Demand.objects.all():
        assert Remedy.objects.filter(demand=demand).count() == 4


@pytest.mark.django_db
def test_demo_passwords_only_with_debug(settings):
    settings.DEBUG = False
    load_demo()
    from django.contrib.auth import get_user_model

    assert not get_user_model().objects.get(username="netflix-legal").has_usable_password()


@pytest.mark.django_db
def test_the_sent_demo_demand_keeps_the_letter_it_was_sent_with():
    load_demo()
    sent = Demand.objects.get(status="sent")
    assert sent.sent_letter is not None
    assert sent.sent_letter.status == "ready"
    assert sent.sent_letter.pages >= 2 and len(sent.sent_letter.sha256) == 64
    from notices.business_days import calendar_for

    assert sent.sent_letter.purpose == "record"
    # The deadline comes from the business-day rules, counted from the letter's own date.
    calendar = calendar_for(sent.rights_holder)
    letter_date = calendar.local_date(sent.sent_at)
    assert sent.deadline_at == calendar.deadline(letter_date, sent.response_days)
    assert sent.deadline == calendar.deadline(letter_date, sent.response_days).date()
    assert sent.sent_letter.snapshot["deadline_text"] == sent.deadline_display
    assert sent.sent_letter.snapshot["channel_line"] == "By email and courier"
    # No exhibit item was identified after the letter's date.
    assert sent.items.exists()
    assert not sent.items.filter(first_seen__gt=letter_date).exists()
    assert all(
        dt.date.fromisoformat(row["first_seen"]) <= letter_date
        for row in sent.sent_letter.snapshot["items"]
    )
