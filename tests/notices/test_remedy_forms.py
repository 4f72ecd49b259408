"""The remedy forms of the demand page (compliance, edit, add), submitted as rendered.

The page renders each remedy's forms with a prefix (``c<id>-status``, ``r<id>-text``,
``new-text``); these tests fill the fields the page shows and press its buttons, so the
page and the view must agree on prefix and field names (issue 8).
"""

import datetime as dt

import pytest
from django.urls import reverse

from notices.choices import DemandStatus, RemedyStatus
from notices.models import Remedy
from tests.notices.conftest import advance


@pytest.fixture
def sent(draft, legal, manager):
    return advance(draft, DemandStatus.SENT, legal=legal, manager=manager)


def detail(demand):
    return reverse("notices:demand-detail", args=[demand.pk])


def test_record_compliance_as_the_page_renders_it(app, sent, legal):
    remedy = sent.remedies.get(position=1)
    page = app.get(detail(sent), user=legal)
    form = page.forms[f"compliance-{remedy.pk}"]
    form[f"c{remedy.pk}-status"] = RemedyStatus.COMPLIED
    form[f"c{remedy.pk}-on"] = "2026-03-10"
    form[f"c{remedy.pk}-note"] = "Filter deployed on 10 March."
    response = form.submit()
    assert response.status_code == 302
    assert response["Location"].endswith("#remedies")
    page = response.follow()
    assert "Compliance with demand 1 recorded." in page.text
    remedy.refresh_from_db()
    assert (remedy.status, remedy.status_on, remedy.note) == (
        RemedyStatus.COMPLIED,
        dt.date(2026, 3, 10),
        "Filter deployed on 10 March.",
    )
    # The form shows what is stored now, so saving it again changes nothing by accident.
    form = page.forms[f"compliance-{remedy.pk}"]
    assert form[f"c{remedy.pk}-status"].value == "complied"
    assert form[f"c{remedy.pk}-on"].value == "2026-03-10"
    assert form[f"c{remedy.pk}-note"].value == "Filter deployed on 10 March."
    form.submit().follow()
    remedy.refresh_from_db()
    assert remedy.status_on == dt.date(2026, 3, 10)
    assert sent.events.filter(action="remedy").count() == 1


def test_compliance_of_one_remedy_leaves_the_others_alone(app, sent, legal):
    first, second = sent.remedies.order_by("position")[:2]
    form = app.get(detail(sent), user=legal).forms[f"compliance-{second.pk}"]
    form[f"c{second.pk}-status"] = RemedyStatus.REFUSED
    form[f"c{second.pk}-note"] = "They say the model is not theirs."
    form.submit().follow()
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.status, second.status) == (RemedyStatus.PENDING, RemedyStatus.REFUSED)


def test_compliance_with_a_bad_date_names_the_remedy_and_field(app, sent, legal):
    remedy = sent.remedies.get(position=2)
    form = app.get(detail(sent), user=legal).forms[f"compliance-{remedy.pk}"]
    form[f"c{remedy.pk}-status"] = RemedyStatus.COMPLIED
    form[f"c{remedy.pk}-on"] = "10/03/2026x"
    page = form.submit().follow()
    assert "Demand 2: Date: Enter a valid date." in page.text
    assert "This field is required" not in page.text
    remedy.refresh_from_db()
    assert remedy.status == RemedyStatus.PENDING


def test_edit_a_remedy_as_the_page_renders_it(app, draft, legal):
    remedy = draft.remedies.get(position=4)
    form = app.get(detail(draft), user=legal).forms[f"remedy-edit-{remedy.pk}"]
    assert form[f"r{remedy.pk}-text"].value == remedy.text
    form[f"r{remedy.pk}-text"] = "Shut the third-party API down."
    page = form.submit().follow()
    assert "its text cannot be empty" not in page.text
    remedy.refresh_from_db()
    assert remedy.text == "Shut the third-party API down."
    assert page.forms[f"remedy-edit-{remedy.pk}"][f"r{remedy.pk}-text"].value == remedy.text


def test_emptying_a_remedy_is_refused_naming_it_and_a_real_text_saves(app, draft, legal):
    remedy = draft.remedies.get(position=3)
    before = remedy.text
    form = app.get(detail(draft), user=legal).forms[f"remedy-edit-{remedy.pk}"]
    form[f"r{remedy.pk}-text"] = "   "
    page = form.submit().follow()
    assert "Demand 3: its text cannot be empty." in page.text
    remedy.refresh_from_db()
    assert remedy.text == before
    form = page.forms[f"remedy-edit-{remedy.pk}"]
    form[f"r{remedy.pk}-text"] = "Account for every generation of the listed works."
    page = form.submit().follow()
    assert "cannot be empty" not in page.text
    remedy.refresh_from_db()
    assert remedy.text == "Account for every generation of the listed works."


def test_add_a_remedy_as_the_page_renders_it(app, draft, legal):
    form = app.get(detail(draft), user=legal).forms["remedy-add"]
    form["new-text"] = "Preserve all generation logs for the listed prompts."
    page = form.submit().follow()
    assert "A demand needs its text." not in page.text
    added = draft.remedies.order_by("-position").first()
    assert (added.position, added.text) == (
        5,
        "Preserve all generation logs for the listed prompts.",
    )
    assert f"remedy-edit-{added.pk}" in page.forms


def test_adding_an_empty_remedy_says_so_and_a_real_one_is_added(app, draft, legal):
    page = app.get(detail(draft), user=legal).forms["remedy-add"].submit().follow()
    assert "A demand needs its text." in page.text
    assert draft.remedies.count() == 4
    form = page.forms["remedy-add"]
    form["new-text"] = "Confirm in writing within the deadline."
    page = form.submit().follow()
    assert "A demand needs its text." not in page.text
    assert draft.remedies.count() == 5


def test_remove_a_remedy_as_the_page_renders_it(app, draft, legal):
    first = draft.remedies.get(position=1)
    page = app.get(detail(draft), user=legal).forms[f"remedy-remove-{first.pk}"].submit()
    assert page.html.h1.get_text() == f"Remove demand 1 from {draft.reference}?"
    assert Remedy.objects.filter(pk=first.pk).exists()  # not yet: it asks first
    page.forms["confirm"].submit().follow()
    assert not Remedy.objects.filter(pk=first.pk).exists()
    assert list(draft.remedies.values_list("position", flat=True)) == [1, 2, 3]


def test_viewer_sees_no_remedy_forms(app, sent, viewer):
    page = app.get(detail(sent), user=viewer)
    names = [name for name in page.forms if isinstance(name, str)]
    assert not [n for n in names if n.startswith(("compliance-", "remedy-"))]
    assert "Pending" in page.text
