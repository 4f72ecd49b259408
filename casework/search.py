"""The item list's search box: words, fragments and references, ranked by relevance.

A query matches an item three ways, any one of them enough:

* its words, in PostgreSQL's web-search syntax (``"ballroom scene"`` a phrase,
  ``-ballroom`` excludes, ``squid or bridgerton`` either), against the stored
  tsvector ``InfringingItem.search_vector`` (title and URL weigh A and B, the
  description C) through its GIN index ``item_search``; English stemming, so
  "ballrooms" finds "ballroom";
* the text as a fragment of the title or URL (``ballr``, ``/v/7f3a``), through the
  trigram indexes ``item_title_trgm`` and ``item_url_trgm``;
* an item reference (``NFLX-I9``, or ``I9``), by its primary key.

Ranked results are ordered by ``ts_rank`` (a reference match first), ties broken
by the list's default order (newest first, then id). A rank is not a keyset:
ranked results are paged by OFFSET, and only the first ``RANKED_PAGES`` pages
(the page says so); sorting by a column instead pages the same matches by keyset
at any depth.
"""

import re

from django.contrib.postgres.search import SearchQuery, SearchRank
from django.db.models import Case, Count, F, Q, Value, When, Window
from markupsafe import Markup, escape

from casework import counting
from casework.models import SEARCH_CONFIG
from casework.paging import offset_page

RANKED_PAGES = 10
REFERENCE = re.compile(r"^(?:([A-Za-z0-9]{1,8})-)?I(\d{1,18})$", re.IGNORECASE)
# A token of the query: a quoted phrase, or a run of non-space characters.
TOKEN = re.compile(r'"([^"]*)"?|(\S+)')


def _reference(text: str) -> Q | None:
    """The item a reference such as ``NFLX-I9`` names (its code must match), or None."""
    match = REFERENCE.match(text)
    if match is None:
        return None
    code, number = match.groups()  # 18 digits at most: always a bigint
    condition = Q(pk=int(number))
    return condition & Q(rights_holder__code__iexact=code) if code else condition


def matching(queryset, text: str):
    """The items of ``queryset`` that ``text`` finds (all of them if it is blank)."""
    text = text.strip()
    if not text:
        return queryset
    words = SearchQuery(text, search_type="websearch", config=SEARCH_CONFIG)
    condition = Q(search_vector=words) | Q(title__icontains=text) | Q(url__icontains=text)
    reference = _reference(text)
    if reference is not None:
        condition |= reference
    return queryset.filter(condition)


def ranked(queryset, text: str):
    """``queryset`` (already narrowed by ``matching``) in order of relevance to ``text``."""
    text = text.strip()
    words = SearchQuery(text, search_type="websearch", config=SEARCH_CONFIG)
    relevance = SearchRank(F("search_vector"), words)
    reference = _reference(text)
    if reference is not None:
        relevance += Case(When(reference, then=Value(1.0)), default=Value(0.0))
    return queryset.annotate(relevance=relevance).order_by("-relevance", "-created_at", "-id")


def ranked_page(matches, rows, text: str, *, number: int, size: int):
    """Page ``number`` of ``matches`` ranked by relevance to ``text``, and their count.

    Ranking reads every match anyway (the rank of each decides the page), so the same
    statement counts them: each of the page's ids comes with ``COUNT(*) OVER ()``, and
    the count is exact however many match. A second statement reads the page's rows
    by primary key from ``rows`` (the user's items as the list shows them: named
    tuples with a ``pk``), without the search and filters again.
    ``number`` is clamped to 1…``RANKED_PAGES``.
    """
    number = min(max(number, 1), RANKED_PAGES)
    start = (number - 1) * size
    hits = list(
        ranked(matches, text)
        .annotate(matched=Window(Count("*")))
        .values_list("pk", "matched")[start : start + size + 1]
    )
    # Past the last match, only a count says how many there are.
    matched = hits[0][1] if hits else (matches.count() if number > 1 else 0)
    ids = [pk for pk, _ in hits]
    found = {row.pk: row for row in rows.filter(pk__in=ids[:size])} if ids else {}
    # An item deleted between the two statements is left out of the page.
    page = [found[pk] for pk in ids[:size] if pk in found]
    more = len(ids) > size
    page = offset_page(page, more=more, number=number, size=size, last=RANKED_PAGES)
    return page, counting.Count(matched, exact=True)


def words(text: str) -> list[str]:
    """The words ``text`` looks for: plain and quoted ones, not ``-excluded`` ones or ``or``."""
    found = []
    for quoted, word in TOKEN.findall(text):
        if quoted:
            found.extend(quoted.split())
        elif word.lower() != "or" and not word.startswith("-"):
            found.append(word.strip('"'))
    return [w for w in found if w]


def highlighter(text: str):
    """A function that escapes a string and wraps what ``text`` looks for in ``<mark>``.

    Matches are case-insensitive substrings, so a fragment is marked as well as a
    word ("ballroom" in "Ballrooms"). Without words, it only escapes.
    """
    found = sorted(set(words(text)), key=len, reverse=True)
    if not found:
        return escape
    pattern = re.compile("|".join(re.escape(w) for w in found), re.IGNORECASE)

    def highlight(value: str) -> Markup:
        value = str(value)
        parts, start = [], 0
        for match in pattern.finditer(value):
            parts += (
                escape(value[start : match.start()]),
                "<mark>",
                escape(match.group()),
                "</mark>",
            )
            start = match.end()
        parts.append(escape(value[start:]))
        return Markup("".join(parts))  # noqa: S704 - every piece of the value is escaped

    return highlight
