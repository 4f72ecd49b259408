"""CSV import of infringing items: the rules, independent of HTTP and Celery.

Column format (UTF-8, with or without BOM; comma-separated; quoted fields may hold
commas and line breaks; LF or CRLF line ends). The first row names the columns, in
any order, case-insensitive ("first seen" and "first_seen" are the same):

=================== ======== ==========================================================
column              required meaning
=================== ======== ==========================================================
url                 yes      http(s) URL of the infringing content (≤ 2,000 characters)
title               yes      short title (≤ 300 characters)
franchise           yes      name of one of the rights holder's franchises
platform            yes      name of a platform ("Seedance 2.0")
content_kind        yes      video, image, audio or text
conduct             yes      recreation, reboot, crossover, style or other
theory              no       direct (default) or secondary
first_seen          yes      date in ISO form, 2026-02-14
protected_elements  no       element names of that franchise, separated by ``;``
description         no       free text (≤ 10,000 characters)
=================== ======== ==========================================================

Choice columns accept the value or its label ("reboot" or "Reboot / continuation").
Other columns are ignored (and named on the preview).

Each data row becomes one of: ``new``; ``duplicate`` (its URL normalises to an
existing item of the rights holder); ``repeat`` (an earlier row of the same file
has the same normalised URL); ``error`` (with line number, column and reason).
Importing writes every new row in one transaction, so a failure leaves nothing
behind, and importing the same file again creates nothing.

The file is streamed (:class:`Scan`): each row is checked in Python as it is read
(the messages and casework.urlnorm's URL normalisation are the item form's own) and
COPYed into a temporary staging table (:class:`Staging`); SQL then classifies the
rows set-wise (duplicates of the holder's items, repeats within the file), reads the
exact counts and the capped row report, and writes the new rows with one plain
INSERT ... SELECT per table (items, their elements, their first stage events), so
memory does not grow with the file and the write costs a few statements whatever
its size. Entry points: :func:`check` (the preview: counts and a capped row report),
:func:`read_preview` (every classified Row, for scripts and tests), :func:`import_csv`
(check and write, for scripts and benchmarks), and for
:class:`~casework.models.ImportJob` rows :func:`start_job` (upload: check here, or
queue the check for a worker), :func:`run_check` and :func:`run_job` (the two
steps a worker runs, through :func:`execute`).
"""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import hashlib
import io
import json
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import (
    DEFAULT_DB_ALIAS,
    DatabaseError,
    IntegrityError,
    connection,
    connections,
    transaction,
)
from django.utils import timezone

from casework import access, stored
from casework.choices import Conduct, ContentKind, EventSource, Stage, Theory
from casework.models import (
    Franchise,
    ImportJob,
    InfringingItem,
    Platform,
    ProtectedElement,
    RightsHolder,
    StageEvent,
)
from casework.urlnorm import InvalidURL, normalize_url

NEW = "new"
DUPLICATE = "duplicate"  # of an item already in the database
REPEAT = "repeat"  # of an earlier row in the same file
ERROR = "error"
STATUS_LABELS = {
    NEW: "New",
    DUPLICATE: "Duplicate of an existing item",
    REPEAT: "Repeats an earlier row",
    ERROR: "Error",
}


@dataclass(frozen=True)
class Column:
    name: str
    required: bool
    help: str
    example: str = ""


COLUMNS: tuple[Column, ...] = (
    Column("url", True, "http(s) URL of the infringing content, up to 2,000 characters."),
    Column("title", True, "Short title, up to 300 characters."),
    Column("franchise", True, "Name of one of your rights holder's franchises."),
    Column("platform", True, "Name of the platform that made or hosts it."),
    Column("content_kind", True, "One of: " + ", ".join(ContentKind.values) + "."),
    Column("conduct", True, "One of: " + ", ".join(Conduct.values) + "."),
    Column("theory", False, "direct (the default when empty) or secondary."),
    Column("first_seen", True, "Date first seen, as YYYY-MM-DD."),
    Column(
        "protected_elements",
        False,
        "Names of protected elements of that franchise, separated by semicolons.",
    ),
    Column("description", False, "Free text, up to 10,000 characters."),
)
COLUMN_NAMES = tuple(c.name for c in COLUMNS)
REQUIRED_COLUMNS = tuple(c.name for c in COLUMNS if c.required)

URL_MAX = InfringingItem._meta.get_field("url").max_length
TITLE_MAX = InfringingItem._meta.get_field("title").max_length
DESCRIPTION_MAX = 10_000
FIELD_SIZE_LIMIT = 1_000_000  # characters in one CSV field before the file is refused

LOOKUP_BATCH = 5_000  # rows checked between two progress reports
REPORT_CAP = {ERROR: 1_000, DUPLICATE: 1_000, REPEAT: 1_000, NEW: 200}

Progress = Callable[..., None]


class ImportRefused(Exception):
    """The whole file is refused (not a CSV, not UTF-8, missing columns...)."""


@dataclass(slots=True)
class Problem:
    column: str
    message: str


