"""What the API reads and writes: items, evidence, stage events and the catalogue."""

from django.conf import settings
from rest_framework import serializers

from casework.choices import Conduct, ContentKind, Stage, Theory
from casework.inputs import EARLIEST_DATE, LATEST_DATE
from casework.models import (
    Evidence,
    Franchise,
    InfringingItem,
    Platform,
    ProtectedElement,
    Respondent,
    StageEvent,
)


class FranchiseSerializer(serializers.ModelSerializer):
    class Meta:
        model = Franchise
        fields = ["id", "name", "registration_number"]


class ElementSerializer(serializers.ModelSerializer):
    class Meta:
        model = ProtectedElement
        fields = ["id", "franchise", "name", "kind", "registration_number", "description"]


class PlatformSerializer(serializers.ModelSerializer):
    class Meta:
        model = Platform
        fields = ["id", "name", "kind", "url", "description", "respondent"]


class RespondentSerializer(serializers.ModelSerializer):
    class Meta:
        model = Respondent
        fields = ["id", "name", "legal_address", "agent_name", "agent_email"]


class ItemSerializer(serializers.ModelSerializer):
    """An item as read: its catalogue ids, with names for a human reading along."""

    reference = serializers.CharField(read_only=True)
    franchise_name = serializers.CharField(source="franchise.name", read_only=True)
    platform_name = serializers.CharField(source="platform.name", read_only=True)
    elements = serializers.PrimaryKeyRelatedField(many=True, read_only=True)

    class Meta:
        model = InfringingItem
        fields = [
            "id",
            "reference",
            "url",
            "normalized_url",
            "title",
            "description",
            "franchise",
            "franchise_name",
            "elements",
            "platform",
            "platform_name",
            "content_kind",
            "conduct",
            "theory",
            "stage",
            "stage_changed_at",
            "dismissal_reason",
            "relapse_count",
            "first_seen",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class ItemInputSerializer(serializers.Serializer):
    """One new item. Catalogue ids are checked against the caller's own catalogue by
    ``casework.api.bulk`` (one query per kind for a whole batch, not per row)."""

    franchise = serializers.IntegerField(min_value=1, help_text="One of your franchises.")
    platform = serializers.IntegerField(min_value=1)
    elements = serializers.ListField(
        child=serializers.IntegerField(min_value=1),
        required=False,
        default=list,
        max_length=100,
        help_text="Protected elements of that franchise.",
    )
    url = serializers.URLField(max_length=2000)
    title = serializers.CharField(max_length=300)
    description = serializers.CharField(required=False, allow_blank=True, default="")
    content_kind = serializers.ChoiceField(choices=ContentKind.choices)
    conduct = serializers.ChoiceField(choices=Conduct.choices)
    theory = serializers.ChoiceField(choices=Theory.choices, default=Theory.DIRECT)
    first_seen = serializers.DateField()

    def validate_first_seen(self, value):
        if not EARLIEST_DATE <= value <= LATEST_DATE:
            raise serializers.ValidationError(
                f"Enter a date between {EARLIEST_DATE:%Y-%m-%d} and {LATEST_DATE:%Y-%m-%d}."
            )
        return value

    def validate_title(self, value):
        if "\x00" in value:
            raise serializers.ValidationError("Null characters are not allowed.")
        return value

    def validate_description(self, value):
        return self.validate_title(value)


class BulkInputSerializer(serializers.Serializer):
    items = serializers.ListField(
        child=serializers.DictField(),
        min_length=1,
        max_length=settings.API_BULK_MAX_ROWS,
        help_text="Up to API_BULK_MAX_ROWS items, each as for item create.",
    )


class BulkRowSerializer(serializers.Serializer):
    index = serializers.IntegerField(help_text="Position of the row in the request.")
    status = serializers.ChoiceField(choices=["created", "duplicate", "error"])
    id = serializers.IntegerField(
        required=False, help_text="The new item, or the existing one a duplicate repeats."
    )
    errors = serializers.ListField(child=serializers.DictField(), required=False)


class BulkResultSerializer(serializers.Serializer):
    created = serializers.IntegerField()
    duplicates = serializers.IntegerField()
    errors = serializers.IntegerField()
    results = BulkRowSerializer(many=True)


class EvidenceSerializer(serializers.ModelSerializer):
    class Meta:
        model = Evidence
        fields = [
            "id",
            "item",
            "original_name",
            "content_type",
            "size",
            "sha256",
            "captured_at",
            "note",
        ]
        read_only_fields = fields


class EvidenceUploadSerializer(serializers.Serializer):
    file = serializers.FileField(help_text="Checked like the page's: size, type and contents.")
    note = serializers.CharField(required=False, allow_blank=True, max_length=300, default="")


class TransitionSerializer(serializers.Serializer):
    target = serializers.ChoiceField(choices=Stage.choices)
    reason = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=2000,
        default="",
        help_text="Required to dismiss.",
    )


class StageEventSerializer(serializers.ModelSerializer):
    class Meta:
        model = StageEvent
        fields = ["id", "item", "from_stage", "to_stage", "at", "reason", "source"]
        read_only_fields = fields
