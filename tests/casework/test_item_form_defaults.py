"""The "Log an item" form as a person meets it: today's date, required marks, defaults,
elements grouped by franchise, files re-asked after an error, the platform's hosts."""

import datetime as dt
import zoneinfo

import pytest
from django.urls import reverse
from django.utils import timezone

from casework.choices import Conduct, ContentKind
from casework.models import Evidence, InfringingItem, StageEvent
from tests.casework.test_item_forms import field_errors, files, log_form, png
from tests.factories import PlatformFactory, ProtectedElementFactory

CREATE = reverse("casework:item-create")

pytestmark = pytest.mark.django_db


def test_first_seen_starts_on_the_holders_today_and_refuses_a_future_date(
    app, legal, netflix, squid_game, seedance
):
    netflix.time_zone = "Pacific/Kiritimati"  # UTC+14: often already tomorrow there
    netflix.save()
    today = timezone.localtime(timezone=zoneinfo.ZoneInfo("Pacific/Kiritimati")).date()
    form = app.get(CREATE, user=legal).forms["item"]
    assert form["first_seen"].value == today.isoformat()
    assert form.html.select_one("#id_first_seen")["max"] == today.isoformat()

    page = log_form(
        app, legal, squid_game, seedance, first_seen=(today + dt.timedelta(days=1)).isoformat()
    ).submit()
    assert f"cannot be in the future: today is {today:%Y-%m-%d}" in field_errors(page, "first_seen")
    assert not InfringingItem.objects.exists()


def test_required_fields_are_marked_and_kind_and_conduct_start_on_the_usual_answers(app, legal):
    page = app.get(CREATE, user=legal)
    for name in ("franchise", "platform", "url", "title", "content_kind", "first_seen"):
        assert page.html.select_one(f"#id_{name}")["aria-required"] == "true", name
        assert page.html.select_one(f"label[for=id_{name}] abbr.required"), name
    assert not page.html.select_one("label[for=id_description] abbr.required")
    form = page.forms["item"]
    assert form["content_kind"].value == ContentKind.VIDEO
    assert form["conduct"].value == Conduct.RECREATION
    assert "" not in [v for v, *_ in form["content_kind"].options]


def test_elements_are_checkboxes_grouped_by_franchise(app, legal, netflix, doll):
    ProtectedElementFactory(franchise__rights_holder=netflix, franchise__name="Bridgerton")
    page = app.get(CREATE, user=legal)
    groups = {
        g.legend.get_text(): [i["type"] for i in g.select("input")]
        for g in page.html.select("fieldset.element-group")
    }
    assert set(groups) == {"Squid Game", "Bridgerton"}
    assert all(kinds == ["checkbox"] for kinds in groups.values())
    assert not page.html.select("select#id_elements")


def test_chosen_files_are_named_and_asked_for_again_after_an_error(
    app, legal, squid_game, seedance
):
    form = log_form(app, legal, squid_game, seedance, title="")
    form["evidence"] = files(png("doll.png"))
    page = form.submit()
    note = page.html.select_one("#reask-files").get_text()
    assert "choose them again" in note and "doll.png" in note
    assert "required" in field_errors(page, "title")
    assert not Evidence.objects.exists() and not InfringingItem.objects.exists()


def test_a_url_on_another_platforms_host_needs_a_reason(app, legal, squid_game):
    clipforge = PlatformFactory(name="ClipForge", hosts="clipforge.app")
    url = "https://www.tiktok.com/@x/video/7"
    page = log_form(app, legal, squid_game, clipforge, url=url).submit()
    assert "not one of ClipForge's hosts (clipforge.app)" in field_errors(page, "platform")
    assert not InfringingItem.objects.exists()

    form = page.forms["item"]
    form["platform_reason"] = "Reposted from ClipForge with its watermark"
    form.submit(status=302)
    item = InfringingItem.objects.get()
    assert item.platform == clipforge
    assert "Reposted from ClipForge" in StageEvent.objects.get(item=item).reason
    assert "Reposted from ClipForge" in item.history.get().history_change_reason


def test_a_url_on_a_listed_host_or_its_subdomain_passes(app, legal, squid_game):
    clipforge = PlatformFactory(name="ClipForge", hosts="clipforge.app")
    url = "https://share.clipforge.app/v/7"
    log_form(app, legal, squid_game, clipforge, url=url).submit(status=302)
    assert InfringingItem.objects.get().platform == clipforge
