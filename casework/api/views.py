"""The casework API: items (list, retrieve, create, bulk create), evidence, stage
transitions, and the rights holder's catalogue. Thin: rules live in casework.bulk,
casework.evidence and casework.stages, as for the pages.

Every queryset goes through ``for_user`` (for a key, its service user: one holder),
so another holder's id is a 404.
"""

from django.db import transaction
from django.db.models import Prefetch
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response

from casework import evidence as evidence_store
from casework import stages
from casework.api import bulk, idempotency
from casework.api.base import ItemKeysetPagination, NewestFirstPagination, SizeLimitMixin
from casework.api.problems import Conflict
from casework.api.serializers import (
    BulkInputSerializer,
    BulkResultSerializer,
    ElementSerializer,
    EvidenceSerializer,
    EvidenceUploadSerializer,
    FranchiseSerializer,
    ItemInputSerializer,
    ItemSerializer,
    PlatformSerializer,
    RespondentSerializer,
    StageEventSerializer,
    TransitionSerializer,
)
from casework.filters import ItemFilter
from casework.models import (
    Evidence,
    Franchise,
    InfringingItem,
    Platform,
    ProtectedElement,
    Respondent,
    StageEvent,
)

ID = r"[0-9]{1,18}"


def _reason(request) -> str:
    key = request.auth
    who = f"API key {key.prefix}… ({key.name})" if hasattr(key, "prefix") else "the API"
    return f"Logged through {who}."


