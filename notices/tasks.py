"""Celery tasks of notices: thin wrappers taking primary keys; the rules live in
notices.rendering, notices.exports and notices.deadlines. Late acknowledgement and
time limits come from the CELERY_* settings; stuck renders and exports are
re-enqueued by the one job sweeper (casework.tasks.jobs.sweep_jobs)."""

from celery import shared_task

from notices import deadlines, exports, rendering


@shared_task(
    autoretry_for=rendering.TRANSIENT_ERRORS,
    retry_backoff=2,
    retry_backoff_max=120,
    retry_jitter=True,
    max_retries=5,
)
def render_letter(letter_id: int) -> None:
    rendering.render_letter(letter_id)


@shared_task
def build_export_zip(export_id: int) -> None:
    exports.build_export(export_id)


@shared_task
def sweep_deadlines():
    return deadlines.sweep_deadlines()


@shared_task
def send_reminders():
    return len(deadlines.send_reminders())
