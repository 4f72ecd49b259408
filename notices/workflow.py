"""The demand workflow: draft → in review → approved → sent → responded → outcome.

This module alone changes ``Demand.status``. Every change locks the demand's
row (``select_for_update``), decides on the status it finds there, not on the
caller's copy, and writes its DemandEvent in the same transaction: a double
click or a repeated request finds the demand already moved and changes nothing.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from casework import access
from casework.choices import EventSource, Stage
from casework.stages import BulkTransitionError, transition_many
from notices import notifications
from notices.business_days import Calendar, calendar_for, holder_today
from notices.choices import Channel, DemandStatus, LetterPurpose, RemedyStatus
from notices.models import Demand, DemandEvent, Letter, Remedy

S = DemandStatus

TRANSITIONS: dict[str, set[str]] = {
    S.DRAFT: {S.IN_REVIEW, S.WITHDRAWN},
    # A reviewer may send a demand back for changes.
    S.IN_REVIEW: {S.APPROVED, S.DRAFT, S.WITHDRAWN},
    S.APPROVED: {S.SENT, S.WITHDRAWN},
    # No answer by the deadline is the commonest reason to escalate.
    S.SENT: {S.RESPONDED, S.ESCALATED},
    S.RESPONDED: {S.COMPLIED, S.PARTLY_COMPLIED, S.REFUSED},
    S.COMPLIED: {S.ESCALATED, S.CLOSED},
    S.PARTLY_COMPLIED: {S.ESCALATED, S.CLOSED},
    S.REFUSED: {S.ESCALATED, S.CLOSED},
    # A reply that comes after escalating (often because of it) is recorded as a response.
    S.ESCALATED: {S.RESPONDED, S.CLOSED},
    S.CLOSED: set(),
    S.WITHDRAWN: set(),
}

# The statuses in which the letter's content may still change.
EDITABLE = {S.DRAFT}
# Statuses after sending: remedies' compliance can be recorded.
AFTER_SENDING = {
    S.SENT,
    S.RESPONDED,
    S.COMPLIED,
    S.PARTLY_COMPLIED,
    S.REFUSED,
    S.ESCALATED,
}
# Statuses in which a respondent's reply can be recorded: any time after sending.
RESPONSE_OPEN = AFTER_SENDING | {S.CLOSED}


@dataclass(frozen=True)
class Action:
    """A button of the workflow: its name, label, and the move it makes."""

    name: str
    label: str
    target: str
    manager_only: bool = False


ACTIONS = {
    a.name: a
    for a in [
        Action("submit", "Submit for review", S.IN_REVIEW),
        Action("return", "Return to draft", S.DRAFT, manager_only=True),
        Action("approve", "Approve", S.APPROVED, manager_only=True),
        Action("send", "Mark as sent", S.SENT),
        Action("respond", "Record response", S.RESPONDED),
        Action("complied", "Complied", S.COMPLIED),
        Action("partly_complied", "Partly complied", S.PARTLY_COMPLIED),
        Action("refused", "Refused", S.REFUSED),
        Action("escalate", "Escalate", S.ESCALATED, manager_only=True),
        Action("close", "Close", S.CLOSED),
        Action("withdraw", "Withdraw", S.WITHDRAWN),
    ]
}


class WorkflowError(Exception):
    """A refused change; the message names the demand, its status and the target."""

    def __init__(self, demand, target, why=""):
        self.demand = demand
        self.target = target
        message = (
            f"Demand {demand.reference} is {DemandStatus(demand.status).label.lower()} and "
            f"cannot move to {DemandStatus(target).label.lower()}."
        )
        super().__init__(f"{message} {why}".strip())


def add_business_days(start: dt.date, days: int, holder=None) -> dt.date:
    """The date ``days`` business days after ``start`` (see notices.business_days)."""
    calendar = calendar_for(holder) if holder is not None else Calendar()
    return calendar.add_business_days(start, days)


def allowed_actions(demand, user) -> list[Action]:
    """The actions ``user`` may try on ``demand`` now (the buttons to show)."""
    if not access.can_edit(user):
        return []
    actions = []
    for action in ACTIONS.values():
        if action.target not in TRANSITIONS[demand.status]:
            continue
        if action.name == "return" and demand.status != S.IN_REVIEW:
            continue
        if action.manager_only and not access.is_manager(user):
            continue
        if action.name == "approve" and demand.prepared_by_id == user.pk:
            continue
        actions.append(action)
    return actions


def _record(demand, action, from_status, to_status, by, detail=""):
    return DemandEvent.objects.create(
        demand=demand,
        action=action,
        from_status=from_status,
        to_status=to_status,
        by=by,
        detail=detail,
    )


def _locked(demand) -> Demand:
    demand_id = demand.pk if isinstance(demand, Demand) else demand
    return (
        Demand.objects.select_for_update(of=("self",))
        .select_related("rights_holder")
        .get(pk=demand_id)
    )


def _check_allowed(locked, action: Action, user):
    target = action.target
    if target not in TRANSITIONS[locked.status]:
        why = ""
        if locked.status == target:
            why = "It already is (a repeated request changes nothing)."
        raise WorkflowError(locked, target, why)
    if not access.can_edit(user):
        raise WorkflowError(locked, target, "Viewers cannot change demands.")
    if not (user.is_superuser or locked.rights_holder.members.filter(pk=user.pk).exists()):
        raise WorkflowError(locked, target, "You are not a member of its rights holder.")
    if action.manager_only and not access.is_manager(user):
        raise WorkflowError(locked, target, "Only a manager of its rights holder can do this.")
    if action.name == "return" and locked.status != S.IN_REVIEW:
        raise WorkflowError(locked, target)


def perform(demand, action_name: str, *, by, note: str = "") -> Demand:
    """Apply a workflow action other than ``send``; returns the updated demand.

    Returning a demand to draft needs the reason (``note``). Submitting and returning
    email the people the demand now waits for, once the change commits
    (notices.notifications).
    """
    from notices.completeness import missing

    action = ACTIONS[action_name]
    if action.name == "send":
        raise ValueError("Use workflow.send() to mark a demand as sent.")
    with transaction.atomic():
        locked = _locked(demand)
        _check_allowed(locked, action, by)
        note = note.strip()
        if action.name == "return" and not note:
            raise WorkflowError(locked, action.target, "Give the reason for returning it.")
        if action.name in ("submit", "approve"):
            gaps = missing(locked)
            if gaps:
                raise WorkflowError(
                    locked, action.target, "The letter still lacks: " + "; ".join(gaps) + "."
                )
        if action.name == "approve" and locked.prepared_by_id == by.pk:
            raise WorkflowError(
                locked,
                action.target,
                "Four eyes: the person who prepared a demand cannot approve it.",
            )
        now = timezone.now()
        old = locked.status
        changes = {"status": action.target, "status_changed_at": now, "updated_at": now}
        if action.name == "approve":
            changes.update(approved_by=by, approved_at=now)
        if action.name == "return":
            changes.update(approved_by=None, approved_at=None)
        Demand.objects.filter(pk=locked.pk, status=old).update(**changes)
        event = _record(locked, action.name, old, action.target, by, note)
        notifications.notify_after_commit(event)
        if action.name == "approve":
            # The approved text is rendered at once: the version that will be sent.
            from notices.rendering import request_render

            request_render(locked, by=by)
    locked.refresh_from_db()
    return locked


def _channels(locked, channels) -> list[str]:
    if isinstance(channels, str):
        channels = [channels]
    chosen = list(dict.fromkeys(channels or []))  # the order chosen, without repeats
    if not chosen:
        raise WorkflowError(locked, S.SENT, "Choose at least one channel it was sent by.")
    unknown = [c for c in chosen if c not in Channel.values]
    if unknown:
        raise WorkflowError(locked, S.SENT, f"Unknown channel {unknown[0]!r}.")
    return chosen


def _record_template(locked):
    """The template of the approved text: the newest draft's, else the current one."""
    from notices.completeness import current_template

    draft = (
        Letter.objects.filter(demand=locked, purpose=LetterPurpose.DRAFT)
        .select_related("template")
        .order_by("-version")
        .first()
    )
    return draft.template if draft else current_template(locked.rights_holder_id)


