"""How many items a list shows: exact up to ``EXACT_UP_TO``, estimated above.

An exact COUNT(*) of 400,000 matches reads 400,000 rows on every page load. The
count is capped instead (``SELECT COUNT(*) FROM (... LIMIT 10001)``, at most
10,001 index entries read); past the cap, the planner's row estimate for the
same query (EXPLAIN, no ANALYZE: nothing is executed) gives "about 412,000".

When every filter in use is a key of the item rollups (rights holder, franchise,
platform, stage), the rollups give the exact count instead, however large: the
triggers keep them in the transaction of every change (casework/rollups.py).
"""

import json
from dataclasses import dataclass

from django.db.models import Sum

from casework.models import ItemRollup

EXACT_UP_TO = 10_000


@dataclass(frozen=True)
class Count:
    value: int
    exact: bool

    @property
    def label(self) -> str:
        noun = "item" if self.value == 1 else "items"
        if self.exact:
            return f"{self.value:,} {noun}"
        return f"about {self.value:,} {noun}"


def count(queryset) -> Count:
    """The number of rows of ``queryset``: exact, or estimated when over ``EXACT_UP_TO``."""
    queryset = queryset.order_by().values("pk")
    capped = queryset[: EXACT_UP_TO + 1].count()
    if capped <= EXACT_UP_TO:
        return Count(capped, exact=True)
    plan = json.loads(queryset.explain(format="json"))
    # More than the cap is certain, whatever the planner guesses.
    estimate = max(int(plan[0]["Plan"]["Plan Rows"]), EXACT_UP_TO + 1)
    return Count(_round(estimate), exact=False)


# The item list's filters that are ItemRollup's keys, and their lookups there.
ROLLUP_LOOKUPS = {
    "rights_holder": "rights_holder_id",
    "franchise": "franchise_id",
    "platform": "platform_id",
    "stage": "stage__in",
}


def from_rollups(user, filters: dict) -> Count | None:
    """The exact number of the user's items matching ``filters`` (a filter form's
    cleaned data) from the rollups, or None when a filter in use is not a rollup key."""
    used = {name: value for name, value in filters.items() if _in_use(value)}
    if not used.keys() <= ROLLUP_LOOKUPS.keys():
        return None
    lookups = {ROLLUP_LOOKUPS[name]: value for name, value in used.items()}
    rows = ItemRollup.objects.for_user(user).filter(**lookups)
    return Count(rows.aggregate(n=Sum("items"))["n"] or 0, exact=True)


def _in_use(value) -> bool:
    if isinstance(value, slice):  # a date range's "from"/"to"
        return value.start is not None or value.stop is not None
    return value not in (None, "", [], ())


def _round(value: int) -> int:
    """``value`` to three significant figures (412,345 → 412,000)."""
    digits = len(str(value))
    return round(value, -(digits - 3)) if digits > 3 else value
