"""A real Celery worker on the real broker renders letters, sweeps lost ones, builds ZIPs."""

import datetime as dt
import io
import re
import time
import zipfile

import pytest
from django.core.files.storage import default_storage
from django.utils import timezone
from pypdf import PdfReader

from casework import jobs
from casework.choices import JobStatus
from notices import drafting, exports, rendering
from notices.choices import LetterStatus
from notices.models import ExportJob, Letter, Remedy

pytestmark = pytest.mark.django_db(transaction=True)


def wait_for(predicate, timeout=90, every=0.2):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(every)
    raise AssertionError(f"Timed out after {timeout} s")


def finished(letter_id):
    letter = Letter.objects.get(pk=letter_id)
    return letter if letter.status in (LetterStatus.READY, LetterStatus.FAILED) else None


def flat(text):
    return re.sub(r"\s+", "", text)


def test_a_real_worker_renders_every_remedy_and_exhibit_url(celery_worker_real, legal, items):
    demand = drafting.draft_demand(legal, [i.pk for i in items])
    drafting.add_remedy(legal, demand, text="Preserve every prompt log relating to the works.")
    letter = rendering.request_render(demand, by=legal)  # enqueued on commit
    done = wait_for(lambda: finished(letter.pk))
    assert done.status == LetterStatus.READY, done.error
    with default_storage.open(done.file.name, "rb") as fh:
        reader = PdfReader(io.BytesIO(fh.read()))
    text = flat("".join(page.extract_text() for page in reader.pages))
    remedies = Remedy.objects.filter(demand=demand)
    assert remedies.count() == 5
    for remedy in remedies:
        assert flat(remedy.text) in text, remedy.text
    for item in items:
        assert flat(item.url) in text, item.url
    for words in (
        "direct and secondary copyright infringement",
        "not protected by fair use",
        "good-faith belief",
        "under penalty of perjury",
        "Exhibit A",
        "Jordan Avery",
    ):
        assert flat(words) in text, words
    assert done.attempts == 1
    print(f"render: {done.render_ms} ms, {done.pages} pages, {done.size} bytes")


def test_the_sweeper_re_enqueues_a_render_whose_message_was_lost(
    celery_worker_real, legal, items, settings
):
    demand = drafting.draft_demand(legal, [items[0].pk])
    template = demand.rights_holder.letter_templates.get()
    # A letter row whose broker message never arrived.
    lost = Letter.objects.create(demand=demand, version=1, template=template, requested_by=legal)
    Letter.objects.filter(pk=lost.pk).update(
        queued_at=timezone.now() - dt.timedelta(seconds=settings.JOB_LEASE_SECONDS + 1)
    )
    time.sleep(1.5)
    assert Letter.objects.get(pk=lost.pk).status == LetterStatus.QUEUED  # nobody renders it
    assert jobs.sweep()["notices.Letter"] == [lost.pk]
    done = wait_for(lambda: finished(lost.pk))
    assert done.status == LetterStatus.READY, done.error
    assert Letter.objects.filter(demand=demand).count() == 1
    assert jobs.sweep()["notices.Letter"] == []


def test_the_sweeper_task_runs_on_the_worker(celery_worker_real, legal, items, settings):
    from casework.tasks.jobs import sweep_jobs

    demand = drafting.draft_demand(legal, [items[0].pk])
    template = demand.rights_holder.letter_templates.get()
    lost = Letter.objects.create(demand=demand, version=1, template=template)
    Letter.objects.filter(pk=lost.pk).update(
        queued_at=timezone.now() - dt.timedelta(seconds=settings.JOB_LEASE_SECONDS + 1)
    )
    sweep_jobs.delay()
    assert wait_for(lambda: finished(lost.pk)).status == LetterStatus.READY


def test_export_zip_with_progress(celery_worker_real, legal, items):
    first = drafting.draft_demand(legal, [items[0].pk])
    second = drafting.draft_demand(legal, [items[1].pk])
    letter = rendering.request_render(first, by=legal)
    assert wait_for(lambda: finished(letter.pk)).status == LetterStatus.READY
    job = exports.request_export(legal, [first.pk, second.pk])
    job = wait_for(
        lambda: ExportJob.objects.filter(
            pk=job.pk, status__in=[JobStatus.DONE, JobStatus.FAILED]
        ).first()
    )
    assert job.status == JobStatus.DONE, job.error
    assert (job.processed, job.total) == (2, 2)
    with default_storage.open(job.file.name, "rb") as fh:
        archive = zipfile.ZipFile(io.BytesIO(fh.read()))
    names = archive.namelist()
    assert f"{first.reference}-v1.pdf" in names
    manifest = archive.read("MANIFEST.csv").decode()
    assert second.reference in manifest and "no ready letter" in manifest
    assert archive.read(f"{first.reference}-v1.pdf").startswith(b"%PDF-")
