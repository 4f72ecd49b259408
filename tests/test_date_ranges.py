"""Dates people filter by are checked against a sane range, and the page says so by the field."""

import pytest
from django.urls import reverse

from tests.factories import ItemFactory

pytestmark = pytest.mark.django_db

MESSAGE = "Enter a date between 1 January 1990 and 31 December 2100."


@pytest.mark.parametrize(
    ("page", "form_id", "field", "value", "role"),
    [
        ("casework:item-list", "item-filters", "logged_after", "0001-01-01", "legal"),
        ("notices:demand-list", "demand-filters", "sent_before", "9999-12-31", "legal"),
        ("dashboard:index", "dashboard-filters", "date_to", "9999-12-31", "manager"),
    ],
)
def test_a_filter_date_out_of_range_is_refused_by_its_field(
    app, request, page, form_id, field, value, role
):
    form = app.get(reverse(page), user=request.getfixturevalue(role)).forms[form_id]
    form[field] = value
    answer = form.submit()
    assert answer.status_code == 200
    assert MESSAGE in answer.text


def test_dates_inside_the_range_filter_as_before(app, legal):
    form = app.get(reverse("casework:item-list"), user=legal).forms["item-filters"]
    form["logged_after"] = "2026-01-01"
    form["logged_before"] = "2026-12-31"
    page = form.submit()
    assert MESSAGE not in page.text


@pytest.mark.parametrize(
    ("page", "form_id", "start", "end", "named", "empty"),
    [
        (
            "casework:item-list",
            "item-filters",
            "logged_after",
            "logged_before",
            "Logged between: “To” must not be before “From”.",
            "No items match",
        ),
        (
            "notices:demand-list",
            "demand-filters",
            "sent_after",
            "sent_before",
            "Sent until: “Sent until” must not be before “Sent from”.",
            "No demands match",
        ),
    ],
)
def test_an_inverted_date_range_is_an_error_naming_its_fields(
    app, legal, netflix, page, form_id, start, end, named, empty
):
    ItemFactory(rights_holder=netflix)
    form = app.get(reverse(page), user=legal).forms[form_id]
    form[start] = "2026-03-10"
    form[end] = "2026-03-01"
    answer = form.submit()
    assert named in " ".join(answer.html.select_one("#filter-errors").text.split())
    assert empty not in answer.text
    # The filters stay open on a phone too, with the error by its field.
    assert answer.html.select_one(f"details.filter-panel[open] #{form_id} .errorlist")