@dataclass(slots=True)
class Row:
    """One data row of the file and what would happen to it."""

    line: int
    url: str
    title: str
    status: str = NEW
    problems: list[Problem] = field(default_factory=list)
    normalized_url: str = ""
    existing_id: int | None = None
    first_line: int | None = None
    values: dict | None = None
    element_ids: tuple[int, ...] = ()

    def report(self) -> dict:
        """A JSON-ready summary for the preview page."""
        entry = {"line": self.line, "status": self.status, "url": self.url, "title": self.title}
        if self.problems:
            entry["problems"] = [{"column": p.column, "message": p.message} for p in self.problems]
        if self.existing_id is not None:
            entry["item_id"] = self.existing_id
        if self.first_line is not None:
            entry["first_line"] = self.first_line
        return entry


@dataclass
class Preview:
    """The classified rows of one file for one rights holder."""

    rows: list[Row]
    ignored_columns: list[str]

    def count(self, status: str) -> int:
        return sum(1 for r in self.rows if r.status == status)

    @property
    def new_rows(self) -> list[Row]:
        return [r for r in self.rows if r.status == NEW]

    def report(self) -> list[dict]:
        """Rows for the preview table, capped per status (the counts stay exact)."""
        return self.summary().rows

    def summary(self) -> Summary:
        summary = Summary(ignored_columns=self.ignored_columns)
        for row in self.rows:
            summary.add(row)
        return summary


@dataclass
class ImportResult:
    """What an import did: the counts a page or a benchmark reports."""

    total_rows: int
    created: int
    duplicates: int
    repeats: int
    errors: int
    summary: Summary


# --- Reading the file --------------------------------------------------------------------


def _column_key(name: str) -> str:
    return "_".join(name.strip().lower().replace("-", " ").split())


SNIFF_BYTES = 64 * 1024  # the head looked at for binary files before reading rows


def _binary(fileobj):
    """The plain binary file under Django's File / UploadedFile / FieldFile wrappers."""
    while not isinstance(fileobj, io.IOBase) and hasattr(fileobj, "file"):
        fileobj = fileobj.file
    return fileobj


def _sniff(head: bytes) -> None:
    """Refuse what is plainly not CSV text, from the first bytes of the file."""
    if not head.strip():
        raise ImportRefused("The file is empty.")
    if head.startswith(b"PK\x03\x04"):
        raise ImportRefused(
            "This is not a CSV file: it looks like a spreadsheet workbook (.xlsx or .ods). "
            "Save it as “CSV UTF-8” and upload that."
        )
    if head.startswith(b"%PDF"):
        raise ImportRefused("This is not a CSV file: it is a PDF document.")
    if b"\x00" in head:
        raise _binary_data()


def _binary_data() -> ImportRefused:
    return ImportRefused(
        "This is not a CSV file: it contains binary data (NUL bytes). "
        "If it is UTF-16 text, save it as “CSV UTF-8”."
    )


def _decode_error(raw, exc: UnicodeDecodeError) -> ImportRefused:
    """Find the line and byte that are not UTF-8 (the error path reads the file again,
    line by line, since the streaming decoder only knows its chunk)."""
    raw.seek(0)
    for number, data in enumerate(raw, start=1):
        if b"\x00" in data:
            return _binary_data()
        try:
            data.decode("utf-8")
        except UnicodeDecodeError as found:
            return ImportRefused(
                f"The file is not UTF-8 text: byte 0x{data[found.start]:02X} on line {number} "
                "cannot be read. Save it as “CSV UTF-8”."
            )
    return ImportRefused(f"The file is not UTF-8 text ({exc.reason}). Save it as “CSV UTF-8”.")


def _text_lines(fileobj) -> Iterator[str]:
    """The lines of a binary file, decoded as UTF-8 (BOM dropped) as they are read.

    Line ends are kept (CR, LF or CRLF, as ``newline=""`` does), so the csv reader
    sees quoted line breaks as they are. Only a chunk of the file is in memory.
    """
    raw = _binary(fileobj)
    raw.seek(0)
    _sniff(raw.read(SNIFF_BYTES))
    raw.seek(0)
    text = io.TextIOWrapper(raw, encoding="utf-8-sig", newline="")
    try:
        for line in text:
            if "\x00" in line:
                raise _binary_data()
            yield line
    except UnicodeDecodeError as exc:
        raise _decode_error(raw, exc) from exc
    finally:
        with contextlib.suppress(ValueError):  # the file may be closed already
            text.detach()  # leave the caller's file open


def _records(lines: Iterator[str]) -> Iterator[tuple[int, list[str]]]:
    """(first line number, fields) of each CSV record, blank lines skipped."""
    csv.field_size_limit(FIELD_SIZE_LIMIT)
    reader = csv.reader(lines, strict=True)
    next_line = 1
    try:
        for fields in reader:
            line, next_line = next_line, reader.line_num + 1
            if not fields or all(not f.strip() for f in fields):
                continue
            yield line, fields
    except csv.Error as exc:
        raise ImportRefused(
            f"The file is not valid CSV: {exc} (near line {reader.line_num})."
        ) from exc


