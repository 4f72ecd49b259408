"""In Chromium, legal staff meet the questions irreversible actions ask first: a bulk
dismissal of 25 items asks in a dialog that names the count (Escape and Cancel leave
everything as it was, focus back on the button; confirming moves them), withdrawing a
demand asks the same way, and a bulk move some items cannot make lists each item's
result and then moves the ones that can, with one summary message."""

import os
from pathlib import Path

import pytest
from playwright.sync_api import expect

from casework import stages
from casework.choices import Stage
from casework.models import InfringingItem
from notices.choices import DemandStatus
from tests.browser.conftest import axe_violations, sign_in
from tests.factories import ItemFactory
from tests.notices.conftest import advance, draft, items, template  # noqa: F401 - fixtures

pytestmark = pytest.mark.browser

SHOTS = os.environ.get("SHOTS_DIR", "/tmp")


def shot(page, name):
    page.screenshot(path=str(Path(SHOTS) / f"safe-{name}.png"), full_page=True)


def focused_in(page, selector) -> bool:
    return page.evaluate(f"document.activeElement.closest({selector!r}) !== null")


def test_bulk_dismissal_and_withdrawal_ask_in_a_dialog(page, legal, netflix, draft):  # noqa: F811
    ItemFactory.create_batch(25, rights_holder=netflix, title="Squid Game AI clip")
    sign_in(page, legal.username)
    page.goto("/items/?q=AI+clip")
    page.get_by_label("Select all items on this page").check()
    page.get_by_label("Move selected to").select_option(label="Dismissed")
    page.get_by_label("Note (why; required to dismiss)").fill("Licensed clips")
    move = page.get_by_role("button", name="Move stage")
    move.click()

    dialog = page.get_by_role("dialog", name="Dismiss 25 items?")
    expect(dialog).to_be_visible()
    expect(dialog).to_contain_text("Dismissed items cannot move to another stage.")
    assert focused_in(page, "dialog")
    shot(page, "dialog-bulk-dismiss")
    assert axe_violations(page) == []
    page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()
    expect(move).to_be_focused()
    move.click()
    dialog.get_by_role("button", name="Cancel").click()
    expect(dialog).to_be_hidden()
    expect(move).to_be_focused()
    assert page.url.endswith("/items/?q=AI+clip")
    dismissed = InfringingItem.objects.filter(stage=Stage.DISMISSED)
    assert not dismissed.exists()

    move.click()
    dialog.get_by_role("button", name="Dismiss 25 items").click()
    expect(page.get_by_role("status")).to_have_text("Moved 25 items to dismissed.")
    assert dismissed.count() == 25

    page.goto(draft.get_absolute_url())
    page.get_by_role("button", name="Withdraw").click()
    dialog = page.get_by_role("dialog", name=f"Withdraw demand {draft.reference}?")
    expect(dialog).to_contain_text("cannot be submitted, approved or sent again")
    shot(page, "dialog-withdraw")
    assert axe_violations(page) == []
    dialog.get_by_role("button", name="Cancel").click()
    draft.refresh_from_db()
    assert draft.status == DemandStatus.DRAFT
    page.get_by_role("button", name="Withdraw").click()
    dialog.get_by_role("button", name=f"Withdraw demand {draft.reference}").click()
    expect(page.locator("h1")).to_contain_text("Withdrawn")
    draft.refresh_from_db()
    assert draft.status == DemandStatus.WITHDRAWN

    # Where the script did not run, the server asks the same question on a page.
    item = draft.items.first()
    page.goto(item.get_absolute_url())
    page.locator("[data-confirm]").evaluate_all(
        "buttons => buttons.forEach(b => b.removeAttribute('data-confirm'))"
    )
    page.get_by_label("Note (why; required to dismiss)").fill("Parody, fair use")
    page.get_by_role("button", name="Move to dismissed").click()
    expect(page.locator("h1")).to_have_text(f"Dismiss {item.reference} “{item.title}”?")
    expect(page.locator("main")).to_contain_text("A dismissed item cannot move to another stage.")
    shot(page, "confirm-page")
    assert axe_violations(page) == []
    page.get_by_role("link", name="Cancel").click()
    expect(page.locator("#stage")).to_have_text("Identified")


