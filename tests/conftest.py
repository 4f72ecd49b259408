"""Shared fixtures: the story's users (Netflix legal staff, manager, viewer, and an
outsider from Warner Bros.), django-webtest's ``app``, a real Celery worker on real
Redis, and an S3-compatible server (moto) with a bucket prefix per test."""

import logging
import uuid

import pytest
from django.test import Client

from casework.choices import Role
from config.env import storage_from_url
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
def cache_down(settings):
    """Django's cache pointed at a Redis that does not answer (nothing listens there)."""
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",
        }
    }


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


# --- An S3-compatible server (moto's) for object storage tests ------------------------

KEYS = {"access_key": "desist-test", "secret_key": "desist-test-secret"}


@pytest.fixture(scope="session")
def s3_server():
    """moto's S3 server on a free port of 127.0.0.1 and one bucket for the session."""
    import boto3
    from moto.server import ThreadedMotoServer

    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # one line per request else
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    endpoint = f"http://{host}:{port}"
    bucket = f"desist-test-{uuid.uuid4().hex[:8]}"
    client = boto3.client(
        "s3",
        endpoint_url=endpoint,
        region_name="us-east-1",
        aws_access_key_id=KEYS["access_key"],
        aws_secret_access_key=KEYS["secret_key"],
    )
    client.create_bucket(Bucket=bucket)
    yield endpoint, bucket, client
    server.stop()


class Bucket:
    """The test's part of the bucket (a prefix of its own) as the app sees it."""

    def __init__(self, endpoint, bucket, client, prefix):
        self.endpoint, self.name, self.client, self.prefix = endpoint, bucket, client, prefix
        self.url = f"s3://{bucket}/{prefix}?endpoint={endpoint}&region=us-east-1"

    def key(self, name):
        return f"{self.prefix}/{name}"

    def read(self, name) -> bytes:
        return self.client.get_object(Bucket=self.name, Key=self.key(name))["Body"].read()

    def keys(self) -> list[str]:
        found = self.client.list_objects_v2(Bucket=self.name, Prefix=self.prefix + "/")
        return [entry["Key"] for entry in found.get("Contents", [])]


@pytest.fixture
def bucket(s3_server, settings, tmp_path):
    """This process (the web side) stores through S3; its MEDIA_ROOT is an empty folder
    that must stay empty."""
    endpoint, name, client = s3_server
    found = Bucket(endpoint, name, client, f"t-{uuid.uuid4().hex[:8]}")
    settings.STORAGES = {**settings.STORAGES, "default": storage_from_url(found.url, **KEYS)}
    settings.MEDIA_ROOT = tmp_path / "web-media"
    settings.MEDIA_ROOT.mkdir()
    return found
