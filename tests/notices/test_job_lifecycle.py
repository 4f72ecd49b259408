"""One job lifecycle (casework.jobs) for letter renders, imports, exports and reports:
one claim, a lease, a cap on attempts that ends failed with the reason on the page,
and one sweeper. Also: periodic URL checks claim their items.

The first four tests are the bugs found in review (each failed on the code before
the shared Job): an export whose worker died stayed running forever; a report gave
up after 3 attempts without being marked failed (its page polled forever); a report's
claim accepted running rows (a redelivered task rendered it twice); check_due_items
re-enqueued the same items every run.
"""

import datetime as dt

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse
from django.utils import timezone

from casework import jobs, verification
from casework.choices import JobStatus, Stage
from casework.models import ImportJob, InfringingItem
from casework.tasks import checks
from dashboards import figures
from dashboards.models import DashboardReport
from notices import drafting, exports, rendering
from notices.models import ExportJob, Letter
from tests.factories import ItemFactory

pytestmark = pytest.mark.django_db


def expire_lease(kind, pk):
    kind.objects.filter(pk=pk).update(lease_until=timezone.now() - dt.timedelta(seconds=1))


# --- The bugs ------------------------------------------------------------------------


def test_an_export_whose_worker_died_is_taken_again_and_finished(legal, draft):
    job = exports.request_export(legal, [draft.pk])
    assert ExportJob.claim(job.pk) == 1  # a worker starts it, then is killed
    expire_lease(ExportJob, job.pk)
    assert jobs.sweep()["notices.ExportJob"] == [job.pk]
    exports.build_export(job.pk)  # the re-enqueued (or redelivered) task
    job.refresh_from_db()
    assert (job.status, job.attempts, job.processed) == (JobStatus.DONE, 2, 1)


def test_a_report_whose_worker_keeps_dying_ends_failed_and_its_panel_stops_polling(
    manager, manager_client
):
    report = DashboardReport.objects.create(requested_by=manager)
    for attempt in range(1, DashboardReport.max_attempts + 1):
        assert DashboardReport.claim(report.pk) == attempt
        expire_lease(DashboardReport, report.pk)
        jobs.sweep()
    report.refresh_from_db()
    assert report.status == JobStatus.FAILED
    assert report.error == "Gave up after 5 attempts: the worker died or timed out."
    panel = manager_client.get(reverse("dashboard:reports")).content.decode()
    assert "Gave up after 5 attempts" in panel
    assert "hx-trigger" not in panel  # nothing left to poll for


def test_a_redelivered_report_task_does_not_render_a_running_report_again(manager):
    report = DashboardReport.objects.create(requested_by=manager)
    assert DashboardReport.claim(report.pk) == 1  # the first delivery is rendering it
    figures.render_report(report.pk)  # the redelivered message
    report.refresh_from_db()
    assert (report.status, report.attempts, report.file.name) == (JobStatus.RUNNING, 1, "")


def test_check_due_items_does_not_enqueue_the_same_items_twice(netflix, settings):
    from config.celery import app

    due = [ItemFactory(rights_holder=netflix) for _ in range(3)]
    InfringingItem.objects.filter(pk__in=[i.pk for i in due]).update(stage=Stage.NOTIFIED)
    try:
        assert checks.check_due_items() == 3
        # The checks wait (e.g. for the per-host limit): the next run finds nothing new.
        assert checks.check_due_items() == 0
    finally:
        app.control.purge()
    assert verification.due_items() == []
    moved = InfringingItem.objects.filter(pk__in=[i.pk for i in due])
    assert all(i.next_check_at > timezone.now() for i in moved)


def test_claimed_checks_are_due_again_after_the_interval(netflix, settings):
    item = ItemFactory(rights_holder=netflix)
    InfringingItem.objects.filter(pk=item.pk).update(stage=Stage.REMOVED)
    now = timezone.now()
    assert verification.claim_due_items(now) == [item.pk]
    assert verification.claim_due_items(now) == []
    later = now + dt.timedelta(minutes=settings.CHECK_INTERVAL_MINUTES + 1)
    assert verification.claim_due_items(later) == [item.pk]


# --- Every kind, the same lifecycle ------------------------------------------------------


