"""Responses and counter-notices: recorded through the form as the demand page renders it,
files hashed and stored like evidence, the demand moved to responded with its history,
shown on the demand page and the status board, scoped and append-only."""

import datetime as dt
import hashlib

import pytest
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from webtest import Upload

from notices import drafting, responses, workflow
from notices.choices import DemandStatus
from notices.models import DemandEvent, Response, ResponseFile
from tests.factories import UserFactory
from tests.notices.conftest import advance

S = DemandStatus
PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
EML = b"From: legal@bytedance.example\nSubject: Re: NFLX demand\n\nWe dispute the claims.\n"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def days_ago(n):
    """A date ``n`` days before today where the demands' holder (Netflix) works."""
    from casework.models import RightsHolder

    return RightsHolder.objects.get(code="NFLX").today() - dt.timedelta(days=n)


@pytest.fixture
def sent(draft, legal, manager):
    return advance(draft, S.SENT, legal=legal, manager=manager, sent_on=days_ago(10))


def detail_url(demand):
    return reverse("notices:demand-detail", args=[demand.pk])


def form_url(demand):
    return reverse("notices:response-add", args=[demand.pk])


def stored_files(media):
    return sorted(p for p in media.rglob("*") if p.is_file()) if media.exists() else []


def record(demand, user, *, days=3, counter=False, remedy=None, files=1):
    uploads = [
        SimpleUploadedFile(f"reply-{n}.pdf", PDF + str(n).encode(), "application/pdf")
        for n in range(files)
    ]
    return responses.record(
        demand,
        by=user,
        received_on=days_ago(days),
        text="We have removed some of the videos.",
        is_counter_notice=counter,
        remedy=remedy,
        uploads=uploads,
    )


def test_legal_staff_record_a_counter_notice_with_files_as_the_page_renders_it(
    webapp, sent, legal, media
):
    remedy = sent.remedies.get(position=2)
    page = webapp.get(detail_url(sent), user=legal)
    form = page.forms["response-form"]
    form["received_on"] = days_ago(2).isoformat()
    form["remedy"].select(text=f"Demand 2: {remedy.get_kind_display()}")
    form["text"] = "We dispute <b>all</b> of it: the outputs are fair use."
    form["is_counter_notice"] = True
    # Two files in the one multiple-file input.
    form["files"] = [
        Upload("counter-notice.pdf", PDF, "application/pdf"),
        Upload("reply.eml", EML, "message/rfc822"),
    ]
    result = form.submit()

    assert result.status_code == 302
    assert result["Location"].endswith(detail_url(sent) + "#responses")
    sent.refresh_from_db()
    assert sent.status == S.RESPONDED
    reply = Response.objects.get()
    assert (reply.demand, reply.remedy, reply.received_on) == (sent, remedy, days_ago(2))
    assert reply.is_counter_notice and reply.recorded_by == legal
    assert reply.text == "We dispute <b>all</b> of it: the outputs are fair use."
    by_name = {f.original_name: f for f in reply.files.all()}
    assert set(by_name) == {"counter-notice.pdf", "reply.eml"}
    for name, data, kind in [
        ("counter-notice.pdf", PDF, "application/pdf"),
        ("reply.eml", EML, "message/rfc822"),
    ]:
        row = by_name[name]
        assert row.sha256 == hashlib.sha256(data).hexdigest()
        assert (row.size, row.content_type) == (len(data), kind)
        assert row.file.name.startswith(f"responses/{sent.rights_holder_id}/{sent.pk}/")
        with default_storage.open(row.file.name, "rb") as stored:
            assert stored.read() == data
    event = DemandEvent.objects.filter(demand=sent).latest("id")
    assert (event.action, event.from_status, event.to_status, event.by) == (
        "response",
        S.SENT,
        S.RESPONDED,
        legal,
    )
    assert "Counter-notice received" in event.detail
    assert by_name["counter-notice.pdf"].sha256 in event.detail

    page = result.follow()
    assert "Counter-notice received" in page.text
    responses_section = page.html.select_one("#responses")
    assert "counter-notice.pdf" in responses_section.text
    assert "We dispute <b>all</b>" in responses_section.text  # escaped, shown as typed
    assert responses_section.select_one("b") is None
    timeline = page.html.select_one(".timeline").text
    assert "Response" in timeline and "sent → responded" in timeline
    assert "Counter-notice received" in timeline
    history = webapp.get(reverse("notices:demand-history", args=[sent.pk]), user=legal)
    assert by_name["reply.eml"].sha256 in history.text
    # The old status-only "Record response" button is gone; the form is the way.
    assert not [f for f in page.forms.values() if "/action/respond/" in (f.action or "")]


