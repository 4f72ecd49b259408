"""In Chromium: legal staff record a counter-notice with a PDF on a sent demand, read it in
the demand's history, download the file, and see it on the status board."""

import datetime as dt
import hashlib
from pathlib import Path

import pytest
from playwright.sync_api import expect

from notices.choices import DemandStatus
from notices.models import Response
from tests.browser.conftest import sign_in
from tests.notices.conftest import advance, draft, items, template  # noqa: F401 - fixtures

pytestmark = pytest.mark.browser

SHOTS = Path("/work/shots")
PDF = b"%PDF-1.4\n% counter-notice of ByteDance Ltd.\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


def test_legal_staff_record_a_counter_notice_with_a_pdf(
    page,
    settings,
    tmp_path,
    legal,
    manager,
    draft,  # noqa: F811
):
    settings.MEDIA_ROOT = tmp_path / "media"
    today = draft.rights_holder.today()  # the holder's, as the form offers
    demand = advance(
        draft, DemandStatus.SENT, legal=legal, manager=manager, sent_on=today - dt.timedelta(7)
    )
    pdf = tmp_path / "counter-notice.pdf"
    pdf.write_bytes(PDF)
    received = today - dt.timedelta(days=1)

    sign_in(page, legal.username)
    page.goto(f"/demands/{demand.pk}/")
    form = page.locator("#response-form")
    date = form.get_by_label("Date received")
    # The picker offers only dates between sending and today.
    expect(date).to_have_attribute("max", today.isoformat())
    expect(date).to_have_attribute("min", (today - dt.timedelta(7)).isoformat())
    date.fill(received.isoformat())
    form.get_by_label("Answers").select_option(label="Demand 2: Remove the infringing content")
    form.get_by_label("Reply").fill(
        "The outputs are transformative and a fair use; we decline to remove them."
    )
    form.get_by_label("Counter-notice").check()
    form.get_by_label("Files").set_input_files(str(pdf))
    form.get_by_role("button", name="Record response").click()

    page.wait_for_url(f"**/demands/{demand.pk}/#responses")
    expect(page.locator("h1")).to_contain_text("Responded")
    expect(page.get_by_role("status").first).to_contain_text("Counter-notice received")
    reply = page.locator("#responses [data-response]").first
    expect(reply).to_contain_text("Counter-notice")
    expect(reply).to_contain_text("on demand 2 (Remove the infringing content)")
    expect(reply).to_contain_text("we decline to remove them")
    expect(reply.get_by_role("link", name="counter-notice.pdf")).to_be_visible()
    timeline = page.locator(".timeline li").first
    expect(timeline).to_contain_text("Response")
    expect(timeline).to_contain_text("sent → responded")
    expect(timeline).to_contain_text(f"Counter-notice received {received:%Y-%m-%d}")
    page.locator("#responses").scroll_into_view_if_needed()
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "i8-responses-demand.png"), full_page=True)

    with page.expect_download() as download_info:
        reply.get_by_role("link", name="counter-notice.pdf").click()
    data = Path(download_info.value.path()).read_bytes()
    stored = Response.objects.get().files.get()
    assert data == PDF
    assert stored.sha256 == hashlib.sha256(PDF).hexdigest()
    assert stored.sha256 in timeline.inner_text()

    page.goto("/dashboard/board/")
    row = page.locator(f'tr[data-reference="{demand.reference}"]')
    expect(row.locator('[data-response="demand"]')).to_contain_text(
        f"response received {received.day} {received:%b %Y}, counter-notice"
    )
    expect(row.locator('[data-response="remedy"]')).to_have_count(1)
    page.screenshot(path=str(SHOTS / "i8-responses-board.png"), full_page=True)