def read_header(header: list[str]) -> tuple[dict[str, int], list[str]]:
    """Map known column names to their index; return the ignored ones too."""
    keys = [_column_key(h) for h in header]
    if len(header) == 1 and ";" in header[0]:
        raise ImportRefused(
            "The file uses semicolons between columns; it must use commas. "
            "Save it as “CSV UTF-8 (comma delimited)”."
        )
    known = [k for k in keys if k in COLUMN_NAMES]
    if not known:
        if any(k.startswith(("http://", "https://")) for k in keys):
            raise ImportRefused(
                "The first row is data, not a header row: the file must start with a row "
                "naming its columns (" + ", ".join(COLUMN_NAMES) + ")."
            )
        raise ImportRefused(
            "The file has no header row of known columns: the first row must name its "
            "columns (" + ", ".join(COLUMN_NAMES) + ")."
        )
    index: dict[str, int] = {}
    ignored: list[str] = []
    for i, key in enumerate(keys):
        if key in index:
            raise ImportRefused(f"The column “{key}” appears twice in the header row.")
        if key in COLUMN_NAMES:
            index[key] = i
        else:
            ignored.append(header[i].strip() or f"(unnamed column {i + 1})")
    missing = [c for c in REQUIRED_COLUMNS if c not in index]
    if missing:
        raise ImportRefused(
            "The file lacks required column"
            + ("s" if len(missing) > 1 else "")
            + ": "
            + ", ".join(missing)
            + "."
        )
    return index, ignored


# --- Classifying rows -------------------------------------------------------------------


def _choice_lookup(choices) -> dict[str, str]:
    table = {}
    for value, label in choices.choices:
        table[value.casefold()] = value
        table[str(label).casefold()] = value
    return table


CONTENT_KINDS = _choice_lookup(ContentKind)
CONDUCTS = _choice_lookup(Conduct)
THEORIES = _choice_lookup(Theory)


class _Catalogue:
    """The rights holder's franchises and elements, and the platforms, as dicts."""

    def __init__(self, holder: RightsHolder):
        self.holder = holder
        self.today = holder.today()
        self.franchises = {
            name.casefold(): (pk, name)
            for pk, name in Franchise.objects.filter(rights_holder=holder).values_list("pk", "name")
        }
        self.elements = {
            (franchise_id, name.casefold()): pk
            for pk, franchise_id, name in ProtectedElement.objects.filter(
                franchise__rights_holder=holder
            ).values_list("pk", "franchise_id", "name")
        }
        self.platforms = {
            name.casefold(): pk for pk, name in Platform.objects.values_list("pk", "name")
        }


# normalize_url checks the scheme and that there is a host; this checks the rest of
# what the item form's URL field would (no spaces, a well-formed host), cheaply.
_HOST = re.compile(
    r"^(?:\[[0-9a-f:.]+\]|localhost|(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+"
    r"(?:[a-z]{2,63}|xn--[a-z0-9-]{1,59})|\d{1,3}(?:\.\d{1,3}){3})(?::\d{1,5})?$"
)
_SPACE = re.compile(r"[\s\x00-\x1f\x7f]")


def _check_row(line: int, get: Callable[[str], str], cat: _Catalogue) -> Row:
    """Validate one row's values; the row carries its problems or resolved values."""
    url, title = get("url"), get("title")
    row = Row(line=line, url=url[:URL_MAX], title=title[:TITLE_MAX])
    problems = row.problems
    values: dict = {}

    def need(column: str) -> str | None:
        value = get(column)
        if not value:
            problems.append(Problem(column, "is required and empty."))
            return None
        return value

    if need("url") is not None:
        if len(url) > URL_MAX:
            problems.append(
                Problem("url", f"is {len(url):,} characters long; at most {URL_MAX:,}.")
            )
        else:
            try:
                if _SPACE.search(url):
                    raise InvalidURL(url)
                row.normalized_url = normalize_url(url)
                if not _HOST.match(row.normalized_url.split("/", 3)[2]):
                    raise InvalidURL(url)
            except InvalidURL:
                problems.append(Problem("url", f"“{url[:100]}” is not a valid http(s) URL."))
            else:
                if len(row.normalized_url) > URL_MAX:
                    problems.append(Problem("url", f"is longer than {URL_MAX:,} characters."))
                values["url"] = url
    if need("title") is not None:
        if len(title) > TITLE_MAX:
            problems.append(
                Problem("title", f"is {len(title):,} characters long; at most {TITLE_MAX}.")
            )
        values["title"] = title

    franchise_id = None
    name = need("franchise")
    if name is not None:
        found = cat.franchises.get(name.casefold())
        if found is None:
            # Only this holder's franchises are looked at: another holder's name is unknown too.
            problems.append(
                Problem(
                    "franchise",
                    f"“{name[:100]}” is not a franchise of {cat.holder.name.rstrip('.')}.",
                )
            )
        else:
            franchise_id = found[0]
            values["franchise_id"] = franchise_id

    name = need("platform")
    if name is not None:
        platform_id = cat.platforms.get(name.casefold())
        if platform_id is None:
            problems.append(Problem("platform", f"“{name[:100]}” is not a known platform."))
        values["platform_id"] = platform_id

    for column, table, choices in (
        ("content_kind", CONTENT_KINDS, ContentKind),
        ("conduct", CONDUCTS, Conduct),
    ):
        raw = need(column)
        if raw is not None:
            value = table.get(raw.casefold())
            if value is None:
                problems.append(
                    Problem(column, f"“{raw[:50]}” is not one of {', '.join(choices.values)}.")
                )
            values[column] = value
    raw = get("theory")
    if raw:
        values["theory"] = THEORIES.get(raw.casefold())
        if values["theory"] is None:
            problems.append(
                Problem("theory", f"“{raw[:50]}” is not one of {', '.join(Theory.values)}.")
            )
    else:
        values["theory"] = Theory.DIRECT.value

    raw = need("first_seen")
    if raw is not None:
        try:
            first_seen = dt.date.fromisoformat(raw)
            if len(raw) != 10:
                raise ValueError
        except ValueError:
            problems.append(
                Problem("first_seen", f"“{raw[:50]}” is not a date in the form YYYY-MM-DD.")
            )
        else:
            if first_seen > cat.today:
                problems.append(Problem("first_seen", f"{raw} is in the future."))
            values["first_seen"] = first_seen

    raw = get("protected_elements")
    if raw and franchise_id is not None:
        ids = []
        for part in raw.split(";"):
            element = part.strip()
            if not element:
                continue
            pk = cat.elements.get((franchise_id, element.casefold()))
            if pk is None:
                problems.append(
                    Problem(
                        "protected_elements",
                        f"“{element[:100]}” is not an element of the franchise "
                        f"“{cat.franchises[get('franchise').casefold()][1]}”.",
                    )
                )
            elif pk not in ids:
                ids.append(pk)
        row.element_ids = tuple(ids)

    description = get("description")
    if len(description) > DESCRIPTION_MAX:
        problems.append(
            Problem(
                "description",
                f"is {len(description):,} characters long; at most {DESCRIPTION_MAX:,}.",
            )
        )
    values["description"] = description

    if problems:
        row.status = ERROR
    else:
        row.values = values
    return row


