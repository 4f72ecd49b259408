"""Keyset ("seek") paging: fast at any depth, and never a COUNT(*).

A page is fetched as ``WHERE (sort, id) < (%s, %s) ORDER BY sort DESC, id DESC
LIMIT size + 1`` (or ``>`` and ascending); the extra row only says whether there
is a next page. The cursor is the last (or first) row's sort value and id, opaque
in the URL.

The condition is one row-value comparison, not ``sort < v OR (sort = v AND id < pk)``:
PostgreSQL uses a row comparison as an index condition on an index ending in
(sort, id) — ``item_holder_new`` and ``item_holder_stage_new`` — so page 5,000 starts
at the cursor, while the ``OR`` form is a filter that reads and discards every row
before it.
"""

import base64
import datetime as dt
import json
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db.models import BooleanField, F, Func, Value

# Primary keys are bigints: a larger id in a cursor is not one of ours.
MAX_PK = 2**63 - 1


def encode_cursor(value, pk) -> str:
    if isinstance(value, dt.datetime | dt.date):
        value = value.isoformat()
    raw = json.dumps([value, pk], separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(token: str):
    """(value, pk) from a cursor, or None if it is not one of ours."""
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
        value, pk = json.loads(raw)
    except (ValueError, TypeError):
        return None
    if not isinstance(pk, int) or isinstance(value, list | dict):
        return None
    return value, pk


@dataclass
class KeysetPage:
    object_list: list
    has_next: bool = False
    has_previous: bool = False
    next_cursor: str = ""
    previous_cursor: str = ""
    size: int = 50
    extra: dict = field(default_factory=dict)

    def __iter__(self):
        return iter(self.object_list)

    def __len__(self):
        return len(self.object_list)


def paginate(queryset, *, sort: str, size: int, after: str = "", before: str = "") -> KeysetPage:
    """One page of ``queryset`` ordered by ``sort`` (``"-created_at"``, ``"title"``…) then id.

    ``after`` continues forward past a row, ``before`` goes back before one.
    The sort column must be NOT NULL for the comparison to be exact.
    """
    descending = sort.startswith("-")
    column = sort.lstrip("-")
    cursor = decode_cursor(after or before) if (after or before) else None
    if cursor is not None:
        cursor = _typed_cursor(queryset.model, column, cursor)
    forward = not before or cursor is None
    # Moving forward in a descending list means smaller values, and the reverse.
    go_down = descending == forward
    op = "lt" if go_down else "gt"
    qs = queryset
    if cursor is not None:
        value, pk = cursor
        qs = qs.filter(RowCompare(F(column), F("pk"), Value(value), Value(pk), op=op))
    order = [f"-{column}", "-pk"] if go_down else [column, "pk"]
    rows = list(qs.order_by(*order)[: size + 1])
    more = len(rows) > size
    rows = rows[:size]
    if not forward:
        rows.reverse()
    page = KeysetPage(rows, size=size)
    if forward:
        page.has_next = more
        page.has_previous = cursor is not None
    else:
        page.has_previous = more
        page.has_next = True
    if rows:
        first, last = rows[0], rows[-1]
        page.next_cursor = encode_cursor(_value(last, column), last.pk)
        page.previous_cursor = encode_cursor(_value(first, column), first.pk)
    return page


class RowCompare(Func):
    """``(a, b) < (x, y)`` (or ``>``): SQL's row-value comparison, as a filter expression."""

    output_field = BooleanField()
    OPERATORS = {"lt": "<", "gt": ">"}

    def __init__(self, a, b, x, y, *, op: str):
        self.operator = self.OPERATORS[op]
        super().__init__(a, b, x, y)

    def as_sql(self, compiler, connection, **extra):
        parts, params = [], []
        for expression in self.get_source_expressions():
            sql, sql_params = compiler.compile(expression)
            parts.append(sql)
            params.extend(sql_params)
        a, b, x, y = parts
        return f"(({a}, {b}) {self.operator} ({x}, {y}))", params


def _typed_cursor(model, column: str, cursor):
    """The cursor with its value converted to the sort column's type, or None if it
    does not fit (a hand-made cursor): the list then starts at its first page."""
    value, pk = cursor
    if not -MAX_PK <= pk <= MAX_PK:
        return None
    *relations, name = column.split("__")
    for relation in relations:
        model = model._meta.get_field(relation).related_model
    try:
        value = model._meta.get_field(name).to_python(value)
    except (ValidationError, TypeError, ValueError):
        return None
    if value is None:
        return None
    return value, pk


def _value(obj, column: str):
    if hasattr(obj, column):  # a model's field, or a values_list(named=True) row's
        return getattr(obj, column)
    if column == "id":  # a named row has its key as "pk"
        return obj.pk
    for part in column.split("__"):
        obj = getattr(obj, part)
    return obj


@dataclass
class OffsetPage:
    """Page ``number`` (from 1) of a ranked list, paged by OFFSET up to page ``last``.

    ``beyond_last``: more rows match than the ``last`` pages show.
    """

    object_list: list
    number: int
    last: int
    size: int = 50
    has_next: bool = False
    beyond_last: bool = False

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def previous_number(self) -> int:
        return self.number - 1

    @property
    def next_number(self) -> int:
        return self.number + 1

    def __iter__(self):
        return iter(self.object_list)

    def __len__(self):
        return len(self.object_list)


def offset_page(rows: list, *, more: bool, number: int, size: int, last: int) -> OffsetPage:
    """Page ``number`` showing ``rows``; ``more``: rows follow them."""
    return OffsetPage(
        rows,
        number=number,
        last=last,
        size=size,
        has_next=more and number < last,
        beyond_last=more and number == last,
    )