def test_a_partial_bulk_move_lists_each_item_then_moves_the_ones_that_can(page, legal, netflix):
    sent = ItemFactory.create_batch(3, rights_holder=netflix, title="Bridgerton ballroom")
    for item in sent:
        stages.transition(item, Stage.NOTIFIED, reason="In a demand")
    licensed = ItemFactory(rights_holder=netflix, title="Bridgerton ballroom (licensed)")
    sign_in(page, legal.username)
    # First the licensed one is dismissed, forgetting the reason: the error is next to
    # the note field, on a page that keeps the selection.
    page.goto("/items/?q=ballroom")
    page.get_by_role("row", name=licensed.reference).get_by_role("checkbox").check()
    page.get_by_label("Move selected to").select_option(label="Dismissed")
    page.get_by_role("button", name="Move stage").click()
    page.get_by_role("dialog").get_by_role("button", name="Dismiss 1 item").click()
    note = page.get_by_label("Note (why; required to dismiss)")
    expect(note).to_have_accessible_description("A dismissal needs a reason: say why in the note.")
    shot(page, "bulk-note-error")
    assert axe_violations(page) == []
    note.fill("Licensed to the uploader")
    page.get_by_role("button", name="Move stage").click()
    page.get_by_role("dialog").get_by_role("button", name="Dismiss 1 item").click()
    expect(page.get_by_role("status")).to_have_text("Moved 1 item to dismissed.")

    page.get_by_label("Select all items on this page").check()
    page.get_by_label("Move selected to").select_option(label="Removed")
    page.get_by_label("Note (why; required to dismiss)").fill("Checked: pages are gone")
    page.get_by_role("button", name="Move stage").click()
    page.get_by_role("dialog", name="Move 4 items to removed?").get_by_role(
        "button", name="Move 4 items to removed"
    ).click()

    expect(page.locator("h1")).to_have_text("1 of 4 items cannot move to removed")
    expect(page.locator("ul.messages")).to_have_count(0)
    refused = page.locator("#bulk-items tr", has_text=licensed.reference)
    expect(refused).to_contain_text("Cannot move: it is dismissed")
    expect(page.locator("#bulk-items tbody tr", has_text="Moves to removed")).to_have_count(3)
    assert InfringingItem.objects.filter(stage=Stage.REMOVED).count() == 0
    shot(page, "bulk-partial")
    assert axe_violations(page) == []

    page.get_by_role("button", name="Move the 3 that can").click()
    dialog = page.get_by_role("dialog", name="Move 3 items to removed?")
    dialog.get_by_role("button", name="Move 3 items to removed").click()
    messages = page.locator("ul.messages li")
    expect(messages).to_have_text(
        [f"Moved 3 items to removed; 1 could not move: {licensed.reference} is dismissed."]
    )
    assert page.url.endswith("/items/?q=ballroom")
    shot(page, "bulk-partial-done")
    assert InfringingItem.objects.filter(stage=Stage.REMOVED).count() == 3
    licensed.refresh_from_db()
    assert licensed.stage == Stage.DISMISSED


def test_sending_asks_in_the_dialog_while_the_letter_list_polls(page, legal, manager, draft):  # noqa: F811
    """The send form sits in the letter list that polls while a render runs: what was typed
    and the open question survive each poll (hx-preserve), then confirming sends."""
    demand = advance(draft, DemandStatus.APPROVED, legal=legal, manager=manager)
    sign_in(page, legal.username)
    page.goto(demand.get_absolute_url())
    send = page.get_by_role("form", name="Mark as sent")
    send.get_by_label("Sent on").fill("2026-11-25")
    send.get_by_label("Courier", exact=True).check()
    send.get_by_role("button", name="Mark as sent").click()
    dialog = page.get_by_role("dialog", name=f"Mark demand {demand.reference} as sent?")
    expect(dialog).to_contain_text("Sending cannot be undone.")
    for _ in range(2):  # two polls of the rendering letter list: the second swaps after the first
        with page.expect_response(lambda r: "/letters/panel/" in r.url):
            pass
    expect(send.get_by_label("Sent on")).to_have_value("2026-11-25")
    shot(page, "dialog-send")
    dialog.get_by_role("button", name=f"Mark demand {demand.reference} as sent").click()
    expect(page.locator("h1")).to_contain_text("Sent")
    demand.refresh_from_db()
    assert demand.status == DemandStatus.SENT
    assert demand.sent_channels == ["email", "courier"]