def test_the_status_board_shows_the_response_per_demand_and_per_remedy(
    webapp, sent, legal, manager
):
    remove = sent.remedies.get(position=2)
    record(sent, legal, days=5, counter=False)
    record(sent, legal, days=3, counter=True, remedy=remove)
    board = webapp.get(reverse("dashboard:board"), user=manager)
    row = board.html.select_one(f'tr[data-reference="{sent.reference}"]')
    note = row.select_one('[data-response="demand"]').text
    latest = days_ago(3)
    assert f"2 responses, latest received {latest.day} {latest:%b %Y}" in " ".join(note.split())
    assert "counter-notice" in note
    cell = row.select_one(f'[data-kind="{remove.kind}"]').parent
    assert "counter-notice" in cell.select_one('[data-response="remedy"]').text
    # A remedy without a response of its own shows none.
    cease = sent.remedies.get(position=1)
    assert (
        row.select_one(f'[data-kind="{cease.kind}"]').parent.select('[data-response="remedy"]')
        == []
    )


def test_a_date_in_the_future_or_before_sending_is_refused_and_nothing_is_written(
    webapp, sent, legal, media
):
    events = DemandEvent.objects.filter(demand=sent).count()
    for bad, message in [
        (days_ago(-1), "The date received cannot be in the future."),
        (
            days_ago(11),
            f"The date received cannot be before the demand was sent ({days_ago(10):%Y-%m-%d}).",
        ),
    ]:
        form = webapp.get(detail_url(sent), user=legal).forms["response-form"]
        form["received_on"] = bad.isoformat()
        form["text"] = "Received by courier."
        form["files"] = [Upload("reply.pdf", PDF, "application/pdf")]
        page = form.submit(expect_errors=True)
        assert page.status_code == 400
        error = page.html.select_one("#id_received_on_error")
        assert error is not None and message in error.text
        # The page keeps what was typed and can be corrected and sent again.
        assert page.forms["response-form"]["text"].value == "Received by courier."
    assert not Response.objects.exists() and not ResponseFile.objects.exists()
    assert stored_files(media) == []
    sent.refresh_from_db()
    assert sent.status == S.SENT
    assert DemandEvent.objects.filter(demand=sent).count() == events

    form = page.forms["response-form"]
    form["received_on"] = days_ago(10).isoformat()  # the sending day itself is fine
    form["files"] = [Upload("reply.pdf", PDF, "application/pdf")]
    assert form.submit().status_code == 302
    assert Response.objects.get().received_on == days_ago(10)


def test_a_file_of_a_refused_type_is_named_and_nothing_is_written(webapp, sent, legal, media):
    form = webapp.get(detail_url(sent), user=legal).forms["response-form"]
    form["text"] = "See attached."
    form["files"] = [Upload("reply.exe", b"MZ\x90\x00", "application/x-msdownload")]
    page = form.submit(expect_errors=True)
    assert page.status_code == 400
    assert (
        "“reply.exe” is of type application/x-msdownload"
        in page.html.select_one("#id_files_error").text
    )
    form = page.forms["response-form"]
    form["files"] = [Upload("reply.pdf", b"<html>not a pdf", "application/pdf")]
    page = form.submit(expect_errors=True)
    assert "“reply.pdf” says it is application/pdf but its contents are not." in page.text
    assert not Response.objects.exists()
    assert stored_files(media) == []
    sent.refresh_from_db()
    assert sent.status == S.SENT


