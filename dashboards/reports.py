"""Asking for a PDF report of the dashboard: one unfinished report per manager."""

from django.contrib.auth import get_user_model
from django.db import transaction

from dashboards.models import DashboardReport


def request_report(user, filters: dict) -> bool:
    """Queue a report of ``filters`` for ``user`` (published on commit); False, queuing
    nothing, while one of theirs is still queued or running (a repeated click, or a
    broker that is down: the panel shows that report and says it waits)."""
    with transaction.atomic():
        # The user's row lock orders two clicks, so both cannot miss the first report.
        get_user_model().objects.select_for_update().filter(pk=user.pk).first()
        if DashboardReport.objects.filter(
            requested_by=user, status__in=[DashboardReport.QUEUED, DashboardReport.RUNNING]
        ).exists():
            return False
        DashboardReport.objects.create(requested_by=user, filters=filters).enqueue()
    return True
