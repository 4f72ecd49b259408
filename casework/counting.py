"""How many items a list shows: exact up to ``EXACT_UP_TO``, estimated above.

An exact COUNT(*) of 400,000 matches reads 400,000 rows on every page load. The
count is capped instead (``SELECT COUNT(*) FROM (... LIMIT 10001)``, at most
10,001 index entries read); past the cap, the planner's row estimate for the
same query (EXPLAIN, no ANALYZE: nothing is executed) gives "about 412,000".
"""

import json
from dataclasses import dataclass

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


def _round(value: int) -> int:
    """``value`` to three significant figures (412,345 → 412,000)."""
    digits = len(str(value))
    return round(value, -(digits - 3)) if digits > 3 else value
