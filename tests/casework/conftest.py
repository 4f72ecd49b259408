"""Fixtures of the casework tests."""

import pytest

from tests.factories import ProtectedElementFactory


@pytest.fixture
def catalogue(netflix, squid_game, doll, seedance):
    """Netflix's Squid Game with two elements, and the Seedance platform (for imports)."""
    ProtectedElementFactory(franchise=squid_game, name="Red Light, Green Light set")
    return squid_game
