"""Responses and counter-notices: record the respondent's reply with its files.

A response is added, never edited or deleted. Recording one on a demand awaiting
an answer (sent, or escalated) moves it to responded through ``workflow``; on a
demand already further along it only adds the response. The row, its files, the
status change and the DemandEvent are written in one transaction; files stored
before a rollback are removed again. Files are checked, hashed (SHA-256, read in
chunks) and served exactly like evidence, by ``casework.evidence``.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils.text import Truncator, get_valid_filename

from casework import evidence as files
from notices import workflow
from notices.models import Demand, Remedy, Response, ResponseFile, response_file_path

EXCERPT_CHARS = 200


def check_received_on(demand: Demand, received_on: dt.date) -> None:
    """A reply cannot arrive in the future, nor before the demand was sent (both
    where the holder works)."""
    if received_on > demand.rights_holder.today():
        raise ValidationError(
            {"received_on": "The date received cannot be in the future."}, code="future"
        )
    sent = demand.sent_on
    if sent is not None and received_on < sent:
        raise ValidationError(
            {
                "received_on": f"The date received cannot be before the demand was sent "
                f"({sent:%Y-%m-%d})."
            },
            code="before_sent",
        )


def record(
    demand,
    *,
    by,
    received_on: dt.date,
    text: str,
    is_counter_notice: bool = False,
    remedy: Remedy | None = None,
    uploads=(),
) -> Response:
    """Record one response to ``demand`` (or to one of its remedies) with its files.

    ``uploads`` holds uploaded files, or (upload, content type) pairs already
    checked by ``casework.evidence.validate_upload``. Raises ValidationError
    (keyed by field) for a bad date, remedy or file, WorkflowError for a demand
    that cannot take a response or a user who may not record one.
    """
    text = (text or "").strip()
    if not text:
        raise ValidationError({"text": "Write what the respondent said (or summarise it)."})
    checked = []
    for upload in uploads:
        if isinstance(upload, tuple):
            checked.append(upload)
        else:
            try:
                checked.append((upload, files.validate_upload(upload)))
            except ValidationError as exc:
                raise ValidationError({"files": exc.error_list}) from exc
    stored: list[str] = []
    try:
        with transaction.atomic():
            locked = workflow.locked_for_response(demand, by=by)
            check_received_on(locked, received_on)
            if remedy is not None and remedy.demand_id != locked.pk:
                raise ValidationError(
                    {"remedy": f"That remedy is not part of demand {locked.reference}."}
                )
            response = Response(
                demand=locked,
                remedy=remedy,
                received_on=received_on,
                text=text,
                is_counter_notice=is_counter_notice,
                recorded_by=by,
            )
            response.save(force_insert=True)
            saved = [_store(response, upload, kind, stored) for upload, kind in checked]
            workflow.note_response(locked, by=by, detail=_detail(response, saved))
    except BaseException:
        files.discard(stored)
        raise
    return response


def _store(response, upload, content_type, stored: list[str]) -> ResponseFile:
    found = files.digest(upload)
    if found.size > settings.EVIDENCE_MAX_BYTES:  # a lying upload.size
        raise ValidationError({"files": f"“{upload.name}” is larger than the file limit."})
    original = (upload.name or "response").rsplit("/", 1)[-1][-255:]
    row = ResponseFile(
        response=response,
        original_name=original,
        content_type=content_type,
        size=found.size,
        sha256=found.sha256,
    )
    safe_name = get_valid_filename(original) or "response"
    # The hash prefix keeps two files of one name apart and tells what is inside.
    name = default_storage.save(response_file_path(row, f"{found.sha256[:16]}-{safe_name}"), upload)
    stored.append(name)
    row.file.name = name
    row.save(force_insert=True)
    return row


def summary(response: Response) -> str:
    """“Counter-notice received 2026-12-03 on remedy 2 (Remove the infringing content)”."""
    kind = "Counter-notice" if response.is_counter_notice else "Response"
    about = ""
    if response.remedy_id:
        remedy = response.remedy
        about = f" on remedy {remedy.position} ({remedy.get_kind_display()})"
    return f"{kind} received {response.received_on:%Y-%m-%d}{about}"


def _detail(response: Response, saved: list[ResponseFile]) -> str:
    excerpt = Truncator(" ".join(response.text.split())).chars(EXCERPT_CHARS)
    detail = f"{summary(response)}: “{excerpt}”"
    if saved:
        listed = "; ".join(f"{f.original_name} (SHA-256 {f.sha256})" for f in saved)
        detail += f" {len(saved)} file{'s' if len(saved) != 1 else ''}: {listed}."
    return detail
