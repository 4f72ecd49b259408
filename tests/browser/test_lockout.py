"""A person locked out after too many wrong passwords is told when signing in works again."""

import pytest

from tests.factories import PASSWORD

pytestmark = pytest.mark.browser


def test_locked_out_person_sees_when_signing_in_works_again(page, legal, settings):
    for attempt in range(settings.AXES_FAILURE_LIMIT + 1):
        page.goto("/accounts/login/")
        page.get_by_label("Username").fill(legal.username)
        page.get_by_label("Password").fill(
            PASSWORD if attempt == settings.AXES_FAILURE_LIMIT else "wrong"
        )
        page.get_by_role("button", name="Sign in").click()
    heading = page.get_by_role("heading", level=1)
    assert heading.inner_text() == "Signing in is paused"
    alert = page.get_by_role("alert").inner_text()
    assert "You can try again after" in alert and legal.username in alert
    assert page.locator("time").get_attribute("datetime")
    page.screenshot(path="/work/shots/lockout.png", full_page=True)
