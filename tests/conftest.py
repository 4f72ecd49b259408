"""Shared fixtures: the story's users (Netflix legal staff, manager, viewer, and an
outsider from Warner Bros.), django-webtest's ``app``, a real Celery worker on real
Redis, and Chromium."""

import pytest
from django.test import Client

from casework.choices import Role
from tests.factories import (
    FranchiseFactory,
    PlatformFactory,
    ProtectedElementFactory,
    RightsHolderFactory,
    UserFactory,
)


@pytest.fixture
def netflix(db):
    return RightsHolderFactory(name="Netflix, Inc.", code="NFLX")


@pytest.fixture
def warner(db):
    return RightsHolderFactory(name="Warner Bros. Entertainment Inc.", code="WBEI")


@pytest.fixture
def squid_game(netflix):
    return FranchiseFactory(rights_holder=netflix, name="Squid Game")


@pytest.fixture
def doll(squid_game):
    return ProtectedElementFactory(franchise=squid_game, name="Young-hee doll")


@pytest.fixture
def seedance(db):
    return PlatformFactory(name="Seedance 2.0")


@pytest.fixture
def legal(netflix):
    return UserFactory(username="nf-legal", role=Role.LEGAL, holders=[netflix])


@pytest.fixture
def manager(netflix):
    return UserFactory(username="nf-manager", role=Role.MANAGER, holders=[netflix])


@pytest.fixture
def viewer(netflix):
    return UserFactory(username="nf-viewer", role=Role.VIEWER, holders=[netflix])


@pytest.fixture
def outsider(warner):
    return UserFactory(username="wb-legal", role=Role.LEGAL, holders=[warner])


def _client_for(user):
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def legal_client(legal):
    return _client_for(legal)


@pytest.fixture
def manager_client(manager):
    return _client_for(manager)


@pytest.fixture
def viewer_client(viewer):
    return _client_for(viewer)


@pytest.fixture
def outsider_client(outsider):
    return _client_for(outsider)


@pytest.fixture
def app(django_app):
    """django-webtest: pages as a browser gets them, forms submitted as rendered.

    ``app.get(url, user=u).forms["form-id"]`` then fill and ``.submit()``: a form
    whose field names or prefix the view does not read fails here, as it would
    for a person (CSRF is checked too).
    """
    return django_app


@pytest.fixture
def celery_worker_real(transactional_db):
    """A real Celery worker thread consuming from the real broker (Redis in `make test`).

    Started without a queue list, it consumes every queue of settings.WORK_QUEUES
    (tests/notices/test_work_queues.py checks that)."""
    from celery.contrib.testing.worker import start_worker

    from config.celery import app

    app.conf.broker_connection_retry_on_startup = True
    with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=30) as worker:
        yield worker
