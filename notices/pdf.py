"""HTML to PDF/A with WeasyPrint, fetching nothing but the project's own static files.

WeasyPrint's default fetcher follows any URL in the document: ``file://`` images
load, ``<a rel="attachment" href="file:///etc/passwd">`` embeds that file in the
PDF, and stylesheets come over http(s). Letters contain text people typed, so
the fetcher here serves only an allow-list of files under ``static/`` and
refuses everything else (other than inline ``data:`` URLs).

Documents are parsed against a base URL on a reserved domain, so a relative
``/static/letters/letter.css`` (what ``{% static %}`` writes) resolves to
``https://static.desist.invalid/static/letters/letter.css`` and is served from
disk; that host is never contacted.
"""

from __future__ import annotations

import ctypes
import datetime as dt
import gc
import inspect
import io
import logging
import mimetypes
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pydyf
import weasyprint.pdf
from django.conf import settings
from django.contrib.staticfiles import finders
from weasyprint import CSS, HTML, Attachment
from weasyprint.css.counters import CounterStyle
from weasyprint.html import UA
from weasyprint.pdf import tags
from weasyprint.urls import URLFetcher, URLFetcherResponse

logger = logging.getLogger(__name__)

BASE_URL = "https://static.desist.invalid/"
# Static paths (relative to STATIC_URL) a document may load: folders end with "/".
ALLOWED_STATIC = ("letters/", "fonts/")


class RefusedURL(ValueError):
    """A document asked for a URL the letter fetcher does not serve."""


def _static_prefix() -> str:
    prefix = settings.STATIC_URL or "/static/"
    if "://" in prefix:  # a CDN STATIC_URL: letters still load from disk
        prefix = urlsplit(prefix).path
    return "/" + prefix.strip("/") + "/"


def resolve_static(url: str) -> Path | None:
    """The file on disk an allowed static URL names, or None."""
    parts = urlsplit(url)
    base = urlsplit(BASE_URL)
    if (parts.scheme, parts.netloc) != (base.scheme, base.netloc):
        return None
    prefix = _static_prefix()
    path = unquote(parts.path)
    if not path.startswith(prefix):
        return None
    relative = path[len(prefix) :]
    if not relative or ".." in relative.split("/") or "\\" in relative:
        return None
    if not any(relative.startswith(allowed) for allowed in ALLOWED_STATIC):
        return None
    found = finders.find(relative)
    if found:
        return Path(found)
    # Production: {% static %} writes the hashed name, which only collectstatic's
    # STATIC_ROOT holds.
    root = Path(settings.STATIC_ROOT).resolve() if settings.STATIC_ROOT else None
    if root is not None:
        candidate = (root / relative).resolve()
        if candidate.is_relative_to(root) and candidate.is_file():
            return candidate
    return None


class StaticOnlyFetcher(URLFetcher):
    """Serves allow-listed static files and ``data:`` URLs; refuses the rest."""

    def __init__(self, **kwargs):
        kwargs.setdefault("timeout", 5)
        super().__init__(allowed_protocols={"data"}, allow_redirects=False, **kwargs)
        self.refused: list[str] = []

    def fetch(self, url, headers=None):
        file_path = resolve_static(url)
        if file_path is not None:
            content_type = mimetypes.guess_type(file_path.name)[0] or "application/octet-stream"
            return URLFetcherResponse(
                url, file_path.read_bytes(), {"Content-Type": content_type}, 200
            )
        if url.lower().startswith("data:"):
            return super().fetch(url, headers)
        self.refused.append(url)
        logger.warning("Letter fetcher refused %s", url[:200])
        raise RefusedURL(f"Refused to fetch {url[:200]}")


# Tagged PDF/A-3 (level A): a structure tree (headings, paragraphs, lists, Table/TR/TH/TD)
# that screen readers and extraction tools follow; PDF/A-3 allows embedded files.
PDF_VARIANT = "pdf/a-3a"


@dataclass(frozen=True)
class PdfAttachment:
    """A file embedded in the PDF (bytes we made, never a URL)."""

    name: str
    content: bytes
    description: str
    created: dt.datetime
    relationship: str = "Supplement"


@dataclass(frozen=True)
class RenderedPdf:
    content: bytes
    pages: int


def _page_references(pdf):
    """pydyf's ``PDF.page_references``, built once per page count instead of per call.

    WeasyPrint's tagger asks for it once per structure element, and pydyf rebuilds the
    whole tuple each time: for a letter with a 1,000-row Exhibit A that is ~28,000
    tuples of 89 references, about a tenth of the render. Pages are only ever appended
    to ``Kids``, so its length tells when the cached tuple is stale. The PDF written is
    byte-for-byte the same (tests/notices/test_rendering.py).
    """
    kids = pdf.pages["Kids"]
    cached = pdf.__dict__.get("_desist_page_references")
    if cached is None or cached[0] != len(kids):
        references = tuple(f"{number} 0 R".encode("ascii") for number in kids[::3])
        cached = (len(kids), references)
        pdf.__dict__["_desist_page_references"] = cached
    return cached[1]


pydyf.PDF.page_references = property(_page_references)


