"""Every form of the demand pages, submitted as the page renders it (django-webtest):
drafting and adding items from the item list's bulk bar, the demand's edit form, item
removal, the workflow buttons (submit, approve, return, withdraw), rendering, sending,
the demand list's filters and export, and the letter template editor."""

import datetime as dt

import pytest
from django.urls import reverse

from notices import rendering, workflow
from notices.choices import Channel, DemandStatus, LetterStatus
from notices.models import Demand, ExportJob, LetterTemplate
from tests.factories import ItemFactory, RespondentFactory
from tests.notices.conftest import advance
from tests.webforms import check, messages, press

ITEMS = reverse("casework:item-list")


def detail(demand):
    return reverse("notices:demand-detail", args=[demand.pk])


def bulk_bar(app, user, items):
    form = app.get(ITEMS, user=user).forms["bulk-form"]
    for item in items:
        check(form, "items", item.pk)
    return form


# --- Drafting from the item list ------------------------------------------------


def test_new_demand_from_the_bulk_bar_confirm_then_draft(app, legal, items):
    page = press(bulk_bar(app, legal, items), "New demand from selected")
    assert page.status_code == 200
    assert "Young-hee doll turns around" in page.text
    assert not Demand.objects.exists()
    form = page.forms["draft"]
    respondent = items[0].platform.respondent
    assert form["respondent"].value == str(respondent.pk)  # derived from the platforms
    form["response_days"] = "5"
    form["paragraphs"] = "Seedance 2.0 was released in February."
    response = form.submit()
    demand = Demand.objects.get()
    assert response.status_code == 302
    assert response["Location"] == detail(demand)
    assert (demand.response_days, demand.respondent) == (5, respondent)
    assert demand.paragraphs == "Seedance 2.0 was released in February."
    assert set(demand.items.values_list("pk", flat=True)) == {i.pk for i in items}
    assert f"Demand {demand.reference} drafted." in messages(response.follow())


def test_draft_with_a_bad_response_period_names_the_field(app, legal, items):
    form = press(bulk_bar(app, legal, items[:1]), "New demand from selected").forms["draft"]
    form["response_days"] = "0"
    page = form.submit(status=400)
    assert "greater than or equal to 1" in page.text
    assert not Demand.objects.exists()
    # The selection survives the error: correcting the field drafts it.
    form = page.forms["draft"]
    form["response_days"] = "3"
    form.submit(status=302)
    assert Demand.objects.get().items.count() == 1


def test_new_demand_with_nothing_selected_says_why(app, legal, items):
    page = press(bulk_bar(app, legal, []), "New demand from selected", status=400)
    assert "draft" not in page.forms
    assert not Demand.objects.exists()


def test_add_selected_items_to_a_draft_from_the_bulk_bar(app, legal, draft, netflix, items):
    extra = ItemFactory(
        rights_holder=netflix,
        platform=items[0].platform,
        franchise=items[0].franchise,
        elements=list(items[0].elements.all()),
        title="Doll in the schoolyard",
    )
    page = press(bulk_bar(app, legal, [extra]), "Add selected to a draft demand")
    assert "Doll in the schoolyard" in page.text
    form = page.forms["add-items"]
    form["demand"] = str(draft.pk)
    response = form.submit()
    assert response.status_code == 302 and response["Location"] == detail(draft)
    assert draft.items.filter(pk=extra.pk).exists()
    assert f"1 item(s) added to {draft.reference}." in messages(response.follow())


# --- The draft's own forms ------------------------------------------------------


def test_edit_respondent_period_and_paragraphs(app, legal, draft):
    other = RespondentFactory(name="Other Ltd.")
    form = app.get(detail(draft), user=legal).forms["demand-edit"]
    assert form["response_days"].value == str(draft.response_days)
    form["respondent"] = str(other.pk)
    form["response_days"] = "7"
    form["paragraphs"] = "New text."
    assert "Saved." in messages(form.submit().follow())
    draft.refresh_from_db()
    assert (draft.respondent, draft.response_days, draft.paragraphs) == (other, 7, "New text.")


