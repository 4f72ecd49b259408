"""Evidence files: check an upload, hash it while streaming, store it, serve it back.

Evidence is added, never edited or deleted (the model refuses both). Files go
through ``default_storage`` so the same code writes to a local folder or S3.
"""

import hashlib
import mimetypes
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.template.defaultfilters import filesizeformat
from django.utils.text import get_valid_filename

from casework import downloads, stored, variants
from casework.models import Evidence, evidence_path

GENERIC_TYPES = {"", "application/octet-stream", "binary/octet-stream"}


def _starts(*prefixes: bytes):
    return lambda head: head.startswith(prefixes)


# What the first bytes of a file of each type look like. A type not listed here
# (HTML, plain text, e-mail) has no reliable signature and is taken as declared.
SIGNATURES = {
    "image/png": _starts(b"\x89PNG\r\n\x1a\n"),
    "image/jpeg": _starts(b"\xff\xd8\xff"),
    "image/gif": _starts(b"GIF87a", b"GIF89a"),
    "image/webp": lambda head: head[:4] == b"RIFF" and head[8:12] == b"WEBP",
    "application/pdf": _starts(b"%PDF-"),
    "video/mp4": lambda head: head[4:8] == b"ftyp",
    "video/webm": _starts(b"\x1a\x45\xdf\xa3"),
}


def declared_type(upload) -> str:
    """The upload's content type as the browser declared it, or guessed from its name."""
    content_type = (getattr(upload, "content_type", "") or "").split(";")[0].strip().lower()
    if content_type in GENERIC_TYPES:
        content_type = (mimetypes.guess_type(upload.name or "")[0] or "").lower()
    return content_type


def validate_upload(upload) -> str:
    """Check size, declared type and the file's first bytes. Returns the content type.

    Raises ValidationError whose message names the file and what is wrong.
    """
    name = upload.name or "file"
    limit = settings.EVIDENCE_MAX_BYTES
    if upload.size is not None and upload.size > limit:
        raise ValidationError(
            f"“{name}” is {filesizeformat(upload.size)}; evidence files may be at most "
            f"{filesizeformat(limit)}.",
            code="too_large",
        )
    if not upload.size:
        raise ValidationError(f"“{name}” is empty.", code="empty")
    content_type = declared_type(upload)
    allowed = settings.EVIDENCE_CONTENT_TYPES
    if content_type not in allowed:
        raise ValidationError(
            f"“{name}” is of type {content_type or 'unknown'}, which is not accepted as "
            f"evidence. Accepted types: {', '.join(allowed)}.",
            code="type",
        )
    check = SIGNATURES.get(content_type)
    if check is not None:
        upload.seek(0)
        head = upload.read(16)
        upload.seek(0)
        if not check(head):
            raise ValidationError(
                f"“{name}” says it is {content_type} but its contents are not.",
                code="contents",
            )
    return content_type


@dataclass
class Digest:
    sha256: str
    size: int


def digest(upload) -> Digest:
    """SHA-256 and size of an upload, read chunk by chunk (never all in memory)."""
    sha = hashlib.sha256()
    size = 0
    upload.seek(0)
    for chunk in upload.chunks():
        sha.update(chunk)
        size += len(chunk)
    upload.seek(0)
    return Digest(sha.hexdigest(), size)


def store(item, upload, *, by=None, note: str = "", content_type: str | None = None) -> Evidence:
    """Validate, hash and store one upload as evidence of ``item``.

    The caller owns the transaction; if it rolls back, call ``discard`` with the
    returned objects' file names so no orphan files stay behind.
    """
    content_type = content_type or validate_upload(upload)
    found = digest(upload)
    if found.size > settings.EVIDENCE_MAX_BYTES:  # a lying upload.size
        raise ValidationError(f"“{upload.name}” is larger than the evidence limit.")
    original = (upload.name or "evidence").rsplit("/", 1)[-1][-255:]
    evidence = Evidence(
        item=item,
        original_name=original,
        content_type=content_type,
        size=found.size,
        sha256=found.sha256,
        captured_by=by,
        note=note[:300],
    )
    safe_name = get_valid_filename(original) or "evidence"
    # The hash prefix keeps two files of one name apart and tells what is inside.
    stored_as = evidence_path(evidence, f"{found.sha256[:16]}-{safe_name}")
    evidence.file.name = default_storage.save(stored_as, upload)
    try:
        evidence.save(force_insert=True)
    except Exception:
        discard([evidence.file.name])
        raise
    # Images and videos are hashed and grouped with their near-duplicates in the
    # worker, once this upload commits (nothing is sent if it rolls back).
    variants.enqueue(evidence)
    return evidence


def discard(names):
    """Remove stored files whose database rows were rolled back."""
    stored.discard(names)


def download_response(evidence: Evidence):
    """The evidence file as a download: attachment, nosniff, and a sandboxing CSP.

    An HTML page saved as evidence must never render inside our origin, so evidence
    is always streamed through the app, with these headers, even from S3
    (casework/downloads.py).
    """
    response = downloads.file_response(
        evidence.file,
        filename=evidence.original_name,
        content_type=evidence.content_type or "application/octet-stream",
        size=evidence.size,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["X-Evidence-SHA256"] = evidence.sha256
    return response
