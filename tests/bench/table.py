"""The bench's one table: scenario | variant | n | median ms | p95 ms | queries | ratio | note."""

from __future__ import annotations

from tests.bench.registry import Row

HEADERS = [
    "scenario",
    "variant",
    "n",
    "median ms",
    "p95 ms",
    "queries",
    "ratio vs baseline",
    "note",
]


def _ms(value: float | None) -> str:
    if value is None:
        return "n/a"
    return f"{value:,.1f}" if value < 1000 else f"{value:,.0f}"


def _queries(value: float | None) -> str:
    if value is None:
        return "–"
    return f"{value:g}"


def cells(rows: list[Row]) -> list[list[str]]:
    baselines = {}
    for row in rows:
        if row.baseline and row.median:
            baselines.setdefault(row.scenario, row.median)
    out = []
    for row in rows:
        base = baselines.get(row.scenario)
        if row.baseline:
            ratio = "1.00 (baseline)"
        elif base and row.median is not None:
            ratio = f"{row.median / base:,.2f}"
        else:
            ratio = "n/a"
        out.append(
            [
                row.scenario,
                row.variant,
                f"{row.n:,}" if row.n else "–",
                _ms(row.median),
                _ms(row.p95),
                _queries(row.queries),
                ratio,
                row.note,
            ]
        )
    return out


def render(rows: list[Row]) -> str:
    body = cells(rows)
    widths = [
        max(len(h), *(len(r[i]) for r in body)) if body else len(h) for i, h in enumerate(HEADERS)
    ]
    right = {2, 3, 4, 5, 6}

    def line(values):
        return (
            "| "
            + " | ".join(
                v.rjust(w) if i in right else v.ljust(w)
                for i, (v, w) in enumerate(zip(values, widths, strict=True))
            )
            + " |"
        )

    rule = (
        "|"
        + "|".join(
            "-" * (w + 1) + ":" if i in right else "-" * (w + 2) for i, w in enumerate(widths)
        )
        + "|"
    )
    return "\n".join([line(HEADERS), rule, *(line(r) for r in body)])
