"""Errors as RFC 9457 problem details (``application/problem+json``).

Every API error answers ``{"type", "title", "status", "detail"}``, and a request
with invalid fields adds ``errors``: one ``{"field", "reason"}`` per problem, the
field as a dotted path (``items.3.url``) so a client can point at it.
"""

from http import HTTPStatus

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import RequestDataTooBig
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, JsonResponse
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

PROBLEM_TYPE = "application/problem+json"


class PayloadTooLarge(exceptions.APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_detail = "The request body is too large."
    default_code = "too_large"


class Conflict(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = "The request conflicts with the current state of the resource."
    default_code = "conflict"

    def __init__(self, detail=None, code=None, **extra):
        super().__init__(detail, code)
        self.extra = extra


class Unprocessable(exceptions.APIException):
    status_code = status.HTTP_422_UNPROCESSABLE_ENTITY
    default_detail = "The request cannot be processed."
    default_code = "unprocessable"


def flatten(errors, prefix: str = "") -> list[dict]:
    """DRF's nested error structure as a flat list of {"field", "reason"}."""
    out = []
    if isinstance(errors, dict):
        for name, value in errors.items():
            field = name if name != "non_field_errors" else ""
            path = f"{prefix}.{field}" if prefix and field else (prefix or field)
            out.extend(flatten(value, path))
    elif isinstance(errors, list | tuple):
        if all(not isinstance(e, dict | list | tuple) for e in errors):
            out.extend({"field": prefix, "reason": str(e)} for e in errors)
        else:
            for position, value in enumerate(errors):
                if value:
                    out.extend(flatten(value, f"{prefix}.{position}" if prefix else str(position)))
    else:
        out.append({"field": prefix, "reason": str(errors)})
    return out


def problem(status_code: int, detail: str, *, errors=None, headers=None, **extra) -> Response:
    body = {
        "type": "about:blank",
        "title": HTTPStatus(status_code).phrase,
        "status": status_code,
        "detail": detail,
    }
    if errors is not None:
        body["errors"] = errors
    body.update(extra)
    return Response(body, status=status_code, headers=headers, content_type=PROBLEM_TYPE)


def _detail_of(exc, errors) -> str:
    if isinstance(exc, exceptions.ValidationError):
        fields = sorted({e["field"] for e in errors if e["field"]})
        if fields:
            return f"Invalid input in {', '.join(fields)}: {errors[0]['reason']}"
        return errors[0]["reason"] if errors else "Invalid input."
    detail = exc.detail
    if isinstance(detail, dict | list):
        flat = flatten(detail)
        return flat[0]["reason"] if flat else str(exc.default_detail)
    return str(detail)


def exception_handler(exc, context):
    """DRF's handler, answered as problem details (headers such as Retry-After kept)."""
    if isinstance(exc, Http404):
        exc = exceptions.NotFound("Not found (or not one of your rights holder's).")
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied(str(exc) or None)
    elif isinstance(exc, RequestDataTooBig):
        exc = PayloadTooLarge(str(exc) or None)
    elif isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(
            exc.message_dict if hasattr(exc, "error_dict") else {"": exc.messages}
        )
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    errors = flatten(exc.detail) if isinstance(exc, exceptions.ValidationError) else None
    headers = {
        name: value
        for name, value in response.headers.items()
        if name.lower() in ("retry-after", "www-authenticate", "allow")
    }
    extra = getattr(exc, "extra", {}) or {}
    return problem(
        response.status_code, _detail_of(exc, errors), errors=errors, headers=headers, **extra
    )


def not_found(request, exception=None):
    """handler404: a problem document under /api/, Django's page elsewhere."""
    if request.path.startswith("/api/"):
        body = {
            "type": "about:blank",
            "title": "Not Found",
            "status": 404,
            "detail": "No such resource.",
        }
        return JsonResponse(body, status=404, content_type=PROBLEM_TYPE)
    from django.views.defaults import page_not_found

    return page_not_found(request, exception)
