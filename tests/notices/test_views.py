"""The demand pages: isolation (404 for outsiders), drafting from the item list, workflow
buttons, live letter panel, preview, download, filters and template editing."""

import datetime as dt

import pytest
from django.urls import reverse

from notices import rendering, workflow
from notices.choices import DemandStatus, LetterStatus
from notices.models import Demand, ExportJob, Letter, LetterTemplate
from tests.factories import ItemFactory, RespondentFactory
from tests.notices.conftest import advance


@pytest.fixture
def rendered(draft, legal):
    """The draft with one letter rendered in-process (no broker)."""
    letter = rendering.request_render(draft, by=legal)
    rendering.render_letter(letter.pk)
    letter.refresh_from_db()
    assert letter.status == LetterStatus.READY, letter.error
    return letter


def demand_urls(demand, letter, remedy, item):
    d = demand.pk
    gets = [
        reverse("notices:demand-detail", args=[d]),
        reverse("notices:letter-panel", args=[d]),
        reverse("notices:demand-preview", args=[d]),
        reverse("notices:demand-history", args=[d]),
        reverse("notices:letter-download", args=[letter.pk]),
    ]
    posts = [
        reverse("notices:demand-edit", args=[d]),
        reverse("notices:demand-remove-item", args=[d, item.pk]),
        reverse("notices:remedy-add", args=[d]),
        reverse("notices:remedy-edit", args=[d, remedy.pk]),
        reverse("notices:remedy-remove", args=[d, remedy.pk]),
        reverse("notices:remedy-compliance", args=[d, remedy.pk]),
        reverse("notices:demand-action", args=[d, "submit"]),
        reverse("notices:demand-action", args=[d, "withdraw"]),
        reverse("notices:demand-send", args=[d]),
        reverse("notices:letter-request", args=[d]),
    ]
    return gets, posts


def test_outsider_gets_404_on_every_demand_letter_preview_and_download(
    outsider_client, legal_client, rendered, draft, items
):
    remedy = draft.remedies.first()
    gets, posts = demand_urls(draft, rendered, remedy, items[0])
    for url in gets:
        assert legal_client.get(url).status_code == 200, url
        assert outsider_client.get(url).status_code == 404, url
    for url in posts:
        assert outsider_client.post(url, {"text": "x", "note": "x"}).status_code == 404, url
    holder = draft.rights_holder.pk
    assert outsider_client.get(reverse("notices:template-edit", args=[holder])).status_code == 404
    listing = outsider_client.get(reverse("notices:demand-list"))
    assert draft.reference not in listing.content.decode()
    # Nothing changed underneath.
    draft.refresh_from_db()
    assert draft.status == DemandStatus.DRAFT
    assert draft.remedies.count() == 4
    assert Letter.objects.filter(demand=draft).count() == 1


def test_outsider_cannot_see_or_export_another_users_export(
    legal_client, outsider_client, rendered, draft
):
    response = legal_client.post(reverse("notices:export-create"), {"demands": [draft.pk]})
    job = ExportJob.objects.get()
    assert response.status_code == 302
    for name in ("notices:export-detail", "notices:export-download"):
        assert outsider_client.get(reverse(name, args=[job.pk])).status_code == 404
    response = outsider_client.post(reverse("notices:export-create"), {"demands": [draft.pk]})
    assert ExportJob.objects.count() == 1
    assert response.status_code == 302


def test_draft_from_the_item_list_confirm_then_create(legal_client, items):
    ids = [i.pk for i in items]
    url = reverse("notices:demand-create")
    # The item list's bulk button posts only the checkboxes: a confirmation page.
    page = legal_client.post(url, {"items": ids})
    assert page.status_code == 200
    body = page.content.decode()
    assert "Young-hee doll turns around" in body and "Draft demand" in body
    assert not Demand.objects.exists()
    page = legal_client.get(url, {"items": ",".join(map(str, ids))})
    assert page.status_code == 200
    respondent = items[0].platform.respondent
    response = legal_client.post(
        url,
        {
            "items": ids,
            "confirm": "1",
            "respondent": respondent.pk,
            "response_days": 5,
            "paragraphs": "Seedance 2.0 was released in February.",
        },
    )
    demand = Demand.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("notices:demand-detail", args=[demand.pk])
    assert demand.response_days == 5
    assert demand.items.count() == 3


def test_draft_with_bad_selection_says_why(legal_client, items, warner):
    foreign = ItemFactory(rights_holder=warner)
    url = reverse("notices:demand-create")
    response = legal_client.get(url, {"items": [items[0].pk, foreign.pk]})
    assert response.status_code == 400
    assert f"No such item: {foreign.pk}" in response.content.decode()
    assert legal_client.get(url, {"items": "abc"}).status_code == 400
    assert legal_client.get(url).status_code == 400