def test_a_file_found_too_large_while_storing_rolls_back_the_files_already_stored(
    sent, legal, settings, media
):
    """The second upload claims 10 bytes but holds more than the limit: the first file,
    already stored, is removed again and no row is left."""
    from io import BytesIO

    from django.core.files.uploadedfile import InMemoryUploadedFile

    settings.EVIDENCE_MAX_BYTES = 1000
    honest = SimpleUploadedFile("reply.pdf", PDF, "application/pdf")
    big = PDF + b"0" * 2000
    liar = InMemoryUploadedFile(BytesIO(big), "files", "annex.pdf", "application/pdf", 10, None)
    with pytest.raises(ValidationError) as caught:
        responses.record(
            sent, by=legal, received_on=days_ago(1), text="Two files.", uploads=[honest, liar]
        )
    assert "“annex.pdf” is larger than the file limit." in caught.value.message_dict["files"]
    assert not Response.objects.exists() and not ResponseFile.objects.exists()
    assert stored_files(media) == []
    sent.refresh_from_db()
    assert sent.status == S.SENT


def test_a_remedy_of_another_demand_is_refused(webapp, sent, legal, items):
    other = drafting.draft_demand(legal, [items[0].pk])
    foreign = other.remedies.first()
    form = webapp.get(detail_url(sent), user=legal).forms["response-form"]
    form["text"] = "About another demand."
    form["remedy"].force_value(str(foreign.pk))
    page = form.submit(expect_errors=True)
    assert page.status_code == 400
    assert "Select a valid choice" in page.html.select_one("#id_remedy_error").text
    # The rule holds below the form too.
    with pytest.raises(ValidationError) as caught:
        record(sent, legal, remedy=foreign)
    assert "not part of demand" in caught.value.message_dict["remedy"][0]
    assert not Response.objects.exists()


def test_a_later_response_only_adds_to_a_demand_past_responded(sent, legal, manager):
    refused = workflow.perform(workflow.perform(sent, "respond", by=legal), S.REFUSED, by=manager)
    assert refused.status == S.REFUSED
    record(refused, legal, counter=True)
    refused.refresh_from_db()
    assert refused.status == S.REFUSED
    event = DemandEvent.objects.filter(demand=refused).latest("id")
    assert (event.action, event.from_status, event.to_status) == ("response", S.REFUSED, S.REFUSED)


def test_a_response_to_an_escalated_demand_moves_it_to_responded(sent, legal, manager):
    escalated = workflow.perform(sent, "escalate", by=manager)
    record(escalated, legal)
    escalated.refresh_from_db()
    assert escalated.status == S.RESPONDED


def test_the_plain_action_url_cannot_mark_a_demand_responded_without_a_response(
    webapp, sent, legal
):
    """Only recording a response moves a sent demand to responded (with the reply kept)."""
    url = reverse("notices:demand-action", args=[sent.pk, "respond"])
    page = webapp.get(detail_url(sent), user=legal)
    answer = webapp.post(
        url,
        {"csrfmiddlewaretoken": page.forms["letter-request"]["csrfmiddlewaretoken"].value},
        user=legal,
        expect_errors=True,
    )
    assert answer.status_code == 404
    sent.refresh_from_db()
    assert sent.status == DemandStatus.SENT


def test_no_response_before_sending(webapp, draft, legal):
    page = webapp.get(detail_url(draft), user=legal)
    assert "response-form" not in page.forms
    redirected = webapp.get(form_url(draft), user=legal)
    assert redirected.status_code == 302
    assert "not sent yet" in redirected.follow().text
    with pytest.raises(workflow.WorkflowError, match="only once the demand is sent"):
        record(draft, legal)


