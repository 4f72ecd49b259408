"""One lifecycle for every background job kept on a row: letter renders, imports,
exports and dashboard reports.

The row is the source of truth; the Celery task carries only its id. The steps:

- ``job.enqueue()`` sends the row's task once the transaction that queued it commits,
  through ``publish``: a broker that cannot be reached never turns the committed
  request into an error. The row stays queued with ``publish_failed_at`` set (its
  page says the workers cannot be reached), and the next sweep sends it again.
- ``Kind.claim(pk)`` takes the row with one conditional UPDATE: a queued row, or a
  running one whose lease has expired (its worker died). It counts the attempt and
  sets a lease; 0 rows updated means someone else has it (or it is finished), and
  the task does nothing. A row that has used up ``max_attempts`` is marked failed
  with the reason instead of being taken again.
- ``Kind.finish`` / ``Kind.fail`` / ``Kind.release`` record the outcome only while
  the claim still holds (same status and attempt number), so a worker that lost its
  lease cannot overwrite the result of the attempt that took over.
- A kind whose row has several steps of work (an import is checked, then, once the
  user confirms, written) names them in ``steps()``: each step has a waiting, a
  running and a done status, and the same claim / finish / fail / release / sweep
  apply to whichever step the row is in. Its task reads the status it claimed to
  know which step to run. Most kinds have one step (queued → running → done).
- ``sweep()`` (one beat task) finds every concrete kind through the app registry,
  re-enqueues rows whose lease expired or that sat queued too long (a killed worker,
  a lost broker message) or whose publish failed (the broker was down), and marks
  failed the ones over the cap.

casework defines the base; notices and dashboards subclass it, and casework never
imports them: the sweeper finds them with ``apps.get_models()``, and enqueues their
task by its registered name.
"""

from __future__ import annotations

import datetime as dt
import logging

from celery import current_app
from django.apps import apps
from django.conf import settings
from django.db import models, transaction
from django.db.models import Case, F, Q, Value, When
from django.db.models.functions import Concat
from django.utils import timezone
from kombu.exceptions import OperationalError as KombuOperationalError
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

from casework.choices import JobStatus

logger = logging.getLogger(__name__)

SWEEP_BATCH = 500

# What publishing raises when the broker is down or unreachable: kombu wraps the
# transport's connection errors in its OperationalError; the others can escape
# from the connection pool or the socket itself.
BROKER_ERRORS = (KombuOperationalError, RedisConnectionError, RedisTimeoutError, OSError)


def publish(task_name: str, args=()) -> bool:
    """Send one task message; False (and a warning) if the broker cannot be reached.

    Used by every place that sends a task from a request: the row (or whatever
    records the request) is already committed, so a missing broker must not turn
    it into a server error. The publish gives up quickly (settings:
    CELERY_TASK_PUBLISH_RETRY_POLICY, CELERY_BROKER_CONNECTION_TIMEOUT).
    """
    try:
        current_app.send_task(task_name, args=list(args))
    except BROKER_ERRORS as exc:
        logger.warning("Could not publish %s%s: %s", task_name, tuple(args), exc)
        return False
    return True


