"""Legal staff upload a large CSV in Chromium: the page answers at once, shows the
worker's check progressing, then the preview with the bad row; confirming imports the
new rows in the worker too."""

import re
import time

import pytest
from celery.contrib.testing.worker import start_worker

from casework import imports
from casework.models import InfringingItem
from tests.browser.conftest import sign_in
from tests.casework.test_imports import make_csv, row

pytestmark = pytest.mark.browser

ROWS = 6_000
SHOTS = "/work/shots"


@pytest.fixture
def slow_lookups(monkeypatch):
    """Progress every 500 rows, each 500 a little slower, so a person (and this test) can
    watch the check progress on a file this size; the checks themselves are the real ones."""
    real = imports._check_row

    def check_row(line, get, cat):
        if line % 500 == 0:
            time.sleep(0.25)
        return real(line, get, cat)

    monkeypatch.setattr(imports, "LOOKUP_BATCH", 500)
    monkeypatch.setattr(imports, "_check_row", check_row)


def test_legal_staff_watch_a_large_csv_being_checked_then_import_it(
    page, legal, netflix, doll, seedance, settings, slow_lookups
):
    from config.celery import app

    settings.IMPORT_CHECK_IN_REQUEST_ROWS = 2_000
    app.control.purge()
    rows = [row(n) for n in range(1, ROWS + 1)]
    rows[2] = row(3, first_seen="14.02.2026")  # line 4
    data = make_csv(rows)

    sign_in(page, legal.username)
    page.get_by_role("link", name="Import").click()
    page.wait_for_url("**/import/")
    page.get_by_label("CSV file").set_input_files(
        {"name": "seedance-sweep.csv", "mimeType": "text/csv", "buffer": data}
    )
    started = time.monotonic()
    page.get_by_role("button", name="Upload and preview").click()
    page.wait_for_url("**/import/*/")
    answered = time.monotonic() - started
    status = page.get_by_role("status")
    assert "Waiting for a worker to check the file (about 6,000 rows)" in status.inner_text()
    assert page.locator("[data-status]").inner_text() == "Waiting to be checked"
    assert page.get_by_role("button", name=re.compile("^Import")).count() == 0
    page.screenshot(path=f"{SHOTS}/i10-import-waiting.png", full_page=True)
    assert answered < 10, answered

    with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=30):
        page.wait_for_function(
            "() => { const c = document.querySelector('[data-checked]');"
            " return c && c.textContent.trim() !== '0'; }",
            timeout=60_000,
        )
        text = " ".join(status.inner_text().split())
        assert re.search(r"Checked [\d,]+ of ~6,000 rows\.", text), text
        assert page.locator("[data-status]").inner_text() == "Checking rows"
        page.screenshot(path=f"{SHOTS}/i10-import-checking.png", full_page=True)

        # The fragment reloads the page when the check is done: the preview.
        page.locator("[data-count=new]").wait_for(timeout=90_000)
        assert page.locator("[data-count=new]").inner_text() == "5,999"
        assert page.locator("[data-count=error]").inner_text() == "1"
        error = page.locator("tr[data-status=error]")
        assert "Line 4, column first_seen" in error.inner_text()
        assert "“14.02.2026” is not a date in the form YYYY-MM-DD" in error.inner_text()
        page.screenshot(path=f"{SHOTS}/i10-import-preview.png", full_page=False)

        page.get_by_role("button", name="Import 5,999 new items").click()
        page.locator("[data-created]").wait_for(timeout=120_000)
        assert page.locator("[data-created]").inner_text() == "5,999"
        page.screenshot(path=f"{SHOTS}/i10-import-imported.png", full_page=False)
    assert InfringingItem.objects.filter(rights_holder=netflix).count() == 5_999
