"""Several demands' letters as one ZIP, built in Celery with progress on the row.

Each demand contributes the letter it was sent with, or else its newest ready
version; a demand with no ready letter is listed in MANIFEST.csv as missing.
The ZIP is written to a temporary file and saved through the storage API only
when complete, so no half-written export is ever offered for download.
"""

from __future__ import annotations

import csv
import hashlib
import io
import logging
import shutil
import tempfile
import zipfile

from django.contrib.auth import get_user_model
from django.core.files import File
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone

from casework import stored
from casework.exports import neutralise
from notices.choices import LetterStatus
from notices.models import Demand, ExportJob, Letter

logger = logging.getLogger(__name__)

MAX_DEMANDS = 500


class ExportRefused(Exception):
    """The export cannot be started; the message says why."""


def request_export(user, demand_ids) -> ExportJob:
    """Create an export of the user's demands among ``demand_ids`` and enqueue it on commit."""
    ids = list(dict.fromkeys(int(i) for i in demand_ids))
    if not ids:
        raise ExportRefused("Select at least one demand to export.")
    if len(ids) > MAX_DEMANDS:
        raise ExportRefused(f"Export at most {MAX_DEMANDS} demands at a time.")
    demands = list(Demand.objects.for_user(user).filter(pk__in=ids))
    if len(demands) != len(ids):
        raise ExportRefused("Some selected demands do not exist.")
    with transaction.atomic():
        # The user's row lock orders two clicks; an unfinished export of exactly
        # these demands is the answer to the second one.
        get_user_model().objects.select_for_update().filter(pk=user.pk).first()
        pending = unfinished_export(user, ids)
        if pending is not None:
            return pending
        job = ExportJob.objects.create(created_by=user, total=len(demands))
        job.demands.set(demands)
        job.enqueue()
    return job


def unfinished_export(user, ids) -> ExportJob | None:
    """The user's queued or running export of exactly the demands ``ids``, if any."""
    wanted = sorted(ids)
    candidates = ExportJob.objects.filter(
        created_by=user, status__in=[ExportJob.QUEUED, ExportJob.RUNNING], total=len(wanted)
    ).order_by("-pk")
    for job in candidates:
        if sorted(job.demands.values_list("pk", flat=True)) == wanted:
            return job
    return None


def letter_for_export(demand) -> Letter | None:
    if demand.sent_letter_id:
        return demand.sent_letter
    return (
        Letter.objects.filter(demand=demand, status=LetterStatus.READY).order_by("-version").first()
    )


def build_export(export_id: int) -> None:
    """Build the ZIP of one export job; idempotent: returns quietly unless it can claim
    the row (queued, or running with an expired lease: its worker died)."""
    attempt = ExportJob.claim(export_id, processed=0, error="")
    if attempt is None:
        return
    job = ExportJob.objects.get(pk=export_id)
    saved_name = ""
    try:
        demands = list(
            job.demands.select_related("sent_letter", "respondent").order_by("reference")
        )
        with tempfile.TemporaryFile(suffix=".zip") as tmp:
            manifest = io.StringIO()
            writer = csv.writer(manifest)
            writer.writerow(
                ["reference", "respondent", "status", "letter_version", "file", "sha256", "pages"]
            )
            with zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_DEFLATED) as archive:
                for done, demand in enumerate(demands, start=1):
                    letter = letter_for_export(demand)
                    if letter is None or not letter.file:
                        writer.writerow(
                            [
                                neutralise(demand.reference),
                                neutralise(demand.respondent.name),
                                demand.status,
                            ]
                            + ["", "no ready letter", "", ""]
                        )
                    else:
                        arcname = f"{demand.reference}-v{letter.version}.pdf"
                        with (
                            letter.file.open("rb") as source,
                            archive.open(arcname, "w") as target,
                        ):
                            shutil.copyfileobj(source, target, 1 << 20)
                        writer.writerow(
                            [
                                neutralise(demand.reference),
                                neutralise(demand.respondent.name),
                                demand.status,
                                letter.version,
                                neutralise(arcname),
                                letter.sha256,
                                letter.pages,
                            ]
                        )
                    ExportJob.objects.filter(pk=job.pk, attempts=attempt).update(processed=done)
                archive.writestr("MANIFEST.csv", manifest.getvalue())
            tmp.seek(0)
            digest = hashlib.sha256()
            for chunk in iter(lambda: tmp.read(1 << 20), b""):
                digest.update(chunk)
            size = tmp.tell()
            tmp.seek(0)
            name = f"letters-{job.pk}-{timezone.now():%Y%m%d-%H%M%S}.zip"
            saved_name = default_storage.save(
                job._meta.get_field("file").generate_filename(job, name), File(tmp)
            )
        if ExportJob.finish(job.pk, attempt, file=saved_name, sha256=digest.hexdigest(), size=size):
            saved_name = ""  # else another attempt took over: its ZIP counts, drop ours
    except Exception as exc:
        logger.exception("Export %s failed", export_id)
        ExportJob.fail(job.pk, attempt, f"{type(exc).__name__}: {exc}")
        raise
    finally:
        stored.discard([saved_name])
