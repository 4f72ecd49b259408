"""End to end in Chromium: legal staff submit a demand; the manager finds it under "Waiting
for you", reads the letter in the page and returns it with a reason; the preparer sees the
reason on the demand and in their own waiting list. axe-core finds nothing on the way."""

import pytest
from playwright.sync_api import expect

from notices import rendering
from tests.browser.conftest import axe_violations, sign_in
from tests.notices.conftest import draft, items, template  # noqa: F401 - fixtures

pytestmark = pytest.mark.browser

REASON = "Exhibit A needs the <doll> screenshots of 14 February."


def test_submit_wait_read_return_with_reason(page, browser, live_server, legal, manager, draft):  # noqa: F811
    letter = rendering.request_render(draft, by=legal)
    rendering.render_letter(letter.pk)  # a draft PDF to read, as the worker would make it

    sign_in(page, legal.username)
    page.goto(draft.get_absolute_url())
    page.get_by_role("button", name="Submit for review").click()
    expect(page.locator("h1")).to_contain_text("In review")

    context = browser.new_context(base_url=live_server.url)
    context.set_default_timeout(15_000)
    try:
        boss = context.new_page()
        sign_in(boss, manager.username)
        waiting = boss.get_by_role("navigation", name="Main").get_by_role(
            "link", name="Waiting for you"
        )
        expect(waiting).to_have_text("Waiting for you 1 demand")  # the count, loaded by htmx
        waiting.click()
        expect(boss.locator("#waiting tbody tr")).to_have_count(1)
        expect(boss.locator("#waiting")).to_contain_text("Your review")
        boss.screenshot(path="/tmp/review-waiting-manager.png", full_page=True)
        assert axe_violations(boss) == []

        boss.get_by_role("link", name=draft.reference).click()
        frame = boss.locator("iframe.letter-frame")
        expect(frame).to_have_attribute("title", "Letter version 1 (PDF)")
        expect(boss.get_by_role("link", name="download the PDF")).to_be_visible()
        assert axe_violations(boss) == []
        boss.screenshot(path="/tmp/review-letter-in-page.png", full_page=True)

        # An empty reason is refused by the browser before anything is sent.
        boss.get_by_role("button", name="Return to draft").click()
        expect(boss.locator("h1")).to_contain_text("In review")
        boss.get_by_label("Reason for returning it").fill(REASON)
        boss.get_by_role("button", name="Return to draft").click()
        expect(boss.get_by_role("status").first).to_contain_text("returned to draft")
    finally:
        context.close()

    page.goto(draft.get_absolute_url())
    returned = page.locator("#returned")
    expect(returned).to_contain_text(REASON)
    expect(returned).to_contain_text(manager.username)
    page.screenshot(path="/tmp/review-returned-preparer.png", full_page=True)
    assert axe_violations(page) == []
    page.get_by_role("link", name="Waiting for you").click()
    expect(page.locator("#waiting")).to_contain_text(REASON)
    expect(page.locator("#waiting")).to_contain_text("returned to draft")
    page.screenshot(path="/tmp/review-waiting-preparer.png", full_page=True)
