"""Verification checks and the quiet-period sweep: thin tasks.

The rules live in casework.verification and casework.quiet;
tasks carry primary keys only, run with late acknowledgement (settings), and
retry only named transient exceptions, with backoff and jitter.
"""

from celery import shared_task
from django.contrib.auth import get_user_model
from django.db import transaction

from casework import quiet, verification
from casework.models import CheckRequest

RETRIED = (verification.TransientCheckError, verification.HostRateLimited)


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


@shared_task(
    bind=True,
    autoretry_for=RETRIED,
    retry_backoff=30,
    retry_backoff_max=900,
    retry_jitter=True,
    max_retries=CheckRequest.max_attempts - 1,
)
def run_check_request(self, request_id):
    """A manager's "check now" (a CheckRequest row): claimed like every job, so a
    message sent twice (the sweeper's re-send) checks once. A transient failure puts
    the row back to queued for the retry; the last attempt records it as an error."""
    attempt = CheckRequest.claim(request_id, error="")
    if attempt is None:
        return None
    request = CheckRequest.objects.select_related("requested_by").get(pk=request_id)
    try:
        check = verification.check_item(
            request.item_id,
            requested_by=request.requested_by,
            final_attempt=attempt >= CheckRequest.max_attempts,
            force=True,
        )
    except RETRIED as exc:
        CheckRequest.release(request_id, attempt, f"Attempt {attempt}: {exc}")
        raise
    except Exception as exc:
        CheckRequest.fail(request_id, attempt, f"{type(exc).__name__}: {exc}")
        raise
    CheckRequest.finish(request_id, attempt, result=check)
    return check.pk if check else None


@shared_task
def sweep_quiet_periods():
    return len(quiet.sweep_quiet_periods())
