"""Template helpers of the items workspace: links that keep the list's filters."""

from django import template

register = template.Library()

# Paging cursors belong to one ordering and one filter; a new sort starts over.
PAGING_KEYS = ("after", "before", "page")


@register.simple_tag(takes_context=True)
def query(context, **changes):
    """The current query string with ``changes`` applied (None or "" removes a key)."""
    params = context["request"].GET.copy()
    for key, value in changes.items():
        params.pop(key, None)
        if value not in (None, ""):
            params[key] = value
    encoded = params.urlencode()
    return f"?{encoded}" if encoded else "?"


@register.simple_tag(takes_context=True)
def sort_query(context, column):
    """The query string that sorts by ``column``, toggling direction if already sorted by it."""
    current = context.get("sort", "")
    new = f"-{column}" if current == column else column
    params = context["request"].GET.copy()
    for key in (*PAGING_KEYS, "sort"):
        params.pop(key, None)
    params["sort"] = new
    return f"?{params.urlencode()}"


@register.simple_tag(takes_context=True)
def aria_sort(context, column):
    current = context.get("sort", "")
    if current == column:
        return "ascending"
    if current == f"-{column}":
        return "descending"
    return "none"


@register.filter
def filesize_exact(value):
    return f"{value:,} bytes"
