"""Fixtures of the API tests: Netflix's catalogue and items, keys of both scopes, and
Warner's own catalogue, item, demand and key (the outsider's ids every test tries)."""

import pytest
from rest_framework.test import APIClient

from casework.api import keys
from notices import drafting
from tests.factories import (
    FranchiseFactory,
    ItemFactory,
    PlatformFactory,
    ProtectedElementFactory,
    RespondentFactory,
    UserFactory,
)


def client_with(token=None):
    client = APIClient()
    if token:
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    return client


@pytest.fixture
def write_key(netflix, manager):
    return keys.create_key(netflix, name="Vobile feed", scope="write", by=manager)


@pytest.fixture
def read_key(netflix, manager):
    return keys.create_key(netflix, name="Dashboard reader", scope="read", by=manager)


@pytest.fixture
def api(write_key):
    return client_with(write_key[1])


@pytest.fixture
def reader(read_key):
    return client_with(read_key[1])


@pytest.fixture
def catalogue(netflix, squid_game, doll, seedance):
    red_light = ProtectedElementFactory(franchise=squid_game, name="Red Light, Green Light set")
    return {"franchise": squid_game, "elements": [doll, red_light], "platform": seedance}


@pytest.fixture
def item(netflix, squid_game, seedance, doll):
    return ItemFactory(
        rights_holder=netflix,
        franchise=squid_game,
        platform=seedance,
        url="https://seedance.example/share/doll-1",
        title="Young-hee doll turns around",
        elements=[doll],
    )


@pytest.fixture
def warner_side(warner):
    """Warner's franchise, element, item, a sent demand and its remedy, and a key."""
    from notices import workflow
    from notices.demo import template_fields_for
    from notices.models import LetterTemplate

    wb_legal = UserFactory(username="wb-legal-2", role="Legal staff", holders=[warner])
    wb_manager = UserFactory(username="wb-manager-2", role="Manager", holders=[warner])
    franchise = FranchiseFactory(rights_holder=warner, name="Harry Potter")
    element = ProtectedElementFactory(franchise=franchise, name="Hogwarts castle")
    platform = PlatformFactory(name="Sora clone")
    item = ItemFactory(
        rights_holder=warner,
        franchise=franchise,
        platform=platform,
        url="https://wb.example/hogwarts",
        title="Hogwarts flythrough",
        elements=[element],
    )
    LetterTemplate.objects.create(rights_holder=warner, version=1, **template_fields_for(warner))
    RespondentFactory(name="ByteDance Ltd.")
    demand = drafting.draft_demand(wb_legal, [item.pk])
    workflow.perform(demand, "submit", by=wb_legal)
    workflow.perform(demand, "approve", by=wb_manager)
    workflow.send(demand, by=wb_legal, sent_on=warner.today(), channels=["email"])
    key, token = keys.create_key(warner, name="WB feed", scope="write", by=wb_manager)
    return {
        "franchise": franchise,
        "element": element,
        "item": item,
        "demand": demand,
        "remedy": demand.remedies.first(),
        "evidence_item": item,
        "token": token,
    }


def item_row(catalogue, n=0, **overrides):
    row = {
        "franchise": catalogue["franchise"].pk,
        "platform": catalogue["platform"].pk,
        "elements": [catalogue["elements"][0].pk],
        "url": f"https://seedance.example/share/api-{n}",
        "title": f"Doll clip {n}",
        "content_kind": "video",
        "conduct": "recreation",
        "first_seen": "2026-02-14",
    }
    row.update(overrides)
    return row