class Scan:
    """One file's rows for one rights holder, read and validated as they stream.

    Constructing it reads the header only (ImportRefused for a file that is not an
    importable CSV), so a request can refuse a bad file without reading its rows.
    :meth:`rows` then yields the validated rows in file order (not yet classified as
    duplicates or repeats: that is done set-wise in SQL, see :class:`Staging`).
    """

    def __init__(self, holder: RightsHolder, fileobj):
        self.holder = holder
        self.records = _records(_text_lines(fileobj))
        try:
            _, header = next(self.records)
        except StopIteration:
            raise ImportRefused("The file is empty.") from None
        self.index, self.ignored_columns = read_header(header)
        self.width = len(header)
        self._catalogue: _Catalogue | None = None

    def catalogue(self) -> _Catalogue:
        """The names rows are checked against, read once (before a COPY holds the
        connection: no query can run while it streams)."""
        if self._catalogue is None:
            self._catalogue = _Catalogue(self.holder)
        return self._catalogue

    def rows(self, progress: Progress | None = None) -> Iterator[Row]:
        """Validated rows (status NEW or ERROR). ``progress(checked=n)`` is called every
        LOOKUP_BATCH rows and at the end. Raises ImportRefused for a file with no data
        rows, or one that turns out unreadable further down."""
        width = self.width
        # Optional columns missing from the header read as empty cells.
        positions = [(name, self.index[name]) for name in self.index]
        blank = {name: "" for name in COLUMN_NAMES if name not in self.index}
        cat = self.catalogue()
        checked = 0
        for line, fields in self.records:
            if len(fields) > width and any(f.strip() for f in fields[width:]):
                row = Row(line=line, url="", title="", status=ERROR)
                row.problems.append(
                    Problem("—", f"has {len(fields)} values but the header names {width} columns.")
                )
            else:
                if len(fields) < width:
                    fields = fields + [""] * (width - len(fields))
                cells = {name: fields[i].strip() for name, i in positions}
                cells.update(blank)
                row = _check_row(line, cells.__getitem__, cat)
            yield row
            checked += 1
            if progress and checked % LOOKUP_BATCH == 0:
                progress(checked=checked)
        if not checked:
            raise ImportRefused("The file has a header row but no data rows.")
        if progress and checked % LOOKUP_BATCH:
            progress(checked=checked)


@dataclass
class Summary:
    """What a check found, kept compactly: exact counts per status and the capped
    row report of the preview page (never the rows themselves)."""

    ignored_columns: list[str]
    counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(REPORT_CAP, 0))
    rows: list[dict] = field(default_factory=list)

    def add(self, row: Row) -> None:
        if self.counts[row.status] < REPORT_CAP[row.status]:
            self.rows.append(row.report())
        self.counts[row.status] += 1

    @property
    def total(self) -> int:
        return sum(self.counts.values())


# --- The staging table: classification and writes, set-wise -------------------------------

_ITEMS = InfringingItem._meta.db_table
_STAGING_COLUMNS = (
    ("line", "integer PRIMARY KEY"),
    ("status", "text NOT NULL"),
    ("url", "text NOT NULL"),
    ("title", "text NOT NULL"),
    ("problems", "text"),  # JSON [{column, message}] of an error row
    ("normalized_url", "text"),  # NULL on error rows: they are never duplicates or repeats
    ("franchise_id", "bigint"),
    ("platform_id", "bigint"),
    ("content_kind", "text"),
    ("conduct", "text"),
    ("theory", "text"),
    ("first_seen", "date"),
    ("description", "text"),
    ("element_ids", "bigint[]"),
    ("existing_id", "bigint"),  # a duplicate's item
    ("first_line", "integer"),  # a repeat's first row
)
_VALUE_NAMES = (
    "franchise_id",
    "platform_id",
    "content_kind",
    "conduct",
    "theory",
    "first_seen",
    "description",
)


