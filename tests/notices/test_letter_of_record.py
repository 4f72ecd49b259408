"""The PDF that is sent is the PDF of record: made at sending from a snapshot with the real
send date, the channels and the concrete deadline; drafts say DRAFT, later renders say COPY
and never replace it; one snapshot renders to the same bytes; letters and template versions
never change, in the admin included. Pages are driven as they render (django-webtest)."""

import datetime as dt
import hashlib
import io

import pytest
import time_machine
from django.core.files.storage import default_storage
from django.urls import reverse
from pypdf import PdfReader

from notices import rendering
from notices.choices import DemandStatus, LetterPurpose, LetterStatus
from notices.letters import letter_attachments, render_snapshot_html
from notices.models import HolderClosureDay, ImmutableError, Letter, LetterTemplate
from notices.pdf import html_to_pdf
from tests.factories import UserFactory
from tests.notices.conftest import advance

DEADLINE = "5:00 p.m. PT on Tuesday, December 1, 2026"


def pdf_of(letter) -> bytes:
    letter.refresh_from_db()
    assert letter.status == LetterStatus.READY, letter.error
    with default_storage.open(letter.file.name, "rb") as fh:
        return fh.read()


def page_texts(pdf: bytes) -> list[str]:
    return [" ".join(page.extract_text().split()) for page in PdfReader(io.BytesIO(pdf)).pages]


def render(letter) -> bytes:
    rendering.render_letter(letter.pk)
    return pdf_of(letter)


@pytest.fixture
def approved(draft, legal, manager):
    return advance(draft, DemandStatus.APPROVED, legal=legal, manager=manager)


def send_through_the_page(django_app, demand, user, *, sent_on="2026-11-25", channels=(0, 1)):
    page = django_app.get(reverse("notices:demand-detail", args=[demand.pk]), user=user)
    form = page.forms["send"]
    form["sent_on"] = sent_on
    for index in range(4):  # email, courier, registered post, portal
        form.get("channels", index=index).checked = index in channels
    asked = form.submit()
    if asked.status_code == 302:  # refused with the field's error: back to the demand
        return asked.follow()
    # Sending cannot be undone: without JavaScript a page asks first.
    return asked.forms["confirm"].submit().follow()


def test_sending_through_the_page_makes_the_letter_of_record(django_app, approved, legal):
    approved_draft = approved.letters.get()
    page = send_through_the_page(django_app, approved, legal)
    assert DEADLINE in page.text
    approved.refresh_from_db()
    assert approved.status == DemandStatus.SENT
    assert approved.sent_channels == ["email", "courier"]
    assert approved.deadline == dt.date(2026, 12, 1)  # across Thanksgiving
    record = approved.sent_letter
    assert record.pk != approved_draft.pk
    assert record.purpose == LetterPurpose.RECORD
    assert record.template == approved_draft.template

    texts = page_texts(render(record))
    whole = " ".join(texts)
    assert "November 25, 2026" in texts[0]
    assert "By email and courier" in texts[0]
    assert f"no later than {DEADLINE}" in whole
    assert "DRAFT" not in whole and "COPY" not in whole
    panel = django_app.get(reverse("notices:demand-detail", args=[approved.pk]), user=legal)
    assert "Sent · letter of record" in panel.text


def test_one_channel_is_named_alone(django_app, approved, legal):
    send_through_the_page(django_app, approved, legal, channels=(1,))
    approved.refresh_from_db()
    first_page = page_texts(render(approved.sent_letter))[0]
    assert "By courier" in first_page
    assert "email and courier" not in first_page


def test_sending_without_a_channel_is_refused_by_name(django_app, approved, legal):
    page = send_through_the_page(django_app, approved, legal, channels=())
    assert "Not sent" in page.text and "channels" in page.text
    approved.refresh_from_db()
    assert approved.status == DemandStatus.APPROVED
    assert approved.sent_letter is None


def test_every_page_of_a_draft_says_draft(rendered_draft):
    texts = page_texts(pdf_of(rendered_draft))
    assert len(texts) >= 2
    assert all("DRAFT" in text for text in texts)
    assert "within 3 business days" in " ".join(texts)


@pytest.fixture
def rendered_draft(draft, legal):
    letter = rendering.request_render(draft, by=legal)
    rendering.render_letter(letter.pk)
    return letter


def test_a_render_after_sending_is_a_copy_and_never_the_letter_of_record(
    django_app, approved, legal, netflix, template
):
    send_through_the_page(django_app, approved, legal)
    approved.refresh_from_db()
    record = approved.sent_letter
    render(record)
    # The template changes after sending: a new signatory.
    LetterTemplate.objects.create(
        rights_holder=netflix,
        version=2,
        **{
            name: getattr(template, name)
            for name in ("letterhead", "signatory_title", "contact_details", "opening")
            + ("legal_basis", "consequences", "good_faith_statement")
            + ("accuracy_statement", "closing")
        },
        signatory_name="Morgan New-Signatory",
    )
    with time_machine.travel(dt.datetime(2026, 12, 9, 18, tzinfo=dt.UTC)):
        page = django_app.get(reverse("notices:demand-detail", args=[approved.pk]), user=legal)
        page.forms["letter-request"].submit()
    copy = approved.letters.get(purpose=LetterPurpose.COPY)
    texts = page_texts(render(copy))
    assert all("COPY — re-rendered on December 9, 2026" in text for text in texts)
    whole = " ".join(texts)
    assert "November 25, 2026" in texts[0] and DEADLINE in whole
    assert "Jordan Avery" in whole and "Morgan New-Signatory" not in whole
    approved.refresh_from_db()
    assert approved.sent_letter == record
    # The preview of a sent demand is the sent text.
    preview = django_app.get(reverse("notices:demand-preview", args=[approved.pk]), user=legal)
    assert DEADLINE in preview.text and "By email and courier" in preview.text
    assert "Jordan Avery" in preview.text and "Morgan New-Signatory" not in preview.text
    assert "DRAFT" not in preview.text and "COPY" not in preview.text


