"""The item stage machine: identified → notified → removed → ceased.

This module alone changes ``InfringingItem.stage``. Every change locks the
item's row, checks the transition table, and writes its StageEvent in the same
transaction, so two people moving one item cannot lose an update.
"""

from dataclasses import dataclass

from django.db import transaction
from django.db.models import F
from django.template.defaultfilters import pluralize
from django.utils import timezone

from casework.choices import EventSource, Stage
from casework.confirm import Confirmation
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
        event = _move(
            locked,
            target,
            by=by,
            reason=reason,
            source=source,
            demand=demand,
            verification=verification,
            at=at,
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


def _move(locked, target, *, by, reason, source, demand, verification=None, at=None):
    """Move ``locked`` (a row this transaction holds locked) to ``target``, if the rules
    allow it, and record the event."""
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
    return StageEvent.objects.create(
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


def why_not(stage: str, target: str) -> str:
    """Why an item in ``stage`` cannot move to ``target`` ("is dismissed"); "" if it can."""
    if target in TRANSITIONS[stage]:
        return ""
    label = Stage(stage).label.lower()
    if stage == target:
        return f"is already {label}"
    allowed = allowed_targets(stage)
    if not allowed:
        return f"is {label}"
    return f"is {label}: it can move only to " + " or ".join(
        Stage(s).label.lower() for s in allowed
    )


@dataclass(frozen=True)
class Refused:
    """An item of a bulk move that cannot move, and why."""

    item: InfringingItem
    why: str

    def __str__(self):
        return f"{self.item.reference} {self.why}"


def plan(items, target) -> tuple[list, list[Refused]]:
    """Split ``items`` into those that can move to ``target`` and those that cannot."""
    movable, refused = [], []
    for item in items:
        why = why_not(item.stage, target)
        if why:
            refused.append(Refused(item, why))
        else:
            movable.append(item)
    return movable, refused


SUMMARY_NAMES = 10  # refused items named in a bulk move's summary message; the rest counted


@dataclass(frozen=True)
class BulkMove:
    """What a bulk move did: the events of the items moved, and the items left where
    they were (only when it was asked to move the ones that can)."""

    target: str
    events: list
    refused: list[Refused]

    def summary(self) -> str:
        """One message for the whole move: "Moved 24 items to removed; 1 could not move:
        NFLX-I9 is dismissed." """
        moved = len(self.events)
        text = f"Moved {moved} item{pluralize(moved)} to {Stage(self.target).label.lower()}"
        if not self.refused:
            return text + "."
        named = ", ".join(str(r) for r in self.refused[:SUMMARY_NAMES])
        more = len(self.refused) - SUMMARY_NAMES
        if more > 0:
            named += f" and {more} more"
        return f"{text}; {len(self.refused)} could not move: {named}."


def transition_many(
    item_ids,
    target,
    *,
    by=None,
    reason="",
    source=EventSource.MANUAL,
    demand=None,
    skip_refused=False,
) -> BulkMove:
    """Move several items in one transaction.

    The rows are locked in a fixed order (no deadlocks) and the plan is made on
    what the locks found. If any item cannot move, BulkTransitionError names
    each one and nothing moves, unless ``skip_refused``: then the others move and
    the refused ones are returned with the events.
    """
    target = Stage(target)
    with transaction.atomic():
        locked = list(
            InfringingItem.objects.select_for_update(of=("self",))
            .select_related("rights_holder")
            .filter(pk__in=set(item_ids))
            .order_by("pk")
        )
        movable, refused = plan(locked, target)
        if refused and not skip_refused:
            raise BulkTransitionError(target, refused)
        # The rows are locked and read already: each is moved as it is, not read again.
        events = [
            _move(item, target, by=by, reason=reason, source=source, demand=demand)
            for item in movable
        ]
    return BulkMove(target, events, refused)


class BulkTransitionError(Exception):
    """Some items of a bulk move cannot move; nothing moved."""

    def __init__(self, target, refused: list[Refused]):
        self.target = target
        self.refused = refused
        super().__init__(
            f"{len(refused)} item{pluralize(len(refused))} cannot move to "
            f"{Stage(target).label.lower()}: " + "; ".join(str(r) for r in refused) + "."
        )


# --- What a move asks first (casework.confirm) -------------------------------------------


def confirmation(target, count) -> Confirmation:
    """The question a bulk move to ``target`` asks first. ``count`` is the number of
    items, or "{n}" for the page's script to fill in with the number ticked."""
    items = "item" if count == 1 else "items"
    if target == Stage.DISMISSED:
        return Confirmation(
            f"Dismiss {count} {items}?", "Dismissed items cannot move to another stage."
        )
    return Confirmation(
        f"Move {count} {items} to {Stage(target).label.lower()}?",
        "Each move is written to the item's stage timeline and cannot be undone.",
    )


def dismiss_confirmation(item) -> Confirmation:
    """The question dismissing one item asks first."""
    return Confirmation(
        f"Dismiss {item.reference} “{item.title}”?",
        "A dismissed item cannot move to another stage.",
    )


def move_options() -> list[dict]:
    """The bulk bar's target choices, each with its questions for one and for many."""
    return [
        {
            "value": value,
            "label": label,
            "one": confirmation(value, 1),
            "many": confirmation(value, "{n}"),
        }
        for value, label in Stage.choices
    ]


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
