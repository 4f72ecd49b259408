"""The item pages' forms submitted as rendered (django-webtest): logging an item with
an evidence upload, adding evidence, moving one item, the item list's filters and its
bulk move. Errors must name the field, and nothing is half-written."""

import datetime as dt
import hashlib

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone
from webtest import Upload

from casework import stages
from casework.choices import Conduct, ContentKind, EventSource, Stage, Theory
from casework.models import Evidence, InfringingItem, StageEvent
from tests.casework.test_evidence import png_bytes
from tests.factories import FranchiseFactory, ItemFactory, ProtectedElementFactory
from tests.webforms import check, messages, press

LIST = reverse("casework:item-list")
CREATE = reverse("casework:item-create")

pytestmark = pytest.mark.django_db


def detail(item):
    return reverse("casework:item-detail", args=[item.pk])


def log_form(app, user, franchise, platform, elements=(), **overrides):
    """The "Log an item" form as rendered, filled like a person would."""
    form = app.get(CREATE, user=user).forms["item"]
    for element in elements:
        check(form, "elements", element.pk)
    values = {
        "franchise": str(franchise.pk),
        "platform": str(platform.pk),
        "url": "https://seedance.example/share/abc?utm_source=x",
        "title": "Red Light, Green Light remake",
        "description": "Shot-for-shot recreation of episode 1.",
        "content_kind": ContentKind.VIDEO,
        "conduct": Conduct.RECREATION,
        "theory": Theory.DIRECT,
        "first_seen": "2026-02-14",
        **overrides,
    }
    for name, value in values.items():
        form[name] = value
    return form


def png(name="screenshot.png", content=None):
    return Upload(name, content or png_bytes(), "image/png")


def files(*uploads):
    """The value of an <input type="file" multiple>: a list of uploads."""
    return list(uploads)


def field_errors(page, name):
    box = page.html.select_one(f"#id_{name}_error")
    return " ".join(box.get_text(" ").split()) if box else ""


# --- log an item -----------------------------------------------------------------------


def test_log_item_with_an_evidence_upload(app, legal, netflix, squid_game, seedance, doll):
    form = log_form(app, legal, squid_game, seedance, [doll])
    form["evidence"] = files(png())
    form["evidence_note"] = "Captured in Chrome"
    response = form.submit()
    item = InfringingItem.objects.get()
    assert response.status_code == 302 and response["Location"] == detail(item)
    assert item.rights_holder == netflix and item.logged_by == legal
    assert item.normalized_url == "https://seedance.example/share/abc"
    assert list(item.elements.all()) == [doll]
    event = StageEvent.objects.get(item=item)
    assert (event.from_stage, event.to_stage, event.by, event.source) == (
        "",
        Stage.IDENTIFIED,
        legal,
        EventSource.MANUAL,
    )
    ev = Evidence.objects.get(item=item)
    assert ev.note == "Captured in Chrome" and ev.size == len(png_bytes())
    assert ev.sha256 == hashlib.sha256(png_bytes()).hexdigest()
    page = response.follow()
    assert f"Logged {item.reference}" in " ".join(messages(page)) and ev.sha256 in page.text


def test_log_item_without_evidence(app, legal, squid_game, seedance):
    log_form(app, legal, squid_game, seedance).submit(status=302)
    assert InfringingItem.objects.count() == 1


def test_element_of_another_franchise_is_refused_on_the_field(
    app, legal, netflix, squid_game, seedance
):
    other = ProtectedElementFactory(franchise__rights_holder=netflix, name="Demogorgon")
    page = log_form(app, legal, squid_game, seedance, [other]).submit()
    assert page.status_code == 200
    # Every franchise's elements are shown (grouped); the chosen franchise's only are accepted.
    assert "Not part of Squid Game: Demogorgon." in field_errors(page, "elements")
    assert not InfringingItem.objects.exists()


def test_a_forged_franchise_of_another_holder_is_refused(app, legal, warner, seedance, squid_game):
    theirs = FranchiseFactory(rights_holder=warner, name="Superman")
    form = log_form(app, legal, squid_game, seedance)
    assert str(theirs.pk) not in [v for v, *_ in form["franchise"].options]
    form["franchise"].force_value(str(theirs.pk))
    page = form.submit()
    assert "Select a valid choice" in field_errors(page, "franchise")
    assert not InfringingItem.objects.exists()


