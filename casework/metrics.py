"""Prometheus metrics of the work, for ``/metrics`` (casework.views_health.metrics).

Requests by view and status, with latency histograms, come from django-prometheus's
middleware in each web process (several gunicorn workers: prometheus-client's
multiprocess mode, PROMETHEUS_MULTIPROC_DIR, gunicorn.conf.py). This module adds
what no single web process knows, read at scrape time:

- queue depth per queue (settings.WORK_QUEUES): one Redis LLEN each, and the messages
  taken by a worker but not yet acknowledged (kombu's ``unacked`` hash);
- jobs by kind and status: one GROUP BY per job table (casework.jobs.job_kinds());
- render and check durations, and check outcomes. Renders and checks run in Celery
  workers, possibly on other hosts than the web, so their observations are kept in
  Redis, the one store every process shares: a worker adds each observation to a hash
  of bucket counts (``observe``), and the scrape turns it into a Prometheus histogram.
  Counts are cumulative from the first observation, as Prometheus expects of a
  histogram; flushing Redis resets them (Prometheus handles a counter reset).
"""

from __future__ import annotations

import functools
import json
import logging

import redis
from django.conf import settings
from django.db.models import Count
from prometheus_client.core import (
    CounterMetricFamily,
    GaugeMetricFamily,
    HistogramMetricFamily,
)

from casework.jobs import job_kinds

logger = logging.getLogger(__name__)

KEY_PREFIX = "desist:metrics:"
RENDER_BUCKETS = (0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 120.0, 300.0)
CHECK_BUCKETS = (0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)
# name → (help, label names, buckets)
HISTOGRAMS = {
    "render_duration_seconds": (
        "Time to render one PDF (letters, dashboard reports), in the worker.",
        ("kind",),
        RENDER_BUCKETS,
    ),
    "check_duration_seconds": (
        "Time of one verification check of an item's URL, by outcome.",
        ("outcome",),
        CHECK_BUCKETS,
    ),
}
REDIS_ERRORS = (redis.RedisError, OSError)


@functools.lru_cache(maxsize=4)
def _client(url: str) -> redis.Redis:
    # Short timeouts: a metric is never worth holding up a render, a check or a scrape.
    return redis.Redis.from_url(url, socket_connect_timeout=1.0, socket_timeout=1.0)


def client() -> redis.Redis:
    return _client(settings.REDIS_URL)


def observe(name: str, seconds: float, **labels: str) -> None:
    """Count one observation of histogram ``name``; never raises (logs instead)."""
    _help, label_names, buckets = HISTOGRAMS[name]
    assert set(labels) == set(label_names), labels
    series = json.dumps([str(labels[n]) for n in label_names])
    bucket = next((str(b) for b in buckets if seconds <= b), "+Inf")
    try:
        pipe = client().pipeline(transaction=False)
        pipe.hincrby(KEY_PREFIX + name, f"{series}|{bucket}", 1)
        pipe.hincrbyfloat(KEY_PREFIX + name, f"{series}|sum", seconds)
        pipe.execute()
    except REDIS_ERRORS as exc:
        logger.warning("metric %s not recorded: %s", name, exc)


def observe_render(kind: str, elapsed_ms: int) -> None:
    observe("render_duration_seconds", elapsed_ms / 1000, kind=kind)


def observe_check(outcome: str, elapsed_ms: int | None) -> None:
    observe("check_duration_seconds", (elapsed_ms or 0) / 1000, outcome=outcome)


def _histogram(name: str, fields: dict[bytes, bytes]):
    """The Prometheus histogram (and per-series totals) of one Redis hash."""
    help_text, label_names, buckets = HISTOGRAMS[name]
    series: dict[str, dict[str, float]] = {}
    for field, value in fields.items():
        labels, _, bucket = field.decode().rpartition("|")
        series.setdefault(labels, {})[bucket] = float(value)
    family = HistogramMetricFamily(f"desist_{name}", help_text, labels=label_names)
    totals = {}
    for labels, counts in sorted(series.items()):
        running, cumulative = 0.0, []
        for bound in (*map(str, buckets), "+Inf"):
            running += counts.get(bound, 0.0)
            cumulative.append((bound, running))
        family.add_metric(json.loads(labels), cumulative, sum_value=counts.get("sum", 0.0))
        totals[labels] = running
    return family, totals


class ScrapeCollector:
    """Collected at each scrape of /metrics (registered on a registry of its own)."""

    def collect(self):
        yield from self._from_redis()
        yield self._jobs()

    def _from_redis(self):
        up = GaugeMetricFamily("desist_metrics_redis_up", "1 if Redis answered this scrape.")
        try:
            pipe = client().pipeline(transaction=False)
            for queue in settings.WORK_QUEUES:
                pipe.llen(queue)
            pipe.hlen("unacked")
            for name in HISTOGRAMS:
                pipe.hgetall(KEY_PREFIX + name)
            replies = pipe.execute()
        except REDIS_ERRORS as exc:
            logger.warning("metrics: Redis unreachable: %s", exc)
            up.add_metric([], 0)
            yield up
            return
        up.add_metric([], 1)
        yield up
        depth = GaugeMetricFamily(
            "desist_queue_depth", "Task messages waiting in each queue.", labels=["queue"]
        )
        for queue, length in zip(settings.WORK_QUEUES, replies, strict=False):
            depth.add_metric([queue], length)
        yield depth
        unacked = GaugeMetricFamily(
            "desist_queue_unacked", "Task messages a worker has taken and not yet finished."
        )
        unacked.add_metric([], replies[len(settings.WORK_QUEUES)])
        yield unacked
        hashes = replies[len(settings.WORK_QUEUES) + 1 :]
        for name, fields in zip(HISTOGRAMS, hashes, strict=True):
            family, totals = _histogram(name, fields)
            yield family
            if name == "check_duration_seconds":
                outcomes = CounterMetricFamily(
                    "desist_check_outcomes", "Verification checks by outcome.", labels=["outcome"]
                )
                for labels, total in totals.items():
                    outcomes.add_metric(json.loads(labels), total)
                yield outcomes

    def _jobs(self):
        family = GaugeMetricFamily(
            "desist_jobs", "Job rows by kind and status.", labels=["kind", "status"]
        )
        for kind in job_kinds():
            rows = kind._default_manager.order_by().values("status").annotate(n=Count("pk"))
            for row in rows:
                family.add_metric([kind._meta.label_lower, row["status"]], row["n"])
        return family
