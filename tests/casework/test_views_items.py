"""Item pages: list, log, detail, stage moves (single and bulk), refused actions, query counts."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from casework import counting, stages
from casework.choices import Conduct, ContentKind, Stage, Theory
from casework.models import InfringingItem, StageEvent
from tests.casework.test_evidence import png_upload
from tests.factories import (
    FranchiseFactory,
    ItemFactory,
    PlatformFactory,
    ProtectedElementFactory,
    UserFactory,
)

LIST = reverse("casework:item-list")
CREATE = reverse("casework:item-create")
BULK = reverse("casework:item-bulk-stage")


def detail(item):
    return reverse("casework:item-detail", args=[item.pk])


def move(item):
    return reverse("casework:item-transition", args=[item.pk])


def item_form(squid_game, seedance, elements=(), **overrides):
    data = {
        "franchise": squid_game.pk,
        "elements": [e.pk for e in elements],
        "platform": seedance.pk,
        "url": "https://seedance.example/share/abc?utm_source=x",
        "title": "Red Light, Green Light remake",
        "description": "Shot-for-shot recreation of episode 1.",
        "content_kind": ContentKind.VIDEO,
        "conduct": Conduct.RECREATION,
        "theory": Theory.DIRECT,
        "first_seen": "2026-02-14",
    }
    data.update(overrides)
    return data


# --- sign-in and access -------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["casework:item-list", "casework:item-create", "casework:home"])
def test_anonymous_is_sent_to_sign_in(client, name):
    response = client.get(reverse(name))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


@pytest.mark.django_db
def test_anonymous_cannot_see_an_item(client, item):
    response = client.get(detail(item))
    assert response.status_code == 302 and reverse("login") in response["Location"]


@pytest.mark.django_db
def test_sign_in_page_has_labelled_fields_and_one_h1(client):
    html = client.get(reverse("login")).content.decode()
    assert html.count("<h1") == 1
    assert '<label for="id_username">' in html and 'id="id_username"' in html


@pytest.mark.django_db
def test_pages_carry_csp_and_security_headers(legal_client):
    response = legal_client.get(LIST)
    csp = response["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["X-Frame-Options"] == "DENY"
    html = response.content.decode()
    assert "<script>" not in html and "style=" not in html
    assert "/static/vendor/htmx.min.js" in html


# --- list ---------------------------------------------------------------------------


@pytest.mark.django_db
def test_list_shows_own_items_with_navigation_and_one_h1(legal_client, item):
    response = legal_client.get(LIST)
    html = response.content.decode()
    assert response.status_code == 200
    assert "Young-hee doll turns around" in html
    assert html.count("<h1") == 1
    for link in ("Items", "Demands", "Status board", "Import"):
        assert f">{link}</a>" in html
    assert 'aria-current="page">Items' in html
    assert "Netflix, Inc." in html
    assert reverse("notices:demand-create") in html and reverse("notices:demand-add-items") in html


@pytest.mark.django_db
def test_viewer_sees_the_list_without_change_controls(viewer_client, item):
    html = viewer_client.get(LIST).content.decode()
    assert "Young-hee doll turns around" in html
    assert reverse("casework:item-create") not in html
    assert reverse("casework:item-bulk-stage") in html  # the form's default action …
    assert "Move stage" not in html  # … but no button that uses it
    assert ">Import</a>" not in html


@pytest.mark.django_db
def test_list_pages_forward_and_back_without_counting(legal_client, netflix):
    items = [ItemFactory(rights_holder=netflix, title=f"Clip {n:02d}") for n in range(7)]
    newest_first = [i.title for i in reversed(items)]
    first = legal_client.get(LIST, {"size": 25})
    assert [i.title for i in first.context["page"]] == newest_first
    assert not first.context["page"].has_next

    page1 = legal_client.get(LIST, {"sort": "title", "size": 25})
    assert [i.title for i in page1.context["page"]] == sorted(newest_first)

    # Three per page is not an allowed size: the default (50) is used instead.
    assert legal_client.get(LIST, {"size": 3}).context["page"].size == 50


@pytest.mark.django_db
def test_keyset_paging_walks_every_row_once(legal_client, netflix, monkeypatch):
    from casework import views

    monkeypatch.setattr(views, "PAGE_SIZES", (2,))
    monkeypatch.setattr(views, "PAGE_SIZE", 2)
    for n in range(5):
        ItemFactory(rights_holder=netflix, title=f"Clip {n}")
    seen, params = [], {"sort": "title"}
    pages = []
    while True:
        page = legal_client.get(LIST, params).context["page"]
        pages.append(page)
        seen += [i.title for i in page]
        if not page.has_next:
            break
        params = {"sort": "title", "after": page.next_cursor}
    assert seen == [f"Clip {n}" for n in range(5)]
    assert len(pages) == 3 and pages[1].has_previous
    back = legal_client.get(LIST, {"sort": "title", "before": pages[2].previous_cursor})
    assert [i.title for i in back.context["page"]] == ["Clip 2", "Clip 3"]
    assert back.context["page"].has_previous and back.context["page"].has_next


@pytest.mark.django_db
def test_garbage_cursor_shows_the_first_page(legal_client, item):
    page = legal_client.get(LIST, {"after": "not-a-cursor!!"}).context["page"]
    assert [i.pk for i in page] == [item.pk]


@pytest.mark.django_db
def test_sort_headers_keep_filters_and_toggle(legal_client, item):
    html = legal_client.get(LIST, {"conduct": "recreation", "sort": "title"}).content.decode()
    assert "?conduct=recreation&amp;sort=-title" in html
    assert 'aria-sort="ascending"' in html


def _count_list_queries(client, netflix, rows):
    InfringingItem.objects.all().delete()
    for _ in range(rows):
        ItemFactory(rights_holder=netflix)
    client.get(LIST)  # the filter choices are read on a first page, then cached
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(LIST, {"size": 200, "stage": ["identified"], "q": "clip"})
    assert len(response.context["page"]) == rows
    return len(ctx.captured_queries)


@pytest.mark.django_db
def test_list_runs_the_same_number_of_queries_for_10_and_100_rows(legal_client, netflix):
    small = _count_list_queries(legal_client, netflix, 10)
    large = _count_list_queries(legal_client, netflix, 100)
    assert small == large
    assert small <= 10


@pytest.mark.django_db
def test_list_never_counts_all_rows(legal_client, netflix):
    """The count reads at most 10,001 items (casework/counting.py), whatever the size, or
    sums the rollups when only their keys filter the list."""
    ItemFactory.create_batch(3, rights_holder=netflix)
    with CaptureQueriesContext(connection) as ctx:
        response = legal_client.get(LIST, {"content_kind": ContentKind.VIDEO})
    counts = [q["sql"] for q in ctx.captured_queries if "COUNT(" in q["sql"].upper()]
    assert len(counts) == 1 and "LIMIT 10001" in counts[0]
    assert response.context["count"].label == "3 items"

    with CaptureQueriesContext(connection) as ctx:
        response = legal_client.get(LIST, {"stage": Stage.IDENTIFIED})
    sql = " ".join(q["sql"] for q in ctx.captured_queries)
    assert "COUNT(" not in sql.upper() and "casework_itemrollup" in sql
    assert response.context["count"].label == "3 items"


@pytest.mark.django_db
def test_rollup_counts_equal_the_items_under_every_key_filter(
    legal_client, legal, netflix, warner, squid_game, seedance
):
    """Exact counts from the rollups: the same numbers as counting the items, after
    moves, for any mix of holder, franchise, platform and stages; nobody else's items."""
    other_franchise = FranchiseFactory(rights_holder=netflix, name="Bridgerton")
    other_platform = PlatformFactory(name="Vidu")
    made = [
        ItemFactory(rights_holder=netflix, franchise=franchise, platform=platform)
        for franchise in (squid_game, other_franchise)
        for platform in (seedance, other_platform)
        for _ in range(3)
    ]
    ItemFactory.create_batch(4, rights_holder=warner, platform=seedance)
    for item in made[::2]:
        stages.transition(item, Stage.NOTIFIED, by=legal)
    stages.transition(made[0], Stage.REMOVED, by=legal)

    mine = InfringingItem.objects.filter(rights_holder=netflix)
    cases = [
        ({}, {}),
        ({"franchise": other_franchise.pk}, {"franchise": other_franchise}),
        ({"platform": seedance.pk}, {"platform": seedance}),
        ({"stage": [Stage.NOTIFIED, Stage.REMOVED]}, {"stage__in": ["notified", "removed"]}),
        (
            {"franchise": squid_game.pk, "platform": other_platform.pk, "stage": Stage.NOTIFIED},
            {"franchise": squid_game, "platform": other_platform, "stage": Stage.NOTIFIED},
        ),
        ({"rights_holder": netflix.pk, "stage": Stage.DISMISSED}, {"stage": Stage.DISMISSED}),
    ]
    for params, lookups in cases:
        count = legal_client.get(LIST, params).context["count"]
        assert count == counting.Count(mine.filter(**lookups).count(), exact=True), params