def test_edit_with_a_bad_period_is_refused_naming_the_field(app, legal, draft):
    form = app.get(detail(draft), user=legal).forms["demand-edit"]
    form["response_days"] = "500"
    shown = " ".join(messages(form.submit().follow()))
    assert "Not saved: Response period (business days): Ensure this value is less" in shown
    draft.refresh_from_db()
    assert draft.response_days != 500


def test_remove_an_item_from_the_draft(app, legal, draft, items):
    page = app.get(detail(draft), user=legal).forms[f"item-remove-{items[0].pk}"].submit()
    # Without JavaScript it asks on a page first; Cancel goes back with nothing removed.
    question = f"Remove {items[0].reference} from demand {draft.reference}?"
    assert page.html.h1.get_text() == question
    assert draft.items.count() == 3
    assert page.click("Cancel").request.path == detail(draft)
    press(page.forms["confirm"], question.removesuffix("?")).follow()
    assert not draft.items.filter(pk=items[0].pk).exists()
    assert draft.items.count() == 2


def test_render_a_letter_version(app, legal, draft):
    page = app.get(detail(draft), user=legal).forms["letter-request"].submit().follow()
    letter = draft.letters.get()
    assert letter.status == LetterStatus.QUEUED and letter.requested_by == legal
    assert "Letter version 1 queued." in messages(page)


# --- Workflow buttons -------------------------------------------------------------


def test_submit_approve_and_send_through_the_pages(app, legal, manager, draft):
    page = app.get(detail(draft), user=legal).forms["action-submit"].submit().follow()
    assert f"Demand {draft.reference} is now in review." in messages(page)
    assert "action-approve" not in page.forms  # legal staff do not approve

    page = app.get(detail(draft), user=manager)
    page = page.forms["action-approve"].submit().follow()
    draft.refresh_from_db()
    assert (draft.status, draft.approved_by) == (DemandStatus.APPROVED, manager)
    letter = draft.letters.get()
    rendering.render_letter(letter.pk)  # what the worker does

    form = app.get(detail(draft), user=legal).forms["send"]
    form["sent_on"] = "2026-03-06"
    for index, (value, _label) in enumerate(Channel.choices):
        form.get("channels", index=index).checked = value == "courier"
    page = form.submit()  # sending cannot be undone: asked on a page without JavaScript
    assert page.html.h1.get_text() == f"Mark demand {draft.reference} as sent?"
    draft.refresh_from_db()
    assert draft.status == DemandStatus.APPROVED
    page = page.forms["confirm"].submit().follow()
    draft.refresh_from_db()
    assert (draft.status, draft.sent_channels) == (DemandStatus.SENT, ["courier"])
    assert draft.sent_letter.purpose == "record" and draft.sent_letter != letter
    assert draft.deadline == dt.date(2026, 3, 11)
    assert any(m.startswith(f"Demand {draft.reference} sent; deadline") for m in messages(page))
    assert "send" not in page.forms


def test_send_with_a_bad_date_names_the_field(app, legal, manager, draft):
    demand = advance(draft, DemandStatus.APPROVED, legal=legal, manager=manager)
    rendering.render_letter(demand.letters.get().pk)
    form = app.get(detail(demand), user=legal).forms["send"]
    form["sent_on"] = "not a date"
    shown = " ".join(messages(form.submit().follow()))
    assert "Not sent: Sent on: Enter a valid date." in shown
    demand.refresh_from_db()
    assert demand.status == DemandStatus.APPROVED


def test_manager_returns_a_demand_to_draft_with_a_reason(app, legal, manager, draft):
    workflow.perform(draft, "submit", by=legal)
    form = app.get(detail(draft), user=manager).forms["return"]
    form["reason"] = "Exhibit A lacks the <b>doll</b> screenshots."
    page = form.submit().follow()
    draft.refresh_from_db()
    assert draft.status == DemandStatus.DRAFT
    assert f"Demand {draft.reference} returned to draft." in messages(page)
    event = draft.events.get(action="return")
    assert (event.by, event.detail) == (manager, "Exhibit A lacks the <b>doll</b> screenshots.")
    # The preparer reads the reason on the demand page, escaped, until submitting again.
    shown = app.get(detail(draft), user=legal)
    assert "Exhibit A lacks the &lt;b&gt;doll&lt;/b&gt; screenshots." in shown.text
    assert "returned-heading" in shown.text
    shown.forms["action-submit"].submit()
    assert "returned-heading" not in app.get(detail(draft), user=legal).text


