"""The notices API: demands and their remedies (read), remedy compliance (write keys).

Compliance goes through ``notices.workflow.record_compliance``, the rule the demand
page uses: only after sending, only by someone who may edit (a write key), one
DemandEvent per change. Another holder's demand or remedy is a 404.

``/api/v1/demands/{id}/lumen/`` is the sent demand as a Lumen notice
(``notices.lumen.lumen_notice``, the same document the demand page downloads); a
demand not sent is a 409 that says why.
"""

from django.db.models import Count, Prefetch
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.routers import SimpleRouter

from casework.api.base import NewestFirstPagination, SizeLimitMixin
from casework.api.problems import Conflict
from casework.inputs import EARLIEST_DATE, LATEST_DATE
from notices import workflow
from notices.choices import RemedyStatus
from notices.lumen import LumenExportRefused, lumen_notice
from notices.models import Demand, Remedy

ID = r"[0-9]{1,18}"


class RemedySerializer(serializers.ModelSerializer):
    class Meta:
        model = Remedy
        fields = ["id", "demand", "position", "kind", "text", "status", "status_on", "note"]
        read_only_fields = fields


class DemandSerializer(serializers.ModelSerializer):
    respondent_name = serializers.CharField(source="respondent.name", read_only=True)
    item_count = serializers.IntegerField(read_only=True)
    remedies = RemedySerializer(many=True, read_only=True)

    class Meta:
        model = Demand
        fields = [
            "id",
            "reference",
            "respondent",
            "respondent_name",
            "status",
            "response_days",
            "deadline",
            "deadline_at",
            "sent_on",
            "sent_at",
            "sent_channels",
            "overdue",
            "item_count",
            "remedies",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class ComplianceSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=RemedyStatus.choices)
    on = serializers.DateField(required=False, help_text="Compliance date (default: today).")
    note = serializers.CharField(required=False, allow_blank=True, max_length=5000, default="")

    def validate_on(self, value):
        if not EARLIEST_DATE <= value <= LATEST_DATE:
            raise serializers.ValidationError(
                f"Enter a date between {EARLIEST_DATE:%Y-%m-%d} and {LATEST_DATE:%Y-%m-%d}."
            )
        return value


@extend_schema_view(
    list=extend_schema(summary="Your demands, newest first"),
    retrieve=extend_schema(summary="One demand with its remedies"),
)
class DemandViewSet(SizeLimitMixin, viewsets.ReadOnlyModelViewSet):
    """Your demands, with their remedies and how many items each covers."""

    serializer_class = DemandSerializer
    pagination_class = NewestFirstPagination
    lookup_value_regex = ID

    def get_queryset(self):
        return (
            Demand.objects.for_user(self.request.user)
            .select_related("respondent")
            .prefetch_related(Prefetch("remedies", queryset=Remedy.objects.order_by("position")))
            .annotate(item_count=Count("items"))
        )

    @extend_schema(
        summary="The sent demand as a Lumen notice (their create-notice JSON)",
        description="The notice the demand page's Lumen download gives, checked against "
        "notices/schemas/lumen_notice.schema.json. Contact details are left out unless "
        "the rights holder opted in. A demand not sent yet is a 409 that says why.",
        responses={200: OpenApiTypes.OBJECT},
    )
    @action(detail=True, methods=["get"])
    def lumen(self, request, *args, **kwargs):
        demand = self.get_object()
        try:
            return Response(lumen_notice(demand))
        except LumenExportRefused as exc:
            raise Conflict(str(exc)) from exc


@extend_schema_view(
    list=extend_schema(
        summary="Remedies of your demands",
        parameters=[OpenApiParameter("demand", OpenApiTypes.INT, description="Of one demand.")],
    ),
    retrieve=extend_schema(summary="One remedy"),
)
class RemedyViewSet(SizeLimitMixin, viewsets.ReadOnlyModelViewSet):
    """Remedies of your demands and the respondent's compliance with each."""

    serializer_class = RemedySerializer
    lookup_value_regex = ID
    pagination_class = None

    def get_queryset(self):
        remedies = Remedy.objects.for_user(self.request.user).order_by("demand_id", "position")
        demand = self.request.query_params.get("demand", "")
        if self.action == "list" and not getattr(self, "swagger_fake_view", False):
            if not demand:
                raise ValidationError({"demand": ["Name the demand: ?demand=<id>."]})
            if not (demand.isdigit() and len(demand) <= 18):
                raise ValidationError({"demand": ["Give a demand id."]})
            remedies = remedies.filter(demand_id=int(demand))
        return remedies

    @extend_schema(
        summary="Record the respondent's compliance with this remedy (write keys)",
        request=ComplianceSerializer,
        responses={200: RemedySerializer},
    )
    @action(detail=True, methods=["post"])
    def compliance(self, request, *args, **kwargs):
        remedy = self.get_object()
        form = ComplianceSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        data = form.validated_data
        try:
            remedy = workflow.record_compliance(
                remedy, by=request.user, status=data["status"], on=data.get("on"), note=data["note"]
            )
        except (ValueError, workflow.WorkflowError) as exc:
            raise Conflict(str(exc)) from exc
        return Response(RemedySerializer(remedy).data, status=status.HTTP_200_OK)


router = SimpleRouter()
router.register("demands", DemandViewSet, basename="demand")
router.register("remedies", RemedyViewSet, basename="remedy")
