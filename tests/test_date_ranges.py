"""Dates people filter by are checked against a sane range, and the page says so by the field."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db

MESSAGE = "Enter a date between 1 January 1990 and 31 December 2100."


def test_item_list_refuses_a_date_out_of_range_by_its_field(app, legal):
    form = app.get(reverse("casework:item-list"), user=legal).forms["item-filters"]
    form["logged_after"] = "0001-01-01"
    page = form.submit()
    assert page.status_code == 200
    assert MESSAGE in page.text


def test_demand_list_refuses_a_date_out_of_range_by_its_field(app, legal):
    form = app.get(reverse("notices:demand-list"), user=legal).forms["demand-filters"]
    form["sent_before"] = "9999-12-31"
    page = form.submit()
    assert page.status_code == 200
    assert MESSAGE in page.text


def test_dashboard_refuses_a_date_out_of_range_by_its_field(app, manager):
    form = app.get(reverse("dashboard:index"), user=manager).forms["dashboard-filters"]
    form["date_to"] = "9999-12-31"
    page = form.submit()
    assert page.status_code == 200
    assert MESSAGE in page.text


def test_dates_inside_the_range_filter_as_before(app, legal):
    form = app.get(reverse("casework:item-list"), user=legal).forms["item-filters"]
    form["logged_after"] = "2026-01-01"
    form["logged_before"] = "2026-12-31"
    page = form.submit()
    assert MESSAGE not in page.text
