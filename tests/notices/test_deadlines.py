"""Sweeps with a frozen clock: quiet periods → ceased, overdue demands, reminders once."""

import datetime as dt
import itertools

import pytest
import time_machine
from django.db import IntegrityError
from django.utils import timezone

from casework import quiet, stages
from casework.choices import EventSource, Role, Stage
from casework.models import InfringingItem, StageEvent
from notices import deadlines as sweeps
from notices.choices import DemandStatus, RemedyKind, RemedyStatus
from notices.models import Demand, DemandReminder, Remedy, ReminderKind
from tests.factories import ItemFactory, RespondentFactory, UserFactory

UTC = dt.UTC
# 2026-03-06 is a Friday; 2026-03-09 the Monday after.
FRIDAY = dt.datetime(2026, 3, 6, 9, 0, tzinfo=UTC)
MONDAY = dt.date(2026, 3, 9)
_numbers = itertools.count(1)


def make_demand(holder, *, status=DemandStatus.SENT, deadline=None, remedies=None, by=None):
    number = next(_numbers)
    demand = Demand.objects.create(
        rights_holder=holder,
        respondent=RespondentFactory(),
        reference=f"{holder.code}-2026-{number:04d}",
        year=2026,
        number=number,
        status=status,
        deadline=deadline,
        prepared_by=by,
    )
    for position, state in enumerate(remedies or [RemedyStatus.PENDING], start=1):
        Remedy.objects.create(
            demand=demand, position=position, kind=RemedyKind.CEASE, text="Stop.", status=state
        )
    return demand


def removed_item(holder, at):
    item = ItemFactory(rights_holder=holder)
    InfringingItem.objects.filter(pk=item.pk).update(stage=Stage.NOTIFIED)
    stages.transition(item, Stage.REMOVED, reason="gone", at=at)
    return item


# --- Quiet periods -----------------------------------------------------------------


@pytest.mark.django_db
def test_removed_item_becomes_ceased_after_the_quiet_period(netflix):
    netflix.quiet_period_days = 30
    netflix.save()
    removed_at = dt.datetime(2026, 2, 1, 12, 0, tzinfo=UTC)
    item = removed_item(netflix, removed_at)
    with time_machine.travel(removed_at + dt.timedelta(days=29, hours=23), tick=False):
        assert quiet.sweep_quiet_periods() == []
    item.refresh_from_db()
    assert item.stage == Stage.REMOVED
    with time_machine.travel(removed_at + dt.timedelta(days=30), tick=False):
        assert quiet.sweep_quiet_periods() == [item.pk]
        assert quiet.sweep_quiet_periods() == []  # idempotent
    item.refresh_from_db()
    assert item.stage == Stage.CEASED
    event = StageEvent.objects.filter(item=item).latest("at")
    assert (event.from_stage, event.to_stage, event.source) == (
        Stage.REMOVED,
        Stage.CEASED,
        EventSource.SWEEP,
    )
    assert event.at == removed_at + dt.timedelta(days=30)


@pytest.mark.django_db
def test_a_relapse_restarts_the_quiet_period(netflix):
    first = dt.datetime(2026, 1, 1, tzinfo=UTC)
    item = removed_item(netflix, first)
    stages.transition(item, Stage.NOTIFIED, reason="live again", at=first + dt.timedelta(20))
    stages.transition(item, Stage.REMOVED, reason="gone again", at=first + dt.timedelta(25))
    with time_machine.travel(first + dt.timedelta(days=31), tick=False):
        assert quiet.sweep_quiet_periods() == []
    with time_machine.travel(first + dt.timedelta(days=55), tick=False):
        assert quiet.sweep_quiet_periods() == [item.pk]


@pytest.mark.django_db
def test_each_holder_has_its_own_quiet_period(netflix, warner):
    warner.quiet_period_days = 7
    warner.save()
    at = dt.datetime(2026, 1, 1, tzinfo=UTC)
    nf, wb = removed_item(netflix, at), removed_item(warner, at)
    notified = ItemFactory(rights_holder=netflix)
    InfringingItem.objects.filter(pk=notified.pk).update(stage=Stage.NOTIFIED)
    with time_machine.travel(at + dt.timedelta(days=10), tick=False):
        assert quiet.sweep_quiet_periods() == [wb.pk]
    with time_machine.travel(at + dt.timedelta(days=40), tick=False):
        assert quiet.sweep_quiet_periods() == [nf.pk]
    notified.refresh_from_db()
    assert notified.stage == Stage.NOTIFIED


# --- Overdue ---------------------------------------------------------------------------


