"""Item pages: list, log, detail, stage moves (single and bulk), refused actions, query counts."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from casework import stages
from casework.choices import Conduct, ContentKind, EventSource, Stage, Theory
from casework.models import Evidence, InfringingItem, StageEvent
from tests.casework.test_evidence import png_bytes, png_upload
from tests.factories import ItemFactory, ProtectedElementFactory, UserFactory

LIST = reverse("casework:item-list")
CREATE = reverse("casework:item-create")
BULK = reverse("casework:item-bulk-stage")


def detail(item):
    return reverse("casework:item-detail", args=[item.pk])


def move(item):
    return reverse("casework:item-transition", args=[item.pk])


@pytest.fixture
def item(netflix, squid_game, seedance, doll):
    return ItemFactory(
        rights_holder=netflix,
        franchise=squid_game,
        platform=seedance,
        title="Young-hee doll turns around",
        elements=[doll],
    )


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
def test_repeated_wrong_passwords_lock_the_account(client, legal, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(reverse("login"), {"username": legal.username, "password": "wrong"})
    response = client.post(
        reverse("login"), {"username": legal.username, "password": "correct-horse-battery"}
    )
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session


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
    ItemFactory.create_batch(3, rights_holder=netflix)
    with CaptureQueriesContext(connection) as ctx:
        legal_client.get(LIST)
    assert not [q for q in ctx.captured_queries if "COUNT(" in q["sql"].upper()]


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
def test_log_item_with_evidence_writes_item_event_and_evidence(
    legal_client, legal, netflix, squid_game, seedance, doll
):
    data = item_form(squid_game, seedance, [doll])
    data["evidence"] = png_upload()
    data["evidence_note"] = "Captured in Chrome"
    response = legal_client.post(CREATE, data)
    item = InfringingItem.objects.get()
    assert response.status_code == 302 and response["Location"] == detail(item)
    assert item.rights_holder == netflix and item.logged_by == legal
    assert item.normalized_url == "https://seedance.example/share/abc"
    assert list(item.elements.all()) == [doll]
    assert item.stage == Stage.IDENTIFIED
    event = StageEvent.objects.get(item=item)
    assert (event.from_stage, event.to_stage, event.by, event.source) == (
        "",
        Stage.IDENTIFIED,
        legal,
        EventSource.MANUAL,
    )
    ev = Evidence.objects.get(item=item)
    assert ev.note == "Captured in Chrome" and ev.size == len(png_bytes())


@pytest.mark.django_db
def test_log_item_without_evidence_is_allowed(legal_client, squid_game, seedance):
    response = legal_client.post(CREATE, item_form(squid_game, seedance))
    assert response.status_code == 302
    assert InfringingItem.objects.count() == 1


@pytest.mark.django_db
def test_element_of_another_franchise_is_refused(legal_client, netflix, squid_game, seedance):
    other = ProtectedElementFactory(franchise__rights_holder=netflix, name="Demogorgon")
    response = legal_client.post(CREATE, item_form(squid_game, seedance, [other]))
    assert response.status_code == 200
    assert "elements" in response.context["form"].errors
    assert not InfringingItem.objects.exists()


@pytest.mark.django_db
def test_another_holders_franchise_cannot_be_chosen(legal_client, warner, seedance):
    from tests.factories import FranchiseFactory

    theirs = FranchiseFactory(rights_holder=warner, name="Superman")
    response = legal_client.post(CREATE, item_form(theirs, seedance))
    assert "franchise" in response.context["form"].errors
    assert not InfringingItem.objects.exists()


@pytest.mark.django_db
def test_duplicate_url_is_refused_with_a_link_to_the_item(legal_client, item, squid_game, seedance):
    # Another spelling of the same URL: upper-case host, tracking parameter, fragment.
    data = item_form(
        squid_game, seedance, url=item.url.replace("seedance", "SEEDANCE") + "?utm_campaign=x#t=3"
    )
    response = legal_client.post(CREATE, data)
    assert response.status_code == 200
    error = response.context["form"].errors["url"][0]
    assert item.reference in error
    assert f'<a href="{detail(item)}">' in response.content.decode()
    assert InfringingItem.objects.count() == 1


@pytest.mark.django_db
def test_same_url_for_another_holder_is_not_a_duplicate(outsider_client, item, warner, seedance):
    from tests.factories import FranchiseFactory

    theirs = FranchiseFactory(rights_holder=warner, name="Superman")
    response = outsider_client.post(CREATE, item_form(theirs, seedance, url=item.url))
    assert response.status_code == 302
    assert InfringingItem.objects.filter(rights_holder=warner).count() == 1


@pytest.mark.django_db
def test_invalid_url_names_the_field(legal_client, squid_game, seedance):
    response = legal_client.post(CREATE, item_form(squid_game, seedance, url="ftp://x.example/a"))
    assert "url" in response.context["form"].errors


@pytest.mark.django_db
def test_bad_evidence_leaves_no_item_behind(legal_client, squid_game, seedance):
    data = item_form(squid_game, seedance)
    data["evidence"] = png_upload(content=b"GIF89a not a png")
    response = legal_client.post(CREATE, data)
    assert response.status_code == 200
    assert "evidence" in response.context["form"].errors
    assert not InfringingItem.objects.exists() and not StageEvent.objects.exists()


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
def test_move_with_note_records_the_event(legal_client, legal, item):
    response = legal_client.post(move(item), {"target": Stage.NOTIFIED, "note": "Letter sent"})
    assert response.status_code == 302
    item.refresh_from_db()
    assert item.stage == Stage.NOTIFIED
    event = StageEvent.objects.get(item=item)
    assert (event.by, event.reason, event.source) == (legal, "Letter sent", EventSource.MANUAL)


@pytest.mark.django_db
def test_dismissal_without_reason_is_refused(legal_client, item):
    response = legal_client.post(move(item), {"target": Stage.DISMISSED, "note": " "})
    assert response.status_code == 400
    assert "dismissal needs a reason" in response.content.decode()
    item.refresh_from_db()
    assert item.stage == Stage.IDENTIFIED


@pytest.mark.django_db
def test_dismissal_with_reason_ends_the_item(legal_client, item):
    legal_client.post(move(item), {"target": Stage.DISMISSED, "note": "Licensed by Netflix"})
    item.refresh_from_db()
    assert item.stage == Stage.DISMISSED and item.dismissal_reason == "Licensed by Netflix"
    html = legal_client.get(detail(item)).content.decode()
    assert "cannot move any further" in html


@pytest.mark.django_db
def test_move_the_table_forbids_is_refused_with_a_message(legal_client, item):
    response = legal_client.post(move(item), {"target": Stage.CEASED, "note": "x"}, follow=True)
    assert "cannot move to ceased" in response.content.decode()
    item.refresh_from_db()
    assert item.stage == Stage.IDENTIFIED


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
def test_bulk_move_moves_all_with_the_note(legal_client, legal, netflix):
    items = ItemFactory.create_batch(3, rights_holder=netflix)
    response = legal_client.post(
        BULK,
        {
            "items": [i.pk for i in items],
            "target": Stage.NOTIFIED,
            "note": "Batch sent",
            "next": LIST + "?stage=identified",
        },
    )
    assert response.status_code == 302 and response["Location"] == LIST + "?stage=identified"
    assert set(InfringingItem.objects.values_list("stage", flat=True)) == {Stage.NOTIFIED}
    assert StageEvent.objects.filter(reason="Batch sent", by=legal).count() == 3


@pytest.mark.django_db
def test_bulk_move_is_all_or_nothing_and_names_each_refused_item(legal_client, netflix):
    fresh = ItemFactory(rights_holder=netflix, title="Still identified")
    sent = ItemFactory(rights_holder=netflix, title="Already notified")
    stages.transition(sent, Stage.NOTIFIED)
    response = legal_client.post(
        BULK, {"items": [fresh.pk, sent.pk], "target": Stage.REMOVED, "note": "x"}, follow=True
    )
    html = response.content.decode()
    assert "Nothing was moved: 1 item(s) cannot move." in html
    assert "Still identified" in html and "cannot move to removed" in html
    fresh.refresh_from_db()
    sent.refresh_from_db()
    assert (fresh.stage, sent.stage) == (Stage.IDENTIFIED, Stage.NOTIFIED)
    assert not StageEvent.objects.filter(to_stage=Stage.REMOVED).exists()


@pytest.mark.django_db
def test_bulk_dismiss_needs_a_note(legal_client, netflix):
    item = ItemFactory(rights_holder=netflix)
    response = legal_client.post(
        BULK, {"items": [item.pk], "target": Stage.DISMISSED, "note": ""}, follow=True
    )
    assert "dismissal needs a reason" in response.content.decode()
    item.refresh_from_db()
    assert item.stage == Stage.IDENTIFIED


@pytest.mark.django_db
def test_bulk_move_with_nothing_selected_says_so(legal_client):
    response = legal_client.post(BULK, {"target": Stage.NOTIFIED}, follow=True)
    assert "Select at least one item" in response.content.decode()


@pytest.mark.django_db
def test_bulk_move_refuses_an_external_next(legal_client, item):
    response = legal_client.post(
        BULK, {"items": [item.pk], "target": "notified", "next": "https://evil.example/"}
    )
    assert response["Location"] == LIST


@pytest.mark.django_db
def test_viewer_cannot_bulk_move(viewer_client, item):
    response = viewer_client.post(BULK, {"items": [item.pk], "target": Stage.NOTIFIED})
    assert response.status_code == 403
    item.refresh_from_db()
    assert item.stage == Stage.IDENTIFIED


@pytest.mark.django_db
def test_manager_can_change_too(manager_client, item):
    response = manager_client.post(move(item), {"target": Stage.NOTIFIED, "note": "ok"})
    assert response.status_code == 302
    item.refresh_from_db()
    assert item.stage == Stage.NOTIFIED


@pytest.mark.django_db
def test_user_of_two_holders_sees_both(netflix, warner, client):
    both = UserFactory(username="both", role="Legal staff", holders=[netflix, warner])
    ItemFactory(rights_holder=netflix, title="N item")
    ItemFactory(rights_holder=warner, title="W item")
    client.force_login(both)
    html = client.get(LIST).content.decode()
    assert "N item" in html and "W item" in html


@pytest.mark.django_db
def test_first_seen_must_be_a_date(legal_client, squid_game, seedance):
    response = legal_client.post(CREATE, item_form(squid_game, seedance, first_seen="yesterday"))
    assert "first_seen" in response.context["form"].errors
    assert not InfringingItem.objects.exists()


@pytest.mark.django_db
def test_field_errors_are_tied_to_their_inputs(legal_client, squid_game, seedance):
    html = legal_client.post(CREATE, item_form(squid_game, seedance, url="")).content.decode()
    assert 'id="id_url_error"' in html
    assert (
        'aria-invalid="true"' in html and 'aria-describedby="id_url_helptext id_url_error"' in html
    )


@pytest.mark.django_db
def test_navigation_offers_each_role_only_pages_it_may_open(legal_client, manager_client):
    from django.urls import reverse

    legal_page = legal_client.get(reverse("casework:item-list")).content.decode()
    assert reverse("dashboard:index") + '"' not in legal_page
    assert reverse("dashboard:board") in legal_page
    assert legal_client.get(reverse("dashboard:board")).status_code == 200
    manager_page = manager_client.get(reverse("casework:item-list")).content.decode()
    assert f'href="{reverse("dashboard:index")}"' in manager_page
