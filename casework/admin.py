"""Admin for every casework model, scoped like the rest of the app."""

from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin
from simple_history.admin import SimpleHistoryAdmin

from casework import search
from casework.access import colleagues_of
from casework.models import (
    ApiKey,
    CheckRequest,
    Evidence,
    EvidenceHash,
    Franchise,
    IdempotencyRecord,
    ImportJob,
    InfringingItem,
    ItemRollup,
    Platform,
    ProtectedElement,
    RemovalRollup,
    RemovedItemRollup,
    Respondent,
    RightsHolder,
    SavedFilter,
    StageEvent,
    VariantGroup,
    VerificationCheck,
)


class ScopedAdmin(admin.ModelAdmin):
    """Staff who are not superusers see only their rights holders' rows."""

    def get_queryset(self, request):
        return _scoped(super().get_queryset(request), request)

    def get_list_filter(self, request):
        """Relation filters list only values of the rows the user sees (no other holder's names)."""
        filters = []
        for entry in super().get_list_filter(request):
            if isinstance(entry, str) and "__" not in entry:
                field = self.model._meta.get_field(entry)
                if field.is_relation:
                    entry = (entry, admin.RelatedOnlyFieldListFilter)
            filters.append(entry)
        return filters

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        kwargs.setdefault("queryset", _related_choices(self, db_field, request))
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        kwargs.setdefault("queryset", _related_choices(self, db_field, request))
        return super().formfield_for_manytomany(db_field, request, **kwargs)


def _scoped(queryset, request):
    if queryset.model is get_user_model():
        return queryset.filter(pk__in=colleagues_of(request.user).values("pk"))
    return queryset.for_user(request.user) if hasattr(queryset, "for_user") else queryset


class ScopedUserAdmin(UserAdmin):
    """Staff who are not superusers see only the people of their own rights holders."""

    def get_queryset(self, request):
        return _scoped(super().get_queryset(request), request)


admin.site.unregister(get_user_model())
admin.site.register(get_user_model(), ScopedUserAdmin)


def _related_choices(model_admin, db_field, request):
    """The choices of a relation field in a change form, scoped like every other list."""
    queryset = model_admin.get_field_queryset(None, db_field, request)
    if queryset is None:
        queryset = db_field.remote_field.model._default_manager.all()
    return _scoped(queryset, request)


@admin.register(RightsHolder)
class RightsHolderAdmin(SimpleHistoryAdmin, ScopedAdmin):
    list_display = ["name", "code", "country", "time_zone", "response_days", "quiet_period_days"]
    search_fields = ["name", "code"]
    filter_horizontal = ["members"]


class ElementInline(admin.TabularInline):
    model = ProtectedElement
    extra = 0


@admin.register(Franchise)
class FranchiseAdmin(SimpleHistoryAdmin, ScopedAdmin):
    list_display = ["name", "rights_holder"]
    list_filter = ["rights_holder"]
    search_fields = ["name"]
    inlines = [ElementInline]


@admin.register(ProtectedElement)
class ProtectedElementAdmin(SimpleHistoryAdmin, ScopedAdmin):
    list_display = ["name", "kind", "franchise"]
    list_filter = ["kind"]
    list_select_related = ["franchise"]
    search_fields = ["name"]


@admin.register(Respondent)
class RespondentAdmin(admin.ModelAdmin):
    list_display = ["name", "agent_name", "agent_email"]
    search_fields = ["name"]


@admin.register(Platform)
class PlatformAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "respondent"]
    list_filter = ["kind"]
    list_select_related = ["respondent"]
    search_fields = ["name"]


class EvidenceInline(admin.TabularInline):
    model = Evidence
    extra = 0
    can_delete = False
    readonly_fields = ["file", "original_name", "content_type", "size", "sha256", "captured_at"]

    def has_add_permission(self, request, obj=None):
        return False


class StageEventInline(admin.TabularInline):
    model = StageEvent
    extra = 0
    can_delete = False
    readonly_fields = ["from_stage", "to_stage", "at", "by", "reason", "source", "demand"]

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(InfringingItem)
class InfringingItemAdmin(SimpleHistoryAdmin, ScopedAdmin):
    list_display = ["title", "rights_holder", "franchise", "platform", "stage", "created_at"]
    list_filter = ["stage", "conduct", "theory", "content_kind", "rights_holder"]
    list_select_related = ["rights_holder", "franchise", "platform"]
    search_fields = ["url", "title", "description"]
    readonly_fields = ["normalized_url", "stage", "relapse_count", "dismissal_reason"]
    raw_id_fields = ["franchise", "platform", "logged_by"]
    filter_horizontal = ["elements"]
    inlines = [EvidenceInline, StageEventInline]
    date_hierarchy = "created_at"
    show_full_result_count = False

    def get_search_results(self, request, queryset, search_term):
        """The item list's search (casework.search), not ``icontains`` on every column:
        the description has no trigram index, its words are in the tsvector."""
        return search.matching(queryset, search_term), False


