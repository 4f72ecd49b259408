"""In Chromium: legal staff correct an item and read the change on its timeline; a manager
edits the catalogue, which legal staff may read but not change (403)."""

import pytest
from playwright.sync_api import expect

from casework.models import InfringingItem, ProtectedElement
from tests.browser.conftest import axe_violations, sign_in
from tests.factories import ItemFactory, PlatformFactory, ProtectedElementFactory

pytestmark = pytest.mark.browser

SHOTS = "/work/shots/i12-desk-{}.png"


def test_legal_staff_edit_an_item_and_see_it_on_the_timeline(
    page, legal, netflix, squid_game, doll, seedance
):
    item = ItemFactory(
        rights_holder=netflix,
        franchise=squid_game,
        platform=seedance,
        url="https://seedance.example/share/doll-1",
        title="Doll clip",
    )
    PlatformFactory(name="ClipForge", hosts="clipforge.app")
    ProtectedElementFactory(franchise__rights_holder=netflix, franchise__name="Bridgerton")
    sign_in(page, legal.username)
    # The log form: today's date, defaults, and elements grouped by franchise.
    page.goto("/items/new/")
    expect(page.get_by_label("Content kind *")).to_have_value("video")
    page.get_by_label("Franchise *").select_option(label="Squid Game")
    expect(page.get_by_role("group", name="Bridgerton")).to_be_hidden()
    page.screenshot(path=SHOTS.format("log-form"), full_page=True)
    assert axe_violations(page) == []
    page.goto(item.get_absolute_url())
    page.get_by_role("link", name="Edit item").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(f"Edit {item.reference}")
    page.get_by_label("Title *").fill("Young-hee doll turns around")
    page.get_by_role("group", name="Squid Game").get_by_label("Young-hee doll").check()
    page.get_by_label("Platform *").select_option(label="ClipForge")
    page.get_by_role("button", name="Save changes").click()

    # The platform does not serve seedance.example: a warning, kept with a reason.
    expect(page.locator("#id_platform_error")).to_contain_text("not one of ClipForge's hosts")
    page.get_by_label("Reason to keep this platform").fill("ClipForge reposts Seedance output")
    page.get_by_label("Note").fill("Named the doll")
    page.screenshot(path=SHOTS.format("item-edit-warning"), full_page=True)
    assert axe_violations(page) == []
    page.get_by_role("button", name="Save changes").click()

    expect(page.get_by_role("status")).to_contain_text(f"Saved your changes to {item.reference}")
    changes = page.locator("#record-changes tbody tr").first
    expect(changes).to_contain_text(legal.username)
    expect(changes).to_contain_text("Title: Doll clip → Young-hee doll turns around")
    expect(changes).to_contain_text("Protected elements: +Young-hee doll")
    expect(changes).to_contain_text("Platform ClipForge kept for host seedance.example")
    changes.scroll_into_view_if_needed()
    page.screenshot(path=SHOTS.format("item-timeline"), full_page=True)
    assert InfringingItem.objects.get().platform.name == "ClipForge"


def test_a_manager_edits_the_catalogue_and_legal_staff_get_403(
    browser, page, live_server, manager, legal, netflix, squid_game, doll
):
    sign_in(page, manager.username)
    page.get_by_role("link", name="Catalogue").click()
    page.get_by_role("link", name="Young-hee doll").click()
    page.get_by_label("Description").fill("Giant doll from Red Light, Green Light")
    page.get_by_label("Registration number").fill("VA 1-234-567")
    page.get_by_label("Registration office").fill("U.S. Copyright Office")
    page.get_by_label("Registration date").fill("2021-09-17")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("status")).to_contain_text("Saved protected element: Young-hee doll")
    expect(page.locator("main")).to_contain_text(
        "VA 1-234-567 · U.S. Copyright Office · 2021-09-17"
    )
    page.screenshot(path=SHOTS.format("catalogue-manager"), full_page=True)
    # (The flash message list is the layout's, checked by the app-wide sweep: issue 12.10.)
    page.goto("/catalogue/")
    assert axe_violations(page) == []
    page.get_by_role("link", name="Young-hee doll").click()
    assert axe_violations(page) == []
    assert ProtectedElement.objects.get().registration_office == "U.S. Copyright Office"

    context = browser.new_context(base_url=live_server.url)
    other = context.new_page()
    try:
        sign_in(other, legal.username)
        expect(other.get_by_role("link", name="Catalogue")).to_have_count(0)
        response = other.goto(f"/catalogue/elements/{doll.pk}/")
        assert response.status == 403
        other.screenshot(path=SHOTS.format("catalogue-legal-403"), full_page=True)
        other.goto("/catalogue/")
        expect(other.locator("main")).to_contain_text("VA 1-234-567")
        expect(other.get_by_role("link", name="Young-hee doll")).to_have_count(0)
    finally:
        context.close()