@pytest.fixture
def make_job(legal, manager, netflix, items):
    """One job of ``kind``; each on a demand of its own, since asking twice for the
    same demand's render or export returns the unfinished one."""

    def make(kind):
        draft = drafting.draft_demand(legal, [i.pk for i in items])
        if kind is Letter:
            return rendering.request_render(draft, by=legal)
        if kind is ImportJob:
            return ImportJob.objects.create(
                rights_holder=netflix,
                file=ContentFile(b"url,title\n", name="items.csv"),
                original_name="items.csv",
                created_by=legal,
                status=JobStatus.QUEUED,
            )
        if kind is ExportJob:
            return exports.request_export(legal, [draft.pk])
        return DashboardReport.objects.create(requested_by=manager)

    return make


KINDS = [Letter, ImportJob, ExportJob, DashboardReport]


def page_of(job, clients):
    """(client, url) of the page that shows the job's status and error."""
    if isinstance(job, Letter):
        return clients["legal"], reverse("notices:demand-detail", args=[job.demand_id])
    if isinstance(job, ImportJob):
        return clients["legal"], reverse("imports:progress", args=[job.pk])
    if isinstance(job, ExportJob):
        return clients["legal"], reverse("notices:export-detail", args=[job.pk])
    return clients["manager"], reverse("dashboard:reports")


def test_the_sweeper_finds_every_kind_through_the_app_registry():
    assert {k._meta.label for k in jobs.job_kinds()} == {
        "notices.Letter",
        "casework.ImportJob",
        "casework.CheckRequest",
        "notices.ExportJob",
        "dashboards.DashboardReport",
    }


@pytest.mark.parametrize("kind", KINDS, ids=lambda k: k.__name__)
def test_claim_twice_the_second_gets_nothing(kind, make_job):
    job = make_job(kind)
    assert kind.claim(job.pk) == 1
    assert kind.claim(job.pk) is None  # a live lease: someone else has it
    job.refresh_from_db()
    assert (job.status, job.attempts) == (kind.RUNNING, 1)
    assert job.lease_until > timezone.now()
    expire_lease(kind, job.pk)
    assert kind.claim(job.pk) == 2  # its worker died: taken again
    assert kind.finish(job.pk, 1) is False  # the dead attempt cannot record a result
    assert kind.finish(job.pk, 2) is True
    assert kind.claim(job.pk) is None  # done stays done


@pytest.mark.parametrize("kind", KINDS, ids=lambda k: k.__name__)
def test_a_job_that_always_fails_ends_failed_with_its_reason_on_its_page(
    kind, make_job, legal_client, manager_client
):
    job = make_job(kind)
    for attempt in range(1, kind.max_attempts + 1):
        assert kind.claim(job.pk) == attempt
        assert kind.release(job.pk, attempt, f"Attempt {attempt}: storage unavailable")
    assert kind.claim(job.pk) is None  # over the cap: marked failed here
    job.refresh_from_db()
    assert job.status == kind.FAILED
    reason = "Gave up after 5 attempts. Last error: Attempt 5: storage unavailable"
    assert job.error == reason
    assert jobs.sweep()[kind._meta.label] == []  # the sweeper leaves it alone
    client, url = page_of(job, {"legal": legal_client, "manager": manager_client})
    assert reason in client.get(url).content.decode()


@pytest.mark.parametrize("kind", KINDS, ids=lambda k: k.__name__)
def test_the_sweeper_re_enqueues_lost_and_expired_jobs_once(kind, make_job, settings):
    lost, dead, fresh = make_job(kind), make_job(kind), make_job(kind)
    old = timezone.now() - dt.timedelta(seconds=settings.JOB_LEASE_SECONDS + 1)
    kind.objects.filter(pk=lost.pk).update(queued_at=old)
    kind.claim(dead.pk)
    expire_lease(kind, dead.pk)
    assert sorted(jobs.sweep()[kind._meta.label]) == sorted([lost.pk, dead.pk])
    assert jobs.sweep()[kind._meta.label] == []  # clocks restarted: not enqueued again
    assert kind.objects.get(pk=dead.pk).status == kind.QUEUED
    assert kind.objects.get(pk=fresh.pk).attempts == 0
