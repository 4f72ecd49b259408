"""The bench's admin baseline: the item changelist as a user would set it up for the
list the item page shows, beside the project's own admin.

Same columns as /items/, the rows' relations selected in the same query, the same
filters (stage, franchise, platform, search), no full result count, no date
hierarchy, 100 rows a page. Mounted at /bench-admin/ by this module's URLconf,
which the item-list scenario switches to while it measures.
"""

from django.contrib import admin
from django.urls import include, path

from casework.models import InfringingItem


class ConfiguredItemAdmin(admin.ModelAdmin):
    list_display = ["title", "franchise", "platform", "stage", "first_seen", "created_at"]
    list_select_related = ["rights_holder", "franchise", "platform"]
    list_filter = ["stage", "franchise", "platform"]
    search_fields = ["url", "title", "description"]
    show_full_result_count = False
    list_per_page = 100
    ordering = ["-created_at", "-id"]


site = admin.AdminSite(name="bench_admin")
site.register(InfringingItem, ConfiguredItemAdmin)

urlpatterns = [
    path("bench-admin/", site.urls),
    path("", include("config.urls")),
]
