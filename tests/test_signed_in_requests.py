"""What every signed-in request costs before its view: the session comes from Redis
(config/sessions.py), the user with their roles and rights holders from one query
(casework/backends.py) — and a changed role or membership still counts at once."""

import re

import pytest
from django.contrib.auth.models import Group
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from casework.choices import Role
from tests.factories import PASSWORD, ItemFactory, UserFactory

LIST = reverse("casework:item-list")


def _signed_in(user) -> Client:
    client = Client()
    client.force_login(user)  # through settings' backend, as a sign-in records it
    return client


def _header(html: str) -> str:
    return re.search(r'<div class="who">(.*?)</div>', html, re.S).group(1)


@pytest.mark.django_db
def test_the_session_user_roles_and_holders_cost_one_query(legal, netflix, warner):
    warner.members.add(legal)
    client = _signed_in(legal)
    client.get(LIST)  # the list's filter choices are read once, then cached
    with CaptureQueriesContext(connection) as captured:
        response = client.get(LIST)
    assert response.status_code == 200
    sql = [q["sql"] for q in captured.captured_queries]
    assert not [q for q in sql if "django_session" in q]
    assert len([q for q in sql if "auth_group" in q or "rightsholder_members" in q]) == 1
    header = _header(response.content.decode())
    assert "Legal staff" in header
    assert "Netflix, Inc., Warner Bros. Entertainment Inc." in header


@pytest.mark.django_db
def test_a_changed_membership_or_role_counts_at_the_next_request(legal, netflix, warner):
    theirs = ItemFactory(rights_holder=warner)
    warner.members.add(legal)
    client = _signed_in(legal)
    assert client.get(theirs.get_absolute_url()).status_code == 200

    warner.members.remove(legal)
    legal.groups.remove(Group.objects.get(name=Role.LEGAL.value))
    assert client.get(theirs.get_absolute_url()).status_code == 404
    header = _header(client.get(LIST).content.decode())
    assert "Warner" not in header and "Netflix, Inc." in header
    assert "Legal staff" not in header


@pytest.mark.django_db
def test_a_signed_in_page_works_while_redis_does_not_answer(netflix, request):
    user = UserFactory(username="nf-viewer", role=Role.VIEWER, holders=[netflix])
    client = _signed_in(user)
    request.getfixturevalue("cache_down")  # after signing in: the session was cached
    response = client.get(LIST)
    assert response.status_code == 200
    assert "nf-viewer" in _header(response.content.decode())


@pytest.mark.django_db
def test_signing_in_and_out_works_while_redis_does_not_answer(app, legal, cache_down):
    """Signing in makes a new session key (cached_db asks the cache whether a key is
    taken) and drops the old one; signing out deletes it: none of them a 500."""
    from tests.test_forms_as_rendered import sign_in_form

    page = sign_in_form(app, legal.username, PASSWORD, next_url=LIST).submit().follow()
    assert "nf-legal" in _header(page.text)
    page = page.forms["sign-out"].submit().follow()
    assert "sign-out" not in page.forms
    assert app.get(LIST).status_code == 302  # signed out: back to the sign-in page
