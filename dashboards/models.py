"""Dashboards: PDF reports of the manager dashboard, rendered by the worker."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse

from casework.choices import JobStatus
from casework.jobs import Job
from casework.models import choices_check


class ReportQuerySet(models.QuerySet):
    def for_user(self, user):
        """A report holds figures across the requester's rights holders: only they see it."""
        if not user.is_authenticated or not user.is_active:
            return self.none()
        return self.filter(requested_by=user)


def report_path(instance, filename):
    return f"reports/{instance.requested_by_id}/{filename}"


class DashboardReport(Job):
    """A PDF of the manager dashboard, rendered by the worker for the filters asked.

    A job (casework.jobs): the row is the source of truth for status; the dashboard
    polls it until it is done or failed (with its reason).
    """

    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    filters = models.JSONField(default=dict, blank=True)
    file = models.FileField(upload_to=report_path, blank=True, max_length=500)
    size = models.PositiveBigIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    task_name = "dashboards.tasks.render_dashboard_report"
    work = "the report"

    objects = ReportQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [choices_check("status", JobStatus)]
        indexes = [
            # The sweeper: reports stuck in queued or running.
            models.Index(
                fields=["status", "queued_at"],
                name="report_unfinished",
                condition=Q(status__in=["queued", "running"]),
            )
        ]

    def __str__(self):
        return f"Dashboard report {self.pk}"

    def get_absolute_url(self):
        return reverse("dashboard:report-download", args=[self.pk])
