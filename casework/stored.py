"""Cleaning up stored files whose rows never committed (a failed job, a rolled-back form).

Cleanup runs in ``except`` and ``finally`` blocks: an error while deleting (a bucket
that is unreachable for a moment) is logged, never raised over the error being
handled. What is left behind is an orphan object, not a row without its file.
"""

from __future__ import annotations

import logging

from django.core.files.storage import default_storage

logger = logging.getLogger(__name__)


def discard(names, storage=None) -> None:
    """Delete the stored files ``names`` (blank names are skipped), quietly."""
    storage = storage or default_storage
    for name in names:
        if not name:
            continue
        try:
            storage.delete(name)
        except Exception:  # cleanup must not hide the error that made it necessary
            logger.exception("Could not delete stored file %s; it is left as an orphan", name)
