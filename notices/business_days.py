"""Business days and deadlines: the one place that says when a response is due.

A business day is a day that is not in the rights holder's weekend, not a
public holiday of its country (and subdivision, if set) according to the
``holidays`` library, and not one of the holder's own closure days
(``HolderClosureDay``). A deadline is a concrete moment: the end of the
response period's last business day at the holder's deadline time, in the
holder's time zone ("no later than 5:00 p.m. PT on Tuesday, December 1, 2026").
"""

from __future__ import annotations

import datetime as dt
import functools
import zoneinfo
from dataclasses import dataclass

import holidays
from django.conf import settings
from django.db.models import DateField, DateTimeField, F, Func, Value
from django.db.models.functions import Cast, Coalesce, NullIf
from django.utils import timezone

DEFAULT_DEADLINE_TIME = dt.time(17, 0)
# Generic names of the US zones a reader knows ("PT", not "PST" in winter, "PDT" in summer).
GENERIC_ZONE_NAMES = {
    "America/Los_Angeles": "PT",
    "America/Denver": "MT",
    "America/Phoenix": "MT",
    "America/Chicago": "CT",
    "America/New_York": "ET",
    "America/Anchorage": "AKT",
    "Pacific/Honolulu": "HT",
}


@functools.lru_cache(maxsize=256)
def _public_holidays(country: str, subdivision: str, year: int) -> frozenset[dt.date]:
    calendar = holidays.country_holidays(country, subdiv=subdivision or None, years=year)
    return frozenset(calendar.keys())


@functools.lru_cache(maxsize=64)
def _weekend(country: str) -> frozenset[int]:
    return frozenset(getattr(holidays.country_holidays(country), "weekend", {5, 6}))


@dataclass(frozen=True)
class Calendar:
    """A rights holder's working calendar: country, subdivision, zone and closure days."""

    country: str = "US"
    subdivision: str = ""
    time_zone: str = ""
    deadline_time: dt.time = DEFAULT_DEADLINE_TIME
    closures: frozenset[dt.date] = frozenset()

    @property
    def zone(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.time_zone or settings.TIME_ZONE)

    def is_business_day(self, day: dt.date) -> bool:
        return (
            day.weekday() not in _weekend(self.country)
            and day not in _public_holidays(self.country, self.subdivision, day.year)
            and day not in self.closures
        )

    def add_business_days(self, start: dt.date, days: int) -> dt.date:
        """The date ``days`` business days after ``start`` (``start`` itself never counts)."""
        current = start
        remaining = days
        while remaining > 0:
            current += dt.timedelta(days=1)
            if self.is_business_day(current):
                remaining -= 1
        return current

    def previous_business_day(self, day: dt.date) -> dt.date:
        """The last business day strictly before ``day``."""
        day -= dt.timedelta(days=1)
        while not self.is_business_day(day):
            day -= dt.timedelta(days=1)
        return day

    def deadline(self, sent_on: dt.date, days: int) -> dt.datetime:
        """The aware moment a response is due for a letter dated ``sent_on``."""
        day = self.add_business_days(sent_on, days)
        return dt.datetime.combine(day, self.deadline_time, tzinfo=self.zone)

    def local_date(self, moment: dt.datetime) -> dt.date:
        return moment.astimezone(self.zone).date()


def calendar_for(holder) -> Calendar:
    """The calendar of a RightsHolder, with its own closure days."""
    from notices.models import HolderClosureDay

    closures = frozenset(
        HolderClosureDay.objects.filter(rights_holder=holder).values_list("date", flat=True)
    )
    return Calendar(
        country=holder.country or "US",
        subdivision=holder.subdivision or "",
        time_zone=holder.time_zone or "",
        deadline_time=holder.deadline_time or DEFAULT_DEADLINE_TIME,
        closures=closures,
    )


def deadline_for(holder, sent_on: dt.date, days: int) -> dt.datetime:
    return calendar_for(holder).deadline(sent_on, days)


def zone_label(moment: dt.datetime) -> str:
    """A short zone name for letters: "PT" for Los Angeles, else the zone's abbreviation."""
    key = getattr(moment.tzinfo, "key", "")
    if key in GENERIC_ZONE_NAMES:
        return GENERIC_ZONE_NAMES[key]
    abbreviation = moment.tzname() or ""
    if abbreviation and abbreviation[0] not in "+-":
        return abbreviation
    return f"{key} time" if key else "UTC"


def clock(moment: dt.datetime) -> str:
    """ "5:00 p.m." — the AP style lawyers use for times of day."""
    hour = moment.hour % 12 or 12
    suffix = "a.m." if moment.hour < 12 else "p.m."
    return f"{hour}:{moment.minute:02d} {suffix}"


def describe_deadline(moment: dt.datetime) -> str:
    """ "5:00 p.m. PT on Tuesday, December 1, 2026" (the moment in its own zone)."""
    return f"{clock(moment)} {zone_label(moment)} on {moment:%A, %B} {moment.day}, {moment.year}"


def holder_today(holder_path: str):
    """Today where each row's holder works, as SQL: ``RightsHolder.today()`` for a
    queryset spanning holders (``holder_path`` leads from its rows to their holder).
    The clock is Django's, not the database's, so time-machine moves it in tests."""
    zone = Coalesce(NullIf(F(f"{holder_path}__time_zone"), Value("")), Value(settings.TIME_ZONE))
    now = Value(timezone.now(), output_field=DateTimeField())
    return Cast(Func(zone, now, function="timezone"), DateField())
