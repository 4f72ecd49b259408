"""The bench's one table: scenario | variant | n | median ms | p95 ms | queries | ratio |
load (the 1-minute load average when the variant finished) | note."""

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
    "load",
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


def _load(value: float | None) -> str:
    return "–" if value is None else f"{value:.1f}"


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
                _load(getattr(row, "load", None)),
                row.note,
            ]
        )
    return out


def render(rows: list[Row]) -> str:
    body = cells(rows)
    widths = [
        max(len(h), *(len(r[i]) for r in body)) if body else len(h) for i, h in enumerate(HEADERS)
    ]
    right = {2, 3, 4, 5, 6, 7}

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
