"""ItemFilter: one count assertion per filter, scoped dropdowns, and every field covered."""

import datetime as dt

import pytest
from django.test import RequestFactory
from django.utils import timezone

from casework import stages
from casework.choices import Conduct, Stage, Theory
from casework.filters import ItemFilter
from casework.models import InfringingItem
from tests.factories import (
    FranchiseFactory,
    ItemFactory,
    PlatformFactory,
    ProtectedElementFactory,
    RespondentFactory,
)


@pytest.fixture
def data(netflix, warner, legal, squid_game, doll, seedance):
    """Five Netflix items that differ in one respect each, and one Warner item."""
    stranger = FranchiseFactory(rights_holder=netflix, name="Stranger Things")
    demogorgon = ProtectedElementFactory(franchise=stranger, name="Demogorgon")
    app = PlatformFactory(name="Dreamina app", respondent=RespondentFactory(name="Dreamina Ltd."))
    a = ItemFactory(
        rights_holder=netflix,
        franchise=squid_game,
        platform=seedance,
        elements=[doll],
        title="Doll sings",
        url="https://seedance.example/v/doll-sings",
        description="A generated musical number",
    )
    b = ItemFactory(
        rights_holder=netflix,
        franchise=stranger,
        platform=seedance,
        elements=[demogorgon],
        conduct=Conduct.CROSSOVER,
        title="Upside down crossover",
    )
    c = ItemFactory(
        rights_holder=netflix,
        franchise=stranger,
        platform=app,
        theory=Theory.SECONDARY,
        title="Hawkins lab",
        description="Hosted copy of the Hawkins LAB set",
    )
    d = ItemFactory(rights_holder=netflix, franchise=squid_game, platform=app, title="Tracksuits")
    e = ItemFactory(
        rights_holder=netflix,
        franchise=squid_game,
        platform=seedance,
        title="Old find",
        url="https://other.example/hawkins-fan-edit",
    )
    InfringingItem.objects.filter(pk=e.pk).update(
        created_at=timezone.make_aware(dt.datetime(2026, 1, 10, 12))
    )
    stages.transition(b, Stage.NOTIFIED)
    stages.transition(c, Stage.NOTIFIED)
    stages.transition(c, Stage.REMOVED)
    stages.transition(d, Stage.DISMISSED, reason="Licensed")
    warner_item = ItemFactory(rights_holder=warner, title="Hawkins lab (Warner copy)")
    return {
        "items": (a, b, c, d, e),
        "stranger": stranger,
        "demogorgon": demogorgon,
        "app": app,
        "warner_item": warner_item,
    }


def run(user, **params):
    request = RequestFactory().get("/items/", params)
    request.user = user
    fs = ItemFilter(request.GET, queryset=InfringingItem.objects.for_user(user), request=request)
    assert fs.is_valid(), fs.errors
    return fs.qs


@pytest.mark.django_db
def test_no_filter_shows_only_own_items(data, legal):
    assert run(legal).count() == 5


@pytest.mark.django_db
def test_franchise(data, legal, squid_game):
    assert run(legal, franchise=squid_game.pk).count() == 3


@pytest.mark.django_db
def test_element(data, legal, doll):
    assert run(legal, element=doll.pk).count() == 1


@pytest.mark.django_db
def test_platform(data, legal):
    assert run(legal, platform=data["app"].pk).count() == 2


@pytest.mark.django_db
def test_respondent(data, legal):
    assert run(legal, respondent=data["app"].respondent_id).count() == 2


@pytest.mark.django_db
def test_rights_holder_of_a_user_in_two_holders(data, netflix, warner):
    from tests.factories import UserFactory

    both = UserFactory(username="both", role="Legal staff", holders=[netflix, warner])
    assert run(both).count() == 6
    assert run(both, rights_holder=warner.pk).count() == 1


@pytest.mark.django_db
def test_another_holder_is_not_a_valid_rights_holder_choice(data, legal, warner):
    request = RequestFactory().get("/items/", {"rights_holder": warner.pk})
    request.user = legal
    fs = ItemFilter(request.GET, queryset=InfringingItem.objects.for_user(legal), request=request)
    assert not fs.is_valid() and "rights_holder" in fs.errors


@pytest.mark.django_db
def test_stage_single(data, legal):
    assert run(legal, stage=["identified"]).count() == 2


@pytest.mark.django_db
def test_stage_several_at_once(data, legal):
    assert run(legal, stage=["notified", "removed", "dismissed"]).count() == 3


@pytest.mark.django_db
def test_conduct(data, legal):
    assert run(legal, conduct=Conduct.CROSSOVER).count() == 1


@pytest.mark.django_db
def test_content_kind(data, legal):
    InfringingItem.objects.filter(pk=data["items"][0].pk).update(content_kind="image")
    assert run(legal, content_kind="image").count() == 1


@pytest.mark.django_db
def test_theory(data, legal):
    assert run(legal, theory=Theory.SECONDARY).count() == 1


