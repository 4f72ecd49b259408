"""Rendering letters to PDF in Celery: the row is the source of truth, the task carries an id.

``request_render`` creates a new Letter version (queued) and enqueues it after
commit. ``render_letter`` claims the row (``Letter.claim``, the one job lifecycle
of casework.jobs), renders, writes the file through the storage API and marks the
row ready only if its claim still holds, so a redelivered or duplicate message
never adds a second version or overwrites a newer attempt. The job sweeper
re-enqueues rows whose message was lost or whose worker died.
"""

from __future__ import annotations

import hashlib
import logging
import time

from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import DatabaseError, InterfaceError, OperationalError, transaction
from django.db.models import Max
from django.utils import timezone

from casework import metrics, stored
from notices.business_days import calendar_for
from notices.choices import LetterPurpose, LetterStatus
from notices.completeness import current_template, exhibit_too_large
from notices.letters import (
    copy_snapshot,
    letter_attachments,
    render_snapshot_html,
    take_snapshot,
)
from notices.models import Demand, DemandEvent, Letter
from notices.pdf import render_pdf

logger = logging.getLogger(__name__)

# Errors worth another attempt: the database or the storage went away for a moment.
TRANSIENT_ERRORS = (OperationalError, InterfaceError, ConnectionError, TimeoutError)


class RenderRefused(Exception):
    """A render cannot be requested; the message says why."""


def new_version(demand, *, template, purpose, snapshot, by=None) -> Letter:
    """Insert the next Letter version of a locked ``demand`` and enqueue its render on commit.

    The caller holds the demand's row lock inside a transaction (so version
    numbers never collide) and passes the snapshot the version prints.
    """
    last = Letter.objects.filter(demand=demand).aggregate(m=Max("version"))["m"] or 0
    letter = Letter.objects.create(
        demand=demand,
        version=last + 1,
        template=template,
        purpose=purpose,
        snapshot=snapshot,
        status=LetterStatus.QUEUED,
        requested_by=by,
    )
    DemandEvent.objects.create(
        demand=demand,
        action="letter requested",
        from_status=demand.status,
        to_status=demand.status,
        by=by,
        detail=(
            f"Letter version {letter.version} ({LetterPurpose(purpose).label.lower()}, "
            f"template v{template.version}) queued."
        ),
    )
    letter.enqueue()
    return letter


def request_render(demand, *, by=None) -> Letter:
    """Queue a new Letter version of ``demand``: a DRAFT before sending, a COPY after.

    A copy prints the sent letter's own snapshot, stamped "COPY — re-rendered
    on <date>": it never becomes the letter of record and never changes what
    was sent.
    """
    with transaction.atomic():
        locked = (
            Demand.objects.select_for_update(of=("self",))
            .select_related("rights_holder", "respondent", "sent_letter__template")
            .get(pk=demand.pk)
        )
        sent = locked.sent_letter
        if sent is not None and sent.status == LetterStatus.FAILED:
            return _retry_record(locked, sent, by=by)
        pending = unfinished_render(
            locked, LetterPurpose.COPY if sent is not None else LetterPurpose.DRAFT
        )
        if pending is not None:  # a repeated click: that render is the answer
            pending.already_queued = True
            return pending
        if sent is not None:
            template = sent.template
            today = calendar_for(locked.rights_holder).local_date(timezone.now())
            record = sent.snapshot or take_snapshot(locked, template, purpose=LetterPurpose.RECORD)
            return new_version(
                locked,
                template=template,
                purpose=LetterPurpose.COPY,
                snapshot=copy_snapshot(record, on=today),
                by=by,
            )
        if too_large := exhibit_too_large(locked.items.count()):
            raise RenderRefused(f"Demand {locked.reference} needs {too_large}.")
        template = current_template(locked.rights_holder_id)
        if template is None:
            raise RenderRefused(
                f"Demand {locked.reference}: its rights holder has no letter template yet."
            )
        return new_version(
            locked,
            template=template,
            purpose=LetterPurpose.DRAFT,
            snapshot=take_snapshot(locked, template),
            by=by,
        )


def unfinished_render(demand, purpose) -> Letter | None:
    """The demand's render of ``purpose`` (a draft before sending, a copy after) still
    queued or rendering, if any: asking again while it runs returns it instead of
    adding a version (the caller holds the demand's row lock, so two clicks cannot
    both miss it)."""
    return (
        Letter.objects.filter(
            demand=demand,
            purpose=purpose,
            status__in=[LetterStatus.QUEUED, LetterStatus.RENDERING],
        )
        .order_by("-version")
        .first()
    )


