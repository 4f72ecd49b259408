"""Filters of the letter templates."""

import re

from django import template

register = template.Library()

# A zero-width space: a line may break there, nothing is drawn and PDF text extraction
# (pypdf, pdfium) drops it, so a URL or digest still reads and searches as one word.
# Unlike <wbr> it is plain text: no extra inline box per break point for WeasyPrint
# to lay out (half the layout time and memory of a long Exhibit A), and the filters'
# output is an ordinary string the template autoescapes.
BREAK = "\u200b"
_URL_BREAKS = re.compile(r"(?<=[/?&=#._-])")


@register.filter
def breakable_url(value):
    """Allow line breaks after / ? & = # . _ - (long URLs fit the column); autoescaped.

    Cheaper for WeasyPrint than ``overflow-wrap: anywhere`` on every cell.
    """
    return BREAK.join(part for part in _URL_BREAKS.split(str(value)) if part)


@register.filter
def breakable_hash(value, every=16):
    """Allow a line break every ``every`` characters of a hex digest; autoescaped."""
    text = str(value)
    step = int(every)
    return BREAK.join(text[i : i + step] for i in range(0, len(text), step))
