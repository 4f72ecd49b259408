"""In Chromium, the error pages look like the app: 403 for a viewer on a write page, 404 for
another holder's demand, 429 after too many wrong passwords, 500 from a failing view."""

import os
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import sign_in
from tests.factories import PASSWORD
from tests.notices.conftest import draft, items, template  # noqa: F401 - fixtures

pytestmark = [pytest.mark.browser, pytest.mark.urls("tests.error_urls")]

SHOTS = Path(os.environ.get("SHOTS_DIR", "/work/shots"))


def _shot(page, name, tmp_path):
    folder = SHOTS if SHOTS.is_dir() else tmp_path
    page.screenshot(path=str(folder / f"i11-lumen-error-{name}.png"))


def _heading(page):
    return page.get_by_role("heading", level=1)


def test_403_404_and_500_pages_inside_the_layout(page, viewer, outsider, draft, tmp_path):  # noqa: F811
    sign_in(page, viewer.username)
    response = page.goto("/import/")
    assert response.status == 403
    expect(_heading(page)).to_have_text("You can't do that here")
    expect(page.get_by_role("navigation", name="Main")).to_be_visible()
    expect(page.locator(".error-page")).to_contain_text("Your role (Viewer) does not allow this")
    _shot(page, "403", tmp_path)

    page.context.clear_cookies()
    sign_in(page, outsider.username)
    response = page.goto(f"/demands/{draft.pk}/")
    assert response.status == 404
    expect(_heading(page)).to_have_text("We can't find that page")
    expect(page.locator(".error-page")).not_to_contain_text("Netflix")
    _shot(page, "404", tmp_path)

    response = page.goto("/boom/")
    assert response.status == 500
    expect(_heading(page)).to_have_text("Something went wrong on our side")
    # The stylesheet loaded: the header has the app's dark background.
    background = page.locator(".site-header").evaluate("e => getComputedStyle(e).backgroundColor")
    assert background == "rgb(16, 42, 67)"
    _shot(page, "500", tmp_path)


def test_429_lockout_page_inside_the_layout(page, legal, settings, tmp_path):
    for attempt in range(settings.AXES_FAILURE_LIMIT + 1):
        page.goto("/accounts/login/")
        page.get_by_label("Username").fill(legal.username)
        page.get_by_label("Password").fill(
            PASSWORD if attempt == settings.AXES_FAILURE_LIMIT else "wrong"
        )
        page.get_by_role("button", name="Sign in").click()
    expect(_heading(page)).to_have_text("Signing in is paused")
    expect(page.locator(".error-code")).to_have_text("429 · Too many attempts")
    expect(page.get_by_role("alert")).to_contain_text("You can try again after")
    expect(page.get_by_role("link", name="Back to the sign-in page")).to_be_visible()
    _shot(page, "429", tmp_path)
