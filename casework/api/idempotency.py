"""``Idempotency-Key``: a retried request gets the first answer back and changes nothing.

The record is written in the same transaction as the work it answers for, so a
committed record always holds its response; a second request with the same key
waits on the unique index until the first commits, then replays its answer. A
request that fails as a whole (a 4xx raised before any work) stores nothing, so
it may be retried with the same key once corrected.
"""

import datetime as dt
import hashlib
import json
import re

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from rest_framework import exceptions
from rest_framework.response import Response

from casework.api.problems import Unprocessable
from casework.models import IdempotencyRecord

HEADER = "Idempotency-Key"
VALID_KEY = re.compile(r"^[\x21-\x7e]{1,255}$")


def key_of(request) -> str:
    key = request.headers.get(HEADER, "")
    if not VALID_KEY.match(key):
        raise exceptions.ValidationError(
            {HEADER: ["Send an Idempotency-Key header: 1 to 255 visible ASCII characters."]}
        )
    return key


def request_hash(request) -> str:
    body = json.dumps(request.data, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(f"{request.method} {request.path}\n{body}".encode()).hexdigest()


def once(request, key: str, run) -> Response:
    """``run()`` → (status, data), done at most once per (user, key)."""
    fingerprint = request_hash(request)
    with transaction.atomic():
        record, created = IdempotencyRecord.objects.get_or_create(
            user=request.user, key=key, defaults={"request_hash": fingerprint}
        )
        if not created:
            if record.request_hash != fingerprint:
                raise Unprocessable(
                    "This Idempotency-Key was already used for a different request: "
                    "use a new key for new data."
                )
            return Response(
                record.response, status=record.status_code, headers={"Idempotent-Replayed": "true"}
            )
        status, data = run()
        record.status_code, record.response = status, data
        record.save(update_fields=["status_code", "response"])
    return Response(data, status=status)


def purge(now=None) -> int:
    """Delete records older than API_IDEMPOTENCY_DAYS; returns how many."""
    cutoff = (now or timezone.now()) - dt.timedelta(days=settings.API_IDEMPOTENCY_DAYS)
    deleted, _ = IdempotencyRecord.objects.filter(created_at__lt=cutoff).delete()
    return deleted