def send(demand, *, by, sent_on: dt.date, channels, note: str = "") -> Demand:
    """Send an approved demand: the letter of record is made now, from what was sent.

    In one transaction: records the sending date and time, the channels and the
    concrete deadline (response period in the holder's business days after the
    sending date, at its deadline time and zone), moves the demand's identified
    items to notified, and creates the letter of record (a new Letter version
    whose snapshot carries all of that) as ``Demand.sent_letter``. Its render
    is enqueued when the transaction commits.
    """
    from notices.letters import channel_line, take_snapshot
    from notices.rendering import new_version

    action = ACTIONS["send"]
    with transaction.atomic():
        locked = _locked(demand)
        _check_allowed(locked, action, by)
        chosen = _channels(locked, channels)
        calendar = calendar_for(locked.rights_holder)
        now = timezone.now()
        if sent_on > calendar.local_date(now):
            raise WorkflowError(locked, S.SENT, "The sending date cannot be in the future.")
        template = _record_template(locked)
        if template is None:
            raise WorkflowError(locked, S.SENT, "Its rights holder has no letter template yet.")
        local_now = now.astimezone(calendar.zone)
        sent_at = dt.datetime.combine(sent_on, local_now.time(), tzinfo=calendar.zone)
        deadline_at = calendar.deadline(sent_on, locked.response_days)
        changes = {
            "status": S.SENT,
            "status_changed_at": now,
            "updated_at": now,
            "sent_on": sent_on,
            "sent_at": sent_at,
            "sent_channel": chosen[0],
            "sent_channels": chosen,
            "deadline": deadline_at.date(),
            "deadline_at": deadline_at,
        }
        if not Demand.objects.filter(pk=locked.pk, status=S.APPROVED).update(**changes):
            raise WorkflowError(locked, S.SENT)
        for field, value in changes.items():
            setattr(locked, field, value)
        to_notify = list(locked.items.filter(stage=Stage.IDENTIFIED).values_list("pk", flat=True))
        try:
            transition_many(
                to_notify,
                Stage.NOTIFIED,
                by=by,
                reason=f"Named in demand {locked.reference}.",
                source=EventSource.DEMAND,
                demand=locked,
            )
        except BulkTransitionError as exc:  # an item moved meanwhile: nothing is sent
            raise WorkflowError(locked, S.SENT, str(exc)) from exc
        snapshot = take_snapshot(locked, template, purpose=LetterPurpose.RECORD)
        letter = new_version(
            locked, template=template, purpose=LetterPurpose.RECORD, snapshot=snapshot, by=by
        )
        Demand.objects.filter(pk=locked.pk).update(sent_letter=letter)
        detail = (
            f"Sent on {sent_on:%Y-%m-%d} {channel_line(chosen).lower()}; letter of record: "
            f"version {letter.version} (template v{template.version}); deadline "
            f"{snapshot['deadline_text']}; {len(to_notify)} item(s) notified."
        )
        if note:
            detail += f" {note}"
        _record(locked, "sent", S.APPROVED, S.SENT, by, detail)
    locked.refresh_from_db()
    return locked


