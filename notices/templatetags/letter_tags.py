"""Filters of the letter templates."""

from urllib.parse import urlsplit

from django import template

register = template.Library()


@register.filter
def is_web_url(value) -> bool:
    """True for an http(s) URL with a host: only those become links in a letter."""
    try:
        parts = urlsplit(str(value))
    except ValueError:
        return False
    return parts.scheme in ("http", "https") and bool(parts.netloc)
