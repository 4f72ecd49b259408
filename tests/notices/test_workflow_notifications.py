"""Submitting a demand emails its holder's managers; returning it emails its preparer with
the reason. A real Celery worker sends them after commit, each once, linking to the demand."""

import datetime as dt
import time

import pytest
import time_machine
from django.core import mail

from casework.choices import Role
from notices import notifications, workflow
from notices.choices import DemandStatus
from notices.models import DemandNotification
from tests.factories import UserFactory


def _wait_for_mail(count, timeout=30):
    deadline = time.monotonic() + timeout
    while len(mail.outbox) < count:
        assert time.monotonic() < deadline, f"{len(mail.outbox)} of {count} emails sent"
        time.sleep(0.05)


@pytest.mark.django_db(transaction=True)
def test_a_real_worker_emails_managers_on_submit_and_the_preparer_on_return(
    celery_worker_real, settings, netflix, legal, manager, manager2, draft, warner
):
    settings.SITE_URL = "https://desist.example"
    UserFactory(username="wb-manager", role=Role.MANAGER, holders=[warner])
    UserFactory(
        username="nf-manager-gone",
        role=Role.MANAGER,
        holders=[netflix],
        is_active=False,
    )
    link = f"https://desist.example/demands/{draft.pk}/"

    workflow.perform(draft, "submit", by=legal)
    _wait_for_mail(1)
    submitted = mail.outbox[0]
    # The holder's active managers; not Warner's, not the inactive one.
    assert sorted(submitted.to) == ["nf-manager-2@example.com", "nf-manager@example.com"]
    assert submitted.subject == f"{draft.reference}: submitted for your review"
    assert f"\n{link}\n" in submitted.body

    reason = "Exhibit A lacks <b>screenshots</b>.\nOpen: https://evil.example/login"
    workflow.perform(draft, "return", by=manager, note=reason)
    _wait_for_mail(2)
    returned = mail.outbox[1]
    assert returned.to == ["nf-legal@example.com"]
    assert returned.subject == f"{draft.reference}: returned to draft"
    # Plain text: the reason is quoted as written (no HTML entities), each line marked as a
    # quote, so it cannot pass for the app's own link line.
    assert "> Exhibit A lacks <b>screenshots</b>.\n> Open: https://evil.example/login" in (
        returned.body
    )
    assert f"\n{link}\n" in returned.body
    assert DemandNotification.objects.count() == 2

    # A redelivered task sends nothing twice.
    for notification in DemandNotification.objects.all():
        assert notifications.send_for_event(notification.event_id) == []
    assert len(mail.outbox) == 2


@pytest.mark.django_db
def test_a_manager_who_submits_is_not_told_and_other_actions_send_nothing(
    manager, manager2, legal, draft, django_capture_on_commit_callbacks, mailoutbox
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        workflow.perform(draft, "submit", by=manager)
    event = draft.events.get(action="submit")
    assert len(callbacks) == 1  # the notification is published after commit, not before
    assert notifications.send_for_event(event.pk) == ["nf-manager-2@example.com"]
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        workflow.perform(draft, "withdraw", by=legal)
    assert callbacks == []
    assert len(mailoutbox) == 1


@pytest.mark.django_db
def test_return_needs_a_reason(legal, manager, draft):
    workflow.perform(draft, "submit", by=legal)
    with pytest.raises(workflow.WorkflowError, match="Give the reason for returning it"):
        workflow.perform(draft, "return", by=manager, note=" \n ")
    draft.refresh_from_db()
    assert draft.status == DemandStatus.IN_REVIEW


@pytest.mark.django_db
def test_beat_sends_what_a_lost_message_never_did_once(legal, manager, draft, mailoutbox):
    # In a test transaction nothing commits, so the task is never published: a lost message.
    workflow.perform(draft, "submit", by=legal)
    submitted = draft.events.get(action="submit").at
    assert notifications.send_unsent(now=submitted + dt.timedelta(seconds=30)) == 0  # its task's
    with time_machine.travel(submitted + dt.timedelta(minutes=5), tick=False):
        assert notifications.send_unsent() == 1
        assert notifications.send_unsent() == 0
    assert [m.to for m in mailoutbox] == [["nf-manager@example.com"]]
    assert notifications.send_unsent(now=submitted + dt.timedelta(days=2)) == 0


@pytest.mark.django_db
def test_one_email_the_mail_server_refuses_does_not_hold_back_the_others(
    legal, manager, draft, mailoutbox, monkeypatch
):
    import smtplib

    workflow.perform(draft, "submit", by=legal)
    workflow.perform(draft, "return", by=manager, note="Cite the registration.")
    refused = []

    def send_mail(subject, *args, **kwargs):  # the mail server: the outside world
        if not refused:
            refused.append(subject)
            raise smtplib.SMTPRecipientsRefused({"nf-manager@example.com": (550, b"No")})
        return mail.send_mail(subject, *args, **kwargs)

    monkeypatch.setattr(notifications, "send_mail", send_mail)
    later = draft.events.latest("at").at + dt.timedelta(minutes=5)
    assert notifications.send_unsent(now=later) == 1  # the return's email went out
    assert [m.to for m in mailoutbox] == [["nf-legal@example.com"]]
    assert notifications.send_unsent(now=later) == 1  # the refused one, tried again
    assert len(mailoutbox) == 2
    assert DemandNotification.objects.count() == 2