def _retry_record(demand, letter, *, by=None) -> Letter:
    """Queue a failed letter of record again: same version, same snapshot, same bytes."""
    Letter.objects.filter(pk=letter.pk, status=LetterStatus.FAILED).update(
        status=LetterStatus.QUEUED, attempts=0, queued_at=timezone.now()
    )
    DemandEvent.objects.create(
        demand=demand,
        action="letter requested",
        from_status=demand.status,
        to_status=demand.status,
        by=by,
        detail=f"Letter of record (version {letter.version}) failed ({letter.error}); "
        "queued again.",
    )
    letter.enqueue()
    letter.refresh_from_db()
    return letter


def render_letter(letter_id: int) -> None:
    """Render one letter version to PDF; idempotent (see the module docstring).

    Raises only transient errors (for the task to retry); any other error is
    recorded on the row as ``failed`` with its reason.
    """
    attempt = Letter.claim(letter_id, error="")
    if attempt is None:
        logger.info(
            "Letter %s: nothing to render (gone, done, claimed or over the cap).",
            letter_id,
        )
        return
    started = time.monotonic()
    saved_name = ""
    try:
        # The snapshot (a dict per exhibit row) is read on its own, and not kept
        # through the layout, the peak of a worker's memory.
        letter = (
            Letter.objects.select_related("demand__rights_holder", "demand__respondent", "template")
            .defer("snapshot")
            .get(pk=letter_id)
        )
        stored = Letter.objects.filter(pk=letter_id)
        snapshot = stored.values_list("snapshot", flat=True).get()
        if not snapshot:  # a row made without one (older code): take it once, now
            snapshot = take_snapshot(letter.demand, letter.template, purpose=letter.purpose)
            stored.filter(snapshot={}).update(snapshot=snapshot)
            snapshot = stored.values_list("snapshot", flat=True).get()
        # Deterministic: the snapshot's date is the PDF's creation date, and PDF/A's
        # /ID is an MD5 of the content, so one snapshot gives one file.
        html = render_snapshot_html(snapshot, letter_version=letter.version)
        attachments = letter_attachments(snapshot)
        del snapshot
        rendered = render_pdf(html, attachments=attachments)
        pdf, pages = rendered.content, rendered.pages
        digest = hashlib.sha256(pdf).hexdigest()
        name = f"{letter.demand.reference}-v{letter.version}-a{attempt}.pdf"
        saved_name = default_storage.save(letter_path_for(letter, name), ContentFile(pdf))
        elapsed_ms = int((time.monotonic() - started) * 1000)
        won = Letter.finish(
            letter_id,
            attempt,
            file=saved_name,
            sha256=digest,
            pages=pages,
            size=len(pdf),
            render_ms=elapsed_ms,
        )
        if not won:  # another attempt took over meanwhile; its result counts
            return  # (``finally`` deletes this attempt's file)
        saved_name = ""
        metrics.observe_render("letter", elapsed_ms)
        logger.info(
            "Letter %s rendered: %s pages, %s bytes, %s ms", letter_id, pages, len(pdf), elapsed_ms
        )
    except TRANSIENT_ERRORS as exc:
        # Back to queued so the retry (or the sweeper) can claim it again.
        _safely(Letter.release, letter_id, attempt, f"Attempt {attempt}: {exc}")
        raise
    except SoftTimeLimitExceeded:
        _safely(
            Letter.fail,
            letter_id,
            attempt,
            f"Rendering took longer than {settings.CELERY_TASK_SOFT_TIME_LIMIT} s.",
        )
    except Exception as exc:  # a permanent error: record it; retrying would fail again
        logger.exception("Letter %s failed", letter_id)
        _safely(Letter.fail, letter_id, attempt, f"{type(exc).__name__}: {exc}")
    finally:
        if saved_name:
            _safely_delete(saved_name)


def letter_path_for(letter, filename: str) -> str:
    return letter._meta.get_field("file").generate_filename(letter, filename)


def _safely(record, *args) -> None:
    try:
        record(*args)
    except DatabaseError:
        logger.exception("Could not record the render outcome")


def _safely_delete(name: str) -> None:
    stored.discard([name])
