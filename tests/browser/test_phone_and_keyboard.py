# ruff: noqa: F811  (pytest fixtures imported from other test modules)
"""In Chromium at 390 × 844 (a phone): the main pages fit the screen, axe-clean; the
list pages' skip link and keyboard shortcuts; "Check now" shows its progress and result.

Screenshots go to /tmp/phone-390-*.png.
"""

import re

import pytest
from playwright.sync_api import expect

from casework.choices import Stage
from casework.models import InfringingItem
from notices import drafting
from tests.browser.conftest import axe_violations, sign_in
from tests.casework.test_verification import server  # noqa: F401
from tests.factories import ItemFactory
from tests.notices.conftest import items, ready_letter, template  # noqa: F401

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}
SHOTS = "/tmp"

# What sticks out of the screen: the page's scroll width, and every element whose right
# edge is past the viewport and not inside a box that scrolls (or clips) sideways.
OVERFLOW = """() => {
  const width = document.documentElement.clientWidth;
  const clipped = (el) => {
    for (let p = el.parentElement; p; p = p.parentElement) {
      if (["auto", "scroll", "hidden"].includes(getComputedStyle(p).overflowX)) return true;
    }
    return false;
  };
  const wide = [...document.querySelectorAll("body *")].filter((el) => {
    const box = el.getBoundingClientRect();
    return box.width > 0 && box.right > width + 0.5 && !clipped(el);
  }).map((el) => `${el.tagName}#${el.id}.${el.className} ${el.getBoundingClientRect().right}`);
  return {scrollWidth: document.documentElement.scrollWidth, innerWidth: window.innerWidth, wide};
}"""


def long_items(holder, platform, count):
    """Items whose URLs and titles are long and unbroken, as scraped ones often are."""
    return [
        ItemFactory(
            rights_holder=holder,
            platform=platform,
            url=f"https://seedance.example/share/{n}/"
            + "squid-game-red-light-green-light-recreation-" * 6
            + f"{n}?utm_source=share&utm_medium=copy_link&ref="
            + "a1b2c3d4" * 8,
            title=f"Young-hee-doll-turns-around-in-the-Red-Light-Green-Light-set-remix-{n}",
        )
        for n in range(count)
    ]


def assert_fits(page, name, axe=True):
    found = page.evaluate(OVERFLOW)
    page.screenshot(path=f"{SHOTS}/phone-390-{name}.png", full_page=True)
    assert found["scrollWidth"] <= found["innerWidth"] == PHONE["width"], (name, found)
    assert found["wide"] == [], (name, found["wide"][:10])
    if axe:
        assert axe_violations(page) == [], name


def test_the_main_pages_fit_a_390px_phone(
    page, browser, live_server, legal, manager, netflix, seedance, items
):
    extra = long_items(netflix, seedance, 32)
    demand = drafting.draft_demand(legal, [i.pk for i in items + extra[:8]])
    ready_letter(demand)
    item = extra[0]
    InfringingItem.objects.filter(pk=item.pk).update(stage=Stage.NOTIFIED)

    # Wide screens show the filters; a phone folds them away until asked for.
    sign_in(page, legal.username)
    page.goto("/items/")
    expect(page.locator("details.filter-panel").first).to_have_attribute("open", "")
    expect(page.locator("#save-filter")).to_be_visible()
    page.set_viewport_size(PHONE)
    page.goto("/items/")
    expect(page.locator("#item-filters")).to_be_hidden()
    expect(page.locator("#save-filter")).to_be_hidden()
    expect(page.locator("#results tbody tr")).to_have_count(35)
    assert_fits(page, "items", axe=False)
    page.get_by_text("Filters", exact=True).click()
    expect(page.get_by_label("Franchise")).to_be_visible()
    assert_fits(page, "items-filters-open")

    for name, path in [
        ("demand", demand.get_absolute_url()),
        ("demands", "/demands/"),
        ("item", item.get_absolute_url()),
    ]:
        page.goto(path)
        assert_fits(page, name)

    context = browser.new_context(base_url=live_server.url, viewport=PHONE)
    try:
        boss = context.new_page()
        sign_in(boss, manager.username)
        boss.goto("/dashboard/")
        assert_fits(boss, "dashboard")
    finally:
        context.close()


def test_skip_link_and_shortcuts_move_through_the_list(page, legal, netflix, seedance):
    long_items(netflix, seedance, 30)
    page.set_viewport_size(PHONE)
    sign_in(page, legal.username)
    page.goto("/items/?size=25")

    page.keyboard.press("Tab")
    expect(page.locator(":focus")).to_have_text("Skip to results")
    page.keyboard.press("Enter")
    expect(page.locator(":focus")).to_have_id("results")
    page.keyboard.press("Tab")
    expect(page.locator(":focus")).to_have_attribute("aria-label", "Select all items on this page")

    # "/" opens the folded filters and puts the cursor in the search; typed keys stay there.
    page.keyboard.press("/")
    search = page.get_by_label("Search:")
    expect(search).to_be_focused()
    page.keyboard.type("np")
    expect(search).to_have_value("np")
    assert "after=" not in page.url

    search.fill("")
    page.evaluate("document.activeElement.blur()")
    page.keyboard.press("n")
    page.wait_for_url(re.compile(r"after="))
    expect(page.locator("#results tbody tr")).to_have_count(5)
    page.keyboard.press("p")
    page.wait_for_url(re.compile(r"before="))
    expect(page.locator("#results tbody tr")).to_have_count(25)
    expect(page.locator("#shortcuts")).to_contain_text("n next page")


@pytest.mark.django_db(transaction=True)
def test_check_now_shows_it_is_queued_then_its_result(
    page, celery_worker_real, manager, netflix, server
):
    item = ItemFactory(rights_holder=netflix, url=f"{server}/slow")  # answers 200 after 1.5 s
    InfringingItem.objects.filter(pk=item.pk).update(stage=Stage.NOTIFIED)
    page.set_viewport_size(PHONE)
    sign_in(page, manager.username)
    page.goto(item.get_absolute_url())
    expect(page.locator("#check-table")).to_contain_text("Not checked yet.")

    page.get_by_role("button", name="Check now").click()
    progress = page.locator("#check-progress")
    expect(progress).to_contain_text(re.compile("Check queued|Checking the URL now"))
    expect(page.locator("#check-table")).not_to_contain_text("Not checked yet.")

    # The panel polls itself: the result shows without a reload, and the table has it.
    expect(progress).to_contain_text("Check finished", timeout=30_000)
    expect(progress).to_contain_text("Live · HTTP 200")
    expect(page.locator("#check-table tbody tr").first).to_contain_text("Live")
    page.locator("#checks").screenshot(path=f"{SHOTS}/phone-390-check-done.png")
    # A while after it ended, the page still says how the check went.
    page.reload()
    expect(progress).to_contain_text("Live · HTTP 200")
    expect(page.locator("#check-progress[hx-get]")).to_have_count(0)
    assert axe_violations(page) == []
