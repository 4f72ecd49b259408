"""Every job kind survives a worker killed with SIGKILL mid-job: the sweeper re-enqueues
it and a new worker finishes it, with exactly one result (test_worker_kill.py shows the
other path for letters: the broker redelivers the unacknowledged message).

The worker is a real `celery -A config worker` process on the real Redis broker. To
kill it *mid-job* without slowing the code, the test holds an ACCESS EXCLUSIVE lock
on a table the job reads after its claim: the worker claims the row (status running,
lease taken), then blocks on the table; the test kills it, releases the lock,
expires the lease, runs the sweeper and starts a new worker.
"""

import time

import psycopg
import pytest
from django.conf import settings
from django.core.files.base import ContentFile
from django.db import connection, transaction

from casework import imports, jobs
from casework.choices import JobStatus
from casework.models import ImportJob, InfringingItem
from dashboards.models import DashboardReport
from notices import exports
from notices.models import ExportJob, Letter
from tests.notices.test_worker_kill import (
    drop_queued_messages,
    kill_group,
    start_worker,
    wait_for,
)

pytestmark = pytest.mark.django_db(transaction=True)


def dsn():
    db = settings.DATABASES["default"]
    return (
        f"host={db['HOST']} port={db['PORT']} dbname={db['NAME']} "
        f"user={db['USER']} password={db['PASSWORD']}"
    )


def make_import(legal, netflix, items):
    with transaction.atomic():
        job = ImportJob.objects.create(
            rights_holder=netflix,
            file=ContentFile(imports.template_csv(netflix).encode(), name="items.csv"),
            original_name="items.csv",
            created_by=legal,
            status=JobStatus.QUEUED,
        )
        job.enqueue()
    return job


def make_export(legal, netflix, items):
    from notices import drafting

    demand = drafting.draft_demand(legal, [items[0].pk])
    return exports.request_export(legal, [demand.pk])


def make_letter(legal, netflix, items):
    from notices import drafting, rendering

    return rendering.request_render(drafting.draft_demand(legal, [items[0].pk]), by=legal)


def make_report(legal, netflix, items):
    from casework.choices import Role
    from tests.factories import UserFactory

    manager = UserFactory(username="kill-manager", role=Role.MANAGER, holders=[netflix])
    with transaction.atomic():
        report = DashboardReport.objects.create(requested_by=manager)
        report.enqueue()
    return report


# kind, how to make one (enqueued on commit), a table it reads after claiming.
CASES = {
    "import": (ImportJob, make_import, "casework_infringingitem"),
    "letter": (Letter, make_letter, "notices_demand"),
    "export": (ExportJob, make_export, "notices_letter"),
    "report": (DashboardReport, make_report, "casework_infringingitem"),
}


def state(kind, pk):
    connection.close()  # a fresh read each time
    return kind.objects.values_list("status", "attempts").get(pk=pk)


@pytest.mark.parametrize("case", sorted(CASES))
def test_sigkill_mid_job_then_sweeper_and_new_worker_finish_it_once(
    case, legal, netflix, items, tmp_path
):

    kind, make, table = CASES[case]
    drop_queued_messages()
    log_path = tmp_path / "worker.log"
    job = make(legal, netflix, items)  # enqueued; no worker runs yet
    with psycopg.connect(dsn()) as blocker:
        blocker.execute(f"LOCK TABLE {table} IN ACCESS EXCLUSIVE MODE")  # held until rollback
        first = start_worker(log_path)
        try:
            wait_for(
                lambda: state(kind, job.pk) == (kind.RUNNING, 1),
                120,
                f"the first worker to claim the {case}",
                log_path,
            )
            time.sleep(0.5)  # it is now waiting for the table, mid-job
        finally:
            kill_group(first)
        blocker.rollback()
    assert state(kind, job.pk) == (kind.RUNNING, 1)  # killed mid-job: its claim stays

    drop_queued_messages()  # and the unacknowledged one: only the sweeper brings it back
    kind.objects.filter(pk=job.pk).update(lease_until="2000-01-01T00:00:00Z")
    assert jobs.sweep()[kind._meta.label] == [job.pk]
    assert state(kind, job.pk) == (kind.QUEUED, 1)
    second = start_worker(log_path)
    try:
        status, attempts = wait_for(
            lambda: (s := state(kind, job.pk))[0] in (kind.DONE, kind.FAILED) and s,
            180,
            f"the new worker to finish the {case}",
            log_path,
        )
    finally:
        kill_group(second)
    job.refresh_from_db()
    assert (status, attempts) == (kind.DONE, 2), job.error
    assert jobs.sweep()[kind._meta.label] == []
    if case == "import":
        assert job.created_count == 1
        url = "https://seedance.example/share/7431"
        assert InfringingItem.objects.filter(url=url).count() == 1
    else:
        assert job.file and job.size
