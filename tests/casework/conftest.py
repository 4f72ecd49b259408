"""Fixtures of the casework tests."""

import pytest

from tests.factories import ItemFactory, ProtectedElementFactory


@pytest.fixture
def catalogue(netflix, squid_game, doll, seedance):
    """Netflix's Squid Game with two elements, and the Seedance platform (for imports)."""
    ProtectedElementFactory(franchise=squid_game, name="Red Light, Green Light set")
    return squid_game


@pytest.fixture
def item(netflix, squid_game, seedance, doll):
    return ItemFactory(
        rights_holder=netflix,
        franchise=squid_game,
        platform=seedance,
        title="Young-hee doll turns around",
        elements=[doll],
    )
