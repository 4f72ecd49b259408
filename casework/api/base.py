"""What every API view shares: the request size limit and the item list's keyset paging."""

from django.conf import settings
from rest_framework import exceptions
from rest_framework.pagination import BasePagination, CursorPagination
from rest_framework.response import Response
from rest_framework.utils.urls import remove_query_param, replace_query_param

from casework.api.problems import PayloadTooLarge
from casework.filters import DEFAULT_SORT, SORTS, sort_of
from casework.paging import paginate

# A multipart upload may carry one evidence file and a note.
MULTIPART_SLACK = 1024 * 1024


class SizeLimitMixin:
    """Refuse a body larger than the limit with a 413 before reading it.

    DRF reads JSON from the stream, past Django's DATA_UPLOAD_MAX_MEMORY_SIZE check
    (which guards only ``request.body``), so the limit is enforced here: JSON and
    forms up to DATA_UPLOAD_MAX_MEMORY_SIZE, multipart up to EVIDENCE_MAX_BYTES.
    """

    def initial(self, request, *args, **kwargs):
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        multipart = request.content_type.startswith("multipart/")
        limit = (
            settings.EVIDENCE_MAX_BYTES + MULTIPART_SLACK
            if multipart
            else settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        )
        if length > limit:
            raise PayloadTooLarge(
                f"The request body is {length:,} bytes; this endpoint accepts at most "
                f"{limit:,} bytes."
            )
        super().initial(request, *args, **kwargs)


class ItemKeysetPagination(BasePagination):
    """The item list page's keyset paging (casework.paging) and sorts (casework.filters).

    ``?size=`` (1 to API_MAX_PAGE_SIZE), ``?sort=`` as on the page, ``?after=`` /
    ``?before=`` the opaque cursors of ``next`` / ``previous``. Never a COUNT(*).
    """

    default_size = 50

    def paginate_queryset(self, queryset, request, view=None):
        raw = request.query_params.get("size", "")
        size = self.default_size
        if raw:
            if not raw.isdigit() or not 1 <= int(raw) <= settings.API_MAX_PAGE_SIZE:
                raise exceptions.ValidationError(
                    {"size": [f"Give a whole number from 1 to {settings.API_MAX_PAGE_SIZE}."]}
                )
            size = int(raw)
        _, order = sort_of(request.query_params)
        self.request = request
        self.page = paginate(
            queryset,
            sort=order,
            size=size,
            after=request.query_params.get("after", ""),
            before=request.query_params.get("before", ""),
        )
        return list(self.page)

    def _link(self, name, cursor):
        url = self.request.build_absolute_uri()
        url = remove_query_param(url, "before" if name == "after" else "after")
        return replace_query_param(url, name, cursor)

    def get_paginated_response(self, data):
        page = self.page
        return Response(
            {
                "next": self._link("after", page.next_cursor) if page.has_next else None,
                "previous": (
                    self._link("before", page.previous_cursor) if page.has_previous else None
                ),
                "results": data,
            }
        )

    def get_paginated_response_schema(self, schema):
        return {
            "type": "object",
            "required": ["next", "previous", "results"],
            "properties": {
                "next": {"type": "string", "format": "uri", "nullable": True},
                "previous": {"type": "string", "format": "uri", "nullable": True},
                "results": schema,
            },
        }

    def get_schema_operation_parameters(self, view):
        sorts = sorted([*SORTS, *(f"-{s}" for s in SORTS)])

        def param(name, schema, description):
            return {
                "name": name,
                "required": False,
                "in": "query",
                "description": description,
                "schema": schema,
            }

        return [
            param(
                "size",
                {"type": "integer", "minimum": 1, "maximum": settings.API_MAX_PAGE_SIZE},
                "Items per page (default 50).",
            ),
            param("sort", {"type": "string", "enum": sorts}, f"Order (default {DEFAULT_SORT})."),
            param("after", {"type": "string"}, "Cursor: the page after this one (from next)."),
            param("before", {"type": "string"}, "Cursor: the page before (from previous)."),
        ]


class NewestFirstPagination(CursorPagination):
    """Cursor paging of the other lists, newest first."""

    ordering = ("-created_at", "-id")
    page_size = 50
    page_size_query_param = "size"
    max_page_size = 200
