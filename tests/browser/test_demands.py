"""End to end in Chromium: draft a demand from the item list, submit it, approve it as
the manager in a second browser, watch the render finish live, download the PDF."""

import hashlib
from pathlib import Path

import pytest
from playwright.sync_api import expect

from notices.choices import DemandStatus, LetterStatus
from notices.models import Demand
from tests.browser.conftest import CHROMIUM_ARGS, sign_in  # noqa: F401
from tests.notices.conftest import items, template  # noqa: F401 - fixtures

pytestmark = pytest.mark.browser


def test_draft_submit_approve_render_download(
    page,
    browser,
    live_server,
    celery_worker_real,
    legal,
    manager,
    items,  # noqa: F811
):
    # Legal staff select the items in the item list and draft a demand.
    sign_in(page, legal.username)
    page.goto("/items/")
    bulk = page.get_by_role("button", name="New demand from selected")
    if bulk.count():
        for item in items:
            page.get_by_label(f"Select {item.title}").check()
        bulk.click()
    else:  # the item list without bulk actions: the same confirmation page by URL
        page.goto("/demands/new/?" + "&".join(f"items={i.pk}" for i in items))
    expect(page.get_by_role("heading", name="New demand")).to_be_visible()
    expect(page.get_by_label("Respondent")).to_have_value(str(items[0].platform.respondent.pk))
    page.get_by_label("Paragraphs").fill("Seedance 2.0 produced copies within days of release.")
    page.get_by_role("button", name="Draft demand").click()
    demand = Demand.objects.get()
    expect(page.get_by_role("heading", level=1)).to_contain_text(demand.reference)
    expect(page.locator("#items tbody tr")).to_have_count(len(items))
    page.get_by_role("button", name="Submit for review").click()
    expect(page.get_by_role("status").first).to_contain_text("in review")
    expect(page.get_by_role("button", name="Approve")).to_have_count(0)  # not for the preparer

    # The manager approves in a second browser; the letter renders on the real worker.
    context = browser.new_context(base_url=live_server.url, accept_downloads=True)
    context.set_default_timeout(15_000)
    try:
        boss = context.new_page()
        sign_in(boss, manager.username)
        boss.goto(f"/demands/{demand.pk}/")
        boss.get_by_role("button", name="Approve").click()
        expect(boss.locator("h1")).to_contain_text("Approved")
        letters = boss.locator("#letters")
        # The panel polls itself until the render is done: no reload here.
        expect(letters.locator("[data-letter-status]").first).to_have_attribute(
            "data-letter-status", LetterStatus.READY, timeout=90_000
        )
        expect(letters.get_by_role("button", name="Mark as sent")).to_be_visible()
        with boss.expect_download() as download_info:
            letters.get_by_role("link", name="Download PDF").click()
        download = download_info.value
        path = download.path()
        data = Path(path).read_bytes()
    finally:
        context.close()
    letter = demand.letters.get()
    assert data.startswith(b"%PDF-")
    assert hashlib.sha256(data).hexdigest() == letter.sha256
    assert download.suggested_filename == f"{demand.reference}-v1.pdf"
    demand.refresh_from_db()
    assert demand.status == DemandStatus.APPROVED
    assert demand.approved_by == manager
