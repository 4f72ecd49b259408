"""Searching the item list in Chromium: search, sort a column, save the filter, and a
colleague opens its link; the page passes axe-core at each step."""

import os

from playwright.sync_api import expect

from casework.models import SavedFilter
from tests.browser.conftest import axe_violations, sign_in
from tests.factories import FranchiseFactory, ItemFactory, PlatformFactory, RespondentFactory

SHOTS = os.environ.get("SEARCH_SCREENSHOTS", "")


def _shot(page, name):
    if SHOTS:
        page.screenshot(path=f"{SHOTS}/search-{name}.png", full_page=True)


def test_search_sort_save_and_open_the_saved_link(
    page, browser, live_server, legal, manager, netflix, squid_game, seedance
):
    vidu = PlatformFactory(name="Vidu", respondent=RespondentFactory(name="Acme Models Ltd."))
    bridgerton = FranchiseFactory(rights_holder=netflix, name="Bridgerton")
    ItemFactory(
        rights_holder=netflix,
        franchise=squid_game,
        platform=seedance,
        title="Ballroom finale of Squid Game, season 2",
        description="The ballroom scene, with the Young-hee doll watching.",
    )
    ItemFactory(
        rights_holder=netflix,
        franchise=squid_game,
        platform=vidu,
        title="Squid Game ballroom <b>gala</b>",
    )
    ItemFactory(rights_holder=netflix, franchise=bridgerton, platform=seedance, title="Dance")

    sign_in(page, legal.username)
    page.goto("/items/")
    page.get_by_label("Search:").fill("squid game ballroom")
    page.get_by_role("button", name="Filter").click()
    expect(page.locator("#item-count")).to_have_text("2 items, by relevance")
    marked = {text.lower() for text in page.locator("tbody mark").all_inner_texts()}
    assert marked == {"squid", "game", "ballroom"}
    expect(page.locator("tbody")).to_contain_text("Squid Game ballroom <b>gala</b>")
    assert axe_violations(page) == []
    _shot(page, "results")

    page.get_by_role("link", name="Respondent", exact=True).click()
    header = page.get_by_role("columnheader", name="Respondent")
    expect(header).to_have_attribute("aria-sort", "ascending")
    expect(page.locator("tbody tr").first).to_contain_text("Acme Models Ltd.")

    page.get_by_label("Name of this filter").fill("Squid ballroom by respondent")
    page.get_by_role("button", name="Save under this name").click()
    expect(page.get_by_role("status")).to_contain_text("Saved the filter")
    saved = SavedFilter.objects.get()
    link = page.locator(".saved-list").get_by_role("link", name="Squid ballroom by respondent")
    expect(link).to_have_attribute("href", saved.get_absolute_url())
    assert axe_violations(page) == []
    _shot(page, "saved")

    # A colleague opens the link: the same search, the same sort.
    colleague = browser.new_context(base_url=live_server.url)
    other = colleague.new_page()
    try:
        sign_in(other, manager.username)
        other.goto(saved.get_absolute_url())
        expect(other.get_by_label("Search:")).to_have_value("squid game ballroom")
        expect(other.locator("#item-count")).to_contain_text("2 items")
        expect(other.get_by_role("columnheader", name="Respondent")).to_have_attribute(
            "aria-sort", "ascending"
        )
        assert axe_violations(other) == []
        _shot(other, "colleague")
    finally:
        colleague.close()
