"""render_letter called directly: idempotent, claims once, records failures, sweeps."""

import datetime as dt
import io

import pytest
from django.core.files.storage import default_storage
from django.db import OperationalError
from django.utils import timezone
from pypdf import PdfReader

from notices import rendering
from notices.choices import LetterStatus
from notices.models import Letter


@pytest.fixture
def queued(draft, legal):
    return rendering.request_render(draft, by=legal)


def test_a_request_while_a_render_is_unfinished_returns_it(draft, legal, queued):
    again = rendering.request_render(draft, by=legal)
    assert (again.pk, again.version, again.status) == (queued.pk, 1, LetterStatus.QUEUED)
    assert Letter.objects.filter(demand=draft).count() == 1
    assert draft.events.filter(action="letter requested").count() == 1


def test_a_request_after_the_render_finished_is_a_new_queued_version(draft, legal, queued):
    rendering.render_letter(queued.pk)
    again = rendering.request_render(draft, by=legal)
    assert (queued.version, again.version, again.status) == (1, 2, LetterStatus.QUEUED)
    assert draft.events.filter(action="letter requested").count() == 2


def test_render_stores_pdf_hash_pages_size_and_timings(queued):
    rendering.render_letter(queued.pk)
    letter = Letter.objects.get(pk=queued.pk)
    assert letter.status == LetterStatus.READY
    assert letter.attempts == 1
    with default_storage.open(letter.file.name, "rb") as fh:
        data = fh.read()
    import hashlib

    assert hashlib.sha256(data).hexdigest() == letter.sha256
    assert letter.size == len(data)
    assert letter.pages == len(PdfReader(io.BytesIO(data)).pages) >= 2
    assert letter.started_at <= letter.finished_at
    assert letter.render_ms > 0
    root = PdfReader(io.BytesIO(data)).trailer["/Root"]
    assert "/OutputIntents" in root  # PDF/A
    assert b"pdfaid:part" in root["/Metadata"].get_object().get_data()


def test_missing_row_returns_quietly(db):
    assert rendering.render_letter(987654) is None


def test_a_redelivered_task_does_nothing_twice(queued):
    rendering.render_letter(queued.pk)
    first = Letter.objects.get(pk=queued.pk)
    rendering.render_letter(queued.pk)
    again = Letter.objects.get(pk=queued.pk)
    assert (again.attempts, again.file.name, again.sha256) == (1, first.file.name, first.sha256)
    assert Letter.objects.filter(demand=queued.demand).count() == 1


def test_a_live_claim_is_not_taken_but_an_expired_one_is(queued, settings):
    assert Letter.claim(queued.pk) == 1
    assert Letter.claim(queued.pk) is None  # someone is rendering it right now
    Letter.objects.filter(pk=queued.pk).update(lease_until=timezone.now() - dt.timedelta(seconds=1))
    rendering.render_letter(queued.pk)  # its worker died: take over
    letter = Letter.objects.get(pk=queued.pk)
    assert (letter.status, letter.attempts) == (LetterStatus.READY, 2)


def test_a_permanent_error_is_recorded_not_raised(queued, monkeypatch):
    def broken(html, **kwargs):
        raise ValueError("unsupported CSS")

    monkeypatch.setattr(rendering, "render_pdf", broken)
    rendering.render_letter(queued.pk)
    letter = Letter.objects.get(pk=queued.pk)
    assert letter.status == LetterStatus.FAILED
    assert letter.error == "ValueError: unsupported CSS"
    assert not letter.file


def test_a_transient_error_is_raised_and_the_letter_requeued(queued, monkeypatch):
    def flaky(html, **kwargs):
        raise OperationalError("server closed the connection unexpectedly")

    monkeypatch.setattr(rendering, "render_pdf", flaky)
    with pytest.raises(OperationalError):
        rendering.render_letter(queued.pk)
    letter = Letter.objects.get(pk=queued.pk)
    assert letter.status == LetterStatus.QUEUED
    assert "Attempt 1" in letter.error
    monkeypatch.undo()
    rendering.render_letter(queued.pk)
    assert Letter.objects.get(pk=queued.pk).status == LetterStatus.READY


