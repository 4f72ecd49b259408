"""Input rules used by every page: redirect targets and date ranges.

One module, so a rule is written once and every view gets it the same way.
"""

import datetime as dt

import django_filters
from django import forms
from django.core.validators import MaxValueValidator, MinValueValidator
from django.http import HttpResponseRedirect
from django.utils.http import url_has_allowed_host_and_scheme
from django_filters.fields import DateRangeField, RangeField

# Dates people filter by or enter: wide enough for any case, narrow enough that
# arithmetic on them (a day after, the week before) never leaves Python's range.
EARLIEST_DATE = dt.date(1990, 1, 1)
LATEST_DATE = dt.date(2100, 12, 31)


def safe_next(request, fallback: str) -> str:
    """The ``next`` the request names, if it is a path on this site; else ``fallback``."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if (
        target.startswith("/")
        and not target.startswith("//")
        and url_has_allowed_host_and_scheme(
            target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        )
    ):
        return target
    return fallback


def redirect_next(request, fallback: str) -> HttpResponseRedirect:
    return HttpResponseRedirect(safe_next(request, fallback))


class BoundedDateField(forms.DateField):
    """A date between EARLIEST_DATE and LATEST_DATE, with a message that says so."""

    def __init__(self, *args, **kwargs):
        message = f"Enter a date between {EARLIEST_DATE:%-d %B %Y} and {LATEST_DATE:%-d %B %Y}."
        kwargs.setdefault("widget", forms.DateInput(attrs={"type": "date"}))
        super().__init__(*args, **kwargs)
        self.validators += [
            MinValueValidator(EARLIEST_DATE, message),
            MaxValueValidator(LATEST_DATE, message),
        ]


class BoundedDateRangeField(DateRangeField):
    """django-filter's from/to date range, each end a BoundedDateField."""

    def __init__(self, *args, **kwargs):
        RangeField.__init__(self, (BoundedDateField(), BoundedDateField()), *args, **kwargs)


class BoundedDateFilter(django_filters.DateFilter):
    field_class = BoundedDateField


class BoundedDateFromToRangeFilter(django_filters.DateFromToRangeFilter):
    field_class = BoundedDateRangeField
