"""In Chromium, legal staff give the letter template its legal sections (fair use, the
litigation hold, copies) and read them in the letter preview, with Exhibit A as a table."""

import pytest
from playwright.sync_api import expect

from notices import drafting
from notices.models import LetterTemplate
from tests.browser.conftest import sign_in
from tests.notices.conftest import items, template  # noqa: F401 - fixtures

pytestmark = pytest.mark.browser

SHOTS = "/work/shots"


def test_legal_staff_write_the_legal_sections_and_preview_them(
    page,
    legal,
    netflix,
    items,  # noqa: F811
):
    seedance = items[0].platform
    seedance.agent_name = "Copyright Agent, Seedance"
    seedance.agent_email = "agent@seedance.example"
    seedance.save()
    demand = drafting.draft_demand(legal, [i.pk for i in items])

    sign_in(page, legal.username)
    page.goto(f"/demands/templates/{netflix.pk}/")
    page.get_by_label("Fair use").fill(
        "(1) Purpose and character: commercial and not transformative.\n\n"
        "(4) Effect on the market: the outputs substitute for the works."
    )
    page.get_by_label("Preservation of evidence").fill(
        "Preserve all prompts, outputs and logs <script>alert(1)</script>."
    )
    page.get_by_label("Copies to").fill("Outside counsel, Example LLP")
    page.get_by_role("button", name="Save as a new version").click()
    expect(page.get_by_text("Letter template version 2 saved.")).to_be_visible()
    latest = LetterTemplate.objects.filter(rights_holder=netflix).order_by("-version").first()
    assert latest.version == 2
    assert latest.cc == "Outside counsel, Example LLP"

    page.goto(f"/demands/{demand.pk}/preview/")
    expect(page.get_by_role("heading", name="Fair use does not apply")).to_be_visible()
    expect(page.get_by_text("(4) Effect on the market")).to_be_visible()
    hold = page.get_by_role("heading", name="Preservation of evidence (litigation hold)")
    expect(hold).to_be_visible()
    expect(page.get_by_text("<script>alert(1)</script>", exact=False)).to_be_visible()
    cc = page.locator("section.cc")
    expect(cc).to_contain_text("Designated agent of Seedance 2.0: Copyright Agent, Seedance")
    expect(cc).to_contain_text("Outside counsel, Example LLP")
    notice = page.get_by_role("heading", name="Notice of copyright infringement: Seedance 2.0")
    expect(notice).to_be_visible()
    table = page.locator("table.exhibit-table")
    expect(table.locator("thead th")).to_have_count(7)
    expect(table.locator("tbody tr")).to_have_count(len(items))
    for item in items:  # every URL is a link to itself
        expect(table.locator(f'a[href="{item.url}"]')).to_have_text(item.url)
    page.screenshot(path=f"{SHOTS}/i8-exhibit-preview.png", full_page=True)
    table.scroll_into_view_if_needed()
    table.screenshot(path=f"{SHOTS}/i8-exhibit-table.png")
