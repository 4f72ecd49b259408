"""Demand pages. Thin: every rule lives in drafting, workflow, waiting, rendering and exports.

Every object is looked up through ``for_user``: another rights holder's demand,
letter or export is a 404, never a 403 that confirms it exists.
"""

from csp.decorators import csp_replace
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import BooleanField, Case, Count, OuterRef, Prefetch, Subquery, When
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import content_disposition_header
from django.views.decorators.clickjacking import xframe_options_sameorigin
from django.views.decorators.http import require_GET, require_POST
from django.views.generic import ListView
from django_filters.views import FilterView

from casework import access, confirm, downloads
from casework.models import ProtectedElement, RightsHolder
from notices import confirmations, drafting, exports, lumen, rendering, waiting, workflow
from notices.choices import DemandStatus, LetterStatus
from notices.completeness import current_template, missing
from notices.filters import DemandFilterSet
from notices.forms import (
    ActionForm,
    AddItemsForm,
    ComplianceForm,
    DraftForm,
    LetterTemplateForm,
    RemedyForm,
    ReturnForm,
    SendForm,
    errors_in_words,
)
from notices.letters import render_letter_html, render_snapshot_html
from notices.models import Demand, ExportJob, Letter, LetterTemplate

UNFINISHED = {LetterStatus.QUEUED, LetterStatus.RENDERING}
# Workflow steps with forms of their own: sending (the letter of record), responding
# (the reply and its files) and returning (the reason); the plain action URL refuses them.
OWN_FORMS = ("send", "respond", "return")
# The statuses in which the demand page shows its letter in a frame: the approver's.
LETTER_IN_PAGE = (DemandStatus.IN_REVIEW, DemandStatus.APPROVED)
# The letter shown in the demand page's frame may be framed by our own pages only.
frameable_by_us = csp_replace({"frame-ancestors": ["'self'"]})


def _demand(request, pk, action="view") -> Demand:
    """The demand ``request.user`` may ``action``: scope and role checked together."""
    qs = Demand.objects.select_related(
        "rights_holder", "respondent", "prepared_by", "approved_by", "sent_letter"
    )
    return access.get_for(request.user, qs, action, pk=pk)


def _back(demand, anchor=""):
    return redirect(demand.get_absolute_url() + anchor)


class DemandListView(LoginRequiredMixin, FilterView):
    template_name = "notices/demand_list.html"
    filterset_class = DemandFilterSet
    paginate_by = 50

    def get_queryset(self):
        return (
            Demand.objects.for_user(self.request.user)
            .select_related("respondent", "rights_holder")
            .annotate(
                item_count=Count("items", distinct=True),
                is_overdue=Case(
                    When(workflow.is_overdue_q(), then=True),
                    default=False,
                    output_field=BooleanField(),
                ),
            )
            .order_by("-created_at", "-id")
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        query = self.request.GET.copy()
        query.pop("page", None)
        context.update(nav="demands", query=query.urlencode())
        return context


# --- Drafting -----------------------------------------------------------------


def _selected_ids(request):
    values = request.POST.getlist("items") if request.method == "POST" else []
    return drafting.parse_ids(values or request.GET.getlist("items"))


@login_required
def demand_create(request):
    """Draft a demand from selected items: a confirmation form, then the draft.

    The item list posts its checkboxes (``items``) here; without ``confirm``
    the POST only shows the form, like a GET with ``?items=``.
    """
    access.require_edit(request.user)
    try:
        ids = _selected_ids(request)
        items = drafting.selected_items(request.user, ids)
    except drafting.DraftingError as exc:
        return render(
            request, "notices/demand_create.html", {"error": str(exc), "nav": "demands"}, status=400
        )
    holder = items[0].rights_holder
    initial = {
        "respondent": drafting.derive_respondent(items),
        "response_days": holder.response_days,
    }
    form = DraftForm(request.POST if "confirm" in request.POST else None, initial=initial)
    if form.is_valid():
        try:
            demand = drafting.draft_demand(
                request.user,
                ids,
                respondent=form.cleaned_data["respondent"],
                response_days=form.cleaned_data["response_days"],
                paragraphs=form.cleaned_data["paragraphs"],
            )
        except drafting.DraftingError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, f"Demand {demand.reference} drafted.")
            return _back(demand)
    return render(
        request,
        "notices/demand_create.html",
        {"form": form, "items": items, "holder": holder, "nav": "demands"},
        status=400 if form.errors else 200,
    )


