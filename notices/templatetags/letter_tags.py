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


@register.filter
def number_ranges(numbers) -> str:
    """[1, 2, 3, 5, 7, 8] -> "1–3, 5, 7–8" (Exhibit A numbers, ascending)."""
    runs: list[list[int]] = []
    for n in sorted(numbers):
        if runs and n == runs[-1][1] + 1:
            runs[-1][1] = n
        else:
            runs.append([n, n])
    return ", ".join(str(a) if a == b else f"{a}\u2013{b}" for a, b in runs)