def test_returning_without_a_reason_names_the_field_and_changes_nothing(app, legal, manager, draft):
    workflow.perform(draft, "submit", by=legal)
    form = app.get(detail(draft), user=manager).forms["return"]
    form["reason"] = "   "
    page = form.submit().follow()
    assert "Not returned: Reason for returning it: This field is required." in messages(page)
    draft.refresh_from_db()
    assert draft.status == DemandStatus.IN_REVIEW
    assert not draft.events.filter(action="return").exists()


def test_withdraw_a_draft_after_confirming(app, legal, draft):
    page = app.get(detail(draft), user=legal).forms["action-withdraw"].submit()
    assert page.html.h1.get_text() == f"Withdraw demand {draft.reference}?"
    assert "cannot be submitted, approved or sent again" in page.text
    draft.refresh_from_db()
    assert draft.status == DemandStatus.DRAFT
    press(page.forms["confirm"], f"Withdraw demand {draft.reference}").follow()
    draft.refresh_from_db()
    assert draft.status == DemandStatus.WITHDRAWN


def test_the_outcome_and_closing_ask_first_and_cancel_changes_nothing(app, legal, manager, draft):
    demand = advance(draft, DemandStatus.RESPONDED, legal=legal, manager=manager)
    page = app.get(detail(demand), user=legal).forms["action-refused"].submit()
    question = f"Record that the respondent refused demand {demand.reference}?"
    assert page.html.h1.get_text() == question
    assert "The outcome cannot be changed afterwards" in page.text
    demand.refresh_from_db()
    assert demand.status == DemandStatus.RESPONDED
    press(page.forms["confirm"], question.removesuffix("?")).follow()
    demand.refresh_from_db()
    assert demand.status == DemandStatus.REFUSED

    page = app.get(detail(demand), user=legal).forms["action-close"].submit()
    assert page.html.h1.get_text() == f"Close demand {demand.reference}?"
    assert page.click("Cancel").request.path == detail(demand)
    demand.refresh_from_db()
    assert demand.status == DemandStatus.REFUSED
    press(page.forms["confirm"], f"Close demand {demand.reference}").follow()
    demand.refresh_from_db()
    assert demand.status == DemandStatus.CLOSED


@pytest.mark.parametrize(
    "name, start, question, target",
    [
        (
            "complied",
            DemandStatus.RESPONDED,
            "Record that the respondent complied with demand {}?",
            DemandStatus.COMPLIED,
        ),
        (
            "partly_complied",
            DemandStatus.RESPONDED,
            "Record that the respondent partly complied with demand {}?",
            DemandStatus.PARTLY_COMPLIED,
        ),
        ("escalate", DemandStatus.SENT, "Escalate demand {}?", DemandStatus.ESCALATED),
    ],
)
def test_the_other_final_actions_ask_first_then_act(
    app, legal, manager, draft, name, start, question, target
):
    demand = advance(draft, start, legal=legal, manager=manager)
    question = question.format(demand.reference)
    page = app.get(detail(demand), user=manager).forms[f"action-{name}"].submit()
    assert page.html.h1.get_text() == question
    demand.refresh_from_db()
    assert demand.status == start
    press(page.forms["confirm"], question.removesuffix("?")).follow()
    demand.refresh_from_db()
    assert demand.status == target


def test_a_stale_page_submitting_twice_does_it_once(app, legal, draft):
    form = app.get(detail(draft), user=legal).forms["action-submit"]
    form.submit()
    page = form.submit().follow()  # the same rendered form, pressed again
    assert any("already" in m for m in messages(page))
    assert draft.events.filter(action="submit").count() == 1


