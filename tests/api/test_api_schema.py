"""schemathesis against the live schema (/api/schema/, served by the app itself): every
operation, with a valid write key and with none, must answer without a 5xx and within
its documented responses (status, content type, body schema).

Bounded: a few examples per operation, no shrinking, a per-example deadline.
"""

import pytest
import schemathesis
from django.core import signals
from django.db import close_old_connections
from hypothesis import HealthCheck, Phase, settings
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)

from casework.api import keys
from config.wsgi import application
from tests.factories import ItemFactory

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]


# Loaded from the app's own /api/schema/ (no database needed to serve it).
schema = schemathesis.openapi.from_wsgi("/api/schema/", application)
# Explicit examples and random generation only: the coverage phase's hundreds of
# boundary cases per operation would take minutes on every run.
schema.config.phases.coverage.enabled = False


@pytest.fixture
def bearer(db, netflix, manager, squid_game, doll, seedance):
    ItemFactory(rights_holder=netflix, franchise=squid_game, platform=seedance, elements=[doll])
    # The WSGI app closes the database connection after each request, as a server
    # does; Django's test client stops that, and so does this (the test's
    # transaction lives on that connection).
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield keys.create_key(netflix, name="schemathesis", scope="write", by=manager)[1]
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@schema.parametrize()
@settings(
    max_examples=4,
    deadline=3000,
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=list(HealthCheck),
    derandomize=True,
)
def test_no_5xx_and_nothing_outside_the_schema(case, bearer):
    for headers in ({"Authorization": f"Bearer {bearer}"}, {}):
        case.call_and_validate(headers=headers, checks=CHECKS)
