"""The rollups' periodic compaction: a thin task; the rule lives in casework.rollups."""

from celery import shared_task

from casework import rollups


@shared_task
def compact_rollups() -> int:
    """Fold the dashboard rollups' delta rows into one row per key."""
    return rollups.compact()
