"""Verification checks and the quiet-period sweep: thin tasks.

The rules live in casework.verification and casework.quiet;
tasks carry primary keys only, run with late acknowledgement (settings), and
retry only named transient exceptions, with backoff and jitter.
"""

from celery import shared_task
from django.contrib.auth import get_user_model
from django.db import transaction

from casework import quiet, verification


@shared_task
def check_due_items():
    """Enqueue a check for every item whose next check is due (one batch per run).

    The items are claimed in the query that selects them (their next check time is
    moved forward), so an item is enqueued once even when its check is slow to run
    (the per-host limit); the messages go out after that UPDATE commits."""
    with transaction.atomic():
        ids = verification.claim_due_items()
        for item_id in ids:
            check_item.delay_on_commit(item_id)
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
    return len(quiet.sweep_quiet_periods())
