"""Legal staff in Chromium: log an item with a screenshot, find it, move it, read the timeline."""

import re

import pytest
from playwright.sync_api import expect

from casework.models import Evidence, InfringingItem
from tests.browser.conftest import sign_in
from tests.casework.test_evidence import png_bytes
from tests.factories import ItemFactory, ProtectedElementFactory

pytestmark = pytest.mark.browser


def test_log_find_and_move_an_item_to_removed(
    page, tmp_path, legal, netflix, squid_game, doll, seedance
):
    ItemFactory(rights_holder=netflix, franchise=squid_game, title="Unrelated clip")
    ProtectedElementFactory(franchise__rights_holder=netflix, franchise__name="Stranger Things")
    screenshot = tmp_path / "doll-screenshot.png"
    screenshot.write_bytes(png_bytes(64, 48))
    errors = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)

    sign_in(page, legal.username)
    page.get_by_role("link", name="Log an item").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Log an infringing item")

    expect(page.locator("fieldset.element-group:visible")).to_have_count(2)
    page.get_by_label("Franchise").select_option(label="Squid Game")
    # Only the chosen franchise's elements stay in view, as checkboxes.
    expect(page.locator("fieldset.element-group:visible")).to_have_count(1)
    page.get_by_role("group", name="Squid Game").get_by_label("Young-hee doll").check()
    page.get_by_label("Platform").select_option(label="Seedance 2.0")
    page.get_by_label("URL").fill("https://seedance.example/share/red-light?utm_source=x")
    page.get_by_label("Title").fill("Red Light, Green Light doll remake")
    page.get_by_label("Description").fill("Doll turns her head; shot-for-shot copy.")
    page.get_by_label("Content kind").select_option("video")
    page.get_by_label("Conduct").select_option("recreation")
    page.get_by_label("Theory").select_option("direct")
    page.get_by_label("First seen").fill("2026-02-14")
    page.get_by_label("Evidence files").set_input_files(str(screenshot))
    page.get_by_role("button", name="Log item").click()

    expect(page.get_by_role("status")).to_contain_text("with 1 evidence file")
    item = InfringingItem.objects.get(title="Red Light, Green Light doll remake")
    evidence = Evidence.objects.get(item=item)
    expect(page.locator("main")).to_contain_text(evidence.sha256)
    expect(page.get_by_role("link", name="doll-screenshot.png")).to_be_visible()

    # Find it by filtering the list.
    page.get_by_role("link", name="Items", exact=True).click()
    page.get_by_label("Search").fill("green light")
    page.get_by_label("Identified").check()
    page.get_by_role("button", name="Filter").click()
    expect(page).to_have_url(re.compile(r"q=green\+light"))
    rows = page.locator("table.items tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("Red Light, Green Light doll remake")
    rows.first.get_by_role("link", name="Red Light, Green Light doll remake").click()

    # Move it to notified, then to removed, each with a note.
    page.get_by_label("Note (why; required to dismiss)").fill("Demand e-mailed to ByteDance")
    page.get_by_role("button", name="Move to notified").click()
    expect(page.locator("#stage")).to_have_text("Notified")
    page.get_by_label("Note (why; required to dismiss)").fill("Checked: the page is gone")
    page.get_by_role("button", name="Move to removed").click()
    expect(page.locator("#stage")).to_have_text("Removed")

    timeline = page.locator("#timeline li")
    expect(timeline).to_have_count(3)
    expect(timeline.nth(0)).to_contain_text("Identified")
    expect(timeline.nth(1)).to_contain_text("Identified → Notified")
    expect(timeline.nth(1)).to_contain_text("Demand e-mailed to ByteDance")
    expect(timeline.nth(2)).to_contain_text("Notified → Removed")
    expect(timeline.nth(2)).to_contain_text("Checked: the page is gone")
    expect(timeline.nth(2)).to_contain_text(legal.username)
    item.refresh_from_db()
    assert item.stage == "removed"

    # The evidence downloads as the file that was uploaded.
    with page.expect_download() as download_info:
        page.get_by_role("link", name="doll-screenshot.png").click()
    download = download_info.value
    assert download.suggested_filename == "doll-screenshot.png"
    assert download.path().read_bytes() == screenshot.read_bytes()

    assert not [e for e in errors if "Content Security Policy" in e], errors


def test_viewer_sees_no_change_controls(page, viewer, netflix):
    ItemFactory(rights_holder=netflix, title="Read-only clip")
    sign_in(page, viewer.username)
    expect(page.locator("main")).to_contain_text("Read-only clip")
    expect(page.get_by_role("link", name="Log an item")).to_have_count(0)
    page.get_by_role("link", name="Read-only clip").click()
    expect(page.get_by_role("button", name=re.compile("^Move to"))).to_have_count(0)
