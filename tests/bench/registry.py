"""The bench's scenario registry, its rows, and the timing helpers every scenario uses.

A scenario is a function of a :class:`Context` that yields :class:`Row` s, one per
variant; exactly one of them should be the ``baseline`` the others are compared
with. Register it with ``@scenario("key", "what it measures")`` in a module of
``tests/bench/scenarios/``; every module there is imported by ``run.py``::

    @scenario("letters", "render a letter with N exhibit rows", order=40)
    def letters(ctx):
        samples, queries = ctx.measure(lambda: render(...))
        yield Row(variant="plain WeasyPrint table", n=1000, samples=samples, baseline=True)
"""

from __future__ import annotations

import gc
import math
import statistics
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any


@dataclass
class Row:
    """One line of the table: a variant of a scenario and its timings (milliseconds)."""

    variant: str
    n: int
    samples: list[float] = field(default_factory=list)
    queries: float | None = None
    baseline: bool = False
    note: str = ""
    scenario: str = ""  # filled by the runner

    @property
    def median(self) -> float | None:
        return statistics.median(self.samples) if self.samples else None

    @property
    def p95(self) -> float | None:
        if not self.samples:
            return None
        ordered = sorted(self.samples)
        return ordered[max(0, math.ceil(0.95 * len(ordered)) - 1)]


@dataclass
class Scenario:
    key: str
    title: str
    func: Callable[[Context], Iterator[Row]]
    order: int = 100


SCENARIOS: dict[str, Scenario] = {}


def scenario(key: str, title: str, *, order: int = 100):
    """Register a scenario under ``key`` (used by ``--only``); the table runs by ``order``."""

    def register(func):
        if key in SCENARIOS:
            raise ValueError(f"Bench scenario {key!r} is registered twice.")
        SCENARIOS[key] = Scenario(key, title, func, order)
        return func

    return register


@dataclass
class Context:
    """What scenarios share: the data set, the people, the filter values, the repeat count."""

    repeat: int
    quick: bool
    items: int
    demands: int
    holder: Any = None  # the rights holder with the most items
    legal: Any = None  # legal staff of that holder
    superuser: Any = None
    franchise: Any = None
    platform: Any = None
    stage: str = "notified"
    q: str = ""
    extra: dict = field(default_factory=dict)

    def measure(
        self, fn: Callable[[], Any], *, repeat: int | None = None, warmup: int = 1
    ) -> tuple[list[float], float]:
        """Run ``fn`` ``warmup`` times (counting the queries of the first), then time it.

        Returns (milliseconds per run, queries per run). The timed runs are not
        wrapped in CaptureQueriesContext, so its bookkeeping costs nothing.
        """
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as captured:
            fn()
        queries = len(captured)
        for _ in range(warmup - 1):
            fn()
        samples = []
        gc.collect()
        for _ in range(repeat or self.repeat):
            started = time.perf_counter()
            fn()
            samples.append((time.perf_counter() - started) * 1000)
        return samples, queries


@contextmanager
def rolled_back():
    """Run a block in a transaction that is rolled back: the data set stays as generated."""
    from django.db import transaction

    with transaction.atomic():
        yield
        transaction.set_rollback(True)
