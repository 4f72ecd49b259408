"""End to end in Chromium: legal staff record compliance on all four remedies of a sent
demand (one partly complied, with a note), then a viewer reads them back on the demand
status board and on the demand page."""

import datetime as dt
import os

import pytest
from playwright.sync_api import expect

from notices import drafting
from notices.choices import DemandStatus, RemedyKind, RemedyStatus
from tests.browser.conftest import sign_in
from tests.notices.conftest import advance, items, template  # noqa: F401 - fixtures

pytestmark = pytest.mark.browser

SHOTS = os.environ.get("SHOTS_DIR", "/work/shots")
PARTLY_NOTE = "Removed 212 of 240 clips; the API resellers still serve the model."

# What the respondent did, remedy by remedy (the four standard ones, in letter order).
OUTCOMES = {
    RemedyKind.CEASE: (RemedyStatus.COMPLIED, "2026-03-09", "Prompt filter deployed."),
    RemedyKind.REMOVE: (RemedyStatus.PARTLY_COMPLIED, "2026-03-10", PARTLY_NOTE),
    RemedyKind.ACCOUNT: (RemedyStatus.REFUSED, "2026-03-11", "Says the logs are confidential."),
    RemedyKind.ACCESS: (RemedyStatus.COMPLIED, "2026-03-12", ""),
}


@pytest.fixture
def sent(legal, manager, items):  # noqa: F811
    demand = drafting.draft_demand(legal, [i.pk for i in items])
    return advance(
        demand, DemandStatus.SENT, legal=legal, manager=manager, sent_on=dt.date(2026, 3, 6)
    )


def save_shot(page, name):
    os.makedirs(SHOTS, exist_ok=True)
    page.screenshot(path=os.path.join(SHOTS, f"i8-forms-{name}.png"), full_page=True)


def test_record_compliance_on_every_remedy_and_read_it_on_the_board(
    page, browser, live_server, sent, legal, viewer
):
    remedies = list(sent.remedies.order_by("position"))
    assert [r.kind for r in remedies] == list(OUTCOMES)

    sign_in(page, legal.username)
    page.goto(f"/demands/{sent.pk}/")
    for remedy in remedies:
        status, on, note = OUTCOMES[remedy.kind]
        form = page.locator(f"#compliance-{remedy.pk}")
        form.get_by_label("Status").select_option(status)
        form.get_by_label("Date").fill(on)
        form.get_by_label("Note").fill(note)
        form.get_by_role("button", name="Record compliance").click()
        expect(page.locator("ul.messages")).to_contain_text(
            f"Compliance with demand {remedy.position} recorded."
        )
    expect(page.locator("ul.messages")).not_to_contain_text("required")
    save_shot(page, "compliance")

    for remedy in remedies:
        remedy.refresh_from_db()
        status, on, note = OUTCOMES[remedy.kind]
        assert (remedy.status, remedy.status_on.isoformat(), remedy.note) == (status, on, note)

    # A viewer reads the outcome back on the status board, in a browser of their own.
    context = browser.new_context(base_url=live_server.url)
    context.set_default_timeout(15_000)
    try:
        reader = context.new_page()
        sign_in(reader, viewer.username)
        reader.get_by_role("link", name="Status board").click()
        row = reader.locator(f'#board tr[data-reference="{sent.reference}"]')
        expect(row).to_be_visible()
        for kind, (status, _on, _note) in OUTCOMES.items():
            expect(row.locator(f'[data-kind="{kind}"]')).to_have_text(RemedyStatus(status).label)
        save_shot(reader, "board")

        reader.goto(f"/demands/{sent.pk}/")
        remedies_section = reader.locator("#remedies")
        expect(remedies_section).to_contain_text(PARTLY_NOTE)
        expect(remedies_section).to_contain_text("Partly complied on 2026-03-10")
        expect(reader.locator("form[id^=compliance-]")).to_have_count(0)  # viewers only read
    finally:
        context.close()
