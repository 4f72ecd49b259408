"""Workflow notifications: who is told by email when a demand waits for them.

Submitting a demand for review tells its rights holder's managers (but not the
one who submitted it); returning it to draft tells its preparer, with the reason.
The workflow writes the DemandEvent and calls :func:`notify_after_commit`; the
task (notices.tasks.notify_demand_event) carries only the event's id and calls
:func:`send_for_event`, which sends each event's email once (DemandNotification).
A message lost on the way (the broker was down) is made good by beat:
:func:`send_unsent` sends what a recent event still lacks.

Emails are plain text: nothing in them is HTML, so nothing is HTML-escaped.
What people wrote (a return reason) is quoted line by line ("> ") with control
characters removed, so it cannot pose as the app's own lines or links; subjects
carry only the demand's reference, which the app makes.
"""

from __future__ import annotations

import datetime as dt
import logging
import re

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.utils import timezone

from casework.choices import Role
from casework.jobs import publish
from notices.models import DemandEvent, DemandNotification

logger = logging.getLogger(__name__)

TASK = "notices.tasks.notify_demand_event"
# The workflow actions that make a demand wait for someone, and each email's subject.
SUBJECTS = {
    "submit": "{reference}: submitted for your review",
    "return": "{reference}: returned to draft",
}
CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
# send_unsent leaves an event this long to its own task, and gives up after a day (a
# notification sent later than that would only confuse).
GRACE = dt.timedelta(minutes=2)
GIVE_UP = dt.timedelta(days=1)


def absolute_url(path: str) -> str:
    """``path`` (an absolute path, such as ``get_absolute_url()``) on SITE_URL."""
    return settings.SITE_URL + path


def quoted(text: str) -> str:
    """User-written ``text`` as a plain-text quote: every line starts with "> "."""
    lines = CONTROL.sub("", text.replace("\r\n", "\n").replace("\r", "\n")).split("\n")
    return "\n".join(f"> {line}".rstrip() for line in lines)


def notify_after_commit(event: DemandEvent) -> None:
    """Enqueue the email about ``event`` once the caller's transaction commits."""
    if event.action in SUBJECTS:
        transaction.on_commit(lambda: publish(TASK, [event.pk]))


def recipients_for(event: DemandEvent) -> list[str]:
    """Submitted: the holder's active managers with an email, except whoever submitted.
    Returned: the demand's preparer."""
    demand = event.demand
    if event.action == "submit":
        managers = (
            get_user_model()
            .objects.filter(
                is_active=True,
                rights_holders=demand.rights_holder_id,
                groups__name=Role.MANAGER.value,
            )
            .exclude(email="")
            .exclude(pk=event.by_id)
        )
        return list(managers.order_by("email").values_list("email", flat=True).distinct())
    preparer = demand.prepared_by
    if preparer is not None and preparer.is_active and preparer.email:
        return [preparer.email]
    return []


def send_for_event(event_id: int) -> list[str]:
    """Email the people ``event`` makes the demand wait for, once; returns the addresses.

    The DemandNotification row is inserted in the transaction that sends the mail:
    a repeated task fails on its unique event and sends nothing; if sending fails
    the row rolls back and the task's retry sends it.
    """
    event = (
        DemandEvent.objects.select_related("demand__rights_holder", "demand__prepared_by", "by")
        .filter(pk=event_id, action__in=list(SUBJECTS))
        .first()
    )
    if event is None or DemandNotification.objects.filter(event=event).exists():
        return []
    recipients = recipients_for(event)
    if not recipients:
        logger.warning("Nobody to notify of %s on demand %s.", event.action, event.demand_id)
    demand = event.demand
    context = {
        "event": event,
        "demand": demand,
        "url": absolute_url(demand.get_absolute_url()),
        "reason": quoted(event.detail) if event.detail else "",
    }
    try:
        with transaction.atomic():
            DemandNotification.objects.create(
                event=event, sent_at=timezone.now(), recipients="\n".join(recipients)
            )
            if not recipients:  # recorded as handled, so no sweep tries it again
                return []
            send_mail(
                SUBJECTS[event.action].format(reference=demand.reference),
                render_to_string(f"notices/email_{event.action}.txt", context),
                settings.DEFAULT_FROM_EMAIL,
                recipients,
            )
    except IntegrityError:
        return []  # another run sent it
    return recipients


def send_unsent(now=None) -> int:
    """Send the notifications of the last day's events whose task never ran; returns
    how many events were handled. An event whose email fails (the mail server refuses
    it) is logged and tried again next run; the events after it still go out."""
    now = now or timezone.now()
    unsent = DemandEvent.objects.filter(
        action__in=list(SUBJECTS),
        at__gte=now - GIVE_UP,
        at__lte=now - GRACE,
        notification__isnull=True,
    ).order_by("at", "id")
    ids = list(unsent.values_list("pk", flat=True))
    handled = 0
    for event_id in ids:
        try:
            send_for_event(event_id)
        except Exception:  # noqa: BLE001 - whatever stops one email, the others go on
            logger.exception("Notification of demand event %s failed", event_id)
        else:
            handled += 1
    return handled
