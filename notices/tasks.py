"""Celery tasks of notices: thin wrappers taking primary keys; the rules live in
notices.rendering, notices.exports, notices.deadlines and notices.notifications. Late
acknowledgement and time limits come from the CELERY_* settings; stuck renders and exports are
re-enqueued by the one job sweeper (casework.tasks.jobs.sweep_jobs)."""

from celery import shared_task

from notices import deadlines, exports, notifications, rendering


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


# A mail server that is down or refuses for a moment (smtplib's errors are OSErrors).
@shared_task(
    autoretry_for=(OSError,),
    retry_backoff=5,
    retry_backoff_max=300,
    retry_jitter=True,
    max_retries=5,
)
def notify_demand_event(event_id: int) -> int:
    """Email the people a workflow event makes a demand wait for (once per event)."""
    return len(notifications.send_for_event(event_id))


@shared_task
def send_unsent_notifications() -> int:
    return notifications.send_unsent()