def test_duplicate_url_is_refused_with_a_link_to_the_item(app, legal, item, squid_game, seedance):
    # Another spelling of the same URL: upper-case host, tracking parameter, fragment.
    url = item.url.replace("seedance", "SEEDANCE") + "?utm_campaign=x#t=3"
    page = log_form(app, legal, squid_game, seedance, url=url).submit()
    assert item.reference in field_errors(page, "url")
    assert page.html.select_one("#id_url_error a")["href"] == detail(item)
    assert InfringingItem.objects.count() == 1


def test_another_holder_may_log_the_same_url(app, outsider, warner, item, seedance):
    superman = FranchiseFactory(rights_holder=warner, name="Superman")
    log_form(app, outsider, superman, seedance, url=item.url).submit(status=302)
    assert InfringingItem.objects.filter(rights_holder=warner).count() == 1


def test_invalid_url_and_date_name_their_fields(app, legal, squid_game, seedance):
    form = log_form(app, legal, squid_game, seedance, url="ftp://x.example/a")
    form["first_seen"] = "yesterday"
    page = form.submit()
    assert field_errors(page, "url") and "Enter a valid date" in field_errors(page, "first_seen")
    assert not InfringingItem.objects.exists()


def test_field_errors_are_tied_to_their_inputs(app, legal, squid_game, seedance):
    page = log_form(app, legal, squid_game, seedance, url="").submit()
    url_input = page.html.select_one("#id_url")
    assert url_input["aria-invalid"] == "true"
    assert url_input["aria-describedby"] == "id_url_helptext id_url_error"


def test_bad_evidence_leaves_no_item_behind(app, legal, squid_game, seedance):
    form = log_form(app, legal, squid_game, seedance)
    form["evidence"] = files(png(content=b"GIF89a not a png"))
    page = form.submit()
    assert "screenshot.png" in field_errors(page, "evidence")
    assert not InfringingItem.objects.exists() and not StageEvent.objects.exists()


# --- evidence --------------------------------------------------------------------------


def test_add_evidence_is_hashed_and_stored(app, legal, item):
    content = png_bytes(40, 40)
    form = app.get(detail(item), user=legal).forms["evidence-add"]
    form["evidence"] = files(png(content=content))
    form["note"] = "full page"
    page = form.submit().follow()
    ev = Evidence.objects.get(item=item)
    assert (ev.sha256, ev.size, ev.note, ev.captured_by) == (
        hashlib.sha256(content).hexdigest(),
        len(content),
        "full page",
        legal,
    )
    assert f"Added 1 evidence file(s) to {item.reference}." in messages(page)


def test_evidence_of_a_refused_type_names_file_and_types(app, legal, item):
    form = app.get(detail(item), user=legal).forms["evidence-add"]
    form["evidence"] = files(Upload("tool.exe", b"MZ\x90\x00", "application/x-msdownload"))
    page = form.submit(status=400)
    error = field_errors(page, "evidence")
    assert "tool.exe" in error and "application/x-msdownload" in error and "image/png" in error
    assert not Evidence.objects.exists()


def test_too_large_evidence_is_refused_on_the_field(app, legal, item, settings):
    settings.EVIDENCE_MAX_BYTES = 20
    form = app.get(detail(item), user=legal).forms["evidence-add"]
    form["evidence"] = files(png(content=png_bytes(30, 30)))
    error = field_errors(form.submit(status=400), "evidence")
    assert "screenshot.png" in error and "at most 20" in error
    assert not Evidence.objects.exists()


def test_one_bad_file_among_several_stores_none(app, legal, item):
    form = app.get(detail(item), user=legal).forms["evidence-add"]
    assert "multiple" in form.html.select_one("#id_evidence").attrs
    form["evidence"] = files(png(), Upload("notes.exe", b"MZ", "application/x-msdownload"))
    page = form.submit(status=400)
    assert "notes.exe" in field_errors(page, "evidence")
    assert not Evidence.objects.exists()