@pytest.mark.django_db
def test_overdue_is_past_deadline_with_a_pending_remedy(netflix):
    today = FRIDAY.date()
    late = make_demand(netflix, deadline=today - dt.timedelta(1))
    late_responded = make_demand(
        netflix,
        status=DemandStatus.RESPONDED,
        deadline=today - dt.timedelta(9),
        remedies=[RemedyStatus.COMPLIED, RemedyStatus.PENDING],
    )
    due_today = make_demand(netflix, deadline=today)
    all_answered = make_demand(
        netflix,
        deadline=today - dt.timedelta(5),
        remedies=[RemedyStatus.COMPLIED, RemedyStatus.REFUSED],
    )
    draft = make_demand(netflix, status=DemandStatus.DRAFT, deadline=today - dt.timedelta(5))
    closed = make_demand(netflix, status=DemandStatus.CLOSED, deadline=today - dt.timedelta(5))
    with time_machine.travel(FRIDAY, tick=False):
        assert sweeps.sweep_deadlines() == {"marked": 2, "cleared": 0}
        assert sweeps.sweep_deadlines() == {"marked": 0, "cleared": 0}
    overdue = set(Demand.objects.filter(overdue=True).values_list("pk", flat=True))
    assert overdue == {late.pk, late_responded.pk}
    assert not {due_today.pk, all_answered.pk, draft.pk, closed.pk} & overdue

    # The respondent complies: the next sweep clears the flag.
    Remedy.objects.filter(demand=late).update(status=RemedyStatus.COMPLIED)
    with time_machine.travel(FRIDAY + dt.timedelta(hours=1), tick=False):
        assert sweeps.sweep_deadlines() == {"marked": 0, "cleared": 1}
    # The next day the demand due today is overdue too.
    with time_machine.travel(FRIDAY + dt.timedelta(days=1), tick=False):
        assert sweeps.sweep_deadlines() == {"marked": 1, "cleared": 0}
    assert set(Demand.objects.filter(overdue=True).values_list("pk", flat=True)) == {
        late_responded.pk,
        due_today.pk,
    }
    # Each change is in the demand's history exactly once.
    from notices.models import DemandEvent

    assert list(DemandEvent.objects.filter(demand=late).values_list("action", flat=True)) == [
        "overdue",
        "no longer overdue",
    ]
    assert DemandEvent.objects.filter(demand=due_today, action="overdue").count() == 1
    assert not DemandEvent.objects.filter(demand__in=[draft, closed, all_answered]).exists()


# --- Reminders -------------------------------------------------------------------------


@pytest.fixture
def people(netflix, warner, legal, manager, viewer):
    return {
        "second_manager": UserFactory(
            username="nf-manager-2", role=Role.MANAGER, holders=[netflix]
        ),
        "wb_manager": UserFactory(username="wb-manager", role=Role.MANAGER, holders=[warner]),
        "other_legal": UserFactory(username="nf-legal-2", role=Role.LEGAL, holders=[netflix]),
    }


def test_previous_business_day():
    assert sweeps.previous_business_day(MONDAY) == dt.date(2026, 3, 6)
    assert sweeps.previous_business_day(dt.date(2026, 3, 10)) == MONDAY
    assert sweeps.previous_business_day(dt.date(2026, 3, 8)) == dt.date(2026, 3, 6)


@pytest.mark.django_db
def test_the_due_soon_reminder_follows_the_holders_calendar(netflix, legal):
    """A deadline on Friday 27 Nov 2026: Thanksgiving (Thursday) is no business day, so
    the reminder goes out on Wednesday; with a closure day that Wednesday, on Tuesday."""
    from notices.business_days import calendar_for
    from notices.models import HolderClosureDay

    friday = dt.date(2026, 11, 27)
    demand = make_demand(netflix, deadline=friday, by=legal)
    assert sweeps.previous_business_day(friday, calendar_for(netflix)) == dt.date(2026, 11, 25)
    assert (demand, ReminderKind.DUE_SOON) in due_on(dt.date(2026, 11, 25))
    assert not due_on(dt.date(2026, 11, 24))

    HolderClosureDay.objects.create(rights_holder=netflix, date=dt.date(2026, 11, 25), reason="x")
    assert sweeps.previous_business_day(friday, calendar_for(netflix)) == dt.date(2026, 11, 24)
    assert (demand, ReminderKind.DUE_SOON) in due_on(dt.date(2026, 11, 24))


def due_on(day, hour=10):
    """The reminders due at ``hour`` o'clock in Los Angeles (Netflix's zone) on ``day``."""
    from zoneinfo import ZoneInfo

    moment = dt.datetime.combine(day, dt.time(hour), tzinfo=ZoneInfo("America/Los_Angeles"))
    return [(demand, kind) for demand, kind, _today in sweeps.reminders_due(moment)]


@pytest.mark.django_db
def test_reminders_follow_the_holders_day_not_the_servers(netflix, legal):
    """At 4:30 p.m. in Los Angeles the server's date is already tomorrow: a deadline
    tomorrow in Los Angeles is "due soon", not yet reached."""
    tuesday = dt.date(2026, 12, 8)
    demand = make_demand(netflix, deadline=tuesday, by=legal)
    evening = dt.datetime(2026, 12, 8, 0, 30, tzinfo=UTC)  # 4:30 p.m. on Monday in LA
    assert list(sweeps.reminders_due(evening)) == [
        (demand, ReminderKind.DUE_SOON, dt.date(2026, 12, 7))
    ]
    assert due_on(tuesday, hour=0) == [(demand, ReminderKind.DUE)]