@pytest.mark.django_db
def test_logged_range(data, legal):
    assert run(legal, logged_before="2026-01-31").count() == 1
    assert run(legal, logged_after="2026-01-11").count() == 4
    assert run(legal, logged_after="2026-01-10", logged_before="2026-01-10").count() == 1


@pytest.mark.django_db
def test_demand(data, legal, netflix):
    from notices.models import Demand

    demand = Demand.objects.create(
        rights_holder=netflix,
        respondent=RespondentFactory(),
        reference="NFLX-2026-0001",
        year=2026,
        number=1,
    )
    demand.items.add(*data["items"][:2])
    assert run(legal, demand="NFLX-2026-0001").count() == 2


@pytest.mark.django_db
def test_q_searches_title_url_and_description_case_insensitively(data, legal):
    assert run(legal, q="hawkins").count() == 2  # description of c, URL of e
    assert run(legal, q="DOLL").count() == 1  # title and URL of a
    assert run(legal, q="musical").count() == 1  # description
    assert run(legal, q="   ").count() == 5


@pytest.mark.django_db
def test_filters_combine(data, legal, squid_game):
    assert run(legal, franchise=squid_game.pk, stage=["identified"], q="doll").count() == 1


@pytest.mark.django_db
def test_another_holders_demand_reference_is_not_a_valid_choice(data, legal, warner):
    from notices.models import Demand

    Demand.objects.create(
        rights_holder=warner,
        respondent=RespondentFactory(),
        reference="WBEI-2026-0001",
        year=2026,
        number=1,
    )
    request = RequestFactory().get("/items/", {"demand": "WBEI-2026-0001"})
    request.user = legal
    fs = ItemFilter(request.GET, queryset=InfringingItem.objects.for_user(legal), request=request)
    assert not fs.is_valid()
    assert "demand" in fs.errors


@pytest.mark.django_db
def test_dropdowns_are_scoped_to_the_user(data, legal, outsider, warner):
    FranchiseFactory(rights_holder=warner, name="The Batman")

    def labels(user, name):
        request = RequestFactory().get("/items/")
        request.user = user
        form = ItemFilter(request.GET, request=request).form
        return {label for value, label in form.fields[name].choices if value != ""}

    assert labels(legal, "franchise") == {"Squid Game", "Stranger Things"}
    assert labels(legal, "element") == {
        "Squid Game — Young-hee doll",
        "Stranger Things — Demogorgon",
    }
    assert labels(outsider, "franchise") == {data["warner_item"].franchise.name, "The Batman"}
    assert labels(outsider, "element") == set()


@pytest.mark.django_db
def test_list_page_filters_through_the_url(data, legal_client, squid_game):
    response = legal_client.get("/items/", {"franchise": squid_game.pk, "stage": "identified"})
    assert {i.title for i in response.context["page"]} == {"Doll sings", "Old find"}


@pytest.mark.django_db
def test_invalid_filter_shows_the_error_and_no_rows(data, legal_client):
    response = legal_client.get("/items/", {"logged_after": "not-a-date"})
    assert len(response.context["page"]) == 0
    assert "Enter a valid date" in response.content.decode()


def test_every_filterable_item_field_has_a_filter():
    """A new field of InfringingItem must be filterable, or listed here on purpose."""
    not_filtered = {
        "id",
        "url",
        "normalized_url",
        "title",
        "description",  # q covers these
        "search_vector",  # q searches it (casework/search.py)
        "stage_changed_at",
        "dismissal_reason",
        "relapse_count",
        "first_seen",
        "logged_by",
        "updated_at",
        "gone_streak",
        "last_checked_at",
        "next_check_at",  # the check scheduler's claim, not a user-facing fact
        "first_notified_at",  # the dashboard's medians (casework/rollups.py); the
        "first_removed_at",  # dashboard links to the lists behind its figures
    }
    covered = {f.field_name for f in ItemFilter.base_filters.values()}
    fields = {
        f.name for f in InfringingItem._meta.get_fields() if f.concrete and not f.auto_created
    }
    fields |= {"elements"}
    missing = fields - covered - not_filtered
    assert not missing, f"Fields without a filter: {sorted(missing)}"


@pytest.mark.django_db
def test_search_can_use_the_text_and_trigram_indexes_on_postgresql(data, legal):
    """The ``q`` SQL must match the tsvector's GIN index and the UPPER(col) trigram ones.

    Sequential and plain index scans are switched off so the plan shows whether
    the indexes are usable at all (on a tiny table the planner would rightly
    prefer a scan). The description has no trigram index: its words are searched
    through the tsvector.
    """
    from django.db import connection, transaction

    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL enable_seqscan = off")
            cursor.execute("SET LOCAL enable_indexscan = off")
        searched = ItemFilter().search(InfringingItem.objects.order_by(), "q", "hawkins")
        assert searched.count() == 3  # two Netflix items and the Warner one
        plan = searched.explain()
    for index in ("item_search", "item_url_trgm", "item_title_trgm"):
        assert index in plan, plan
    assert "item_description_trgm" not in plan