def test_viewer_cannot_draft(viewer_client, items):
    response = viewer_client.get(reverse("notices:demand-create"), {"items": items[0].pk})
    assert response.status_code == 403


def test_add_items_to_a_draft(legal_client, draft, netflix, seedance, items):
    extra = ItemFactory(
        rights_holder=netflix,
        platform=seedance,
        franchise=items[0].franchise,
        elements=list(items[0].elements.all()),
    )
    url = reverse("notices:demand-add-items")
    page = legal_client.post(url, {"items": [extra.pk]})
    assert draft.reference in page.content.decode()
    response = legal_client.post(url, {"items": [extra.pk], "confirm": "1", "demand": draft.pk})
    assert response.status_code == 302
    assert draft.items.filter(pk=extra.pk).exists()


def test_buttons_only_where_allowed(legal_client, manager_client, viewer_client, draft, legal):
    url = reverse("notices:demand-detail", args=[draft.pk])
    assert "Submit for review" in legal_client.get(url).content.decode()
    assert "Submit for review" not in viewer_client.get(url).content.decode()
    workflow.perform(draft, "submit", by=legal)
    assert ">Approve<" not in legal_client.get(url).content.decode()
    assert ">Approve<" in manager_client.get(url).content.decode()


def test_approve_through_the_page_queues_a_render(legal_client, manager_client, draft, manager):
    legal_client.post(reverse("notices:demand-action", args=[draft.pk, "submit"]))
    response = manager_client.post(reverse("notices:demand-action", args=[draft.pk, "approve"]))
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.status == DemandStatus.APPROVED
    assert draft.approved_by == manager
    letter = draft.letters.get()
    assert letter.status == LetterStatus.QUEUED
    # While it renders the panel polls itself; when done it stops.
    panel = manager_client.get(reverse("notices:letter-panel", args=[draft.pk])).content.decode()
    assert 'hx-trigger="every 1s"' in panel
    rendering.render_letter(letter.pk)
    panel = manager_client.get(reverse("notices:letter-panel", args=[draft.pk])).content.decode()
    assert "hx-trigger" not in panel
    assert "Download PDF" in panel and "Mark as sent" in panel


def test_a_double_posted_submit_does_it_once(legal_client, draft):
    url = reverse("notices:demand-action", args=[draft.pk, "submit"])
    legal_client.post(url)
    response = legal_client.post(url, follow=True)
    assert "already" in response.content.decode()
    assert draft.events.filter(action="submit").count() == 1


def test_download_is_the_pdf(legal_client, rendered):
    response = legal_client.get(reverse("notices:letter-download", args=[rendered.pk]))
    body = b"".join(response.streaming_content)
    assert response["Content-Type"] == "application/pdf"
    assert body.startswith(b"%PDF-")
    import hashlib

    assert hashlib.sha256(body).hexdigest() == rendered.sha256


def test_a_letter_not_ready_is_not_downloadable(legal_client, draft, legal):
    letter = rendering.request_render(draft, by=legal)
    assert legal_client.get(reverse("notices:letter-download", args=[letter.pk])).status_code == 404


def test_preview_escapes_user_text(legal_client, draft, items):
    items[0].title = '<script>alert(1)</script><img src="file:///etc/passwd">'
    items[0].save()
    Demand.objects.filter(pk=draft.pk).update(paragraphs="<b>bold</b>")
    body = legal_client.get(reverse("notices:demand-preview", args=[draft.pk])).content.decode()
    assert "<script>alert(1)" not in body
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in body
    assert '<img src="file' not in body
    assert "&lt;b&gt;bold&lt;/b&gt;" in body


def test_compliance_form(legal_client, legal, manager, draft):
    demand = advance(draft, DemandStatus.RESPONDED, legal=legal, manager=manager)
    remedy = demand.remedies.get(position=1)
    response = legal_client.post(
        reverse("notices:remedy-compliance", args=[demand.pk, remedy.pk]),
        {"status": "complied", "on": "2026-03-10", "note": "Filter deployed."},
    )
    assert response.status_code == 302
    remedy.refresh_from_db()
    assert (remedy.status, remedy.status_on, remedy.note) == (
        "complied",
        dt.date(2026, 3, 10),
        "Filter deployed.",
    )