class Staging:
    """A file's validated rows in a temporary table of this transaction, classified and
    written with a few set-wise statements.

    Rows are validated in Python as the file streams (the messages and the URL
    normalisation of casework.urlnorm are the item form's own) and COPYed into the
    table; then SQL marks duplicates of the holder's items and repeats within the
    file, reads the counts and the capped report, and inserts the new rows with one
    INSERT per table (items, their elements, their first stage events). Use inside
    ``transaction.atomic()``: the table goes with the transaction (ON COMMIT DROP) and
    is dropped on :meth:`close`.
    """

    table = "casework_import_staging"

    def __init__(self, holder: RightsHolder, fileobj, *, keep_rows: bool = False):
        self.holder = holder
        self.scan = Scan(holder, fileobj)
        self.kept: list[Row] | None = [] if keep_rows else None
        self.counts: dict[str, int] = dict.fromkeys(REPORT_CAP, 0)

    def _cursor(self):
        # psycopg's own cursor (for COPY), its errors wrapped as Django's.
        return connection.cursor()

    def load(self, progress: Progress | None = None) -> Staging:
        """COPY the validated rows in, then classify them (duplicates, repeats)."""
        if not connection.in_atomic_block:
            raise RuntimeError("Staging needs a transaction (transaction.atomic()).")
        definition = ", ".join(f"{name} {kind}" for name, kind in _STAGING_COLUMNS)
        loaded = [name for name, _ in _STAGING_COLUMNS[:-2]]
        self.scan.catalogue()
        with self._cursor() as wrapper, connection.wrap_database_errors:
            cursor = wrapper.cursor
            cursor.execute(f"DROP TABLE IF EXISTS {self.table}")
            cursor.execute(f"CREATE TEMP TABLE {self.table} ({definition}) ON COMMIT DROP")
            with cursor.copy(f"COPY {self.table} ({', '.join(loaded)}) FROM STDIN") as copy:
                for row in self.scan.rows(progress):
                    copy.write_row(self._record(row))
                    if self.kept is not None:
                        self.kept.append(row)
            cursor.execute(f"ANALYZE {self.table}")
            self._classify(cursor)
            cursor.execute(f"SELECT status, count(*) FROM {self.table} GROUP BY status")  # noqa: S608
            self.counts.update(dict(cursor.fetchall()))
        return self

    @staticmethod
    def _record(row: Row) -> tuple:
        if row.status == ERROR:
            problems = json.dumps(
                [{"column": p.column, "message": p.message} for p in row.problems]
            )
            return (row.line, ERROR, row.url, row.title, problems) + (None,) * 9
        values = row.values
        return (
            row.line,
            NEW,
            row.url,
            row.title,
            None,
            row.normalized_url,
            *(values[name] for name in _VALUE_NAMES),
            list(row.element_ids),
        )

    def _classify(self, cursor) -> None:
        """Duplicates (the normalised URL of one of the holder's items) outrank repeats
        (of the first valid row of the file with that URL); error rows are neither."""
        cursor.execute(
            f"UPDATE {self.table} s SET status = %s, existing_id = i.id "  # noqa: S608
            f"FROM {_ITEMS} i WHERE s.status = %s "
            "AND i.rights_holder_id = %s AND i.normalized_url = s.normalized_url",
            [DUPLICATE, NEW, self.holder.pk],
        )
        cursor.execute(
            f"UPDATE {self.table} s SET status = %s, first_line = f.first_line "  # noqa: S608
            "FROM (SELECT normalized_url, min(line) AS first_line "
            f"      FROM {self.table} WHERE status = %s "
            "      GROUP BY normalized_url HAVING count(*) > 1) f "
            "WHERE s.status = %s AND s.normalized_url = f.normalized_url "
            "AND s.line > f.first_line",
            [REPEAT, NEW, NEW],
        )

    def summary(self) -> Summary:
        """Exact counts and the capped row report (file order), read from the table."""
        summary = Summary(ignored_columns=self.scan.ignored_columns)
        summary.counts.update(self.counts)
        cap = " ".join(f"WHEN '{status}' THEN {n:d}" for status, n in REPORT_CAP.items())
        with self._cursor() as cursor:
            cursor.execute(
                "SELECT line, status, url, title, problems, existing_id, first_line "  # noqa: S608
                "FROM (SELECT *, row_number() OVER (PARTITION BY status ORDER BY line) AS n "
                f"      FROM {self.table}) r "
                f"WHERE n <= CASE status {cap} END ORDER BY line"
            )
            for line, status, url, title, problems, existing_id, first_line in cursor:
                entry = {"line": line, "status": status, "url": url, "title": title}
                if problems is not None:
                    entry["problems"] = json.loads(problems)
                if existing_id is not None:
                    entry["item_id"] = existing_id
                if first_line is not None:
                    entry["first_line"] = first_line
                summary.rows.append(entry)
        return summary

    def rows(self) -> list[Row]:
        """Every row kept while loading (``keep_rows=True``), with its classification."""
        if self.kept is None:
            raise RuntimeError("Staging(keep_rows=True) keeps the rows.")
        with self._cursor() as cursor:
            cursor.execute(
                f"SELECT line, status, existing_id, first_line FROM {self.table} "  # noqa: S608
                "WHERE status IN (%s, %s)",
                [DUPLICATE, REPEAT],
            )
            marked = {line: rest for line, *rest in cursor.fetchall()}
        for row in self.kept:
            if row.line in marked:
                row.status, row.existing_id, row.first_line = marked[row.line]
        return self.kept

    def write(self, user, *, reason: str = "") -> int:
        """Insert the new rows: items, their elements and their first stage events, one
        plain INSERT … SELECT per table in one statement (triggers on those tables fire
        as for any insert). Returns the number of items created."""
        now = timezone.now()
        user_id = getattr(user, "pk", None)
        items, item_params = _insert_select(
            InfringingItem,
            {
                "rights_holder_id": ("%s", [self.holder.pk]),
                **{name: (f"s.{name}", []) for name in ("url", "title", "normalized_url")},
                **{name: (f"s.{name}", []) for name in _VALUE_NAMES},
            },
            {"logged_by_id": user_id, "stage": Stage.IDENTIFIED.value, "stage_changed_at": now},
            now,
        )
        events, event_params = _insert_select(
            StageEvent,
            {"item_id": ("ins.id", [])},
            {
                "from_stage": "",
                "to_stage": Stage.IDENTIFIED.value,
                "at": now,
                "by_id": user_id,
                "reason": reason,
                "source": EventSource.IMPORT.value,
            },
            now,
        )
        through = connection.ops.quote_name(InfringingItem.elements.through._meta.db_table)
        # Table names come from the models; values are parameters.
        sql = (
            f"WITH ins AS ({items} FROM {self.table} s WHERE s.status = %s "  # noqa: S608
            "              ORDER BY s.line RETURNING id, normalized_url), "
            f"ev AS ({events} FROM ins ORDER BY ins.id), "
            f"el AS (INSERT INTO {through} (infringingitem_id, protectedelement_id) "
            f"       SELECT ins.id, e.id FROM ins JOIN {self.table} s "
            "        ON s.normalized_url = ins.normalized_url AND s.status = %s "
            "        CROSS JOIN LATERAL unnest(s.element_ids) AS e(id)) "
            "SELECT count(*) FROM ins"
        )
        with self._cursor() as cursor:
            cursor.execute(sql, [*item_params, NEW, *event_params, NEW])
            (created,) = cursor.fetchone()
        return created

    def close(self) -> None:
        with self._cursor() as cursor:
            cursor.execute(f"DROP TABLE IF EXISTS {self.table}")


