"""CSV import pages: upload → preview (each row new, duplicate or error) → confirm →
progress and result. The rules live in casework.imports; the task in casework.tasks.

Small files are checked (and, once confirmed, imported) in the request; larger ones
are checked and imported by a Celery worker while the page polls a progress
fragment, which reloads the page when the preview is ready. Every job is looked up
through ``ImportJob.objects.for_user``: another rights holder's job is a 404. Viewers
cannot import (403).
"""

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db import DatabaseError, transaction
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.template.defaultfilters import filesizeformat
from django.urls import NoReverseMatch, reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from casework import access, imports, variants
from casework.choices import JobStatus
from casework.models import ImportJob, RightsHolder

ROWS_PER_PAGE = 100
SHOW_CHOICES = ("all", imports.ERROR, imports.DUPLICATE, imports.REPEAT, imports.NEW)


class ImportUploadForm(forms.Form):
    rights_holder = forms.ModelChoiceField(
        queryset=RightsHolder.objects.none(), empty_label=None, label="Rights holder"
    )
    file = forms.FileField(label="CSV file", help_text="UTF-8 CSV with a header row.")

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        holders = RightsHolder.objects.for_user(user)
        self.fields["rights_holder"].queryset = holders
        self.only_holder = None
        if len(access.holders_of(user)) == 1:
            # A member of one rights holder is not asked which.
            self.only_holder = access.holders_of(user)[0]
            self.fields["rights_holder"].widget = forms.HiddenInput()
            self.fields["rights_holder"].initial = self.only_holder.pk
            self.fields["rights_holder"].required = False
        self.fields["file"].widget.attrs["accept"] = ".csv,text/csv"

    def clean_rights_holder(self):
        holder = self.cleaned_data.get("rights_holder") or self.only_holder
        if holder is None:
            raise forms.ValidationError("Choose a rights holder.")
        return holder

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > settings.IMPORT_MAX_BYTES:
            raise forms.ValidationError(
                f"The file is {filesizeformat(upload.size)}; the limit is "
                f"{filesizeformat(settings.IMPORT_MAX_BYTES)}."
            )
        return upload


def _jobs(user):
    return ImportJob.objects.for_user(user).select_related("rights_holder", "created_by")


def _job(request, pk) -> ImportJob:
    """The user's import (another holder's is a 404); only legal staff and managers import."""
    jobs = ImportJob.objects.select_related("rights_holder", "created_by")
    return access.get_for(request.user, jobs, "change", pk=pk)


@login_required
@require_http_methods(["GET", "POST"])
def import_start(request):
    access.require_edit(request.user)
    form = ImportUploadForm(request.POST or None, request.FILES or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            job = imports.start_job(
                form.cleaned_data["rights_holder"], form.cleaned_data["file"], request.user
            )
        except imports.ImportRefused as exc:
            form.add_error("file", str(exc))
        else:
            return redirect("imports:detail", pk=job.pk)
    recent = _jobs(request.user)[:10]
    return render(
        request,
        "casework/import_start.html",
        {
            "form": form,
            "columns": imports.COLUMNS,
            "recent": recent,
            "max_bytes": settings.IMPORT_MAX_BYTES,
            "nav": "import",
        },
    )


def _item_url(item_id):
    try:
        return reverse("casework:item-detail", args=[item_id])
    except NoReverseMatch:
        return None


@login_required
@require_GET
def import_detail(request, pk):
    """The preview before confirmation; progress and result after it."""
    job = _job(request, pk)
    report = imports.job_report(job)
    rows = report["rows"]
    show = request.GET.get("show", "")
    if show not in SHOW_CHOICES:
        show = imports.ERROR if job.error_count else "all"
    if show != "all":
        rows = [r for r in rows if r["status"] == show]
    page = Paginator(rows, ROWS_PER_PAGE).get_page(request.GET.get("page"))
    for row in page.object_list:
        if "item_id" in row:
            row["item_url"] = _item_url(row["item_id"])
        row["label"] = imports.STATUS_LABELS[row["status"]]
    counts = {
        imports.NEW: imports.new_count(job),
        imports.DUPLICATE: job.duplicate_count - report["repeat_count"],
        imports.REPEAT: report["repeat_count"],
        imports.ERROR: job.error_count,
    }
    shown = {s: sum(1 for r in report["rows"] if r["status"] == s) for s in counts}
    filters = [
        {"value": "all", "label": "All listed rows", "count": len(report["rows"])},
        *(
            {"value": s, "label": imports.STATUS_LABELS[s], "count": counts[s]}
            for s in (imports.ERROR, imports.DUPLICATE, imports.REPEAT, imports.NEW)
        ),
    ]
    same_file = (
        _jobs(request.user)
        .filter(rights_holder=job.rights_holder, sha256=job.sha256, status=JobStatus.DONE)
        .exclude(pk=job.pk)
        .first()
    )
    return render(
        request,
        "casework/import_detail.html",
        {
            "job": job,
            "page": page,
            "show": show,
            "filters": filters,
            "counts": counts,
            "capped": {s: counts[s] - shown[s] for s in counts if counts[s] > shown[s]},
            "ignored_columns": report["ignored_columns"],
            "same_file": same_file,
            "nav": "import",
            **_progress_context(job),
        },
    )


def _progress_context(job):
    active = job.unfinished
    to_write = imports.new_count(job)
    writing = job.status in (JobStatus.QUEUED, JobStatus.RUNNING) and (
        job.created_count > 0 or job.processed_rows >= job.total_rows > 0
    )
    done, of = (job.created_count, to_write) if writing else (job.processed_rows, job.total_rows)
    return {
        "active": active,
        "checking": job.checking,
        "writing": writing,
        "to_write": to_write,
        "percent": min(100, int(100 * done / of)) if of else 0,
    }


@login_required
@require_GET
def import_progress(request, pk):
    """The progress fragment the detail page polls (htmx) while the job runs. When the
    check the page was showing has finished, htmx reloads the page for the preview."""
    job = _job(request, pk)
    if request.htmx and request.GET.get("step") == "check" and not job.checking:
        return HttpResponse(headers={"HX-Refresh": "true"})
    return render(request, "casework/import_progress.html", {"job": job, **_progress_context(job)})


@login_required
@require_POST
def import_confirm(request, pk):
    job = _job(request, pk)
    if job.total_rows <= settings.IMPORT_WRITE_IN_REQUEST_ROWS:
        attempt = imports.start_running(job.pk)
        if attempt is not None:
            try:
                done = imports.execute(job.pk, attempt)
            except (imports.ImportRefused, DatabaseError):
                messages.error(request, "The import failed; nothing was imported.")
            else:
                if done is None:  # another attempt took the job over; it reports
                    messages.info(request, "This import is being finished by a worker.")
                else:
                    messages.success(request, f"Imported {done.created_count:,} new items.")
                    variants.enqueue_pending(done.rights_holder_id)
        else:
            messages.info(request, "This import was already confirmed.")
    else:
        with transaction.atomic():
            queued = imports.confirm(job.pk)
            if queued:
                job.enqueue()
        if not queued:
            messages.info(request, "This import was already confirmed.")
    return redirect("imports:detail", pk=job.pk)


@login_required
@require_GET
def import_template(request):
    """A CSV template: the header row and one example row from the user's own data."""
    access.require_edit(request.user)
    holders = access.holders_of(request.user)
    body = imports.template_csv(holders[0] if holders else None)
    response = HttpResponse("\ufeff" + body, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="desist-import-template.csv"'
    return response
