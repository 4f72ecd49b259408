"""Admin of dashboard reports: each user sees only the reports they asked for."""

from django.contrib import admin

from casework.admin import OwnJobAdmin
from dashboards.models import DashboardReport


@admin.register(DashboardReport)
class DashboardReportAdmin(OwnJobAdmin):
    list_display = ["pk", "requested_by", "status", "created_at"]