def test_no_file_chosen_is_refused(app, legal, item):
    page = app.get(detail(item), user=legal).forms["evidence-add"].submit(status=400)
    assert "This field is required" in field_errors(page, "evidence")


# --- move one item ----------------------------------------------------------------------


def test_move_with_a_note_records_the_event(app, legal, item):
    form = app.get(detail(item), user=legal).forms["stage-move"]
    form["note"] = "Letter sent"
    page = form.submit("target", value=Stage.NOTIFIED).follow()
    item.refresh_from_db()
    assert item.stage == Stage.NOTIFIED
    event = StageEvent.objects.get(item=item)
    assert (event.by, event.reason, event.source) == (legal, "Letter sent", EventSource.MANUAL)
    assert f"{item.reference} moved to notified." in messages(page)


def test_dismissal_needs_a_reason_then_ends_the_item(app, legal, item):
    form = app.get(detail(item), user=legal).forms["stage-move"]
    form["note"] = " "
    page = form.submit("target", value=Stage.DISMISSED, status=400)
    assert "dismissal needs a reason" in page.text
    item.refresh_from_db()
    assert item.stage == Stage.IDENTIFIED
    form = page.forms["stage-move"]
    form["note"] = "Licensed by Netflix"
    # Without JavaScript the dismissal asks on a page of its own first; nothing moved yet.
    page = form.submit("target", value=Stage.DISMISSED)
    assert page.html.h1.get_text() == f"Dismiss {item.reference} “{item.title}”?"
    assert "A dismissed item cannot move to another stage." in page.text
    item.refresh_from_db()
    assert item.stage == Stage.IDENTIFIED
    page = press(page.forms["confirm"], f"Dismiss {item.reference} “{item.title}”").follow()
    item.refresh_from_db()
    assert item.stage == Stage.DISMISSED and item.dismissal_reason == "Licensed by Netflix"
    assert "cannot move any further" in page.text and "stage-move" not in page.forms


def test_the_dismiss_question_carries_the_title_escaped(app, legal, netflix):
    item = ItemFactory(rights_holder=netflix, title='Clip "><img src=x onerror=alert(1)>')
    page = app.get(detail(item), user=legal)
    button = page.html.select_one('#stage-move button[value="dismissed"]')
    assert button["data-confirm"] == f"Dismiss {item.reference} “{item.title}”?"
    assert button["data-confirm-detail"] == "A dismissed item cannot move to another stage."
    assert not page.html.select("img[src=x]")


def test_a_move_from_a_stale_page_is_refused_with_a_message(app, legal, item):
    form = app.get(detail(item), user=legal).forms["stage-move"]
    stages.transition(item, Stage.DISMISSED, reason="Someone else dismissed it")
    form["note"] = "x"
    page = form.submit("target", value=Stage.NOTIFIED).follow()
    assert any("cannot move to notified" in m for m in messages(page))
    item.refresh_from_db()
    assert item.stage == Stage.DISMISSED


def test_manager_can_move_too(app, manager, item):
    app.get(detail(item), user=manager).forms["stage-move"].submit("target", value=Stage.NOTIFIED)
    item.refresh_from_db()
    assert item.stage == Stage.NOTIFIED


# --- item list: filters and bulk move ---------------------------------------------------


def rows(page):
    return [a.get_text() for a in page.html.select("table.items tbody td:nth-of-type(3) > a")]


