"""A request id on every log line of a request, and of the tasks the request enqueues.

- ``RequestIdMiddleware`` takes the caller's ``X-Request-ID`` (a proxy's or a client's,
  if it looks like an id) or makes one, keeps it for the request in a context variable,
  echoes it in the response, and logs one structured line per request.
- ``before_task_publish`` (config/celery.py) stamps it on every task message the
  request sends as the ``request_id`` header; in the worker ``task_prerun`` puts it back
  into the context variable for the task's run, and ``task_postrun`` clears it.
- ``RequestIdFilter`` (settings.LOGGING, on the console handler) writes it into every
  log record as ``request_id``, so the JSON logs of the web and the workers can be
  joined on it.
"""

from __future__ import annotations

import contextvars
import logging
import re
import time
import uuid

request_id_var: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="")

# What we accept from outside: a short token (UUIDs, proxy ids such as nginx's
# $request_id, AWS's "Root=1-..." style); anything else is replaced by our own.
_VALID = re.compile(r"^[A-Za-z0-9._:=-]{1,128}$")
HEADER = "X-Request-ID"

access_log = logging.getLogger("desist.request")


def current() -> str:
    return request_id_var.get()


def accept_or_make(value: str | None) -> str:
    if value and _VALID.match(value):
        return value
    return uuid.uuid4().hex


class RequestIdMiddleware:
    """First in MIDDLEWARE, so even a redirect or an error response carries the id."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request_id = accept_or_make(request.headers.get(HEADER))
        request.request_id = request_id
        token = request_id_var.set(request_id)
        started = time.monotonic()
        try:
            response = self.get_response(request)
            response[HEADER] = request_id
            match = getattr(request, "resolver_match", None)
            access_log.info(
                "%s %s %s",
                request.method,
                request.path,
                response.status_code,
                extra={
                    "method": request.method,
                    "path": request.path,
                    "status": response.status_code,
                    "view": match.view_name if match else "",
                    "duration_ms": round((time.monotonic() - started) * 1000, 1),
                },
            )
            return response
        finally:
            request_id_var.reset(token)


class RequestIdFilter(logging.Filter):
    """Adds ``request_id`` (empty outside a request or a task it enqueued) to records."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not getattr(record, "request_id", ""):
            record.request_id = request_id_var.get()
        return True


# --- Celery: carry the id from the request into the tasks it enqueues ---------------


def stamp_message(headers: dict | None) -> None:
    """before_task_publish: the publishing request's id travels as a message header."""
    request_id = request_id_var.get()
    if headers is not None and request_id and not headers.get("request_id"):
        headers["request_id"] = request_id


def enter_task(task) -> None:
    """task_prerun: the task runs (and logs) under the id of the request that sent it."""
    request_id = getattr(task.request, "request_id", None) or ""
    task.request._request_id_token = request_id_var.set(request_id)


def leave_task(task) -> None:
    token = getattr(task.request, "_request_id_token", None)
    if token is not None:
        request_id_var.reset(token)
        task.request._request_id_token = None
    else:
        request_id_var.set("")