def test_gives_up_after_max_attempts(queued):
    Letter.objects.filter(pk=queued.pk).update(attempts=Letter.max_attempts)
    rendering.render_letter(queued.pk)
    letter = Letter.objects.get(pk=queued.pk)
    assert letter.status == LetterStatus.FAILED
    assert "Gave up" in letter.error


def test_the_sweeper_takes_the_old_queued_and_expired_rendering_ones(items, legal, settings):
    from casework import jobs
    from notices import drafting

    def render_of_a_new_draft():  # one unfinished render per demand
        return rendering.request_render(
            drafting.draft_demand(legal, [i.pk for i in items]), by=legal
        )

    old = timezone.now() - dt.timedelta(seconds=settings.JOB_LEASE_SECONDS + 5)
    fresh, lost, dead, done = (render_of_a_new_draft() for _ in range(4))
    Letter.objects.filter(pk=lost.pk).update(queued_at=old)
    Letter.objects.filter(pk=dead.pk).update(status=LetterStatus.RENDERING, lease_until=old)
    Letter.objects.filter(pk=done.pk).update(status=LetterStatus.READY, queued_at=old)
    swept = jobs.sweep()["notices.Letter"]
    assert set(swept) == {lost.pk, dead.pk}
    assert fresh.pk not in swept
    assert jobs.sweep()["notices.Letter"] == []  # their clocks restarted


def test_cached_page_references_write_the_same_bytes(monkeypatch):
    """notices.pdf caches pydyf's page references for the tagger: same file, faster.

    A three-page tagged document with internal links (which ask for page references
    too) is written with the cache and with pydyf's own property: byte-identical.
    """
    import pydyf

    from notices import pdf

    rows = "".join(f"<tr><td>{n}</td><td><a href='#r{n}'>row {n}</a></td></tr>" for n in range(150))
    html = f"<html lang='en'><title>t</title><h1 id='r0'>Rows</h1><table>{rows}</table></html>"
    cached = pdf.render_pdf(html)
    assert cached.pages >= 3
    assert cached.pages == len(PdfReader(io.BytesIO(cached.content)).pages)

    def uncached(self):
        return tuple(f"{n} 0 R".encode("ascii") for n in self.pages["Kids"][::3])

    monkeypatch.setattr(pydyf.PDF, "page_references", property(uncached))
    assert pdf.render_pdf(html).content == cached.content


def test_the_letters_user_agent_stylesheet_prints_the_same_letter(draft):
    """notices.pdf styles letters without WeasyPrint's pseudo-element rules that select
    no element of a letter (90 MB of a 1,000-row letter's peak): same file, less memory.

    The letter (lists with markers, Exhibit A's table, page margin boxes) is written
    with the letters' stylesheet and with WeasyPrint's own: byte-identical.
    """
    from weasyprint import HTML

    from notices import pdf
    from notices.letters import render_letter_html

    html = render_letter_html(draft)
    assert '<ol class="demands">' in html and "exhibit-table" in html

    def write(document_class):
        return document_class(
            string=html, base_url=pdf.BASE_URL, url_fetcher=pdf.StaticOnlyFetcher()
        ).write_pdf()

    assert write(pdf.LetterHTML) == write(HTML)


def test_pages_released_once_tagged_write_the_same_bytes(draft):
    """notices.pdf lets the tagger drop each laid-out page once its tags are built (the
    boxes were a third of a 1,000-row letter's peak memory): same file, boxes gone."""
    from notices import pdf
    from notices.letters import render_letter_html

    document = pdf.LetterHTML(
        string=render_letter_html(draft), base_url=pdf.BASE_URL, url_fetcher=pdf.StaticOnlyFetcher()
    ).render()
    assert len(document.pages) >= 2

    def write():
        return document.write_pdf(pdf_variant=pdf.PDF_VARIANT, custom_metadata=True)

    kept = write()
    assert all(page._page_box is not None for page in document.pages)
    document.release_pages_once_tagged = True
    assert write() == kept
    assert all(page._page_box is None for page in document.pages)