def test_item_list_filters(app, legal, netflix, item):
    ItemFactory(rights_holder=netflix, title="Bridgerton ballroom")
    page = app.get(LIST, user=legal)
    assert sorted(rows(page)) == ["Bridgerton ballroom", "Young-hee doll turns around"]
    form = page.forms["item-filters"]
    form["q"] = "doll"
    assert rows(form.submit()) == ["Young-hee doll turns around"]
    form = app.get(LIST).forms["item-filters"]
    check(form, "stage", Stage.NOTIFIED)
    assert rows(form.submit()) == []
    form = app.get(LIST).forms["item-filters"]
    form["franchise"] = str(item.franchise_id)
    assert rows(form.submit()) == ["Young-hee doll turns around"]
    # The "Logged between" inputs are written by hand in the template: their names must
    # be the ones the range filter reads.
    today = timezone.localdate()
    form = app.get(LIST).forms["item-filters"]
    form["logged_after"] = (today + dt.timedelta(days=1)).isoformat()
    assert rows(form.submit()) == []
    form = app.get(LIST).forms["item-filters"]
    form["logged_after"] = (today - dt.timedelta(days=1)).isoformat()
    form["logged_before"] = today.isoformat()
    page = form.submit()
    assert len(rows(page)) == 2
    assert page.forms["item-filters"]["logged_after"].value == form["logged_after"].value
    # "Found live again after removal" (the scorecards' relapse counts link to it).
    InfringingItem.objects.filter(pk=item.pk).update(relapse_count=1)
    form = app.get(LIST).forms["item-filters"]
    form["relapsed"] = "true"
    assert rows(form.submit()) == ["Young-hee doll turns around"]
    form["relapsed"] = "false"
    assert rows(form.submit()) == ["Bridgerton ballroom"]


def test_bulk_move_asks_first_then_moves_all_with_the_note_and_keeps_the_filters(
    app, legal, netflix
):
    items = ItemFactory.create_batch(3, rights_holder=netflix)
    form = app.get(LIST + "?stage=identified", user=legal).forms["bulk-form"]
    for i in items:
        check(form, "items", i.pk)
    form["target"] = Stage.NOTIFIED
    form["note"] = "Batch sent"
    # Without JavaScript the page asks what the dialog asks; nothing has moved yet.
    page = press(form, "Move stage")
    assert page.html.h1.get_text() == "Move 3 items to notified?"
    assert "cannot be undone" in page.text
    assert set(InfringingItem.objects.values_list("stage", flat=True)) == {Stage.IDENTIFIED}
    assert page.click("Cancel", index=0).request.url.endswith(LIST + "?stage=identified")
    response = press(page.forms["bulk-move"], "Move 3 items to notified")
    assert response.status_code == 302 and response["Location"] == LIST + "?stage=identified"
    assert set(InfringingItem.objects.values_list("stage", flat=True)) == {Stage.NOTIFIED}
    assert StageEvent.objects.filter(reason="Batch sent", by=legal).count() == 3
    assert messages(response.follow()) == ["Moved 3 items to notified."]


def test_bulk_dismiss_asks_with_the_count_and_what_follows(app, legal, netflix):
    items = ItemFactory.create_batch(2, rights_holder=netflix)
    form = app.get(LIST, user=legal).forms["bulk-form"]
    for i in items:
        check(form, "items", i.pk)
    form["target"] = Stage.DISMISSED
    form["note"] = "Licensed"
    page = press(form, "Move stage")
    assert page.html.h1.get_text() == "Dismiss 2 items?"
    assert "Dismissed items cannot move to another stage." in page.text
    press(page.forms["bulk-move"], "Dismiss 2 items").follow()
    assert set(InfringingItem.objects.values_list("stage", flat=True)) == {Stage.DISMISSED}


def test_bulk_move_with_refused_items_moves_nothing_then_moves_the_ones_that_can(
    app, legal, netflix
):
    fresh = ItemFactory(rights_holder=netflix, title="Still identified")
    gone = ItemFactory(rights_holder=netflix, title="Dismissed one")
    stages.transition(gone, Stage.DISMISSED, reason="Licensed")
    sent = ItemFactory.create_batch(2, rights_holder=netflix, title="Already notified")
    for item in sent:
        stages.transition(item, Stage.NOTIFIED)
    form = app.get(LIST, user=legal).forms["bulk-form"]
    for item in (fresh, gone, *sent):
        check(form, "items", item.pk)
    form["target"] = Stage.REMOVED
    form["note"] = "Checked: gone"
    page = press(form, "Move stage")
    assert page.html.h1.get_text() == "2 of 4 items cannot move to removed"
    assert messages(page) == []  # one page that says it all, no banner per item
    results = {
        tr.select_one("td a").get_text(): " ".join(tr.select("td")[-1].get_text(" ").split())
        for tr in page.html.select("#bulk-items tbody tr")
    }
    assert results == {
        fresh.reference: "Cannot move: it is identified: it can move only to notified or dismissed",
        gone.reference: "Cannot move: it is dismissed",
        sent[0].reference: "Moves to removed",
        sent[1].reference: "Moves to removed",
    }
    assert set(InfringingItem.objects.values_list("stage", flat=True)) == {
        Stage.IDENTIFIED,
        Stage.DISMISSED,
        Stage.NOTIFIED,
    }
    response = press(page.forms["bulk-move"], "Move the 2 that can")
    assert response["Location"] == LIST
    assert messages(response.follow()) == [
        f"Moved 2 items to removed; 2 could not move: {fresh.reference} is identified: it "
        f"can move only to notified or dismissed, {gone.reference} is dismissed."
    ]
    for item in sent:
        item.refresh_from_db()
        assert item.stage == Stage.REMOVED
    fresh.refresh_from_db()
    assert fresh.stage == Stage.IDENTIFIED
    assert StageEvent.objects.filter(reason="Checked: gone").count() == 2