def _insert_select(model, expressions: dict, fixed: dict, now) -> tuple[str, list]:
    """``INSERT INTO <model's table> (every column but the key) SELECT …`` (the caller
    adds FROM): ``expressions`` maps attnames to (SQL, params); every other column
    gets ``fixed``'s value, ``now`` for auto_now fields or the field's default, as a
    typed parameter. New columns of the model are filled without changes here."""
    quote = connection.ops.quote_name
    columns, selects, params = [], [], []
    for f in model._meta.concrete_fields:
        if f.primary_key or f.generated:  # generated columns are the database's to fill
            continue
        columns.append(quote(f.column))
        if f.attname in expressions:
            expression, values = expressions[f.attname]
            selects.append(expression)
            params.extend(values)
            continue
        if f.attname in fixed:
            value = fixed[f.attname]
        elif getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
            value = now
        else:
            value = f.get_default()
        selects.append(f"%s::{f.cast_db_type(connection)}")
        params.append(f.get_db_prep_save(value, connection))
    table = quote(model._meta.db_table)
    return f"INSERT INTO {table} ({', '.join(columns)}) SELECT {', '.join(selects)}", params


def check(holder: RightsHolder, fileobj, *, progress: Progress | None = None) -> Summary:
    """Check (preview) a binary CSV file object for ``holder``: the exact counts and
    the capped row report. The rows stream into a staging table that is dropped
    afterwards; memory does not grow with the file."""
    with transaction.atomic():
        staging = Staging(holder, fileobj).load(progress)
        summary = staging.summary()
        staging.close()
    return summary


def read_preview(holder: RightsHolder, data: bytes, *, progress: Progress | None = None) -> Preview:
    """Parse ``data`` and classify every row for ``holder``, keeping every Row (for
    scripts and tests; pages and workers use :func:`check`, which keeps counts).

    Raises ImportRefused when the file as a whole cannot be read. ``progress``, if
    given, is called as ``progress(checked=n)`` every few thousand rows.
    """
    with transaction.atomic():
        staging = Staging(holder, io.BytesIO(data), keep_rows=True).load(progress)
        rows = staging.rows()
        staging.close()
    return Preview(rows=rows, ignored_columns=staging.scan.ignored_columns)


# --- Writing ---------------------------------------------------------------------------


def _check_access(holder: RightsHolder, user) -> None:
    access.require_edit(user)
    if not RightsHolder.objects.for_user(user).filter(pk=holder.pk).exists():
        raise PermissionDenied("You are not a member of this rights holder.")