class Job(models.Model):
    """Abstract base of a background job row: status, attempts, lease, error, times.

    A kind sets ``task_name`` (the Celery task that runs one row, called with the
    row's id) and may rename its statuses (``Letter`` says rendering / ready).
    """

    status = models.CharField(max_length=10, choices=JobStatus.choices, default=JobStatus.QUEUED)
    attempts = models.PositiveSmallIntegerField(default=0, editable=False)
    lease_until = models.DateTimeField(null=True, blank=True, editable=False)
    error = models.TextField(blank=True)
    queued_at = models.DateTimeField(default=timezone.now, editable=False)
    started_at = models.DateTimeField(null=True, blank=True, editable=False)
    finished_at = models.DateTimeField(null=True, blank=True, editable=False)
    # Set when the task could not be published (the broker was unreachable) and
    # cleared by the publish that succeeds or by the claim: the page says the work
    # waits for the workers, and the sweeper sends these rows again on its next run.
    publish_failed_at = models.DateTimeField(null=True, blank=True, editable=False)

    QUEUED = JobStatus.QUEUED
    RUNNING = JobStatus.RUNNING
    DONE = JobStatus.DONE
    FAILED = JobStatus.FAILED
    task_name = ""
    max_attempts = 5
    work = "the work"  # what the page says starts when the workers are back

    class Meta:
        abstract = True

    @property
    def unfinished(self) -> bool:
        return self.status in {s for step in self.steps() for s in step[:2]}

    # --- Steps ---------------------------------------------------------------------

    @classmethod
    def steps(cls) -> tuple[tuple[str, str, str], ...]:
        """(waiting, running, done) statuses of each step of this kind's work."""
        return ((cls.QUEUED, cls.RUNNING, cls.DONE),)

    @classmethod
    def _running(cls) -> list[str]:
        return [running for _, running, _ in cls.steps()]

    @classmethod
    def _waiting_q(cls) -> Q:
        return Q(status__in=[waiting for waiting, _, _ in cls.steps()])

    @classmethod
    def _expired_q(cls, now) -> Q:
        return Q(status__in=cls._running(), lease_until__lt=now)

    @classmethod
    def _to(cls, position: int):
        """The status each step moves to: its waiting (0), running (1) or done (2) one.
        One step: a plain value; several: a CASE on the row's current status."""
        steps = cls.steps()
        if len(steps) == 1:
            return Value(steps[0][position])
        return Case(
            *(When(status__in=step[:2], then=Value(step[position])) for step in steps),
            default=F("status"),
            output_field=models.CharField(),
        )

    # --- Enqueueing ----------------------------------------------------------------

    def enqueue(self) -> None:
        """Send this row's task after the current transaction commits (now if none)."""
        type(self).enqueue_id(self.pk)

    @property
    def waiting_for_worker(self) -> bool:
        """Waiting for a worker, and its task could not be sent: the page says so."""
        waiting = {step[0] for step in self.steps()}
        return self.status in waiting and self.publish_failed_at is not None

    @property
    def waiting_message(self) -> str:
        return (
            f"Queued. The workers cannot be reached right now; {self.work} starts "
            "as soon as they are."
        )

    @classmethod
    def enqueue_id(cls, pk: int, *, again: bool = False) -> None:
        """Publish row ``pk``'s task once the current transaction commits.

        If the broker cannot be reached the row is marked ``publish_failed_at``
        (the first failure's time is kept) and the request goes on. ``again``: a
        re-send by the sweeper, which clears the mark when the publish succeeds.
        """
        transaction.on_commit(lambda: cls._publish(pk, again=again))

    @classmethod
    def _publish(cls, pk: int, *, again: bool = False) -> bool:
        rows = cls._default_manager.filter(pk=pk)
        if publish(cls.task_name, [pk]):
            if again:
                rows.filter(publish_failed_at__isnull=False).update(publish_failed_at=None)
            return True
        rows.filter(publish_failed_at__isnull=True).update(publish_failed_at=timezone.now())
        return False

    # --- Claiming ------------------------------------------------------------------

    @classmethod
    def lease(cls) -> dt.timedelta:
        """How long a claim holds: longer than the task's hard time limit, so a live
        worker never loses it; after it a dead worker's row may be taken again."""
        return dt.timedelta(seconds=settings.JOB_LEASE_SECONDS)

    @classmethod
    def _takeable(cls, now) -> Q:
        return cls._waiting_q() | cls._expired_q(now)

    @classmethod
    def claim(cls, pk: int, **changes) -> int | None:
        """Take row ``pk`` for one attempt; returns the attempt number, or None.

        None: the row is gone, finished, held by a live claim, or over the cap (then
        it is marked failed here, with the reason). ``changes`` are written in the
        same UPDATE (e.g. progress counters reset to 0).
        """
        now = timezone.now()
        rows = cls._default_manager.filter(cls._takeable(now), pk=pk)
        with transaction.atomic():
            taken = rows.filter(attempts__lt=cls.max_attempts).update(
                status=cls._to(1),
                attempts=F("attempts") + 1,
                lease_until=now + cls.lease(),
                started_at=now,
                finished_at=None,
                publish_failed_at=None,
                **changes,
            )
            if taken:
                return cls._default_manager.values_list("attempts", flat=True).get(pk=pk)
        cls.give_up(rows.filter(attempts__gte=cls.max_attempts), now)
        return None

    @classmethod
    def give_up(cls, queryset, now=None) -> int:
        """Mark ``queryset`` (rows over the cap) failed, keeping the last error."""
        prefix = f"Gave up after {cls.max_attempts} attempts"
        return queryset.update(
            status=cls.FAILED,
            lease_until=None,
            finished_at=now or timezone.now(),
            error=Case(
                When(error="", then=Value(f"{prefix}: the worker died or timed out.")),
                default=Concat(Value(f"{prefix}. Last error: "), F("error")),
                output_field=models.TextField(),
            ),
        )

    @classmethod
    def _mine(cls, pk: int, attempt: int | None):
        mine = cls._default_manager.filter(pk=pk, status__in=cls._running())
        return mine if attempt is None else mine.filter(attempts=attempt)

    @classmethod
    def finish(cls, pk: int, attempt: int | None, **fields) -> bool:
        """Record success if the claim ``attempt`` still holds; False if it was lost."""
        return bool(
            cls._mine(pk, attempt).update(
                status=cls._to(2),
                lease_until=None,
                finished_at=timezone.now(),
                error="",
                **fields,
            )
        )

    @classmethod
    def fail(cls, pk: int, attempt: int | None, error: str, **fields) -> bool:
        """Record a permanent failure (with its reason) if the claim still holds."""
        return bool(
            cls._mine(pk, attempt).update(
                status=cls.FAILED,
                lease_until=None,
                finished_at=timezone.now(),
                error=error[:2000],
                **fields,
            )
        )

    @classmethod
    def release(cls, pk: int, attempt: int | None, error: str) -> bool:
        """A transient failure: back to queued for the retry (or the sweeper)."""
        return bool(
            cls._mine(pk, attempt).update(
                status=cls._to(0),
                lease_until=None,
                queued_at=timezone.now(),
                error=error[:2000],
            )
        )


