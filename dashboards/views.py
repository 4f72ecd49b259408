"""Manager dashboard, its CSV and PDF exports, and the demand status board.
Thin views: figures come from dashboards.figures.

Who sees what: the dashboard and its exports are for managers (the design gives
dashboards to managers; legal staff and viewers get 403, like every other
manager-only action). The status board is a read-only list of the user's own
open demands, which legal staff chase and viewers may already read one by one,
so every member sees it. Everything is scoped by ``for_user``.
"""

import csv
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import BooleanField, Exists, ExpressionWrapper, OuterRef, Prefetch
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from casework import downloads, variants
from casework.access import get_for, require_manager
from casework.choices import JobStatus
from casework.models import Platform
from config import jinja2
from dashboards import figures as dashboard
from dashboards import reports as dashboard_reports
from dashboards.models import DashboardReport
from notices.choices import RemedyKind, RemedyStatus
from notices.models import Demand, Remedy, Response
from notices.workflow import AFTER_SENDING, is_overdue_q

RECENT_REPORTS = 5


def _selection(request):
    form = dashboard.DashboardFilterForm(request.GET or None, user=request.user)
    return form, dashboard.Selection.from_form(form, request.user)


def _reports(user):
    return list(DashboardReport.objects.for_user(user)[:RECENT_REPORTS])


@login_required
@require_GET
def dashboard_view(request):
    require_manager(request.user)
    form, sel = _selection(request)
    data = dashboard.figures(sel)
    # Distinct infringements beside URLs: a variant group counts once (casework.variants).
    distinct = variants.distinct_infringements(sel.items(), urls=data["funnel"]["total"]["total"])
    params = urlencode(sel.as_params())
    reports = _reports(request.user)
    return render(
        request,
        "dashboards/dashboard.html",
        {
            "nav": "dashboard",
            "form": form,
            "sel": sel,
            "data": data,
            "chart": jinja2.fragment("dashboards/chart.html", {"chart": data["chart"]}),
            "distinct": distinct,
            "query": params,
            "reports": reports,
            "polling": any(r.unfinished for r in reports),
        },
    )


@login_required
@require_GET
def dashboard_csv(request):
    require_manager(request.user)
    _form, sel = _selection(request)
    data = dashboard.figures(sel)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    stamp = timezone.localdate().isoformat()
    response["Content-Disposition"] = f'attachment; filename="desist-dashboard-{stamp}.csv"'
    writer = csv.writer(response)
    for row in dashboard.csv_rows(sel, data):
        writer.writerow([_safe_cell(v) for v in row])
    return response


def _safe_cell(value):
    """Keep spreadsheet formulas out of exported text (CSV injection)."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


@login_required
@require_POST
def report_create(request):
    """Queue a PDF of the dashboard for the filters shown; the worker renders it."""
    require_manager(request.user)
    form = dashboard.DashboardFilterForm(request.POST, user=request.user)
    sel = dashboard.Selection.from_form(form, request.user)
    if dashboard_reports.request_report(request.user, sel.as_params()):
        messages.success(request, "The PDF report is being prepared; it appears below when ready.")
    else:
        messages.info(request, "Your PDF report is already being prepared; it appears below.")
    query = urlencode(sel.as_params())
    return redirect(reverse("dashboard:index") + (f"?{query}" if query else "") + "#reports")


@login_required
@require_GET
def report_list(request):
    """The reports panel alone: htmx polls it while a report is queued or running."""
    require_manager(request.user)
    reports = _reports(request.user)
    return render(
        request,
        "dashboards/dashboard_reports.html",
        {"reports": reports, "polling": any(r.unfinished for r in reports)},
    )


@login_required
@require_GET
def report_download(request, pk):
    report = get_for(request.user, DashboardReport.objects, "manage", pk=pk)
    if report.status != JobStatus.DONE or not report.file:
        raise Http404("This report is not ready.")
    return downloads.file_response(
        report.file,
        filename=f"desist-dashboard-{report.created_at:%Y-%m-%d}-{report.pk}.pdf",
        content_type="application/pdf",
        presign=True,
        size=report.size,
    )


def _platform(value: str):
    """The platform a board link names (platforms are shared), or None."""
    if not (value.isdigit() and len(value) <= 18):
        return None
    return Platform.objects.filter(pk=int(value)).first()


@login_required
@require_GET
def board(request):
    """Every open demand's remedies as a grid: status and since when."""
    form, sel = _selection(request)
    demands = sel.demands().filter(status__in=sorted(AFTER_SENDING))
    # The compliance figures link here: demands with a remedy of this kind and status.
    wanted = {}
    if request.GET.get("remedy_kind") in RemedyKind.values:
        wanted["kind"] = request.GET["remedy_kind"]
    if request.GET.get("remedy_status") in RemedyStatus.values:
        wanted["status"] = request.GET["remedy_status"]
    if wanted:
        demands = demands.filter(Exists(Remedy.objects.filter(demand=OuterRef("pk"), **wanted)))
    # A platform's scorecard links here: demands covering one of its items.
    platform = _platform(request.GET.get("platform", ""))
    if platform is not None:
        covering = Demand.items.through.objects.filter(
            demand_id=OuterRef("pk"), infringingitem__platform=platform
        )
        demands = demands.filter(Exists(covering))
    demands = (
        demands.select_related("rights_holder", "respondent")
        .annotate(is_late=ExpressionWrapper(is_overdue_q(), output_field=BooleanField()))
        .prefetch_related(
            Prefetch("remedies", queryset=Remedy.objects.order_by("position", "pk")),
            # Responses newest first, without their text: the board shows dates and kinds.
            Prefetch(
                "responses",
                queryset=Response.objects.defer("text").order_by("-received_on", "-id"),
                to_attr="reply_list",
            ),
        )
        .order_by("deadline", "pk")
    )
    page = Paginator(demands, 50).get_page(request.GET.get("page"))
    kinds = list(RemedyKind)
    rows = []
    for demand in page.object_list:
        cells = {k.value: [] for k in kinds}
        for remedy in demand.remedies.all():
            replies = [r for r in demand.reply_list if r.remedy_id == remedy.pk]
            cells[remedy.kind].append(
                {
                    "remedy": remedy,
                    "since": remedy.status_changed_at or demand.sent_at,
                    "reply": replies[0] if replies else None,
                }
            )
        rows.append(
            {
                "demand": demand,
                "cells": [cells[k.value] for k in kinds],
                "reply": demand.reply_list[0] if demand.reply_list else None,
                "replies": len(demand.reply_list),
            }
        )
    params = sel.as_params()
    params.update({f"remedy_{k}": v for k, v in wanted.items()})
    if platform is not None:
        params["platform"] = platform.pk
    return render(
        request,
        "dashboards/board.html",
        {
            "nav": "dashboard",
            "form": form,
            "page": page,
            "rows": rows,
            "kinds": kinds,
            "query": urlencode(params),
            "today": sel.today,
            "remedy_filter": {
                "kind": RemedyKind(wanted["kind"]).label if "kind" in wanted else "",
                "status": RemedyStatus(wanted["status"]).label if "status" in wanted else "",
                "platform": platform,
            },
        },
    )
