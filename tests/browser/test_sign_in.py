"""Sign in through Chromium and see the workspace."""

import pytest

from tests.browser.conftest import sign_in
from tests.factories import ItemFactory

pytestmark = pytest.mark.browser


def test_legal_staff_signs_in_and_sees_only_their_items(page, legal, netflix, warner):
    ItemFactory(rights_holder=netflix, title="Young-hee doll turns around")
    ItemFactory(rights_holder=warner, title="Superman flight scene")
    sign_in(page, legal.username)
    assert page.locator("h1").count() == 1
    body = page.locator("main").inner_text()
    assert "Young-hee doll turns around" in body
    assert "Superman flight scene" not in body
    assert "Netflix, Inc." in page.locator("header").inner_text()


def test_wrong_password_is_refused(page, legal):
    page.goto("/accounts/login/")
    page.get_by_label("Username").fill(legal.username)
    page.get_by_label("Password").fill("wrong")
    page.get_by_role("button", name="Sign in").click()
    assert "/accounts/login/" in page.url
    assert page.get_by_role("alert").is_visible()