def import_csv(
    holder: RightsHolder, fileobj, user, *, reason: str = "", progress: Progress | None = None
) -> ImportResult:
    """Import a binary CSV file object for ``holder`` as ``user``, without HTTP.

    Checks and writes every new row in one transaction. Returns an ImportResult with
    the counts and the capped row report. Raises ImportRefused for an unreadable file
    and PermissionDenied when ``user`` may not import into ``holder``.
    ``progress(checked=n)`` is called while rows are checked, ``progress(written=n)``
    once they are written.
    """
    _check_access(holder, user)
    if isinstance(fileobj, io.TextIOBase):
        fileobj = io.BytesIO(fileobj.read().encode("utf-8"))
    with transaction.atomic():
        staging = Staging(holder, fileobj).load(progress)
        summary = staging.summary()
        created = staging.write(user, reason=reason)
        staging.close()
        if progress:
            progress(written=created)
    counts = summary.counts
    return ImportResult(
        total_rows=summary.total,
        created=created,
        duplicates=counts[DUPLICATE],
        repeats=counts[REPEAT],
        errors=counts[ERROR],
        summary=summary,
    )


# --- Import jobs -----------------------------------------------------------------------


def fingerprint(upload) -> tuple[str, int]:
    """The upload's SHA-256 and an estimate of its data rows (its line count less the
    header), in one pass over its chunks. Quoted line breaks and blank lines make
    the estimate high, never low, so a file near the threshold errs to the worker."""
    digest = hashlib.sha256()
    lines, last = 0, b""
    for chunk in upload.chunks():
        digest.update(chunk)
        lines += chunk.count(b"\n")
        last = chunk[-1:] or last
    if last not in (b"\n", b""):
        lines += 1  # a last line without a line end
    return digest.hexdigest(), max(lines - 1, 0)


def preview_fields(summary: Summary | Preview) -> dict:
    """The job fields a check fills: exact counts and the capped row report.

    ``errors`` holds the report: rows with errors, duplicates, repeats and a
    sample of new rows, each with its line number (see Summary.add).
    """
    if isinstance(summary, Preview):
        summary = summary.summary()
    counts = summary.counts
    return {
        "total_rows": summary.total,
        "error_count": counts[ERROR],
        "duplicate_count": counts[DUPLICATE] + counts[REPEAT],
        "errors": {
            "rows": summary.rows,
            "ignored_columns": summary.ignored_columns,
            "repeat_count": counts[REPEAT],
        },
    }


def store_preview(job: ImportJob, summary: Summary | Preview) -> None:
    """Keep a check's exact counts and its capped row report on the job row."""
    for name, value in preview_fields(summary).items():
        setattr(job, name, value)


def job_report(job: ImportJob) -> dict:
    report = job.errors if isinstance(job.errors, dict) else {}
    return {
        "rows": report.get("rows", []),
        "ignored_columns": report.get("ignored_columns", []),
        "repeat_count": report.get("repeat_count", 0),
    }


def new_count(job: ImportJob) -> int:
    return job.total_rows - job.duplicate_count - job.error_count


def start_job(holder: RightsHolder, upload, user) -> ImportJob:
    """Store an uploaded file as an import job of ``holder``.

    A file of at most ``IMPORT_CHECK_IN_REQUEST_ROWS`` estimated rows is checked
    here and the job is pending (its preview ready). A larger one is only looked at
    as far as its header; the job is saved as uploaded and its check is queued for
    a worker (the page shows the progress). Raises ImportRefused, storing nothing,
    for a file (or, when large, a header) that cannot be imported.
    """
    digest, rows = fingerprint(upload)
    job = ImportJob(
        rights_holder=holder, original_name=upload.name[:255], sha256=digest, created_by=user
    )
    if rows <= settings.IMPORT_CHECK_IN_REQUEST_ROWS:
        store_preview(job, check(holder, upload))
        job.status = ImportJob.PENDING
    else:
        Scan(holder, upload)  # the header only: a file that is plainly wrong is refused now
        job.status = ImportJob.UPLOADED
        job.total_rows = rows  # an estimate, until the check counts them
    upload.seek(0)
    try:
        with transaction.atomic():
            job.file.save(f"{timezone.now():%Y%m%d-%H%M%S}.csv", upload, save=False)
            job.save()
            if job.checking:
                job.enqueue()
    except BaseException:
        stored.discard([job.file.name])  # stored, but its row rolled back: no orphan
        raise
    return job


class ClaimLost(Exception):
    """Another attempt took the job over (this worker's lease expired): roll back."""


def run_check(
    job: ImportJob, *, attempt: int | None = None, progress: Progress | None = None
) -> ImportJob:
    """Check an uploaded job's file (the worker's half of :func:`start_job`): stream it,
    then store the counts and the row report and make the job pending, if the claim
    ``attempt`` still holds. ``progress(checked=n)`` is called as rows are checked."""
    with job.file.open("rb") as handle:
        summary = check(job.rights_holder, handle, progress=progress)
    if not ImportJob.finish(job.pk, attempt, processed_rows=0, **preview_fields(summary)):
        raise ClaimLost(f"Import {job.pk}: check attempt {attempt} lost its claim.")
    job.refresh_from_db()
    return job


def run_job(
    job: ImportJob, *, attempt: int | None = None, progress: Progress | None = None
) -> ImportJob:
    """Import a confirmed job's file: re-check every row against the database as it is
    now and write the new rows, all in one transaction that also marks the job done.

    The caller has claimed the job (status running, attempt ``attempt``); the job is
    marked done only if that claim still holds, else everything rolls back and the
    attempt that took over counts. ``progress`` receives ``progress(checked=n)``
    while rows are checked and ``progress(written=n)`` once they are written; it must
    write through its own connection to be seen.
    """
    reason = f"Imported from {job.original_name} (import {job.pk})."
    with job.file.open("rb") as handle, transaction.atomic():
        staging = Staging(job.rights_holder, handle).load(progress)
        summary = staging.summary()
        created = staging.write(job.created_by, reason=reason)
        staging.close()
        if progress:
            progress(written=created)
        fields = preview_fields(summary)
        won = ImportJob.finish(
            job.pk, attempt, created_count=created, processed_rows=summary.total, **fields
        )
        if not won:
            raise ClaimLost(f"Import {job.pk}: attempt {attempt} lost its claim.")
    job.refresh_from_db()
    return job


