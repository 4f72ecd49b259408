"""The 500 page: rendered without the database and without the request, either of which
may be what broke. The 403, 404 and lockout pages are Django's and django-axes' handlers
with the templates in templates/ (403.html, 404.html, registration/locked_out.html), all
inside the app's layout (templates/errors/layout.html)."""

import logging

from django.http import HttpResponseServerError
from django.template import loader

logger = logging.getLogger(__name__)

# Shown when even the template cannot be rendered (a broken static manifest or URLconf).
FALLBACK = (
    '<!doctype html><html lang="en"><head><meta charset="utf-8">'
    "<title>Something went wrong · Desist</title></head><body>"
    "<main><p>500 · Server error</p><h1>Something went wrong on our side</h1>"
    "<p>The page could not be shown. The problem has been logged for the people who run "
    "Desist.</p><p>What you just did may not have been completed: open the page again and "
    "check before you repeat it.</p></main></body></html>"
)


def server_error(request, template_name="500.html"):
    """handler500: the styled page from a plain context (no context processors, no query)."""
    try:
        html = loader.get_template(template_name).render({})
    except Exception:  # the page about an error must not fail in turn
        logger.exception("The 500 page could not be rendered; sending the plain one.")
        html = FALLBACK
    return HttpResponseServerError(html)
