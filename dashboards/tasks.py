"""Celery tasks of dashboards: thin wrappers; the rules live in dashboards.figures."""

from celery import shared_task

from dashboards import figures


@shared_task
def render_dashboard_report(report_id: int) -> None:
    """Render one DashboardReport row to PDF (claim → render → finish, on the row)."""
    figures.render_report(report_id)
