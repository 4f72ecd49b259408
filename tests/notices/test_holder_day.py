"""The holder's day, not the server's.

At 00:30 UTC on 8 December it is 4:30 p.m. on 7 December in Los Angeles, where
Netflix works. A letter sent then is dated the 7th, a reply received then arrived
on the 7th, and a deadline of the 7th has not passed yet. The suite once failed
whenever CI ran between midnight and 8 a.m. UTC: these tests run at that hour
whatever the time of day, so the rule holds at any hour.
"""

import datetime as dt

import pytest
import time_machine
from django.urls import reverse

from notices import workflow
from notices.choices import DemandStatus
from notices.models import Demand, Remedy
from tests.notices.conftest import advance

pytestmark = pytest.mark.django_db

EVENING_IN_LOS_ANGELES = dt.datetime(2026, 12, 8, 0, 30, tzinfo=dt.UTC)
HOLDERS_TODAY = dt.date(2026, 12, 7)


@pytest.fixture
def evening():
    with time_machine.travel(EVENING_IN_LOS_ANGELES, tick=False):
        yield


def detail(demand):
    return reverse("notices:demand-detail", args=[demand.pk])


def test_the_holders_today_is_still_yesterday_in_utc(evening, netflix):
    assert netflix.time_zone == "America/Los_Angeles"
    assert netflix.today() == HOLDERS_TODAY


def test_a_letter_sent_today_as_the_form_offers_is_dated_the_holders_today(
    evening, webapp, legal, manager, draft
):
    demand = advance(draft, DemandStatus.APPROVED, legal=legal, manager=manager)
    page = webapp.get(detail(demand), user=legal)
    form = page.forms["send"]
    assert form["sent_on"].value == "2026-12-07"  # not the server's 8th: that is refused
    assert page.html.select_one("#id_sent_on")["max"] == "2026-12-07"
    form.submit().forms["confirm"].submit().follow()
    demand.refresh_from_db()
    assert demand.status == DemandStatus.SENT
    assert demand.sent_on == HOLDERS_TODAY
    assert demand.sent_at == EVENING_IN_LOS_ANGELES  # the moment it was recorded
    assert demand.sent_letter.snapshot["created"].startswith("2026-12-07T16:30:00-08:00")

    page = webapp.get(detail(demand))
    assert "2026-12-07 by" in page.html.select_one("main").get_text()
    listing = webapp.get(reverse("notices:demand-list"))
    assert "2026-12-07" in listing.html.select_one("table tbody").get_text()
    # The list's sent-date filter reads the letter's date.
    for after, before, shown in [
        ("2026-12-07", "2026-12-07", True),
        ("2026-12-08", "", False),
        ("", "2026-12-06", False),
    ]:
        form = webapp.get(reverse("notices:demand-list")).forms["demand-filters"]
        form["sent_after"], form["sent_before"] = after, before
        rows = form.submit().html.select("table tbody td:nth-of-type(2) a")
        assert [a.get_text() for a in rows] == ([demand.reference] if shown else [])


def test_a_reply_received_today_is_accepted_and_tomorrow_is_refused(
    evening, webapp, legal, manager, draft
):
    demand = advance(
        draft, DemandStatus.SENT, legal=legal, manager=manager, sent_on=dt.date(2026, 12, 1)
    )
    form = webapp.get(detail(demand), user=legal).forms["response-form"]
    assert form["received_on"].value == "2026-12-07"
    form["received_on"] = "2026-12-08"  # the server's today, the holder's tomorrow
    form["text"] = "Received by email."
    page = form.submit(expect_errors=True)
    assert page.status_code == 400
    error = page.html.select_one("#id_received_on_error").get_text()
    assert "The date received cannot be in the future." in error
    form = page.forms["response-form"]
    form["received_on"] = "2026-12-07"
    assert form.submit().status_code == 302
    assert demand.responses.get().received_on == HOLDERS_TODAY


def test_compliance_is_dated_the_holders_today(evening, webapp, legal, manager, draft):
    demand = advance(
        draft, DemandStatus.SENT, legal=legal, manager=manager, sent_on=dt.date(2026, 12, 1)
    )
    first, second = demand.remedies.order_by("position")[:2]
    form = webapp.get(detail(demand), user=legal).forms[f"compliance-{first.pk}"]
    assert form[f"c{first.pk}-on"].value == "2026-12-07"
    # Saved as the page offers it: the date is accepted and recorded as the 7th.
    form[f"c{first.pk}-status"] = "complied"
    form.submit().follow()
    first.refresh_from_db()
    assert (first.status, first.status_on) == ("complied", HOLDERS_TODAY)
    # Recorded without a date (the API), it is the holder's today too.
    assert workflow.record_compliance(second, by=legal, status="complied").status_on == (
        HOLDERS_TODAY
    )


def test_a_deadline_of_the_holders_today_is_not_overdue_yet(evening, legal, manager, draft):
    from dashboards.figures import Selection, overdue_demands
    from notices import deadlines

    demand = advance(
        draft, DemandStatus.SENT, legal=legal, manager=manager, sent_on=dt.date(2026, 12, 1)
    )
    assert Remedy.objects.filter(demand=demand, status="pending").exists()

    def overdue():
        return Demand.objects.filter(workflow.is_overdue_q()).filter(pk=demand.pk).exists()

    Demand.objects.filter(pk=demand.pk).update(deadline=HOLDERS_TODAY)
    assert not overdue()  # the server's date is the 8th; Los Angeles is still on the 7th
    assert deadlines.sweep_deadlines() == {"marked": 0, "cleared": 0}
    Demand.objects.filter(pk=demand.pk).update(deadline=dt.date(2026, 12, 6))
    assert overdue()
    assert deadlines.sweep_deadlines() == {"marked": 1, "cleared": 0}
    rows = overdue_demands(Selection(user=manager))
    assert [(r["reference"], r["days_overdue"]) for r in rows] == [(demand.reference, 1)]


def test_the_migration_dates_demands_sent_before_it_in_their_holders_zone(
    legal, manager, draft, netflix
):
    import importlib

    from django.db import connection

    backfill = importlib.import_module("notices.migrations.0003_demand_sent_on").BACKFILL
    demand = advance(
        draft, DemandStatus.SENT, legal=legal, manager=manager, sent_on=dt.date(2026, 12, 1)
    )
    # Sent at 4:30 p.m. in Los Angeles on the 1st: already the 2nd in UTC.
    Demand.objects.filter(pk=demand.pk).update(
        sent_on=None, sent_at=dt.datetime(2026, 12, 2, 0, 30, tzinfo=dt.UTC)
    )
    unsent = Demand.objects.create(
        rights_holder=netflix,
        respondent=demand.respondent,
        reference="NFLX-2026-0099",
        year=2026,
        number=99,
    )
    with connection.cursor() as cursor:
        cursor.execute(backfill, ["UTC"])
    assert Demand.objects.get(pk=demand.pk).sent_on == dt.date(2026, 12, 1)
    assert Demand.objects.get(pk=unsent.pk).sent_on is None