@admin.register(Evidence)
class EvidenceAdmin(ScopedAdmin):
    list_display = ["original_name", "item", "sha256", "size", "captured_at"]
    raw_id_fields = ["item"]

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(StageEvent)
class StageEventAdmin(ScopedAdmin):
    list_display = ["item", "from_stage", "to_stage", "at", "by", "source"]
    list_filter = ["to_stage", "source"]
    raw_id_fields = ["item"]

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ReadOnlyAdmin(ScopedAdmin):
    """Records that never change once made (checks, jobs, letters, responses): look, don't touch."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(VerificationCheck)
class VerificationCheckAdmin(ReadOnlyAdmin):
    list_display = ["item", "checked_at", "method", "http_status", "outcome"]
    list_filter = ["outcome"]
    raw_id_fields = ["item"]


@admin.register(CheckRequest)
class CheckRequestAdmin(ReadOnlyAdmin):
    list_display = ["item", "status", "requested_by", "created_at", "publish_failed_at"]
    list_filter = ["status"]
    raw_id_fields = ["item", "result"]


@admin.register(ImportJob)
class ImportJobAdmin(ReadOnlyAdmin):
    list_display = ["original_name", "rights_holder", "status", "total_rows", "created_count"]
    list_filter = ["status"]


@admin.register(ItemRollup)
class ItemRollupAdmin(ReadOnlyAdmin):
    """The dashboard's rollup rows as the database keeps them (casework/rollups.py)."""

    list_display = ["rights_holder", "franchise", "platform", "stage", "week", "items"]
    list_filter = ["stage"]
    date_hierarchy = "week"


@admin.register(RemovalRollup)
class RemovalRollupAdmin(ReadOnlyAdmin):
    """The dashboard's removals per week as the database keeps them (casework/rollups.py)."""

    list_display = ["rights_holder", "franchise", "platform", "week", "removals"]
    date_hierarchy = "week"


@admin.register(RemovedItemRollup)
class RemovedItemRollupAdmin(ReadOnlyAdmin):
    """The dashboard's removed items per week logged, as the database keeps them."""

    list_display = ["rights_holder", "franchise", "platform", "week", "items", "notified"]
    date_hierarchy = "week"


class OwnJobAdmin(ReadOnlyAdmin):
    """Jobs visible only to the user who asked for them (and superusers)."""

    owner_field = "requested_by"

    def get_queryset(self, request):
        qs = admin.ModelAdmin.get_queryset(self, request)
        if request.user.is_superuser:
            return qs
        return qs.filter(**{self.owner_field: request.user})


@admin.register(ApiKey)
class ApiKeyAdmin(ReadOnlyAdmin):
    """Keys are made and revoked by the holder's managers on its API keys page; here they
    are only listed (the token is never stored, only its hash)."""

    list_display = ["name", "prefix", "rights_holder", "scope", "last_used_at", "revoked_at"]
    list_filter = ["scope"]
    exclude = ["hashed_token"]


@admin.register(IdempotencyRecord)
class IdempotencyRecordAdmin(OwnJobAdmin):
    """Stored answers of bulk API requests (superusers; a key's own service user)."""

    owner_field = "user"
    list_display = ["key", "user", "status_code", "created_at"]


@admin.register(VariantGroup)
class VariantGroupAdmin(ReadOnlyAdmin):
    """Made and merged only by casework.variants: looked at here, never edited."""

    list_display = ["__str__", "rights_holder", "item_count", "created_at"]
    list_filter = ["rights_holder"]


@admin.register(EvidenceHash)
class EvidenceHashAdmin(ReadOnlyAdmin):
    list_display = ["__str__", "item", "frame"]
    raw_id_fields = ["evidence", "item"]


@admin.register(SavedFilter)
class SavedFilterAdmin(ScopedAdmin):
    list_display = ["name", "owner", "rights_holder", "created_at"]
    list_select_related = ["owner", "rights_holder"]
    search_fields = ["name"]
