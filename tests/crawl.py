"""Walk the app as a person would: follow links from "/", read the forms each page renders.

Shared by the fuzz and the access tests, so both see the same pages a role can reach.
"""

import html
import re
from collections import deque
from urllib.parse import parse_qsl, urlsplit

from django.urls import URLPattern, URLResolver, get_resolver, resolve
from django.urls.exceptions import Resolver404

# Django's own admin, and the end of the session, are not the app's pages.
SKIP = ("/admin/", "/accounts/logout/", "/static/")
PAGES_PER_ROUTE = 3
CRAWL_LIMIT = 80
GENERIC_KEYS = ["next", "page", "cursor", "after", "before", "sort", "order", "q", "format"]

LINK = re.compile(r'\b(?:href|hx-get)="([^"]*)"')
FORM = re.compile(r"<form\b([^>]*)>(.*?)</form>", re.S | re.I)
FIELD = re.compile(r'<(?:input|select|textarea|button)\b[^>]*\bname="([^"]+)"', re.I)
ATTR = re.compile(r'\b(method|action)="([^"]*)"', re.I)


def _route(path):
    try:
        match = resolve(path)
    except Resolver404:
        return None
    return match.route


def crawl(client, start=("/",), per_route=PAGES_PER_ROUTE):
    """GET pages from "/" by their links; return the pages and the forms they render.

    At most ``per_route`` URLs of one route are visited (two items, not 28).
    """
    pages: dict[str, set[str]] = {}
    forms: dict[tuple[str, tuple[str, ...]], None] = {}
    followed: dict[str, int] = {}
    queue = deque(start)
    seen = set()
    while queue and len(seen) < CRAWL_LIMIT:
        url = queue.popleft()
        if url in seen:
            continue
        seen.add(url)
        response = client.get(url)
        assert response.status_code < 500, url
        path = urlsplit(url).path
        names = pages.setdefault(path, set(GENERIC_KEYS))
        names.update(k for k, _ in parse_qsl(urlsplit(url).query))
        if response.status_code in (301, 302) and response["Location"].startswith("/"):
            queue.append(response["Location"])
            continue
        if response.status_code != 200 or "text/html" not in response.get("Content-Type", ""):
            continue
        text = response.content.decode()
        for attrs, body in FORM.findall(text):
            attr = {k.lower(): html.unescape(v) for k, v in ATTR.findall(attrs)}
            fields = tuple(sorted(set(FIELD.findall(body)) - {"csrfmiddlewaretoken"}))
            action = urlsplit(attr.get("action") or url).path or path
            if attr.get("method", "get").lower() == "post":
                if not action.startswith(SKIP) and len({a for a, _ in forms}) < 60:
                    forms[(action, fields)] = None
            else:
                pages.setdefault(action, set(GENERIC_KEYS)).update(fields)
        for href in LINK.findall(text):
            parts = urlsplit(html.unescape(href))
            if parts.scheme or parts.netloc or not parts.path.startswith(("/",)):
                continue
            route = _route(parts.path)
            if route is None or parts.path.startswith(SKIP):
                continue
            target = parts.path + (f"?{parts.query}" if parts.query else "")
            if target in seen or followed.get(route, 0) >= per_route:
                continue
            followed[route] = followed.get(route, 0) + 1
            queue.append(target)
    return sorted((p, sorted(n)) for p, n in pages.items()), [
        (action, list(fields)) for action, fields in forms
    ]


def _patterns(resolver, prefix=""):
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            yield from _patterns(entry, prefix + str(entry.pattern))
        elif isinstance(entry, URLPattern):
            yield prefix + str(entry.pattern), entry.pattern


def id_routes():
    """Every route of the app (not Django's admin) that takes an object id, with its converters."""
    routes = []
    for route, pattern in _patterns(get_resolver()):
        converters = getattr(pattern, "converters", {})
        if converters and not route.startswith("admin/"):
            routes.append((route, converters))
    return routes