def test_bulk_dismiss_without_a_note_says_so_next_to_the_field(app, legal, item):
    form = app.get(LIST, user=legal).forms["bulk-form"]
    check(form, "items", item.pk)
    form["target"] = Stage.DISMISSED
    page = press(form, "Move stage", status=400)
    error = page.html.select_one("#bulk-note-error").get_text()
    assert error == "A dismissal needs a reason: say why in the note."
    assert page.html.select_one("#bulk-note")["aria-describedby"] == "bulk-note-error"
    assert messages(page) == []
    item.refresh_from_db()
    assert item.stage == Stage.IDENTIFIED
    form = page.forms["bulk-move"]  # the same choice again, with a reason this time
    form["note"] = "Fair use"
    page = press(form, "Move stage")
    assert page.html.h1.get_text() == "Dismiss 1 item?"
    press(page.forms["bulk-move"], "Dismiss 1 item")
    item.refresh_from_db()
    assert (item.stage, item.dismissal_reason) == (Stage.DISMISSED, "Fair use")


def test_the_bulk_move_page_runs_the_same_queries_for_2_and_20_items(
    app, legal, netflix, django_assert_num_queries
):
    def move_page(items):
        form = app.get(LIST, user=legal).forms["bulk-form"]
        for item in items:
            check(form, "items", item.pk)
        form["target"] = Stage.NOTIFIED
        return form

    form = move_page(ItemFactory.create_batch(2, rights_holder=netflix))
    few = []  # counted by hand: the request's start resets Django's own query log
    with connection.execute_wrapper(lambda execute, *args: few.append(1) or execute(*args)):
        assert press(form, "Move stage").html.h1.get_text() == "Move 2 items to notified?"
    form = move_page(ItemFactory.create_batch(20, rights_holder=netflix))
    with django_assert_num_queries(len(few)):
        assert press(form, "Move stage").html.h1.get_text() == "Move 20 items to notified?"


def test_bulk_move_with_nothing_selected_says_so(app, legal, item):
    form = app.get(LIST, user=legal).forms["bulk-form"]
    page = press(form, "Move stage", status=400)
    assert page.html.select_one("#selection-error").get_text() == (
        "Select at least one item to move."
    )


def test_bulk_move_refuses_a_forged_external_next(app, legal, item):
    form = app.get(LIST, user=legal).forms["bulk-form"]
    check(form, "items", item.pk)
    form["next"] = "https://evil.example/"
    form["target"] = Stage.NOTIFIED
    page = press(form, "Move stage")
    assert page.forms["bulk-move"]["next"].value == LIST
    assert press(page.forms["bulk-move"], "Move 1 item to notified")["Location"] == LIST


def test_export_selected_rows_from_the_bulk_bar(app, legal, netflix):
    a, b, _ = ItemFactory.create_batch(3, rights_holder=netflix)
    form = app.get(LIST, user=legal).forms["bulk-form"]
    check(form, "items", a.pk)
    check(form, "items", b.pk)
    response = press(form, "Export selected (CSV)")
    assert response.content_type == "text/csv"
    body = response.body.decode("utf-8-sig")
    assert a.url in body and b.url in body and body.count("\n") == 3
