"""A manager makes an API key in Chromium, reads it once, and the API reference page
(Swagger UI from the sidecar's static files) renders under the app's CSP."""

import pytest

from tests.browser.conftest import sign_in
from tests.factories import ItemFactory

pytestmark = pytest.mark.browser


def test_a_manager_makes_a_key_and_reads_the_api_reference(page, manager, netflix):
    ItemFactory(rights_holder=netflix, title="Young-hee doll turns around")
    problems = []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    sign_in(page, manager.username)
    page.get_by_role("link", name="API keys").click()
    page.get_by_label("Name").fill("Vobile monitoring feed")
    page.get_by_label("Read and write").check()
    page.get_by_role("button", name="Make key").click()
    token = page.locator("#new-token").inner_text().strip()
    assert token.startswith("dsk_")
    page.screenshot(path="/work/shots/i11-api-keys.png", full_page=True)
    answer = page.request.get("/api/v1/items/", headers={"Authorization": f"Bearer {token}"})
    assert answer.status == 200
    assert answer.json()["results"][0]["title"] == "Young-hee doll turns around"
    page.reload()  # shown once: a reload of the page (a GET) does not show it again
    assert page.locator("#new-token").count() == 0
    assert "Vobile monitoring feed" in page.locator("table").inner_text()

    page.get_by_role("link", name="REST API").click()
    page.locator(".swagger-ui .info .title").wait_for()
    assert "Desist API" in page.locator(".swagger-ui .info .title").inner_text()
    page.locator(".opblock-summary-path", has_text="/api/v1/items/bulk/").first.wait_for()
    page.screenshot(path="/work/shots/i11-api-docs.png", full_page=False)
    assert not [p for p in problems if "Content Security Policy" in p], problems
