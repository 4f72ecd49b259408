"""Quiet periods: a removed item that stays gone for its holder's quiet period is ceased.

Idempotent: running it twice, or in two workers at once, moves each item once
(``stages.transition`` locks the row and checks its real stage). Clocks come from
``django.utils.timezone`` so tests freeze them with time-machine.
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from casework.choices import EventSource, Stage
from casework.models import InfringingItem, RightsHolder
from casework.stages import TransitionError, transition


def sweep_quiet_periods(now=None) -> list[int]:
    """Removed items that stayed removed for their holder's quiet period become ceased.

    An item still in ``removed`` has not relapsed since it got there (a relapse
    moves it back to notified and resets ``stage_changed_at``), so the time in
    the stage is the time without a relapse. Returns the ids moved.
    """
    now = now or timezone.now()
    moved = []
    for holder in RightsHolder.objects.only("pk", "quiet_period_days"):
        cutoff = now - dt.timedelta(days=holder.quiet_period_days)
        due = InfringingItem.objects.filter(
            rights_holder=holder, stage=Stage.REMOVED, stage_changed_at__lte=cutoff
        ).values_list("pk", flat=True)
        for item_id in due.iterator():
            try:
                transition(
                    item_id,
                    Stage.CEASED,
                    source=EventSource.SWEEP,
                    reason=f"Not seen again for {holder.quiet_period_days} days.",
                    at=now,
                )
            except TransitionError:
                # Moved by someone else since the query: the lock saw its real stage.
                continue
            moved.append(item_id)
    return moved
