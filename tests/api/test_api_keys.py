"""API keys: made on the holder's page as rendered, shown once, stored hashed, revoked,
scoped to their holder and their scope; session auth for the browser."""

import hashlib

import pytest
from django.test import Client
from django.urls import reverse

from casework.models import ApiKey
from tests.api.conftest import client_with

pytestmark = pytest.mark.django_db


def _keys_page(app, user, holder):
    return app.get(reverse("casework:api-keys", args=[holder.pk]), user=user)


def test_a_manager_makes_a_key_shown_once_and_stored_hashed(app, manager, netflix, item):
    page = app.get(reverse("casework:item-list"), user=manager).click("API keys")
    page = page.follow() if page.status_code == 302 else page
    form = page.forms["api-key-create"]
    form["name"] = "Vobile monitoring feed"
    form["scope"] = "write"
    answer = form.submit().follow()
    token = answer.html.select_one("#new-token").text.strip()
    assert token.startswith("dsk_") and len(token) > 40
    assert "shown only once" in answer.text
    key = ApiKey.objects.get(rights_holder=netflix)
    assert key.hashed_token == hashlib.sha256(token.encode()).hexdigest()
    assert token not in str(list(ApiKey.objects.values_list()))  # never stored as given
    assert key.prefix == token[:12] and key.scope == "write" and key.last_used_at is None
    # The page never shows it again, only its prefix.
    again = _keys_page(app, manager, netflix)
    assert token not in again.text and key.prefix in again.text
    assert again.html.select_one("#new-token") is None

    response = client_with(token).get("/api/v1/items/")
    assert response.status_code == 200
    assert [row["id"] for row in response.json()["results"]] == [item.pk]
    key.refresh_from_db()
    assert key.last_used_at is not None
    assert "never" not in _keys_page(app, manager, netflix).html.select_one("tbody tr").text


def test_a_revoked_key_is_refused(app, manager, netflix, write_key):
    key, token = write_key
    assert client_with(token).get("/api/v1/items/").status_code == 200
    asked = _keys_page(app, manager, netflix).forms[f"api-key-revoke-{key.pk}"].submit()
    assert asked.html.h1.get_text() == f"Revoke API key “{key.name}” ({key.prefix}…)?"
    asked.forms["confirm"].submit().follow()
    key.refresh_from_db()
    assert key.revoked_at is not None and key.revoked_by == manager
    response = client_with(token).get("/api/v1/items/")
    assert response.status_code == 401
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["detail"] == "Unknown or revoked API key."
    assert f"api-key-revoke-{key.pk}" not in _keys_page(app, manager, netflix).forms


def test_a_key_name_is_required(app, manager, netflix):
    form = _keys_page(app, manager, netflix).forms["api-key-create"]
    answer = form.submit(status=400)
    assert answer.html.select_one(".has-error #id_name") is not None
    assert not ApiKey.objects.exists()


def test_only_managers_of_the_holder_reach_the_keys_page(
    app, legal, viewer, outsider, manager, netflix
):
    url = reverse("casework:api-keys", args=[netflix.pk])
    app.get(url, user=legal, status=403)
    app.get(url, user=viewer, status=403)
    app.get(url, user=outsider, status=404)
    assert "API keys" not in app.get(reverse("casework:item-list"), user=legal).text
    assert "API keys" in app.get(reverse("casework:item-list"), user=manager).text


def test_no_or_unknown_key_is_401_with_a_challenge(item):
    for client in (client_with(), client_with("dsk_not-a-key")):
        response = client.get("/api/v1/items/")
        assert response.status_code == 401
        assert response["WWW-Authenticate"].startswith("Bearer")
        assert response.json()["status"] == 401


def test_a_read_key_reads_and_cannot_write(reader, item, catalogue):
    assert reader.get(f"/api/v1/items/{item.pk}/").status_code == 200
    response = reader.post(
        f"/api/v1/items/{item.pk}/transitions/", {"target": "dismissed", "reason": "x"}
    )
    assert response.status_code == 403
    assert "write key" in response.json()["detail"]
    item.refresh_from_db()
    assert item.stage == "identified"


def test_the_browser_session_reads_and_its_writes_need_the_csrf_token(legal, item):
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(legal)
    assert browser.get("/api/v1/items/").json()["results"][0]["id"] == item.pk
    response = browser.post(
        f"/api/v1/items/{item.pk}/transitions/",
        {"target": "dismissed", "reason": "licensed"},
        content_type="application/json",
    )
    assert response.status_code == 403
    assert "CSRF" in response.json()["detail"]
    browser.get(reverse("casework:item-detail", args=[item.pk]))  # sets the CSRF cookie
    response = browser.post(
        f"/api/v1/items/{item.pk}/transitions/",
        {"target": "dismissed", "reason": "licensed"},
        content_type="application/json",
        HTTP_X_CSRFTOKEN=browser.cookies["csrftoken"].value,
    )
    assert response.status_code == 201
