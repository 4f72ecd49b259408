"""Deadlines in business days: weekends, public holidays of the holder's country and
subdivision, its own closure days, and the concrete moment the letter names."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError

from notices.business_days import Calendar, calendar_for, deadline_for, describe_deadline
from notices.models import HolderClosureDay

US = Calendar(country="US", time_zone="America/Los_Angeles")


@pytest.mark.parametrize(
    ("sent_on", "days", "due", "why"),
    [
        # Thursday 26 Nov is Thanksgiving: Fri 27, Mon 30, Tue 1 Dec.
        (dt.date(2026, 11, 25), 3, dt.date(2026, 12, 1), "Thanksgiving"),
        # Friday 25 Dec is Christmas: Thu 24, Mon 28, Tue 29.
        (dt.date(2026, 12, 23), 3, dt.date(2026, 12, 29), "Christmas"),
        # A plain weekend: Thursday + 3 = Tuesday.
        (dt.date(2026, 3, 5), 3, dt.date(2026, 3, 10), "weekend"),
        # Sent on a Saturday: the count starts on Monday.
        (dt.date(2026, 3, 7), 1, dt.date(2026, 3, 9), "sent on a weekend"),
        # New Year's Day (Friday 1 Jan 2027) and the weekend after it.
        (dt.date(2026, 12, 31), 1, dt.date(2027, 1, 4), "across the year"),
    ],
)
def test_business_days_skip_weekends_and_public_holidays(sent_on, days, due, why):
    assert US.add_business_days(sent_on, days) == due, why


def test_a_subdivision_adds_its_own_holidays():
    # California also closes on the day after Thanksgiving.
    california = Calendar(country="US", subdivision="CA", time_zone="America/Los_Angeles")
    assert california.add_business_days(dt.date(2026, 11, 25), 3) == dt.date(2026, 12, 2)


def test_the_deadline_is_5_pm_holder_local_and_reads_like_a_letter():
    deadline = US.deadline(dt.date(2026, 11, 25), 3)
    assert deadline == dt.datetime(2026, 12, 1, 17, tzinfo=ZoneInfo("America/Los_Angeles"))
    assert deadline.astimezone(dt.UTC) == dt.datetime(2026, 12, 2, 1, tzinfo=dt.UTC)
    assert describe_deadline(deadline) == "5:00 p.m. PT on Tuesday, December 1, 2026"
    # Summer time: still "PT", one hour earlier in UTC.
    summer = US.deadline(dt.date(2026, 7, 1), 3)  # Friday 3 July is Independence Day (observed)
    assert describe_deadline(summer) == "5:00 p.m. PT on Tuesday, July 7, 2026"
    assert summer.utcoffset() == dt.timedelta(hours=-7)


def test_a_holder_in_another_country_and_zone(netflix):
    netflix.country, netflix.time_zone = "GB", "Europe/London"
    netflix.deadline_time = dt.time(12, 30)
    netflix.save()
    # Monday 28 Dec 2026 is the Boxing Day substitute in England: Thu 24, Tue 29, Wed 30.
    deadline = deadline_for(netflix, dt.date(2026, 12, 23), 3)
    assert describe_deadline(deadline) == "12:30 p.m. GMT on Wednesday, December 30, 2026"


def test_a_holders_own_closure_day_is_not_a_business_day(netflix, warner):
    HolderClosureDay.objects.create(
        rights_holder=netflix, date=dt.date(2026, 11, 30), reason="Company offsite"
    )
    # Fri 27, (Mon 30 closed), Tue 1, Wed 2.
    assert calendar_for(netflix).add_business_days(dt.date(2026, 11, 25), 3) == dt.date(2026, 12, 2)
    # Another holder's closure day changes nothing for it.
    assert calendar_for(warner).add_business_days(dt.date(2026, 11, 25), 3) == dt.date(2026, 12, 1)


def test_a_closure_day_is_unique_per_holder(netflix):
    HolderClosureDay.objects.create(rights_holder=netflix, date=dt.date(2026, 11, 30))
    with pytest.raises(ValidationError, match="already a closure day"):
        HolderClosureDay(rights_holder=netflix, date=dt.date(2026, 11, 30)).validate_constraints()


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("country", "XX", "not a country code"),
        ("time_zone", "Mars/Olympus", "not an IANA time zone"),
        ("subdivision", "ZZ", "US has no subdivision 'ZZ'"),
    ],
)
def test_a_bad_calendar_setting_names_its_field(netflix, field, value, message):
    setattr(netflix, field, value)
    with pytest.raises(ValidationError) as caught:
        netflix.full_clean()
    assert field in caught.value.message_dict
    assert message in " ".join(caught.value.message_dict[field])
