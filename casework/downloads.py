"""Stored files as downloads, after the view's scope check: streamed, or a pre-signed URL.

Views look the row up through ``for_user`` / ``get_for`` first (another holder's
file is a 404 before anything here runs), then call :func:`file_response`.

Which kind of file goes which way (the caller says, with ``presign``):

- **Streamed through the app, always**: evidence and response files. People upload
  them, so they may be HTML or anything else a browser would render; they go out
  with ``Content-Security-Policy: sandbox``, ``nosniff`` and their SHA-256 header,
  which a bucket's own response cannot carry.
- **A pre-signed URL, when the storage is S3**: letters, export ZIPs and dashboard
  reports. We made them (PDF, ZIP), they can be large (an export of 500 letters),
  and sending the bytes straight from the bucket keeps a web process free. The URL
  lives at most a minute (``expire`` in ``STORAGE_URL``), names the download's file
  name and type, and is made only here, after the check.

With local files (no ``STORAGE_URL``) everything is streamed, as before.
"""

from __future__ import annotations

import logging

from django.http import FileResponse, Http404, HttpResponseRedirect
from django.utils.http import content_disposition_header

logger = logging.getLogger(__name__)


def file_response(
    file,
    *,
    filename: str,
    content_type: str,
    presign: bool = False,
    size: int | None = None,
    inline: bool = False,
):
    """A download of the stored ``file`` (a FieldFile) named ``filename``.

    ``presign`` allows a redirect to a short-lived pre-signed URL where the storage
    offers one. ``inline`` shows it in the browser instead of saving it (a letter in
    a frame of ours: without ``presign``, so the frame stays same-origin). A file missing
    from storage is a 404 (and logged), never a 500.
    """
    storage, name = file.storage, file.name
    if not name:
        raise Http404("No file.")
    if presign and getattr(storage, "presigned_downloads", False):
        url = storage.url(
            name,
            parameters={
                "ResponseContentDisposition": content_disposition_header(True, filename),
                "ResponseContentType": content_type,
                "ResponseCacheControl": "private, no-store",
            },
        )
        response = HttpResponseRedirect(url)
        response["Cache-Control"] = "private, no-store"
        return response
    try:
        stream = storage.open_stream(name) if hasattr(storage, "open_stream") else file.open("rb")
    except Exception as exc:
        if not _missing(exc):
            raise
        logger.error("Stored file %s is missing: %s", name, exc)
        raise Http404("The file is missing from storage.") from None
    response = FileResponse(
        stream, as_attachment=not inline, filename=filename, content_type=content_type
    )
    if size is not None and "Content-Length" not in response:
        response["Content-Length"] = str(size)
    response["Cache-Control"] = "private, no-store"
    return response


def _missing(exc: Exception) -> bool:
    """A local file that is not there, or S3's NoSuchKey / 404."""
    if isinstance(exc, FileNotFoundError):
        return True
    error = getattr(exc, "response", None)
    if not isinstance(error, dict):
        return False
    code = str(error.get("Error", {}).get("Code", ""))
    return code in ("NoSuchKey", "404")
