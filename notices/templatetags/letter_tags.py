"""Filters of the letter templates."""

import re

from django import template
from django.utils.html import conditional_escape
from django.utils.safestring import mark_safe

register = template.Library()

_URL_BREAKS = re.compile(r"(?<=[/?&=#._-])")


@register.filter
def breakable_url(value):
    """Escape a URL and allow line breaks after / ? & = # . _ - (long URLs fit the column).

    Cheaper for WeasyPrint than ``overflow-wrap: anywhere`` on every cell.
    """
    parts = _URL_BREAKS.split(str(value))
    return mark_safe("<wbr>".join(conditional_escape(part) for part in parts))  # noqa: S308


@register.filter
def breakable_hash(value, every=16):
    """Escape a hex digest and allow a line break every ``every`` characters."""
    text = str(value)
    chunks = [text[i : i + int(every)] for i in range(0, len(text), int(every))]
    return mark_safe("<wbr>".join(conditional_escape(chunk) for chunk in chunks))  # noqa: S308
