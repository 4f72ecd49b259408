"""Admin for every notices model, scoped to the user's rights holders."""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from casework.admin import OwnJobAdmin, ReadOnlyAdmin, ScopedAdmin
from notices.models import (
    Demand,
    DemandCounter,
    DemandEvent,
    DemandNotification,
    DemandReminder,
    ExportJob,
    HolderClosureDay,
    Letter,
    LetterTemplate,
    Remedy,
    Response,
    ResponseFile,
)


class RemedyInline(admin.TabularInline):
    model = Remedy
    extra = 0


@admin.register(Demand)
class DemandAdmin(ScopedAdmin):
    list_display = ["reference", "rights_holder", "respondent", "status", "deadline", "sent_at"]
    list_filter = ["status", "rights_holder", "respondent"]
    list_select_related = ["rights_holder", "respondent"]
    search_fields = ["reference"]
    raw_id_fields = ["items", "prepared_by"]
    inlines = [RemedyInline]


@admin.register(Remedy)
class RemedyAdmin(ScopedAdmin):
    list_display = ["demand", "position", "kind", "status"]
    list_filter = ["kind", "status"]


@admin.register(DemandEvent)
class DemandEventAdmin(ScopedAdmin):
    list_display = ["demand", "action", "from_status", "to_status", "by", "at"]

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(LetterTemplate)
class LetterTemplateAdmin(SimpleHistoryAdmin, ReadOnlyAdmin):
    """Template versions are made on the template page; a version never changes."""

    list_display = ["rights_holder", "version", "signatory_name", "created_at"]
    list_filter = ["rights_holder"]


@admin.register(Letter)
class LetterAdmin(ReadOnlyAdmin):
    """Letter versions are made by rendering and sending; a version never changes."""

    list_display = ["demand", "version", "purpose", "status", "pages", "size", "created_at"]
    list_filter = ["purpose", "status"]
    list_select_related = ["demand"]


@admin.register(HolderClosureDay)
class HolderClosureDayAdmin(ScopedAdmin):
    """A rights holder's own closure days: not business days when deadlines are counted."""

    list_display = ["rights_holder", "date", "reason"]
    list_filter = ["rights_holder"]
    date_hierarchy = "date"


@admin.register(DemandCounter)
class DemandCounterAdmin(ScopedAdmin):
    list_display = ["rights_holder", "year", "last_number"]


@admin.register(ExportJob)
class ExportJobAdmin(OwnJobAdmin):
    owner_field = "created_by"
    list_display = ["pk", "created_by", "status", "processed", "total", "created_at"]


class ResponseFileInline(admin.TabularInline):
    model = ResponseFile
    extra = 0
    can_delete = False
    readonly_fields = ["file", "original_name", "content_type", "size", "sha256"]

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Response)
class ResponseAdmin(ReadOnlyAdmin):
    list_display = ["demand", "received_on", "is_counter_notice", "remedy", "recorded_by"]
    list_filter = ["is_counter_notice"]
    list_select_related = ["demand", "remedy", "recorded_by"]
    search_fields = ["demand__reference", "text"]
    inlines = [ResponseFileInline]


@admin.register(ResponseFile)
class ResponseFileAdmin(ReadOnlyAdmin):
    list_display = ["original_name", "response", "content_type", "size", "sha256"]
    list_select_related = ["response"]


@admin.register(DemandReminder)
class DemandReminderAdmin(ReadOnlyAdmin):
    list_display = ["demand", "kind", "sent_at"]


@admin.register(DemandNotification)
class DemandNotificationAdmin(ReadOnlyAdmin):
    list_display = ["event", "sent_at"]
    list_select_related = ["event"]
