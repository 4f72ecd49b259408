"""In Chromium, legal staff send an approved demand: the letter of record renders on the
real worker, names the send date, the channels and the deadline, and a later render is a
COPY that leaves it alone."""

import hashlib
import io
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from playwright.sync_api import expect
from pypdf import PdfReader

from notices.choices import DemandStatus, LetterPurpose, LetterStatus
from tests.browser.conftest import sign_in
from tests.notices.conftest import advance, draft, items, template  # noqa: F401 - fixtures

pytestmark = pytest.mark.browser

SHOTS = Path(os.environ.get("SHOTS_DIR", "/work/shots"))


def _shots(tmp_path) -> Path:
    return SHOTS if SHOTS.is_dir() else tmp_path


def test_send_renders_the_letter_of_record_and_a_copy_never_replaces_it(
    page,
    celery_worker_real,
    legal,
    manager,
    draft,  # noqa: F811
    tmp_path,
):
    demand = advance(draft, DemandStatus.APPROVED, legal=legal, manager=manager)
    shots = _shots(tmp_path)
    sign_in(page, legal.username)
    # Before sending, the preview is a draft and says so.
    page.goto(f"/demands/{demand.pk}/preview/")
    expect(page.locator(".letter-mark")).to_have_text("DRAFT")
    expect(page.locator(".deadline")).to_contain_text("within 3 business days")
    page.screenshot(path=str(shots / "i8-record-preview-draft.png"))
    page.goto(f"/demands/{demand.pk}/")
    send = page.get_by_role("form", name="Mark as sent")
    send.get_by_label("Sent on").fill("2026-11-25")
    send.get_by_label("Email", exact=True).check()
    send.get_by_label("Courier", exact=True).check()
    send.get_by_role("button", name="Mark as sent").click()
    page.get_by_role("dialog").get_by_role(
        "button", name=f"Mark demand {demand.reference} as sent"
    ).click()
    expect(page.locator("h1")).to_contain_text("Sent")
    expect(page.get_by_role("status").first).to_contain_text(
        "5:00 p.m. PT on Tuesday, December 1, 2026"
    )
    letters = page.locator("#letters")
    record_row = letters.locator("tr", has=page.locator("[data-letter-purpose=record]"))
    expect(record_row).to_contain_text("Sent · letter of record")
    # The panel polls itself until the worker has rendered the letter of record.
    expect(record_row.locator("[data-letter-status]")).to_have_attribute(
        "data-letter-status", LetterStatus.READY, timeout=90_000
    )
    page.screenshot(path=str(shots / "i8-record-demand-sent.png"), full_page=True)
    with page.expect_download() as download_info:
        record_row.get_by_role("link", name="Download PDF").click()
    data = Path(download_info.value.path()).read_bytes()

    demand.refresh_from_db()
    record = demand.sent_letter
    assert record.purpose == LetterPurpose.RECORD
    assert hashlib.sha256(data).hexdigest() == record.sha256
    texts = [" ".join(p.extract_text().split()) for p in PdfReader(io.BytesIO(data)).pages]
    assert "November 25, 2026" in texts[0] and "By email and courier" in texts[0]
    assert "no later than 5:00 p.m. PT on Tuesday, December 1, 2026" in " ".join(texts)
    assert not any("DRAFT" in t or "COPY" in t for t in texts)
    pdf_path = shots / "i8-record-letter.pdf"
    pdf_path.write_bytes(data)
    if shutil.which("pdftoppm"):  # pages to look at (poppler-utils)
        subprocess.run(
            ["pdftoppm", "-png", "-r", "60", str(pdf_path), str(shots / "i8-record-letter")],
            check=True,
        )

    # A render for the file after sending: a COPY, and the letter of record stays.
    page.get_by_role("button", name="Render a copy of the sent letter").click()
    copy_row = letters.locator("tr", has=page.locator("[data-letter-purpose=copy]"))
    expect(copy_row.locator("[data-letter-status]")).to_have_attribute(
        "data-letter-status", LetterStatus.READY, timeout=90_000
    )
    with page.expect_download() as download_info:
        copy_row.get_by_role("link", name="Download PDF").click()
    copy = PdfReader(download_info.value.path())
    assert all("COPY — re-rendered on" in p.extract_text() for p in copy.pages)
    (shots / "i8-record-copy.pdf").write_bytes(Path(download_info.value.path()).read_bytes())
    demand.refresh_from_db()
    assert demand.sent_letter == record
    expect(record_row).to_contain_text("Sent · letter of record")
    # The preview of the sent demand is the sent text: no mark, the concrete deadline.
    page.goto(f"/demands/{demand.pk}/preview/")
    expect(page.locator(".letter-mark")).to_have_count(0)
    expect(page.locator(".via")).to_have_text("By email and courier")
    expect(page.locator(".deadline")).to_contain_text("5:00 p.m. PT on Tuesday, December 1, 2026")
    page.screenshot(path=str(shots / "i8-record-preview-sent.png"))
