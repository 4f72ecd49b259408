"""Verification checks, sweeps, reminders and the dashboard report: thin tasks.

The rules live in casework.verification, casework.sweeps and casework.dashboard;
tasks carry primary keys only, run with late acknowledgement (settings), and
retry only named transient exceptions, with backoff and jitter.
"""

from celery import shared_task
from django.contrib.auth import get_user_model

from casework import dashboard, sweeps, verification


@shared_task
def check_due_items():
    """Enqueue a check for every item whose next check is due (one batch per run)."""
    ids = verification.due_items()
    for item_id in ids:
        check_item.delay(item_id)
    return len(ids)


@shared_task(
    bind=True,
    autoretry_for=(verification.TransientCheckError, verification.HostRateLimited),
    retry_backoff=30,
    retry_backoff_max=900,
    retry_jitter=True,
    max_retries=4,
)
def check_item(self, item_id, requested_by_id=None, force=False):
    """Check one item. A timeout is retried; the last attempt records it as an error."""
    requested_by = (
        get_user_model().objects.filter(pk=requested_by_id).first() if requested_by_id else None
    )
    check = verification.check_item(
        item_id,
        requested_by=requested_by,
        final_attempt=self.request.retries >= self.max_retries,
        force=force,
    )
    return check.pk if check else None


@shared_task
def sweep_quiet_periods():
    return len(sweeps.sweep_quiet_periods())


@shared_task
def sweep_deadlines():
    return sweeps.sweep_deadlines()


@shared_task
def send_reminders():
    return len(sweeps.send_reminders())


@shared_task
def render_dashboard_report(report_id):
    """Render one DashboardReport row to PDF (status kept on the row)."""
    dashboard.render_report(report_id)


@shared_task
def requeue_stuck_reports():
    """Re-enqueue reports whose broker message was lost (queued/running too long)."""
    ids = dashboard.stuck_reports()
    for report_id in ids:
        render_dashboard_report.delay(report_id)
    return len(ids)
