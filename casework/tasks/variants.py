"""Near-duplicate grouping: thin tasks around casework.variants, which holds the rule.

Both are idempotent (hashes are stored once per frame; regrouping the same items
gives the same groups), so a redelivered message does no harm; evidence whose message
was lost is picked up by the next ``group_pending`` or ``manage.py group_variants``.
"""

from celery import shared_task

from casework import variants


@shared_task(acks_late=True, reject_on_worker_lost=True, ignore_result=True)
def group_evidence(evidence_id: int) -> None:
    """Hash one uploaded image or video and put its item in its variant group."""
    variants.process_evidence(evidence_id)


@shared_task(acks_late=True, reject_on_worker_lost=True, ignore_result=True)
def group_pending(holder_id: int) -> int:
    """Hash a holder's evidence not hashed yet and group its ungrouped items (after an
    import)."""
    return variants.backfill([holder_id]).items
