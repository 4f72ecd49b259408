"""What waits for a person: the "Waiting for you" list and its count in the navigation.

- A manager: demands of their rights holders in review, except those they prepared
  (four eyes: someone else approves them).
- Legal staff and managers: the demands they prepared that were returned to draft
  (with the reason, until they submit again) and those approved, waiting to be sent.

Viewers change nothing, so nothing waits for them. Everything goes through
``Demand.objects.for_user``: another holder's demand never shows.
"""

from __future__ import annotations

from django.db.models import OuterRef, Q, Subquery

from casework import access
from notices.choices import DemandStatus
from notices.models import Demand, DemandEvent

S = DemandStatus
# The workflow events whose latest one says whether a draft was returned.
REVIEW_ACTIONS = ("submit", "return")


def _latest_review_event():
    return DemandEvent.objects.filter(demand=OuterRef("pk"), action__in=REVIEW_ACTIONS).order_by(
        "-at", "-id"
    )


def waiting_for(user):
    """The demands waiting for ``user``, oldest wait first, each annotated with
    ``last_review`` ("submit" or "return") and, for a returned one, ``return_reason``."""
    wanted = Q()
    if access.is_manager(user):
        wanted |= Q(status=S.IN_REVIEW) & ~Q(prepared_by=user)
    if access.can_edit(user):
        wanted |= Q(prepared_by=user) & (
            Q(status=S.DRAFT, last_review="return") | Q(status=S.APPROVED)
        )
    if not wanted:
        return Demand.objects.none()
    latest = _latest_review_event()
    return (
        Demand.objects.for_user(user)
        .annotate(
            last_review=Subquery(latest.values("action")[:1]),
            return_reason=Subquery(latest.values("detail")[:1]),
        )
        .filter(wanted)
        .select_related("rights_holder", "respondent", "prepared_by")
        .order_by("status_changed_at", "id")
    )


def returned(demand) -> DemandEvent | None:
    """The event that returned ``demand`` to draft, while it is still a draft not yet
    submitted again; else None."""
    if demand.status != S.DRAFT:
        return None
    event = (
        DemandEvent.objects.filter(demand=demand, action__in=REVIEW_ACTIONS)
        .select_related("by")
        .order_by("-at", "-id")
        .first()
    )
    return event if event is not None and event.action == "return" else None