@extend_schema_view(
    list=extend_schema(summary="Items, filtered and paged like the item list page"),
    retrieve=extend_schema(summary="One item"),
)
class ItemViewSet(
    SizeLimitMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    """Infringing items of your rights holder: the list takes the item list page's
    filters (``q``, ``franchise``, ``stage``…) and its keyset paging."""

    serializer_class = ItemSerializer
    filterset_class = ItemFilter
    pagination_class = ItemKeysetPagination
    lookup_value_regex = ID
    # Left for the integrator: variant-group and Lumen actions live beside these.

    def get_queryset(self):
        return (
            InfringingItem.objects.for_user(self.request.user)
            .select_related("rights_holder", "franchise", "platform")
            .prefetch_related(Prefetch("elements", queryset=ProtectedElement.objects.only("pk")))
        )

    @extend_schema(
        summary="Log one item",
        request=ItemInputSerializer,
        responses={201: ItemSerializer},
    )
    def create(self, request, *args, **kwargs):
        [row] = bulk.create_items(request.user, [request.data], reason=_reason(request))
        if row.status == bulk.ERROR:
            from rest_framework.exceptions import ValidationError

            raise ValidationError({e["field"]: [e["reason"]] for e in row.errors})
        if row.status == bulk.DUPLICATE:
            raise Conflict(
                f"An item with this URL is already logged: item {row.id}.", existing_id=row.id
            )
        item = self.get_queryset().get(pk=row.id)
        return Response(ItemSerializer(item).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="Log up to 1,000 items; each row is answered: created, duplicate or error",
        request=BulkInputSerializer,
        responses={200: BulkResultSerializer},
        parameters=[
            OpenApiParameter(
                idempotency.HEADER,
                OpenApiTypes.STR,
                OpenApiParameter.HEADER,
                required=True,
                description="A key of your choice per batch (1-255 visible ASCII). Sending "
                "the same key again returns the first answer and creates nothing.",
            )
        ],
    )
    @action(detail=False, methods=["post"], url_path="bulk")
    def bulk(self, request, *args, **kwargs):
        key = idempotency.key_of(request)
        payload = BulkInputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        idempotency.purge()

        def run():
            results = bulk.create_items(
                request.user, payload.validated_data["items"], reason=_reason(request)
            )
            return status.HTTP_200_OK, bulk.summary(results)

        return idempotency.once(request, key, run)

    @extend_schema(
        methods=["GET"],
        summary="The item's evidence",
        responses={200: EvidenceSerializer(many=True)},
    )
    @extend_schema(
        methods=["POST"],
        summary="Add one evidence file (multipart), checked and hashed like the page's",
        request={"multipart/form-data": EvidenceUploadSerializer},
        responses={201: EvidenceSerializer},
    )
    @action(
        detail=True,
        methods=["get", "post"],
        parser_classes=[MultiPartParser, FormParser],
        pagination_class=None,
        filterset_class=None,
    )
    def evidence(self, request, *args, **kwargs):
        item = self.get_object()
        if request.method == "GET":
            rows = Evidence.objects.filter(item=item)
            return Response(EvidenceSerializer(rows, many=True).data)
        form = EvidenceUploadSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        upload = form.validated_data["file"]
        content_type = evidence_store.validate_upload(upload)  # a ValidationError is a 400
        stored = []
        try:
            with transaction.atomic():
                stored.append(
                    evidence_store.store(
                        item,
                        upload,
                        by=request.user,
                        note=form.validated_data["note"],
                        content_type=content_type,
                    )
                )
        except Exception:
            evidence_store.discard([e.file.name for e in stored])
            raise
        return Response(EvidenceSerializer(stored[0]).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="Move the item to another stage (identified → notified → removed → ceased)",
        request=TransitionSerializer,
        responses={201: StageEventSerializer},
    )
    @action(detail=True, methods=["post"], filterset_class=None)
    def transitions(self, request, *args, **kwargs):
        item = self.get_object()
        form = TransitionSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        try:
            event = stages.transition(
                item,
                form.validated_data["target"],
                by=request.user,
                reason=form.validated_data["reason"],
            )
        except stages.TransitionError as exc:
            raise Conflict(str(exc)) from exc
        return Response(StageEventSerializer(event).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="The item's stage history", responses={200: StageEventSerializer(many=True)}
    )
    @transitions.mapping.get
    def history(self, request, *args, **kwargs):
        item = self.get_object()
        return Response(StageEventSerializer(StageEvent.objects.filter(item=item), many=True).data)

    def filter_queryset(self, queryset):
        # The FilterSet narrows the list only; a detail route looks up by id alone.
        if self.action != "list":
            return queryset
        return super().filter_queryset(queryset)


class _ReadOnly(SizeLimitMixin, viewsets.ReadOnlyModelViewSet):
    lookup_value_regex = ID
    pagination_class = NewestFirstPagination


class FranchiseViewSet(_ReadOnly):
    """Your franchises."""

    serializer_class = FranchiseSerializer
    pagination_class = None

    def get_queryset(self):
        return Franchise.objects.for_user(self.request.user).order_by("name", "pk")


@extend_schema_view(
    list=extend_schema(
        parameters=[
            OpenApiParameter("franchise", OpenApiTypes.INT, description="Of one franchise.")
        ]
    )
)
class ElementViewSet(_ReadOnly):
    """Protected elements of your franchises."""

    serializer_class = ElementSerializer
    pagination_class = None

    def get_queryset(self):
        elements = ProtectedElement.objects.for_user(self.request.user).order_by(
            "franchise_id", "name", "pk"
        )
        franchise = self.request.query_params.get("franchise", "")
        if self.action == "list" and franchise:
            if not (franchise.isdigit() and len(franchise) <= 18):
                from rest_framework.exceptions import ValidationError

                raise ValidationError({"franchise": ["Give a franchise id."]})
            elements = elements.filter(franchise_id=int(franchise))
        return elements


class PlatformViewSet(_ReadOnly):
    """Platforms (shared by all rights holders)."""

    serializer_class = PlatformSerializer
    pagination_class = None
    queryset = Platform.objects.order_by("name", "pk")


class RespondentViewSet(_ReadOnly):
    """Respondents (shared by all rights holders)."""

    serializer_class = RespondentSerializer
    pagination_class = None
    queryset = Respondent.objects.order_by("name", "pk")
