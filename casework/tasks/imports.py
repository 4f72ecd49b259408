"""CSV import tasks: thin wrappers around casework.imports, which holds the rules."""

import datetime as dt
import logging

from celery import shared_task
from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from casework import imports
from casework.choices import JobStatus
from casework.models import ImportJob

log = logging.getLogger(__name__)


@shared_task(acks_late=True, reject_on_worker_lost=True, ignore_result=True)
def run_import(job_id: int) -> None:
    """Import a confirmed (queued) job. Idempotent: a job that is gone, already running
    elsewhere, done or failed is left alone. The import is one transaction, so a
    worker killed halfway leaves nothing behind and the sweeper can run it again."""
    if not imports.start_running(job_id, JobStatus.QUEUED):
        log.info("import %s: not queued (gone, taken or finished); nothing to do", job_id)
        return
    progress = imports.ProgressWriter(job_id)
    try:
        imports.execute(job_id, progress=progress)
    finally:
        progress.close()


def enqueue(job_id: int) -> None:
    """Send the job to a worker once the transaction that queued it has committed."""
    transaction.on_commit(lambda: run_import.delay(job_id))


@shared_task(ignore_result=True)
def requeue_stuck_imports() -> int:
    """Re-enqueue imports queued or running for longer than STUCK_AFTER_SECONDS (a lost
    broker message or a killed worker). Meant for the periodic sweeper."""
    cutoff = timezone.now() - dt.timedelta(seconds=settings.STUCK_AFTER_SECONDS)
    stuck = list(
        ImportJob.objects.filter(
            Q(status=JobStatus.QUEUED, queued_at__lt=cutoff)
            | Q(status=JobStatus.RUNNING, started_at__lt=cutoff)
        ).values_list("pk", "status")
    )
    count = 0
    for job_id, status in stuck:
        with transaction.atomic():
            if imports.claim(job_id, status, JobStatus.QUEUED, queued_at=timezone.now()):
                enqueue(job_id)
                count += 1
    return count