@login_required
def demand_add_items(request):
    """Add the selected items to a draft demand of the same rights holder."""
    access.require_edit(request.user)
    try:
        ids = _selected_ids(request)
        items = drafting.selected_items(request.user, ids)
    except drafting.DraftingError as exc:
        return render(
            request,
            "notices/demand_add_items.html",
            {"error": str(exc), "nav": "demands"},
            status=400,
        )
    holder = items[0].rights_holder
    form = AddItemsForm(
        request.POST if "confirm" in request.POST else None,
        user=request.user,
        holder_ids=[holder.pk],
    )
    if form.is_valid():
        demand = form.cleaned_data["demand"]
        try:
            added = drafting.add_items(request.user, demand, ids)
        except drafting.DraftingError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, f"{added} item(s) added to {demand.reference}.")
            return _back(demand)
    return render(
        request,
        "notices/demand_add_items.html",
        {"form": form, "items": items, "holder": holder, "nav": "demands"},
        status=400 if form.errors else 200,
    )


@require_POST
@login_required
def demand_edit(request, pk):
    demand = _demand(request, pk, "change")
    form = DraftForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Not saved: " + errors_in_words(form))
        return _back(demand)
    try:
        drafting.update_demand(request.user, demand, **form.cleaned_data)
        messages.success(request, "Saved.")
    except drafting.DraftingError as exc:
        messages.error(request, str(exc))
    return _back(demand)


@require_POST
@login_required
def demand_remove_item(request, pk, item_id):
    demand = _demand(request, pk, "change")
    item = demand.items.select_related("rights_holder").filter(pk=item_id).first()
    if item is not None and not confirm.confirmed(request):
        return confirm.page(
            request, confirmations.remove_item(demand, item), cancel_url=_back(demand).url
        )
    try:
        drafting.remove_item(request.user, demand, item_id)
    except drafting.DraftingError as exc:
        messages.error(request, str(exc))
    return _back(demand, "#items")


@require_POST
@login_required
def remedy_add(request, pk):
    demand = _demand(request, pk, "change")
    form = RemedyForm.for_new(request.POST)
    if form.is_valid():
        try:
            drafting.add_remedy(request.user, demand, text=form.cleaned_data["text"])
        except drafting.DraftingError as exc:
            messages.error(request, str(exc))
    else:
        messages.error(request, "A demand needs its text.")
    return _back(demand, "#remedies")


@require_POST
@login_required
def remedy_edit(request, pk, remedy_id):
    demand = _demand(request, pk, "change")
    remedy = get_object_or_404(demand.remedies, pk=remedy_id)
    form = RemedyForm.for_remedy(remedy, request.POST)
    if form.is_valid():
        try:
            drafting.edit_remedy(request.user, remedy, text=form.cleaned_data["text"])
        except drafting.DraftingError as exc:
            messages.error(request, str(exc))
    else:
        messages.error(request, f"Demand {remedy.position}: its text cannot be empty.")
    return _back(demand, "#remedies")


@require_POST
@login_required
def remedy_remove(request, pk, remedy_id):
    demand = _demand(request, pk, "change")
    remedy = get_object_or_404(demand.remedies, pk=remedy_id)
    if not confirm.confirmed(request):
        return confirm.page(
            request,
            confirmations.remove_remedy(demand, remedy),
            cancel_url=_back(demand, "#remedies").url,
        )
    try:
        drafting.remove_remedy(request.user, remedy)
    except drafting.DraftingError as exc:
        messages.error(request, str(exc))
    return _back(demand, "#remedies")


@require_POST
@login_required
def remedy_compliance(request, pk, remedy_id):
    demand = _demand(request, pk, "change")
    remedy = get_object_or_404(demand.remedies, pk=remedy_id)
    form = ComplianceForm.for_remedy(remedy, request.POST)
    if not form.is_valid():
        messages.error(request, f"Demand {remedy.position}: " + errors_in_words(form))
        return _back(demand, "#remedies")
    try:
        workflow.record_compliance(
            remedy,
            by=request.user,
            status=form.cleaned_data["status"],
            on=form.cleaned_data["on"],
            note=form.cleaned_data["note"],
        )
        messages.success(request, f"Compliance with demand {remedy.position} recorded.")
    except (ValueError, workflow.WorkflowError) as exc:
        messages.error(request, str(exc))
    return _back(demand, "#remedies")


# --- Workflow -----------------------------------------------------------------