def record_compliance(
    remedy, *, by, status: str, on: dt.date | None = None, note: str = ""
) -> Remedy:
    """Record whether the respondent complied with one remedy, with a note and a date."""
    if status not in RemedyStatus.values:
        raise ValueError(f"Unknown remedy status {status!r}.")
    remedy_id = remedy.pk if isinstance(remedy, Remedy) else remedy
    with transaction.atomic():
        locked_remedy = Remedy.objects.select_for_update().get(pk=remedy_id)
        locked = _locked(locked_remedy.demand_id)
        if not access.can_edit(by):
            raise WorkflowError(locked, locked.status, "Viewers cannot change demands.")
        if locked.status not in AFTER_SENDING:
            raise ValueError(
                f"Demand {locked.reference} is {locked.get_status_display().lower()}: "
                "compliance is recorded only after it is sent."
            )
        on = on or locked.rights_holder.today()
        old = locked_remedy.status
        if old == status and locked_remedy.note == note and locked_remedy.status_on == on:
            return locked_remedy  # a repeated request changes nothing
        Remedy.objects.filter(pk=locked_remedy.pk).update(
            status=status, status_on=on, status_changed_at=timezone.now(), note=note
        )
        _record(
            locked,
            "remedy",
            old,
            status,
            by,
            f"Remedy {locked_remedy.position} ({locked_remedy.get_kind_display()}): "
            f"{RemedyStatus(old).label.lower()} → {RemedyStatus(status).label.lower()} "
            f"on {on:%Y-%m-%d}. {note}".strip(),
        )
    locked_remedy.refresh_from_db()
    return locked_remedy


def is_overdue_q():
    """Demands whose deadline day has passed where their holder works (a list spans
    holders, so each row's own today, in SQL) while a remedy is still pending."""
    from django.db.models import Exists, OuterRef, Q

    pending = Remedy.objects.filter(demand=OuterRef("pk"), status=RemedyStatus.PENDING)
    return (
        Q(deadline__lt=holder_today("rights_holder"))
        & Q(status__in=list(AFTER_SENDING))
        & Exists(pending)
    )


def locked_for_response(demand, *, by) -> Demand:
    """Lock ``demand`` to record a response to it (inside the caller's transaction).

    Refuses viewers, non-members and demands never sent.
    """
    locked = _locked(demand)
    if not access.can_edit(by):
        raise WorkflowError(locked, S.RESPONDED, "Viewers cannot record responses.")
    if not (by.is_superuser or locked.rights_holder.members.filter(pk=by.pk).exists()):
        raise WorkflowError(locked, S.RESPONDED, "You are not a member of its rights holder.")
    if locked.status not in RESPONSE_OPEN:
        raise WorkflowError(
            locked, S.RESPONDED, "A response can be recorded only once the demand is sent."
        )
    return locked


def note_response(locked, *, by, detail: str) -> Demand:
    """Write a recorded response to the demand's history, moving it to responded where
    TRANSITIONS allows (sent, escalated); otherwise its status stays as it is.

    ``locked`` comes from ``locked_for_response`` in the same transaction.
    """
    old = locked.status
    new = S.RESPONDED if S.RESPONDED in TRANSITIONS[old] else old
    if new != old:
        now = timezone.now()
        Demand.objects.filter(pk=locked.pk, status=old).update(
            status=new, status_changed_at=now, updated_at=now
        )
        locked.status = new
    _record(locked, "response", old, new, by, detail)
    return locked