@pytest.mark.django_db
def test_reminders_go_to_preparer_and_managers_once(netflix, legal, people, mailoutbox, settings):
    settings.SITE_URL = "http://desist.example"
    demand = make_demand(netflix, deadline=MONDAY, by=legal)
    expected = sorted(
        ["nf-legal@example.com", "nf-manager@example.com", "nf-manager-2@example.com"]
    )

    with time_machine.travel(FRIDAY - dt.timedelta(days=1), tick=False):  # Thursday
        assert sweeps.send_reminders() == []
    with time_machine.travel(FRIDAY, tick=False):
        assert sweeps.send_reminders() == [(demand.pk, "due_soon")]
        assert sweeps.send_reminders() == []
    with time_machine.travel(FRIDAY + dt.timedelta(days=1), tick=False):  # Saturday
        assert sweeps.send_reminders() == []
    assert len(mailoutbox) == 1
    assert sorted(mailoutbox[0].to) == expected
    assert demand.reference in mailoutbox[0].subject
    # Friday's reminder of Monday's deadline says Monday, not "tomorrow".
    assert mailoutbox[0].subject.endswith(": deadline Monday 9 March")
    assert "is the next business day: Monday 9 March 2026." in mailoutbox[0].body
    # It links to the demand with an absolute URL (SITE_URL).
    assert f"\nhttp://desist.example/demands/{demand.pk}/\n" in mailoutbox[0].body

    monday = dt.datetime.combine(MONDAY, dt.time(8), tzinfo=UTC)
    with time_machine.travel(monday, tick=False):
        assert sweeps.send_reminders() == [(demand.pk, "due")]
    with time_machine.travel(monday + dt.timedelta(days=3), tick=False):
        assert sweeps.send_reminders() == []
    assert len(mailoutbox) == 2
    assert "deadline reached" in mailoutbox[1].subject
    assert sorted(mailoutbox[1].to) == expected
    assert set(DemandReminder.objects.values_list("demand_id", "kind")) == {
        (demand.pk, "due_soon"),
        (demand.pk, "due"),
    }


@pytest.mark.django_db
def test_a_missed_day_still_sends_each_reminder_once(netflix, legal, mailoutbox):
    demand = make_demand(netflix, deadline=MONDAY, by=legal)
    with time_machine.travel(dt.datetime(2026, 3, 12, 9, tzinfo=UTC), tick=False):
        assert sweeps.send_reminders() == [(demand.pk, "due")]
    assert len(mailoutbox) == 1


@pytest.mark.django_db
def test_no_reminders_for_answered_draft_or_closed_demands(netflix, legal, mailoutbox):
    make_demand(netflix, deadline=MONDAY, by=legal, remedies=[RemedyStatus.COMPLIED])
    make_demand(netflix, status=DemandStatus.DRAFT, deadline=MONDAY, by=legal)
    make_demand(netflix, status=DemandStatus.WITHDRAWN, deadline=MONDAY, by=legal)
    with time_machine.travel(dt.datetime.combine(MONDAY, dt.time(9), tzinfo=UTC), tick=False):
        assert sweeps.send_reminders() == []
    assert mailoutbox == []


@pytest.mark.django_db
def test_the_database_refuses_a_second_reminder_of_a_kind(netflix):
    demand = make_demand(netflix, deadline=MONDAY)
    DemandReminder.objects.create(demand=demand, kind=ReminderKind.DUE, sent_at=timezone.now())
    with pytest.raises(IntegrityError):
        DemandReminder.objects.create(demand=demand, kind=ReminderKind.DUE, sent_at=timezone.now())


@pytest.mark.django_db
def test_a_failed_send_leaves_no_row_and_is_retried(netflix, legal, settings, mailoutbox):
    demand = make_demand(netflix, deadline=MONDAY, by=legal)
    settings.EMAIL_BACKEND = "tests.notices.test_deadlines.BrokenBackend"
    monday = dt.datetime.combine(MONDAY, dt.time(9), tzinfo=UTC)
    with time_machine.travel(monday, tick=False), pytest.raises(ConnectionRefusedError):
        sweeps.send_reminders()
    assert not DemandReminder.objects.exists()
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    with time_machine.travel(monday, tick=False):
        assert sweeps.send_reminders() == [(demand.pk, "due")]


class BrokenBackend:
    def __init__(self, *args, **kwargs):
        pass

    def send_messages(self, messages):
        raise ConnectionRefusedError("SMTP server down")


# --- The tasks on a real worker ----------------------------------------------------------


def test_sweep_tasks_run_on_the_worker(celery_worker_real, netflix, legal):
    import time

    from casework.tasks import checks
    from notices import tasks

    today = netflix.today()
    demand = make_demand(netflix, deadline=today - dt.timedelta(days=2), by=legal)
    item = removed_item(netflix, timezone.now() - dt.timedelta(days=netflix.quiet_period_days + 1))
    tasks.sweep_deadlines.delay()
    checks.sweep_quiet_periods.delay()
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        demand.refresh_from_db()
        item.refresh_from_db()
        if demand.overdue and item.stage == Stage.CEASED:
            break
        time.sleep(0.1)
    assert demand.overdue
    assert item.stage == Stage.CEASED
