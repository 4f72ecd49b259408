"""The error pages are the app's pages: inside its layout, in plain words, and the 500 page
is shown without the database or the request."""

import pytest
from django.test import Client
from django.urls import reverse

from config import errors


def _layout(page) -> dict:
    """What the page shows of the layout and the error: brand, navigation, code, heading."""
    html = page.html
    nav = html.select_one("nav[aria-label=Main]")
    return {
        "brand": html.select_one(".site-header .brand").get_text(strip=True),
        "nav": [a.get_text(strip=True) for a in nav.select("a")] if nav else [],
        "code": html.select_one(".error-code").get_text(strip=True),
        "heading": html.select_one("h1").get_text(strip=True),
        "message": html.select_one(".error-page .stack").get_text(" ", strip=True),
    }


def test_403_for_a_viewer_on_a_write_page(app, viewer):
    page = app.get(reverse("imports:start"), user=viewer, status=403)
    shown = _layout(page)
    assert shown["brand"] == "Desist" and "Items" in shown["nav"]
    assert shown["code"] == "403 · Not allowed"
    assert shown["heading"] == "You can't do that here"
    assert "Viewers cannot change anything." in shown["message"]
    assert "Your role (Viewer) does not allow this. Nothing was changed." in shown["message"]
    assert page.html.select_one(".error-actions a")["href"] == reverse("casework:item-list")


@pytest.mark.django_db
def test_404_for_another_holders_object(app, outsider):
    from notices.models import Demand
    from tests.factories import ItemFactory, PlatformFactory, RespondentFactory, RightsHolderFactory

    holder = RightsHolderFactory(name="Netflix, Inc.", code="NFLX")
    item = ItemFactory(rights_holder=holder, platform=PlatformFactory(name="Seedance 2.0"))
    demand = Demand.objects.create(
        rights_holder=holder,
        respondent=RespondentFactory(),
        reference="NFLX-2026-0001",
        year=2026,
        number=1,
    )
    for url in (item.get_absolute_url(), demand.get_absolute_url()):
        page = app.get(url, user=outsider, status=404)
        shown = _layout(page)
        assert shown["code"] == "404 · Not found"
        assert shown["heading"] == "We can't find that page"
        assert "nothing you can open at this address" in shown["message"]
        # Nothing says the object exists, nor whose it is.
        assert "Netflix" not in page.text and "Warner Bros." in shown["message"]


@pytest.mark.urls("tests.error_urls")
@pytest.mark.django_db
def test_500_from_a_failing_view_with_debug_off(settings, legal):
    assert settings.DEBUG is False
    client = Client(raise_request_exception=False)
    client.force_login(legal)
    response = client.get("/boom/")
    assert response.status_code == 500
    text = response.content.decode()
    assert "Something went wrong on our side" in text
    assert "500 · Server error" in text
    assert 'class="site-header"' in text and "app.css" in text  # the app's layout
    assert "RuntimeError" not in text and "Traceback" not in text


def test_the_500_page_needs_no_database_nor_request(rf):
    # No django_db mark: any query here fails the test.
    response = errors.server_error(rf.get("/anything/"))
    assert response.status_code == 500
    assert b"Something went wrong on our side" in response.content
    assert b'class="site-header"' in response.content
    assert b"Sign out" not in response.content  # no user, no navigation


def test_the_500_page_falls_back_to_plain_html_when_its_template_fails(rf, monkeypatch):
    def broken(name):
        raise ValueError("Missing staticfiles manifest entry for 'css/app.css'")

    monkeypatch.setattr(errors.loader, "get_template", broken)
    response = errors.server_error(rf.get("/"))
    assert response.status_code == 500
    assert b"Something went wrong on our side" in response.content


@pytest.mark.django_db
def test_an_expired_form_says_so(legal):
    client = Client(enforce_csrf_checks=True)
    client.force_login(legal)
    response = client.post(reverse("notices:demand-create"), {"items": "1"})
    assert response.status_code == 403
    text = response.content.decode()
    assert "This form has expired" in text and "Nothing was saved." in text
