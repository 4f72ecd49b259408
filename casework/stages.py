"""The item stage machine: identified → notified → removed → ceased.

This module alone changes ``InfringingItem.stage``. Every change locks the
item's row, checks the transition table, and writes its StageEvent in the same
transaction, so two people moving one item cannot lose an update.
"""

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from casework.choices import EventSource, Stage
from casework.models import InfringingItem, StageEvent

TRANSITIONS: dict[str, set[str]] = {
    Stage.IDENTIFIED: {Stage.NOTIFIED, Stage.DISMISSED},
    Stage.NOTIFIED: {Stage.REMOVED, Stage.DISMISSED},
    # Found live again: back to notified, counted as a relapse.
    Stage.REMOVED: {Stage.CEASED, Stage.NOTIFIED, Stage.DISMISSED},
    Stage.CEASED: {Stage.NOTIFIED},
    Stage.DISMISSED: set(),
}
RELAPSE_FROM = {Stage.REMOVED, Stage.CEASED}


class TransitionError(Exception):
    """A refused stage change; the message names the item, its stage and the target."""

    def __init__(self, item, target, why=""):
        self.item = item
        self.target = target
        label = f"{item.reference} “{item.title}”"
        message = (
            f"Item {label} is {Stage(item.stage).label.lower()} and cannot move to "
            f"{Stage(target).label.lower()}."
        )
        super().__init__(f"{message} {why}".strip())


def allowed_targets(stage: str) -> list[str]:
    """The stages an item in ``stage`` may move to, in workflow order."""
    return [s for s in Stage.values if s in TRANSITIONS[stage]]


def transition(
    item,
    target,
    *,
    by=None,
    reason="",
    source=EventSource.MANUAL,
    demand=None,
    verification=None,
    at=None,
):
    """Move one item to ``target`` and record why. Returns the StageEvent.

    ``item`` may be an instance or a primary key; the row is re-read under a
    lock, so the decision is taken on the current stage, not a stale copy.
    """
    target = Stage(target)
    item_id = item.pk if isinstance(item, InfringingItem) else item
    with transaction.atomic():
        locked = (
            InfringingItem.objects.select_for_update(of=("self",))
            .select_related("rights_holder")
            .get(pk=item_id)
        )
        if target not in TRANSITIONS[locked.stage]:
            raise TransitionError(locked, target)
        if target == Stage.DISMISSED and not reason.strip():
            raise TransitionError(locked, target, "A dismissal needs a reason.")
        now = at or timezone.now()
        changes = {"stage": target, "stage_changed_at": now, "updated_at": now}
        if target == Stage.DISMISSED:
            changes["dismissal_reason"] = reason
        if target == Stage.NOTIFIED and locked.stage in RELAPSE_FROM:
            changes["relapse_count"] = F("relapse_count") + 1
        if target in (Stage.NOTIFIED, Stage.REMOVED):
            changes["gone_streak"] = 0
        InfringingItem.objects.filter(pk=locked.pk).update(**changes)
        event = StageEvent.objects.create(
            item=locked,
            from_stage=locked.stage,
            to_stage=target,
            at=now,
            by=by,
            reason=reason,
            source=source,
            demand=demand,
            verification=verification,
        )
    if isinstance(item, InfringingItem):
        item.refresh_from_db(
            fields=[
                "stage",
                "stage_changed_at",
                "dismissal_reason",
                "relapse_count",
                "gone_streak",
                # Set by the database in the same transaction (casework/rollups.py).
                "first_notified_at",
                "first_removed_at",
            ]
        )
    return event


def transition_many(
    item_ids, target, *, by=None, reason="", source=EventSource.MANUAL, demand=None
):
    """Move several items in one transaction: all move, or none do.

    Raises TransitionError naming every item that cannot move.
    """
    errors = []
    events = []
    with transaction.atomic():
        for item_id in sorted(set(item_ids)):  # a fixed lock order avoids deadlocks
            try:
                with transaction.atomic():
                    events.append(
                        transition(
                            item_id, target, by=by, reason=reason, source=source, demand=demand
                        )
                    )
            except TransitionError as exc:
                errors.append(str(exc))
        if errors:
            raise BulkTransitionError(errors)
    return events


class BulkTransitionError(Exception):
    """Some items of a bulk move were refused; nothing moved."""

    def __init__(self, errors):
        self.errors = errors
        super().__init__(" ".join(errors))


def record_logged(item, *, by=None, source=EventSource.MANUAL, at=None, reason=""):
    """The first event of a new item: logged as identified (``reason``: a note, if any)."""
    return StageEvent.objects.create(
        item=item,
        from_stage="",
        to_stage=Stage.IDENTIFIED,
        at=at or item.created_at or timezone.now(),
        by=by,
        reason=reason,
        source=source,
    )
