"""What every signed-in request costs before its view: the session comes from Redis
(config/sessions.py), and a Redis that does not answer never fails the request."""

import re

import pytest
from django.test import Client
from django.urls import reverse

from casework.choices import Role
from tests.factories import UserFactory

LIST = reverse("casework:item-list")


def _signed_in(user) -> Client:
    client = Client()
    client.force_login(user)  # through settings' backend, as a sign-in records it
    return client


def _header(html: str) -> str:
    return re.search(r'<div class="who">(.*?)</div>', html, re.S).group(1)


@pytest.mark.django_db
def test_a_signed_in_page_works_while_redis_does_not_answer(netflix, settings):
    user = UserFactory(username="nf-viewer", role=Role.VIEWER, holders=[netflix])
    client = _signed_in(user)
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",  # nothing listens there
        }
    }
    response = client.get(LIST)
    assert response.status_code == 200
    assert "nf-viewer" in _header(response.content.decode())
