"""The demand list's Overdue filter says Any / Overdue / Not overdue (not Unknown / Yes / No)."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_the_overdue_filter_is_any_overdue_or_not_overdue(app, legal, draft):
    page = app.get(reverse("notices:demand-list"), user=legal)
    options = page.html.select("#id_overdue option")
    assert [(o["value"], o.text) for o in options] == [
        ("", "Any"),
        ("true", "Overdue"),
        ("false", "Not overdue"),
    ]
    form = page.forms["demand-filters"]
    form["overdue"] = "false"
    listed = form.submit()
    assert draft.reference in listed.text
    assert listed.forms["demand-filters"]["overdue"].value == "false"
    assert "1 active" in listed.html.select_one("details.filter-panel[open] summary").text

    form["overdue"] = "true"
    assert draft.reference not in form.submit().html.select_one("#results").text
