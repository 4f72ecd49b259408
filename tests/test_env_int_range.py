"""Whole-number settings with a range (VARIANT_MAX_DISTANCE): a bad value stops the app."""

import pytest
from django.core.exceptions import ImproperlyConfigured

from config.env import env_int_range


def test_default_value_and_bounds():
    assert env_int_range("X", default=9, low=0, high=14, environ={}) == 9
    assert env_int_range("X", default=9, low=0, high=14, environ={"X": " 14 "}) == 14


@pytest.mark.parametrize("raw", ["15", "-1", "nine", "9.5"])
def test_anything_else_is_refused_naming_the_variable(raw):
    with pytest.raises(ImproperlyConfigured, match="X=.* must be a whole number from 0 to 14"):
        env_int_range("X", default=9, low=0, high=14, environ={"X": raw})