# --- Demand list ---------------------------------------------------------------------


@pytest.fixture
def two_demands(legal, manager, items):
    from notices import drafting

    sent = advance(
        drafting.draft_demand(legal, [items[0].pk]),
        DemandStatus.SENT,
        legal=legal,
        manager=manager,
        sent_on=dt.date(2026, 3, 2),
    )
    other = drafting.draft_demand(
        legal, [items[2].pk], respondent=RespondentFactory(name="ClipHost LLC")
    )
    return sent, other


def listed(page):
    """The references of the demands listed (the first link of each row)."""
    return [a.get_text() for a in page.html.select("table tbody td:nth-of-type(2) a")]


def test_demand_list_filters(app, legal, two_demands):
    sent, other = two_demands
    url = reverse("notices:demand-list")
    page = app.get(url, user=legal)
    assert sorted(listed(page)) == sorted([sent.reference, other.reference])
    form = page.forms["demand-filters"]
    form["status"] = ["sent"]
    assert listed(form.submit()) == [sent.reference]
    form = app.get(url).forms["demand-filters"]
    form["respondent"] = str(other.respondent_id)
    assert listed(form.submit()) == [other.reference]
    form = app.get(url).forms["demand-filters"]
    form["sent_after"] = "2026-03-03"
    assert listed(form.submit()) == []


def test_export_selected_letters(app, legal, two_demands):
    sent, _ = two_demands
    form = app.get(reverse("notices:demand-list"), user=legal).forms["export"]
    check(form, "demands", sent.pk)
    response = press(form, "Export selected letters (ZIP)")
    job = ExportJob.objects.get()
    assert response["Location"] == reverse("notices:export-detail", args=[job.pk])
    assert list(job.demands.all()) == [sent]


# --- Letter template ---------------------------------------------------------------


def test_template_editing_creates_versions(app, legal, template, netflix):
    url = reverse("notices:template-edit", args=[netflix.pk])
    form = app.get(url, user=legal).forms["template"]
    assert form["signatory_name"].value == "Jordan Avery"
    form["signatory_name"] = "Sam Lee"
    page = form.submit().follow()
    assert "Letter template version 2 saved." in messages(page)
    page.forms["template"].submit()
    versions = list(
        LetterTemplate.objects.filter(rights_holder=netflix).values_list(
            "version", "signatory_name"
        )
    )
    assert versions == [(3, "Sam Lee"), (2, "Sam Lee"), (1, "Jordan Avery")]


def test_template_with_an_empty_required_field_names_it(app, legal, template, netflix):
    form = app.get(reverse("notices:template-edit", args=[netflix.pk]), user=legal).forms[
        "template"
    ]
    form["signatory_name"] = ""
    page = form.submit()
    assert page.status_code == 200
    assert "This field is required" in page.html.select_one("#template").text
    assert LetterTemplate.objects.filter(rights_holder=netflix).count() == 1


# --- Status board filters and form ids of the demand page ------------------------------


def test_board_filters(app, legal, two_demands):
    sent, _ = two_demands
    url = reverse("dashboard:board")
    page = app.get(url, user=legal)
    assert [tr["data-reference"] for tr in page.html.select("tr[data-reference]")] == [
        sent.reference
    ]
    form = page.forms["board-filters"]
    form["date_from"] = "2026-03-03"  # sent on 2 March
    page = form.submit()
    assert not page.html.select("tr[data-reference]")
    form = page.forms["board-filters"]
    form["date_from"] = "2026-03-01"
    form["respondent"] = str(sent.respondent_id)
    assert [tr["data-reference"] for tr in form.submit().html.select("tr[data-reference]")] == [
        sent.reference
    ]


def test_every_form_of_the_demand_page_has_a_unique_id(app, legal, manager, two_demands):
    from tests.webforms import form_ids

    for demand, user in [
        (two_demands[1], legal),
        (two_demands[0], legal),
        (two_demands[1], manager),
    ]:
        ids = form_ids(app.get(detail(demand), user=user))
        assert ids and all(ids) and len(ids) == len(set(ids)), ids
