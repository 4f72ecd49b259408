"""Demand deadlines: the overdue sweep and deadline reminders (beat tasks in notices.tasks).

Each sweep is idempotent: running it twice, or in two workers at once, changes
nothing more than running it once. Clocks come from ``django.utils.timezone``
so tests freeze them with time-machine.
"""

from __future__ import annotations

import datetime as dt
import logging

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef
from django.template.loader import render_to_string
from django.utils import timezone

from casework.choices import Role
from notices.business_days import Calendar, calendar_for
from notices.choices import RemedyStatus
from notices.models import Demand, DemandEvent, DemandReminder, Remedy, ReminderKind
from notices.notifications import absolute_url
from notices.workflow import AFTER_SENDING, is_overdue_q

logger = logging.getLogger(__name__)


def _open_statuses():
    return sorted(AFTER_SENDING)


def previous_business_day(day: dt.date, calendar: Calendar | None = None) -> dt.date:
    """The last business day strictly before ``day`` in ``calendar`` (US by default)."""
    return (calendar or Calendar()).previous_business_day(day)


# --- Overdue -------------------------------------------------------------------------


def _pending_remedy():
    return Exists(Remedy.objects.filter(demand=OuterRef("pk"), status=RemedyStatus.PENDING))


def sweep_deadlines() -> dict[str, int]:
    """Set ``Demand.overdue`` where the deadline has passed and a remedy is pending
    (``notices.workflow.is_overdue_q``, the demand list's definition, as of today);
    clear it where that no longer holds. Each change is written to the demand's
    history, once: the rows are locked (skipping rows another sweep holds) before
    they are flagged, so two sweeps never record the same change twice."""

    def flag(queryset, value: bool, action: str, detail: str) -> int:
        with transaction.atomic():
            ids = list(queryset.select_for_update(skip_locked=True).values_list("pk", "status"))
            Demand.objects.filter(pk__in=[pk for pk, _ in ids]).update(overdue=value)
            DemandEvent.objects.bulk_create(
                DemandEvent(
                    demand_id=pk,
                    action=action,
                    from_status=status,
                    to_status=status,
                    detail=detail,
                )
                for pk, status in ids
            )
        return len(ids)

    should = Demand.objects.filter(is_overdue_q())
    marked = flag(
        should.filter(overdue=False),
        True,
        "overdue",
        "The deadline passed with a remedy still pending.",
    )
    cleared = flag(
        Demand.objects.filter(overdue=True).exclude(pk__in=should.values("pk")),
        False,
        "no longer overdue",
        "Every remedy has an answer, or the demand is closed.",
    )
    return {"marked": marked, "cleared": cleared}


# --- Reminders ---------------------------------------------------------------------


def recipients_for(demand) -> list[str]:
    """The preparer and the managers of the demand's rights holder, with an email."""
    User = get_user_model()
    managers = User.objects.filter(
        is_active=True, rights_holders=demand.rights_holder_id, groups__name=Role.MANAGER.value
    ).exclude(email="")
    addresses = []
    if demand.prepared_by and demand.prepared_by.is_active and demand.prepared_by.email:
        addresses.append(demand.prepared_by.email)
    for email in managers.order_by("email").values_list("email", flat=True):
        if email not in addresses:
            addresses.append(email)
    return addresses


def reminders_due(now: dt.datetime):
    """(demand, kind, the holder's today) for the reminders to send at ``now``.

    ``due_soon`` from the business day before the deadline until the deadline;
    ``due`` from the deadline on, both by the day where the holder works. A sweep
    that missed a day still sends them. Only open demands with a pending remedy
    are reminded about.
    """
    base = Demand.objects.filter(
        _pending_remedy(), status__in=_open_statuses(), deadline__isnull=False
    ).select_related("rights_holder", "prepared_by", "respondent")

    def not_sent(kind):
        return ~Exists(DemandReminder.objects.filter(demand=OuterRef("pk"), kind=kind))

    # Narrow in SQL by the server's date, a day either side (every holder's today is
    # within a day of it); decide exactly in Python with the holder's own today and
    # calendar (weekend, public holidays, closure days), read once per holder.
    server_today = now.astimezone(dt.UTC).date()
    day = dt.timedelta(days=1)
    soon = base.filter(
        not_sent(ReminderKind.DUE_SOON),
        deadline__gte=server_today,
        deadline__lte=server_today + 11 * day,
    )
    due = base.filter(not_sent(ReminderKind.DUE), deadline__lte=server_today + day)
    calendars = {}
    for demand in soon.order_by("deadline", "pk"):
        holder = demand.rights_holder
        today = holder.local_date(now)
        calendar = calendars.get(holder.pk) or calendars.setdefault(holder.pk, calendar_for(holder))
        if today < demand.deadline and today >= calendar.previous_business_day(demand.deadline):
            yield demand, ReminderKind.DUE_SOON, today
    for demand in due.order_by("deadline", "pk"):
        today = demand.rights_holder.local_date(now)
        if demand.deadline <= today:
            yield demand, ReminderKind.DUE, today


def send_reminders(now=None) -> list[tuple[int, str]]:
    """Email every reminder due now, each exactly once. Returns (demand id, kind) sent.

    The reminder row is inserted first, inside the transaction that sends the
    mail: a concurrent sweep blocks on the unique constraint and then skips;
    if sending fails the row rolls back and the next sweep tries again.
    """
    now = now or timezone.now()
    sent = []
    for demand, kind, today in list(reminders_due(now)):
        recipients = recipients_for(demand)
        if not recipients:
            logger.warning("Demand %s has nobody to remind.", demand.reference)
            continue
        try:
            with transaction.atomic():
                DemandReminder.objects.create(
                    demand=demand, kind=kind, sent_at=now, recipients="\n".join(recipients)
                )
                context = {
                    "demand": demand,
                    "kind": kind,
                    "today": today,
                    "url": absolute_url(demand.get_absolute_url()),
                }
                subject = (
                    f"{demand.reference}: deadline {demand.deadline:%A %-d %B}"
                    if kind == ReminderKind.DUE_SOON
                    else f"{demand.reference}: deadline reached"
                )
                send_mail(
                    subject,
                    render_to_string("notices/reminder_email.txt", context),
                    settings.DEFAULT_FROM_EMAIL,
                    recipients,
                )
        except IntegrityError:
            continue  # another sweep sent it
        sent.append((demand.pk, str(kind)))
    return sent