@require_POST
@login_required
def demand_action(request, pk, action):
    demand = _demand(request, pk, "change")
    if action not in workflow.ACTIONS or action in OWN_FORMS:
        raise Http404("No such action.")
    if workflow.ACTIONS[action].manager_only:
        access.require_manager(request.user)
    asks = confirmations.action(demand, action)
    if asks and not confirm.confirmed(request):
        return confirm.page(request, asks, cancel_url=_back(demand).url)
    form = ActionForm(request.POST)
    note = form.cleaned_data["note"] if form.is_valid() else ""
    try:
        demand = workflow.perform(demand, action, by=request.user, note=note)
        messages.success(
            request, f"Demand {demand.reference} is now {demand.get_status_display().lower()}."
        )
    except workflow.WorkflowError as exc:
        messages.error(request, str(exc))
    return _back(demand)


@require_POST
@login_required
def demand_return(request, pk):
    """A manager returns a demand in review to draft, with the reason its preparer reads."""
    demand = _demand(request, pk, "manage")
    form = ReturnForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Not returned: " + errors_in_words(form))
        return _back(demand, "#return")
    try:
        demand = workflow.perform(
            demand, "return", by=request.user, note=form.cleaned_data["reason"]
        )
        messages.success(request, f"Demand {demand.reference} returned to draft.")
    except workflow.WorkflowError as exc:
        messages.error(request, str(exc))
    return _back(demand)


@require_POST
@login_required
def demand_send(request, pk):
    demand = _demand(request, pk, "change")
    form = SendForm(request.POST, demand=demand)
    if not form.is_valid():
        messages.error(request, "Not sent: " + errors_in_words(form))
        return _back(demand, "#letters")
    if not confirm.confirmed(request):
        return confirm.page(
            request, confirmations.send(demand), cancel_url=_back(demand, "#letters").url
        )
    try:
        demand = workflow.send(
            demand,
            by=request.user,
            sent_on=form.cleaned_data["sent_on"],
            channels=form.cleaned_data["channels"],
            note=form.cleaned_data["note"],
        )
        messages.success(
            request,
            f"Demand {demand.reference} sent; deadline {demand.deadline_display}. "
            f"The letter of record (version {demand.sent_letter.version}) is rendering.",
        )
    except workflow.WorkflowError as exc:
        messages.error(request, str(exc))
    return _back(demand)


# --- Detail, letters, preview, download ----------------------------------------


def _letters_context(request, demand):
    letters = list(demand.letters.select_related("requested_by").order_by("-version"))
    can_send = demand.status == DemandStatus.APPROVED and access.can_edit(request.user)
    return {
        "demand": demand,
        "letters": letters,
        "rendering": any(letter.status in UNFINISHED for letter in letters),
        "send_form": SendForm(demand=demand) if can_send else None,
    }


@require_GET
@login_required
def demand_detail(request, pk):
    demand = _demand(request, pk)
    items = demand.items.select_related("platform", "franchise", "rights_holder").prefetch_related(
        Prefetch("elements", queryset=ProtectedElement.objects.order_by("name"))
    )
    remedies = list(demand.remedies.order_by("position", "id"))
    editable = demand.status in workflow.EDITABLE and access.can_edit(request.user)
    allowed = workflow.allowed_actions(demand, request.user)
    letters = _letters_context(request, demand)
    today = demand.rights_holder.today()
    for remedy in remedies:
        remedy.edit_form = RemedyForm.for_remedy(remedy)
        remedy.compliance_form = ComplianceForm.for_remedy(remedy, today=today)
    context = {
        "nav": "demands",
        "demand": demand,
        "items": items,
        "remedies": remedies,
        "events": demand.events.select_related("by").order_by("-at", "-id")[:20],
        "gaps": missing(demand)
        if demand.status in (DemandStatus.DRAFT, DemandStatus.IN_REVIEW)
        else [],
        # Sending, responses and returning have their own forms.
        "actions": [a for a in allowed if a.name not in OWN_FORMS],
        "return_form": ReturnForm() if any(a.name == "return" for a in allowed) else None,
        "returned": waiting.returned(demand),
        "letter_in_page": demand.status in LETTER_IN_PAGE,
        "framed_letter": next(
            (letter for letter in letters["letters"] if letter.status == LetterStatus.READY), None
        ),
        "editable": editable,
        "compliance_open": demand.status in workflow.AFTER_SENDING
        and access.can_edit(request.user),
        "edit_form": DraftForm(
            initial={
                "respondent": demand.respondent,
                "response_days": demand.response_days,
                "paragraphs": demand.paragraphs,
            }
        ),
        "add_remedy_form": RemedyForm.for_new(),
        "lumen_refusal": lumen.refusal(demand),
        **letters,
        **_responses_context(request, demand),
    }
    return render(request, "notices/demand_detail.html", context)