def job_kinds() -> list[type[Job]]:
    """Every concrete Job model of every installed app."""
    return [m for m in apps.get_models() if issubclass(m, Job) and m.task_name]


def _resend(kind, ids, broker) -> None:
    """The sweeper's re-sends of ``ids``: once one publish fails, the broker is down
    for this sweep: the rest are only marked (not one timeout per row), and the
    next sweep tries them again."""
    unsent = list(ids)
    while unsent and not broker["down"]:
        if kind._publish(unsent[0], again=True):
            unsent.pop(0)
        else:
            broker["down"] = True
    if unsent:
        kind._default_manager.filter(pk__in=unsent, publish_failed_at__isnull=True).update(
            publish_failed_at=timezone.now()
        )


def sweep(now=None) -> dict[str, list[int]]:
    """Re-enqueue every kind's rows whose lease expired, that sat queued longer than a
    lease, or whose publish failed (the broker was down: sent again on the first sweep
    after it is back, not a lease later); mark failed those over the attempt cap.
    Returns the re-enqueued ids per kind.

    Re-enqueued running rows go back to their step's waiting status first (the page
    says so), and waiting ones restart their clock, so a long queue is not enqueued
    again every sweep. A
    failed-publish row is sent again on each sweep only until one publish succeeds
    (that clears its mark), so the re-sends are bounded by the broker's downtime.
    The claim is idempotent: a message sent twice runs the job once.
    """
    now = now or timezone.now()
    requeued = {}
    broker = {"down": False}
    for kind in job_kinds():
        manager = kind._default_manager
        stale = now - kind.lease()
        over = manager.filter(
            kind._expired_q(now) | kind._waiting_q(), attempts__gte=kind.max_attempts
        )
        failed = kind.give_up(over, now)
        with transaction.atomic():
            ids = list(
                manager.filter(
                    kind._expired_q(now)
                    | (kind._waiting_q() & Q(queued_at__lt=stale))
                    | (kind._waiting_q() & Q(publish_failed_at__isnull=False)),
                    attempts__lt=kind.max_attempts,
                )
                .order_by("pk")
                .select_for_update(skip_locked=True)
                .values_list("pk", flat=True)[:SWEEP_BATCH]
            )
            manager.filter(pk__in=ids).update(status=kind._to(0), lease_until=None, queued_at=now)
            transaction.on_commit(lambda kind=kind, ids=ids: _resend(kind, ids, broker))
        if ids or failed:
            logger.warning(
                "%s: re-enqueued %s, gave up on %s", kind._meta.label, ids, failed or "none"
            )
        requeued[kind._meta.label] = ids
    return requeued
