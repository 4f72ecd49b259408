"""The Jinja2 environment of the few templates rendered with it (settings.TEMPLATES):
the hottest loops of Django pages (the item list's rows, the dashboard's chart),
rendered as fragments that the Django page puts in as they are."""

from django.template import engines
from django.utils.safestring import SafeString, mark_safe
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


def fragment(template_name: str, context: dict) -> SafeString:
    """``template_name`` (under templates/jinja2/) rendered for a Django page."""
    template = engines["jinja2"].get_template(template_name)
    # Safe: the environment autoescapes every value it puts in.
    return mark_safe(template.render(context))  # noqa: S308 - see above
