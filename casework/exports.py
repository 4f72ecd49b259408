"""CSV export of items, streamed row by row.

A cell that a spreadsheet would read as a formula (it starts with ``=``, ``+``,
``-``, ``@``, a tab or a carriage return) is prefixed with an apostrophe, so an
infringer's page title cannot run code on the reader's machine.
"""

import csv
from collections.abc import Iterable, Iterator

from django.db.models import Prefetch
from django.http import StreamingHttpResponse
from django.utils import timezone

from casework.models import ProtectedElement

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
CHUNK = 2000

COLUMNS = [
    ("reference", lambda i: i.reference),
    ("url", lambda i: i.url),
    ("title", lambda i: i.title),
    ("description", lambda i: i.description),
    ("rights_holder", lambda i: i.rights_holder.name),
    ("franchise", lambda i: i.franchise.name),
    ("protected_elements", lambda i: "; ".join(e.name for e in i.elements.all())),
    ("platform", lambda i: i.platform.name),
    ("content_kind", lambda i: i.content_kind),
    ("conduct", lambda i: i.conduct),
    ("theory", lambda i: i.theory),
    ("stage", lambda i: i.stage),
    ("stage_changed_at", lambda i: i.stage_changed_at.isoformat()),
    ("dismissal_reason", lambda i: i.dismissal_reason),
    ("relapse_count", lambda i: i.relapse_count),
    ("first_seen", lambda i: i.first_seen.isoformat()),
    ("logged_at", lambda i: i.created_at.isoformat()),
    ("logged_by", lambda i: i.logged_by.username if i.logged_by else ""),
]


def neutralise(value) -> str:
    """The cell as text, with a leading apostrophe if a spreadsheet would run it."""
    text = "" if value is None else str(value)
    if text.startswith(FORMULA_STARTS):
        return "'" + text
    return text


class _Echo:
    """A file-like object whose write returns the line, for csv.writer."""

    def write(self, value):
        return value


def export_queryset(items):
    """``items`` with everything the export reads, fetched in a fixed number of queries."""
    return items.select_related(
        "rights_holder", "franchise", "platform", "logged_by"
    ).prefetch_related(Prefetch("elements", queryset=ProtectedElement.objects.only("id", "name")))


def rows(items) -> Iterator[list[str]]:
    yield [name for name, _ in COLUMNS]
    for item in export_queryset(items).iterator(chunk_size=CHUNK):
        yield [neutralise(get(item)) for _, get in COLUMNS]


def lines(table: Iterable[list[str]]) -> Iterator[str]:
    writer = csv.writer(_Echo())
    for row in table:
        yield writer.writerow(row)


def streaming_response(items, *, name="items") -> StreamingHttpResponse:
    """Stream ``items`` (already scoped and filtered) as a CSV download."""
    stamp = timezone.now().strftime("%Y%m%d-%H%M%S")
    response = StreamingHttpResponse(
        _with_bom(lines(rows(items))), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="{name}-{stamp}.csv"'
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


def _with_bom(chunks):
    # A BOM makes Excel read the file as UTF-8 (titles are often not ASCII).
    yield "\ufeff"
    yield from chunks
