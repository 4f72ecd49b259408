"""The Jinja2 environment of the few templates rendered with it (settings.TEMPLATES)."""

from jinja2 import Environment


def truncate_url(value: str, length: int = 90) -> str:
    """Like Django's ``truncatechars``: at most ``length`` characters, "…" included."""
    return value if len(value) <= length else f"{value[: length - 1]}…"


def environment(**options):
    # Always escaping: the rows it renders are marked safe and put into Django pages.
    options["autoescape"] = True
    env = Environment(**options)  # noqa: S701 - autoescape is set on the line above
    env.filters["truncate_url"] = truncate_url
    return env
