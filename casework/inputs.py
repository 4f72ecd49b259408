"""Input rules used by every page: redirect targets, date bounds and date order.

One module, so a rule is written once and every view gets it the same way.
"""

import datetime as dt

import django_filters
from django import forms
from django.core.exceptions import ValidationError
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


def inverted_range_message(start_label: str, end_label: str) -> str:
    return f"“{end_label}” must not be before “{start_label}”."


def check_date_order(form, start: str, end: str) -> None:
    """Add an error to ``form``'s field ``end`` when its date is before field ``start``'s.

    An inverted range matches nothing; said by the field, not as "no results".
    Call from ``clean()``, after the fields are cleaned.
    """
    first, last = form.cleaned_data.get(start), form.cleaned_data.get(end)
    if first and last and first > last:
        message = inverted_range_message(form.fields[start].label, form.fields[end].label)
        form.add_error(end, message)


class BoundedDateRangeField(DateRangeField):
    """django-filter's from/to date range, each end a BoundedDateField, in order."""

    def __init__(self, *args, **kwargs):
        RangeField.__init__(self, (BoundedDateField(), BoundedDateField()), *args, **kwargs)

    def compress(self, data_list):
        if data_list and data_list[0] and data_list[1] and data_list[0] > data_list[1]:
            raise ValidationError(inverted_range_message("From", "To"), code="inverted")
        return super().compress(data_list)


class BoundedDateFilter(django_filters.DateFilter):
    field_class = BoundedDateField


class BoundedDateFromToRangeFilter(django_filters.DateFromToRangeFilter):
    field_class = BoundedDateRangeField