def test_draft_edits_through_the_page(legal_client, draft):
    remedy = draft.remedies.get(position=4)
    legal_client.post(
        reverse("notices:remedy-edit", args=[draft.pk, remedy.pk]), {"text": "Shut the API."}
    )
    legal_client.post(reverse("notices:remedy-add", args=[draft.pk]), {"text": "Preserve logs."})
    legal_client.post(
        reverse("notices:remedy-remove", args=[draft.pk, draft.remedies.get(position=1).pk])
    )
    assert list(draft.remedies.values_list("position", "text"))[-2:] == [
        (3, "Shut the API."),
        (4, "Preserve logs."),
    ]
    other = RespondentFactory(name="Other Ltd.")
    legal_client.post(
        reverse("notices:demand-edit", args=[draft.pk]),
        {"respondent": other.pk, "response_days": 7, "paragraphs": "New text."},
    )
    draft.refresh_from_db()
    assert (draft.respondent, draft.response_days, draft.paragraphs) == (other, 7, "New text.")


def test_template_editing_creates_versions(legal_client, viewer_client, template, netflix):
    url = reverse("notices:template-edit", args=[netflix.pk])
    page = legal_client.get(url).content.decode()
    assert "Jordan Avery" in page
    data = {
        name: getattr(template, name)
        for name in [
            "letterhead",
            "signatory_name",
            "signatory_title",
            "contact_details",
            "opening",
            "legal_basis",
            "consequences",
            "good_faith_statement",
            "accuracy_statement",
            "closing",
        ]
    }
    data["signatory_name"] = "Sam Lee"
    assert legal_client.post(url, data).status_code == 302
    assert legal_client.post(url, data).status_code == 302
    versions = list(
        LetterTemplate.objects.filter(rights_holder=netflix).values_list(
            "version", "signatory_name"
        )
    )
    assert versions == [(3, "Sam Lee"), (2, "Sam Lee"), (1, "Jordan Avery")]
    assert viewer_client.post(url, data).status_code == 403


class TestFilters:
    @pytest.fixture
    def demands(self, legal, manager, items, netflix, warner, outsider):
        from notices import drafting

        sent = advance(
            drafting.draft_demand(legal, [items[0].pk]),
            DemandStatus.SENT,
            legal=legal,
            manager=manager,
            sent_on=dt.date(2026, 3, 2),
        )
        other = RespondentFactory(name="ClipHost LLC")
        draft = drafting.draft_demand(legal, [items[2].pk], respondent=other)
        warner_item = ItemFactory(rights_holder=warner)
        foreign = drafting.draft_demand(
            outsider, [warner_item.pk], respondent=RespondentFactory(name="Warner Target Inc.")
        )
        return sent, draft, foreign

    def count(self, client, **params):
        response = client.get(reverse("notices:demand-list"), params)
        assert response.status_code == 200
        return len(response.context["page_obj"].object_list)

    def test_each_filter(self, legal_client, demands, items):
        sent, draft, _ = demands
        assert self.count(legal_client) == 2
        assert self.count(legal_client, status="sent") == 1
        assert self.count(legal_client, status=["sent", "draft"]) == 2
        assert self.count(legal_client, respondent=draft.respondent_id) == 1
        assert self.count(legal_client, franchise=items[0].franchise_id) == 1
        assert self.count(legal_client, franchise=items[2].franchise_id) == 1
        assert self.count(legal_client, overdue="true") == 1
        assert self.count(legal_client, overdue="false") == 1
        assert self.count(legal_client, sent_after="2026-03-01", sent_before="2026-03-03") == 1
        assert self.count(legal_client, sent_after="2026-03-03") == 0
        assert self.count(legal_client, q=sent.reference[-4:]) == 1
        assert self.count(legal_client, q="  ") == 2

    def test_dropdowns_are_scoped(self, legal_client, demands):
        _, _, foreign = demands
        form = legal_client.get(reverse("notices:demand-list")).context["filter"].form
        respondents = {str(r) for r in form.fields["respondent"].queryset}
        assert respondents == {"ByteDance Ltd.", "ClipHost LLC"}
        assert "Warner Target Inc." not in respondents
        franchises = set(form.fields["franchise"].queryset)
        assert all(f.rights_holder.code == "NFLX" for f in franchises)
        # Another holder's respondent is an invalid choice: nothing is listed.
        assert self.count(legal_client, respondent=foreign.respondent_id) == 0

    def test_every_filter_field_has_a_filter(self):
        from notices.filters import DemandFilterSet

        expected = {"status", "respondent", "franchise", "overdue", "sent_after", "q"}
        assert expected <= set(DemandFilterSet.base_filters)