def test_viewers_see_responses_but_get_403_on_recording(webapp, sent, legal, viewer, media):
    record(sent, legal, counter=True)
    page = webapp.get(detail_url(sent), user=viewer)
    assert "Counter-notice" in page.html.select_one("#responses").text
    assert "response-form" not in page.forms
    assert webapp.get(form_url(sent), user=viewer, expect_errors=True).status_code == 403
    # The form as legal staff see it, posted by the viewer.
    form = webapp.get(detail_url(sent), user=legal).forms["response-form"]
    form["text"] = "Posted by a viewer."
    form["files"] = [Upload("reply.pdf", PDF, "application/pdf")]
    assert form.submit(user=viewer, expect_errors=True).status_code == 403
    assert Response.objects.count() == 1
    assert len(stored_files(media)) == 1


def test_outsiders_get_404_on_the_form_and_the_files(webapp, sent, legal, outsider):
    reply = record(sent, legal)
    stored = reply.files.get()
    download = reverse("notices:response-file-download", args=[stored.pk])
    own = webapp.get(download, user=legal)
    assert own.status_code == 200
    assert own.body == PDF + b"0"
    assert own.headers["Content-Disposition"].startswith("attachment")
    assert own.headers["X-Content-Type-Options"] == "nosniff"
    assert webapp.get(download, user=outsider, expect_errors=True).status_code == 404
    assert webapp.get(form_url(sent), user=outsider, expect_errors=True).status_code == 404
    form = webapp.get(detail_url(sent), user=legal).forms["response-form"]
    form["text"] = "Posted by another rights holder."
    assert form.submit(user=outsider, expect_errors=True).status_code == 404
    assert Response.objects.count() == 1
    # A member who left the rights holder loses the files too.
    sent.rights_holder.members.remove(legal)
    assert webapp.get(download, user=legal, expect_errors=True).status_code == 404


def test_responses_are_append_only(sent, legal):
    reply = record(sent, legal)
    reply.text = "Changed afterwards."
    with pytest.raises(ValueError, match="never edited"):
        reply.save()
    with pytest.raises(ValueError, match="never deleted"):
        reply.files.get().delete()
    with pytest.raises(ValueError, match="never deleted"):
        reply.delete()


def test_the_admin_shows_responses_read_only(client, sent, legal):
    reply = record(sent, legal)
    root = UserFactory(username="root", is_staff=True, is_superuser=True)
    client.force_login(root)
    change = reverse("admin:notices_response_change", args=[reply.pk])
    page = client.get(change)
    assert page.status_code == 200 and "reply-0.pdf" in page.content.decode()
    assert 'name="_save"' not in page.content.decode()
    assert client.post(change, {"text": "edited"}).status_code == 403
    assert client.get(reverse("admin:notices_response_add")).status_code == 403
    delete = reverse("admin:notices_responsefile_delete", args=[reply.files.get().pk])
    assert client.post(delete, {"post": "yes"}).status_code == 403
    reply.refresh_from_db()
    assert reply.text == "We have removed some of the videos."


def _queries(webapp, url, user):
    with CaptureQueriesContext(connection) as captured:
        assert webapp.get(url, user=user).status_code == 200
    return len(captured)


def test_queries_of_the_demand_page_and_the_board_do_not_grow_with_responses(
    webapp, sent, legal, manager
):
    remedies = list(sent.remedies.order_by("position"))
    record(sent, legal, files=2)
    pages = [detail_url(sent), reverse("dashboard:board")]
    webapp.get(pages[0], user=manager)  # the first request signs in: not counted
    before = [_queries(webapp, url, manager) for url in pages]
    for n, remedy in enumerate(remedies):
        record(sent, legal, counter=n % 2 == 0, remedy=remedy, files=2)
    after = [_queries(webapp, url, manager) for url in pages]
    assert Response.objects.count() == 1 + len(remedies)
    assert after == before
