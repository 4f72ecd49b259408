"""Admin for every notices model, scoped to the user's rights holders."""

from django.contrib import admin

from casework.admin import OwnJobAdmin, ReadOnlyAdmin, ScopedAdmin
from notices.models import (
    Demand,
    DemandCounter,
    DemandEvent,
    DemandReminder,
    ExportJob,
    Letter,
    LetterTemplate,
    Remedy,
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
class LetterTemplateAdmin(ScopedAdmin):
    list_display = ["rights_holder", "version", "signatory_name", "created_at"]


@admin.register(Letter)
class LetterAdmin(ScopedAdmin):
    list_display = ["demand", "version", "status", "pages", "size", "created_at"]
    list_filter = ["status"]
    readonly_fields = ["file", "sha256", "pages", "size", "status", "error"]


@admin.register(DemandCounter)
class DemandCounterAdmin(ScopedAdmin):
    list_display = ["rights_holder", "year", "last_number"]


@admin.register(ExportJob)
class ExportJobAdmin(OwnJobAdmin):
    owner_field = "created_by"
    list_display = ["pk", "created_by", "status", "processed", "total", "created_at"]


@admin.register(DemandReminder)
class DemandReminderAdmin(ReadOnlyAdmin):
    list_display = ["demand", "kind", "sent_at"]