def test_a_failed_letter_of_record_is_rendered_again_not_replaced(approved, legal, monkeypatch):
    from notices import workflow

    sent = workflow.send(approved, by=legal, sent_on=dt.date(2026, 11, 25), channels=["email"])
    record = sent.sent_letter

    def broken(html, **kwargs):
        raise ValueError("font missing")

    with monkeypatch.context() as patch:
        patch.setattr(rendering, "render_pdf", broken)
        rendering.render_letter(record.pk)
    record.refresh_from_db()
    assert record.status == LetterStatus.FAILED
    again = rendering.request_render(sent, by=legal)
    assert again.pk == record.pk and again.status == LetterStatus.QUEUED
    texts = page_texts(render(record))
    assert DEADLINE in " ".join(texts)
    assert not sent.letters.filter(purpose=LetterPurpose.COPY).exists()


def test_one_letter_renders_to_the_same_bytes(approved, legal):
    from notices import workflow

    sent = workflow.send(approved, by=legal, sent_on=dt.date(2026, 11, 25), channels=["email"])
    record = sent.sent_letter
    first = render(record)
    # The same version rendered again, days later (a redelivered task): same bytes.
    Letter.objects.filter(pk=record.pk).update(status=LetterStatus.QUEUED)
    with time_machine.travel(dt.datetime(2027, 2, 1, 9, tzinfo=dt.UTC)):
        second = render(record)
        snapshot = Letter.objects.get(pk=record.pk).snapshot
        third = html_to_pdf(
            render_snapshot_html(snapshot, letter_version=record.version),
            attachments=letter_attachments(snapshot),
        )
    assert hashlib.sha256(first).hexdigest() == hashlib.sha256(second).hexdigest()
    assert hashlib.sha256(third).hexdigest() == record.sha256
    reader = PdfReader(io.BytesIO(first))
    assert reader.metadata["/CreationDate"].startswith("D:20261125")
    assert reader.trailer["/ID"][0] == PdfReader(io.BytesIO(second)).trailer["/ID"][0]


def test_letters_and_template_versions_refuse_changes(rendered_draft, template, netflix):
    letter = Letter.objects.get(pk=rendered_draft.pk)
    letter.pages = 99
    with pytest.raises(ImmutableError, match="ready and cannot be changed"):
        letter.save()
    letter = Letter.objects.get(pk=rendered_draft.pk)
    with pytest.raises(ImmutableError, match="cannot be deleted"):
        letter.delete()
    queued = rendering.request_render(rendered_draft.demand)
    queued.snapshot = {"mark": "forged"}
    with pytest.raises(ImmutableError, match="snapshot cannot be changed"):
        queued.save()
    queued = Letter.objects.get(pk=queued.pk)
    queued.error = "worker died"  # a render's outcome may still be recorded
    queued.save()
    template.signatory_name = "Someone Else"
    with pytest.raises(ImmutableError, match="save a new version"):
        template.save()
    assert LetterTemplate.objects.get(pk=template.pk).signatory_name == "Jordan Avery"


@pytest.fixture
def root(db):
    return UserFactory(username="root", is_staff=True, is_superuser=True)


def test_the_admin_cannot_change_or_delete_a_letter(django_app, root, rendered_draft, draft):
    before = Letter.objects.values().get(pk=rendered_draft.pk)
    url = reverse("admin:notices_letter_change", args=[rendered_draft.pk])
    page = django_app.get(url, user=root)
    form = page.forms["letter_form"]
    assert not {"demand", "version", "template", "snapshot", "status"} & set(form.fields)
    assert not {"_save", "_continue", "_addanother"} & set(form.fields)  # no save button
    assert form.submit(user=root, expect_errors=True).status_code == 403
    delete = reverse("admin:notices_letter_delete", args=[rendered_draft.pk])
    assert django_app.get(delete, user=root, expect_errors=True).status_code == 403
    add = reverse("admin:notices_letter_add")
    assert django_app.get(add, user=root, expect_errors=True).status_code == 403
    assert Letter.objects.values().get(pk=rendered_draft.pk) == before
    assert before["demand_id"] == draft.pk and len(before["sha256"]) == 64


def test_the_admin_cannot_change_a_template_version(django_app, root, template):
    url = reverse("admin:notices_lettertemplate_change", args=[template.pk])
    page = django_app.get(url, user=root)
    form = page.forms["lettertemplate_form"]
    assert not {"signatory_name", "opening", "rights_holder"} & set(form.fields)
    assert "Jordan Avery" in page.text  # shown, read-only
    assert form.submit(user=root, expect_errors=True).status_code == 403
    delete = reverse("admin:notices_lettertemplate_delete", args=[template.pk])
    assert django_app.get(delete, user=root, expect_errors=True).status_code == 403
    assert LetterTemplate.objects.get(pk=template.pk).signatory_name == "Jordan Avery"


def test_closure_days_are_added_in_the_admin(django_app, root, netflix):
    page = django_app.get(reverse("admin:notices_holderclosureday_add"), user=root)
    form = page.forms["holderclosureday_form"]
    form["rights_holder"] = str(netflix.pk)
    form["date"] = "2026-11-30"
    form["reason"] = "Company offsite"
    form.submit(user=root).follow()
    day = HolderClosureDay.objects.get(rights_holder=netflix)
    assert (day.date, day.reason) == (dt.date(2026, 11, 30), "Company offsite")