def claim(job_id: int, from_status: str, to_status: str, **changes) -> bool:
    """Move a job from one status to another with one conditional UPDATE (pending →
    queued when the user confirms). False means the job is gone or someone else
    moved it first (a double click): the caller does nothing."""
    return bool(
        ImportJob.objects.filter(pk=job_id, status=from_status).update(status=to_status, **changes)
    )


def confirm(job_id: int) -> bool:
    """The user confirmed a pending job: queue its write, as a new step (its attempts
    count from 0 again). False if it was confirmed already (a double click)."""
    return claim(job_id, ImportJob.PENDING, ImportJob.QUEUED, queued_at=timezone.now(), attempts=0)


def start_running(job_id: int) -> int | None:
    """Run a pending (small) job in the request: claim it as the job lifecycle does
    (attempt counted, lease taken), so a web process that dies mid-import leaves a
    row the sweeper re-enqueues. Returns the attempt, or None if already confirmed."""
    if not confirm(job_id):
        return None
    return ImportJob.claim(job_id, processed_rows=0, created_count=0)


def failure_message(exc: BaseException, *, checking: bool = False) -> str:
    if isinstance(exc, IntegrityError):
        return (
            "Some of these URLs were logged by someone else while the import ran, so nothing "
            "was imported. Upload the file again: those rows will show as duplicates."
        )
    if isinstance(exc, ImportRefused):
        return str(exc)
    if checking:
        return f"The file could not be checked ({type(exc).__name__}: {exc})."[:2000]
    return f"The import failed and nothing was imported ({type(exc).__name__}: {exc})."[:2000]


def execute(job_id: int, attempt: int, *, progress: Progress | None = None) -> ImportJob | None:
    """Run a claimed job's step, chosen by the status it was claimed into: checking
    (the preview) or running (the import). On failure record the error on the row
    and re-raise. Returns None when another attempt took the job over (nothing
    written here)."""
    job = ImportJob.objects.select_related("rights_holder", "created_by").get(pk=job_id)
    checking = job.status == ImportJob.CHECKING
    try:
        if checking:
            return run_check(job, attempt=attempt, progress=progress)
        return run_job(job, attempt=attempt, progress=progress)
    except ClaimLost:
        return None
    except Exception as exc:
        ImportJob.fail(job_id, attempt, failure_message(exc, checking=checking), created_count=0)
        raise


class ProgressWriter:
    """Writes a running job's progress through a connection of its own.

    The import's rows are written in one open transaction, which the page's
    connection cannot see into; this connection autocommits each update, so the
    page can show how far it has come.
    """

    def __init__(self, job_id: int, every_seconds: float = 0.5):
        self.job_id = job_id
        self.every = every_seconds
        self.last = 0.0
        self.checked = 0
        self.conn = connections.create_connection(DEFAULT_DB_ALIAS)

    def __call__(self, checked: int | None = None, written: int | None = None) -> None:
        if checked is not None:
            self.checked = checked
        now = timezone.now().timestamp()
        if self.conn is None or (now - self.last < self.every and checked is not None):
            return
        self.last = now
        try:
            with self.conn.cursor() as cursor:
                cursor.execute(
                    f'UPDATE "{ImportJob._meta.db_table}" '  # noqa: S608
                    'SET "processed_rows" = %s, "created_count" = %s WHERE "id" = %s',
                    [self.checked, written or 0, self.job_id],
                )
        except DatabaseError:
            # Progress is a courtesy: never let it fail the import.
            self.close()

    def close(self) -> None:
        if self.conn is not None:
            self.conn.close()
            self.conn = None


def template_csv(holder: RightsHolder | None = None) -> str:
    """A CSV template: the header row and one example row (from the holder's own data)."""
    example = {
        "url": "https://seedance.example/share/7431",
        "title": "Young-hee doll plays Red Light, Green Light",
        "franchise": "Squid Game",
        "platform": "Seedance 2.0",
        "content_kind": ContentKind.VIDEO.value,
        "conduct": Conduct.RECREATION.value,
        "theory": Theory.DIRECT.value,
        "first_seen": "2026-02-14",
        "protected_elements": "Young-hee doll; Red Light, Green Light set",
        "description": "AI-generated recreation of the game scene, posted with a share link.",
    }
    if holder is not None:
        franchise = Franchise.objects.filter(rights_holder=holder).first()
        if franchise is not None:
            example["franchise"] = franchise.name
            names = list(franchise.elements.values_list("name", flat=True)[:2])
            example["protected_elements"] = "; ".join(names)
        platform = Platform.objects.first()
        if platform is not None:
            example["platform"] = platform.name
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(COLUMN_NAMES)
    writer.writerow([example[c] for c in COLUMN_NAMES])
    return out.getvalue()