@require_GET
@login_required
def letter_panel(request, pk):
    """The letter versions (polled by htmx every second while a render runs)."""
    demand = _demand(request, pk)
    return render(request, "notices/_letters.html", _letters_context(request, demand))


@require_POST
@login_required
def letter_request(request, pk):
    demand = _demand(request, pk, "change")
    try:
        letter = rendering.request_render(demand, by=request.user)
        if getattr(letter, "already_queued", False):
            messages.info(request, f"Letter version {letter.version} is already being rendered.")
        else:
            messages.success(request, f"Letter version {letter.version} queued.")
    except rendering.RenderRefused as exc:
        messages.error(request, str(exc))
    return _back(demand, "#letters")


@require_GET
@login_required
@xframe_options_sameorigin
@frameable_by_us
def demand_preview(request, pk):
    """The letter as HTML: what was sent once sent (its snapshot), else a draft of it now."""
    demand = _demand(request, pk)
    if demand.sent_letter is not None and demand.sent_letter.snapshot:
        return HttpResponse(render_snapshot_html(demand.sent_letter.snapshot))
    return HttpResponse(render_letter_html(demand))


def _ready_letter(request, letter_id) -> Letter:
    """One of the user's rendered letters, with its demand; 404 for anyone else's."""
    return get_object_or_404(
        Letter.objects.for_user(request.user).select_related("demand"),
        pk=letter_id,
        status=LetterStatus.READY,
    )


@require_GET
@login_required
def letter_download(request, letter_id):
    letter = _ready_letter(request, letter_id)
    return downloads.file_response(
        letter.file,
        filename=f"{letter.demand.reference}-v{letter.version}.pdf",
        content_type="application/pdf",
        presign=True,
        size=letter.size,
    )


@require_GET
@login_required
@xframe_options_sameorigin
@frameable_by_us
def letter_view(request, letter_id):
    """A ready letter's PDF shown in the browser (inline), framed by the demand page."""
    letter = _ready_letter(request, letter_id)
    return downloads.file_response(
        letter.file,
        filename=f"{letter.demand.reference}-v{letter.version}.pdf",
        content_type="application/pdf",
        inline=True,
        size=letter.size,
    )


@require_GET
@login_required
def demand_lumen(request, pk):
    """A sent demand as a Lumen notice (JSON file); an unsent one goes back saying why."""
    demand = _demand(request, pk)
    try:
        notice = lumen.lumen_notice(demand)
    except lumen.LumenExportRefused as exc:
        messages.error(request, str(exc))
        return _back(demand)
    response = HttpResponse(lumen.dumps(notice), content_type="application/json; charset=utf-8")
    response["Content-Disposition"] = content_disposition_header(True, lumen.filename(demand))
    return response


@require_GET
@login_required
def demand_history(request, pk):
    demand = _demand(request, pk)
    events = demand.events.select_related("by").order_by("at", "id")
    return render(
        request,
        "notices/demand_history.html",
        {"demand": demand, "events": events, "nav": "demands"},
    )


# --- Waiting for you ------------------------------------------------------------


class WaitingView(LoginRequiredMixin, ListView):
    """The demands waiting for the signed-in person (notices.waiting)."""

    template_name = "notices/waiting.html"
    context_object_name = "demands"
    paginate_by = 50

    def get_queryset(self):
        return waiting.waiting_for(self.request.user)

    def get_context_data(self, **kwargs):
        return super().get_context_data(nav="waiting", **kwargs)


@require_GET
@login_required
def waiting_count(request):
    """The count beside "Waiting for you" in the navigation (fetched by htmx after load)."""
    count = waiting.waiting_for(request.user).count()
    return render(request, "notices/_waiting_count.html", {"count": count})


# --- Exports ------------------------------------------------------------------


@require_POST
@login_required
def export_create(request):
    try:
        job = exports.request_export(
            request.user, drafting.parse_ids(request.POST.getlist("demands"))
        )
    except (exports.ExportRefused, drafting.DraftingError) as exc:
        messages.error(request, str(exc))
        return redirect("notices:demand-list")
    return redirect(job)


def _export(request, pk) -> ExportJob:
    """The user's own export, while every demand in it is still theirs to see (else 404)."""
    job = get_object_or_404(ExportJob.objects.filter(created_by=request.user), pk=pk)
    visible = Demand.objects.for_user(request.user).values("pk")
    if job.demands.exclude(pk__in=visible).exists():
        raise Http404("No such export.")
    return job