# WeasyPrint's user-agent stylesheet gives every element of the document six
# pseudo-element styles (``::marker`` and the footnote and note calls and markers) from
# rules that select no element. Their computed styles are never shared: a 1,000-row
# Exhibit A has 12,000 elements and 73,000 such styles, ~90 MB of a worker's peak memory,
# all unused (a marker is drawn only for a list item; letters have no footnotes). The
# letters' stylesheet is WeasyPrint's own with the marker rule on <li> and no note rules.
_UNIVERSAL_MARKER = "\n::marker {"
_NOTE_RULES = ("::footnote-", "::note-")


def _letter_ua_stylesheet() -> str:
    if _UNIVERSAL_MARKER not in UA or not any(n in UA for n in _NOTE_RULES):
        raise ImportError("WeasyPrint's user-agent stylesheet changed: check notices/pdf.py")
    lines = UA.replace(_UNIVERSAL_MARKER, "\nli::marker {").splitlines()
    return "\n".join(line for line in lines if not line.startswith(_NOTE_RULES))


# Parsed once; its @counter-style rules are already in the counter styles WeasyPrint
# gives each document, so they are parsed here into a throwaway set.
LETTER_UA_STYLESHEET = CSS(string=_letter_ua_stylesheet(), counter_style=CounterStyle())


class LetterHTML(HTML):
    """An HTML document styled with ``LETTER_UA_STYLESHEET`` instead of WeasyPrint's."""

    def _ua_stylesheets(self, forms=False):
        return [LETTER_UA_STYLESHEET, *super()._ua_stylesheets(forms)[1:]]


# WeasyPrint keeps every laid-out page (its box tree, ~0.8 MB a page of Exhibit A) until
# the PDF is written, but the tagger is the last to read them: it walks each page's boxes
# once, after all pages are drawn, to build the structure tree. A letter is written once,
# so the tagger here gets a view of the pages that drops each page's boxes as soon as its
# tags are built: the structure tree (~45 MB for 1,000 rows) and the serialised PDF then
# grow while the boxes shrink instead of on top of them. Same file
# (tests/notices/test_rendering.py); 1,000 rows: peak RSS 354 -> 308 MB (letter bench).
_TAGGER_SIGNATURE = ("pdf", "document", "pdf_version", "page_streams")
if (
    weasyprint.pdf.add_tags is not tags.add_tags
    or tuple(inspect.signature(tags.add_tags).parameters) != _TAGGER_SIGNATURE
):
    raise ImportError("WeasyPrint's PDF tagger changed: check notices/pdf.py")


# The boxes' attribute dicts (1-2 KB each) live in the C heap, where freed memory only
# serves later C-heap allocations, not the Python objects the tagger makes: glibc's
# malloc_trim hands the pages they leave free back to the system, so the worker's
# resident memory falls while the structure tree grows. Absent outside glibc: a no-op.
_malloc_trim = getattr(ctypes.CDLL(None), "malloc_trim", lambda pad: 0)


class _PagesReleasedOnceTagged:
    """The document's pages for the tagger: each page's boxes go once it moves on."""

    def __init__(self, pages):
        self._pages = pages

    def __len__(self):
        return len(self._pages)

    def __iter__(self):
        for page in self._pages:
            yield page
            page._page_box = None
            _malloc_trim(0)


def _add_tags(pdf, document, pdf_version, page_streams):
    if not getattr(document, "release_pages_once_tagged", False):
        return tags.add_tags(pdf, document, pdf_version, page_streams)
    pages = document.pages
    document.pages = _PagesReleasedOnceTagged(pages)
    try:
        return tags.add_tags(pdf, document, pdf_version, page_streams)
    finally:
        document.pages = pages


weasyprint.pdf.add_tags = _add_tags


def html_to_pdf(html: str, *, attachments=()) -> bytes:
    """The bytes of ``render_pdf``: tagged PDF/A-3a."""
    return render_pdf(html, attachments=attachments).content


def render_pdf(html: str, *, attachments=()) -> RenderedPdf:
    """Render an HTML document to tagged PDF/A-3a, embedding ``attachments``.

    Returns the bytes and the page count of the laid-out document (reading the count
    back from the file costs seconds on a long tagged PDF).

    Relative URLs resolve against BASE_URL and only allow-listed static files
    load; ``file://``, ``http(s)://`` and every other scheme are refused.
    ``<meta>`` names other than the standard ones (``reference``, ...) go to the
    PDF's document information dictionary.
    """
    fetcher = StaticOnlyFetcher()
    document = LetterHTML(string=html, base_url=BASE_URL, url_fetcher=fetcher)
    files = [
        Attachment(
            file_obj=io.BytesIO(a.content),
            url_fetcher=fetcher,
            name=a.name,
            description=a.description,
            created=a.created,
            modified=a.created,
            relationship=a.relationship,
        )
        for a in attachments
    ]
    laid_out = document.render()
    laid_out.release_pages_once_tagged = True  # written once, below
    content = laid_out.write_pdf(pdf_variant=PDF_VARIANT, attachments=files, custom_metadata=True)
    pages = len(laid_out.pages)
    # A worker renders letter after letter: the laid-out document (boxes in reference
    # cycles) is collected and its heap handed back now, so the next letter's peak does
    # not stack on this one's leftovers (1,000-row letters, three in a row: 308 -> 298 MB).
    del laid_out, document
    gc.collect()
    _malloc_trim(0)
    return RenderedPdf(content=content, pages=pages)
