"""CSV import task: a thin wrapper around casework.imports, which holds the rules.
Stuck imports (and stuck checks) are re-enqueued by the one job sweeper
(casework.tasks.jobs)."""

import logging

from celery import shared_task

from casework import imports, variants
from casework.models import ImportJob

log = logging.getLogger(__name__)


@shared_task(acks_late=True, reject_on_worker_lost=True, ignore_result=True)
def run_import(job_id: int) -> None:
    """Run the next step of an import job: check an uploaded file (the preview), or
    import a confirmed one; the status it claims says which.

    Idempotent: a job that is gone, pending confirmation, running under a live claim
    elsewhere, done or failed is left alone. The check writes only its result; the
    import is one transaction, so a worker killed halfway leaves nothing behind and
    the sweeper can run either again.
    """
    attempt = ImportJob.claim(job_id, processed_rows=0, created_count=0)
    if attempt is None:
        log.info("import %s: not claimable (gone, taken or finished); nothing to do", job_id)
        return
    progress = imports.ProgressWriter(job_id)
    try:
        imports.execute(job_id, attempt, progress=progress)
    except imports.ImportRefused as exc:
        # Recorded on the row for the page; not an error of the worker.
        log.info("import %s: refused: %s", job_id, exc)
    finally:
        progress.close()
    job = ImportJob.objects.filter(pk=job_id, status=ImportJob.DONE).first()
    if job is not None and job.created_count:
        # New items: group whatever of the holder's evidence is not grouped yet.
        variants.enqueue_pending(job.rights_holder_id)