# --- log an item ----------------------------------------------------------------------


@pytest.mark.django_db
def test_create_form_offers_only_own_franchises_and_elements(
    legal_client, squid_game, doll, warner
):
    ProtectedElementFactory(
        franchise__rights_holder=warner, franchise__name="Superman", name="Cape"
    )
    html = legal_client.get(CREATE).content.decode()
    assert "Squid Game" in html and "Young-hee doll" in html
    assert "Superman" not in html and "Cape" not in html
    assert html.count("<h1") == 1
    assert 'for="id_url"' in html and 'for="id_evidence"' in html


@pytest.mark.django_db
def test_viewer_cannot_log_items(viewer_client, squid_game, seedance):
    assert viewer_client.get(CREATE).status_code == 403
    assert viewer_client.post(CREATE, item_form(squid_game, seedance)).status_code == 403
    assert not InfringingItem.objects.exists()


@pytest.mark.django_db
def test_element_options_lists_one_franchise_for_htmx(legal_client, netflix, squid_game, doll):
    ProtectedElementFactory(franchise__rights_holder=netflix, name="Demogorgon")
    html = legal_client.get(
        reverse("casework:element-options"), {"franchise": squid_game.pk}
    ).content.decode()
    assert "Young-hee doll" in html and "Demogorgon" not in html