@require_GET
@login_required
def export_detail(request, pk):
    job = _export(request, pk)
    template = "notices/_export.html" if request.htmx else "notices/export_detail.html"
    return render(request, template, {"job": job, "nav": "demands"})


@require_GET
@login_required
def export_download(request, pk):
    job = _export(request, pk)
    if not job.file:
        raise Http404("The export is not ready.")
    return downloads.file_response(
        job.file,
        filename=f"desist-letters-{job.pk}.zip",
        content_type="application/zip",
        presign=True,
        size=job.size,
    )


# --- Letter templates ---------------------------------------------------------


@require_GET
@login_required
def template_list(request):
    holders = list(RightsHolder.objects.for_user(request.user))
    newest = LetterTemplate.objects.filter(rights_holder=OuterRef("rights_holder")).order_by(
        "-version"
    )
    current = {
        template.rights_holder_id: template
        for template in LetterTemplate.objects.filter(
            rights_holder__in=holders, pk=Subquery(newest.values("pk")[:1])
        )
    }
    rows = [(holder, current.get(holder.pk)) for holder in holders]
    return render(request, "notices/template_list.html", {"rows": rows, "nav": "demands"})


@login_required
def template_edit(request, holder_id):
    """Edit a rights holder's letter text; each save is a new version."""
    holder = get_object_or_404(RightsHolder.objects.for_user(request.user), pk=holder_id)
    if not access.can_edit(request.user):
        raise PermissionDenied("Viewers cannot change letter templates.")
    current = current_template(holder.pk)
    form = LetterTemplateForm(request.POST or None, instance=None, initial=_initial(current))
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            locked = RightsHolder.objects.select_for_update().get(pk=holder.pk)
            last = LetterTemplate.objects.filter(rights_holder=locked).order_by("-version").first()
            template = form.save(commit=False)
            template.rights_holder = locked
            template.version = (last.version if last else 0) + 1
            template.created_by = request.user
            template.save()
        messages.success(request, f"Letter template version {template.version} saved.")
        return redirect("notices:template-edit", holder_id=holder.pk)
    versions = LetterTemplate.objects.filter(rights_holder=holder).select_related("created_by")
    return render(
        request,
        "notices/template_edit.html",
        {
            "holder": holder,
            "form": form,
            "current": current,
            "versions": versions,
            "nav": "demands",
        },
    )


def _initial(template):
    if template is None:
        return {}
    return {name: getattr(template, name) for name in LetterTemplateForm.Meta.fields}


# --- Responses and counter-notices --------------------------------------------


def _responses_context(request, demand):
    """The demand's responses (newest first) and, for those who may record one, the form."""
    from notices.forms import ResponseForm
    from notices.models import Response

    replies = (
        Response.objects.filter(demand=demand)
        .select_related("remedy", "recorded_by")
        .prefetch_related("files")
        .order_by("-received_on", "-id")
    )
    can_record = demand.status in workflow.RESPONSE_OPEN and access.can_edit(request.user)
    return {
        "responses": replies,
        "response_form": ResponseForm(demand=demand) if can_record else None,
    }


@login_required
def response_add(request, pk):
    """Record the respondent's reply (legal staff and managers); errors stay on this page."""
    from django.core.exceptions import ValidationError

    from notices import responses
    from notices.forms import ResponseForm

    demand = _demand(request, pk, "change")
    if demand.status not in workflow.RESPONSE_OPEN:
        messages.error(
            request, f"Demand {demand.reference} is not sent yet: no response to record."
        )
        return _back(demand)
    form = ResponseForm(request.POST or None, request.FILES or None, demand=demand)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            response = responses.record(
                demand,
                by=request.user,
                received_on=data["received_on"],
                text=data["text"],
                is_counter_notice=data["is_counter_notice"],
                remedy=data["remedy"],
                uploads=data["files"],
            )
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        except workflow.WorkflowError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, f"{responses.summary(response)} recorded.")
            return _back(demand, "#responses")
    return render(
        request,
        "notices/response_form.html",
        {"demand": demand, "form": form, "nav": "demands"},
        status=400 if form.errors else 200,
    )


@require_GET
@login_required
def response_file_download(request, file_id):
    """A response's file as a download, scoped like evidence (another holder's is a 404)."""
    from casework.evidence import download_response
    from notices.models import ResponseFile

    found = get_object_or_404(ResponseFile.objects.for_user(request.user), pk=file_id)
    return download_response(found)
