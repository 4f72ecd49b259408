"""In Chromium, a viewer downloads a sent demand's Lumen notice from the demand page; a
draft's page says why it has none."""

import json
import os
from pathlib import Path

import pytest
from playwright.sync_api import expect

from notices import lumen
from notices.choices import DemandStatus
from tests.browser.conftest import sign_in
from tests.notices.conftest import advance, draft, items, template  # noqa: F401 - fixtures

pytestmark = pytest.mark.browser

SHOTS = Path(os.environ.get("SHOTS_DIR", "/work/shots"))


def test_viewer_downloads_the_lumen_notice_from_the_demand_page(
    page,
    legal,
    manager,
    viewer,
    draft,  # noqa: F811
    tmp_path,
):
    shots = SHOTS if SHOTS.is_dir() else tmp_path
    sign_in(page, viewer.username)
    page.goto(f"/demands/{draft.pk}/")
    expect(page.locator("#lumen")).to_contain_text("it can be exported to Lumen once it is sent")
    expect(page.locator("#lumen-export")).to_have_count(0)
    page.locator("#lumen").screenshot(path=str(shots / "i11-lumen-draft-why-not.png"))

    sent = advance(draft, DemandStatus.SENT, legal=legal, manager=manager)
    page.goto(f"/demands/{sent.pk}/")
    link = page.get_by_role("link", name="Download for Lumen (JSON notice)")
    expect(link).to_be_visible()
    page.screenshot(path=str(shots / "i11-lumen-demand-page.png"), full_page=False)
    with page.expect_download() as download_info:
        link.click()
    download = download_info.value
    assert download.suggested_filename == f"{sent.reference}-lumen.json"
    notice = json.loads(Path(download.path()).read_text(encoding="utf-8"))
    assert lumen.errors(notice) == []
    assert notice == lumen.lumen_notice(sent)
    (shots / "i11-lumen-notice.json").write_text(lumen.dumps(notice), encoding="utf-8")