# --- detail and moves -------------------------------------------------------------------


@pytest.mark.django_db
def test_detail_shows_fields_evidence_timeline_demands_and_actions(legal_client, legal, item):
    from casework import evidence

    stages.record_logged(item, by=legal)
    ev = evidence.store(item, png_upload(), by=legal)
    stages.transition(item, Stage.NOTIFIED, by=legal, reason="Sent by e-mail")
    response = legal_client.get(detail(item))
    html = response.content.decode()
    assert response.status_code == 200
    for text in (
        item.reference,
        "Young-hee doll turns around",
        "Squid Game",
        "Young-hee doll",
        "Seedance 2.0",
        item.url,
        "Recreation",
        "Direct infringement",
        "2026-02-14",
        ev.sha256,
        reverse("casework:evidence-download", args=[ev.pk]),
        "Sent by e-mail",
        "nf-legal",
        "Not in any demand yet.",
        "Move to removed",
        "Move to dismissed",
    ):
        assert text in html, text
    assert "Move to ceased" not in html
    assert html.count("<h1") == 1


@pytest.mark.django_db
def test_detail_lists_the_demands_the_item_is_in(legal_client, item, netflix):
    from notices.models import Demand
    from tests.factories import RespondentFactory

    demand = Demand.objects.create(
        rights_holder=netflix,
        respondent=RespondentFactory(),
        reference="NFLX-2026-0007",
        year=2026,
        number=7,
    )
    demand.items.add(item)
    html = legal_client.get(detail(item)).content.decode()
    assert "NFLX-2026-0007" in html and "ByteDance Ltd." in html


@pytest.mark.django_db
def test_viewer_sees_detail_without_actions(viewer_client, item):
    html = viewer_client.get(detail(item)).content.decode()
    assert item.title in html
    assert "Move to" not in html and "Add evidence" not in html


@pytest.mark.django_db
def test_viewer_cannot_move_an_item(viewer_client, item):
    response = viewer_client.post(move(item), {"target": Stage.NOTIFIED, "note": "x"})
    assert response.status_code == 403
    item.refresh_from_db()
    assert item.stage == Stage.IDENTIFIED


@pytest.mark.django_db
def test_detail_runs_the_same_number_of_queries_for_10_and_100_rows(legal_client, legal, netflix):
    from casework import evidence

    def count(n):
        item = ItemFactory(rights_holder=netflix)
        item.elements.set(ProtectedElementFactory.create_batch(3, franchise=item.franchise))
        for i in range(n):
            evidence.store(item, png_upload(f"s{i}.png"), by=legal)
            StageEvent.objects.create(
                item=item, to_stage=Stage.IDENTIFIED, at=item.created_at, by=legal, source="manual"
            )
        with CaptureQueriesContext(connection) as ctx:
            html = legal_client.get(detail(item)).content.decode()
        assert html.count("s0.png") == 1
        return len(ctx.captured_queries)

    assert count(10) == count(100)


# --- bulk stage -------------------------------------------------------------------------


@pytest.mark.django_db
def test_viewer_cannot_bulk_move(viewer_client, item):
    response = viewer_client.post(BULK, {"items": [item.pk], "target": Stage.NOTIFIED})
    assert response.status_code == 403
    item.refresh_from_db()
    assert item.stage == Stage.IDENTIFIED


@pytest.mark.django_db
def test_user_of_two_holders_sees_both(netflix, warner, client):
    both = UserFactory(username="both", role="Legal staff", holders=[netflix, warner])
    ItemFactory(rights_holder=netflix, title="N item")
    ItemFactory(rights_holder=warner, title="W item")
    client.force_login(both)
    html = client.get(LIST).content.decode()
    assert "N item" in html and "W item" in html


@pytest.mark.django_db
def test_navigation_offers_each_role_only_pages_it_may_open(legal_client, manager_client):
    from django.urls import reverse

    legal_page = legal_client.get(reverse("casework:item-list")).content.decode()
    assert reverse("dashboard:index") + '"' not in legal_page
    assert reverse("dashboard:board") in legal_page
    assert legal_client.get(reverse("dashboard:board")).status_code == 200
    manager_page = manager_client.get(reverse("casework:item-list")).content.decode()
    assert f'href="{reverse("dashboard:index")}"' in manager_page
