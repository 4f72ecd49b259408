"""Pages of the items workspace. Thin: rules live in forms, stages, evidence and exports.

Every object is fetched through ``for_user``: another rights holder's item or
evidence answers 404. Every change calls ``access.require_edit`` first.
"""

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from casework import (
    access,
    audit,
    confirm,
    counting,
    exports,
    search,
    stages,
    variants,
    verification,
)
from casework import evidence as evidence_store
from casework.choices import Stage
from casework.filters import RELEVANCE, SORTS, ItemFilter, sort_of
from casework.forms import BulkStageForm, EvidenceForm, ItemForm, TransitionForm
from casework.inputs import redirect_next, safe_next
from casework.models import (
    Evidence,
    InfringingItem,
    ProtectedElement,
    SavedFilter,
    StageEvent,
    VariantGroup,
)
from casework.paging import paginate
from casework.saved_filters import SavedFilterForm, list_query
from config import jinja2

PAGE_SIZE = 50
PAGE_SIZES = (25, 50, 100, 200)
# How long the item page says how a "Check now" ended, next to the button.
CHECK_RESULT_SHOWN_FOR = dt.timedelta(minutes=10)
STAGE_LABELS = dict(Stage.choices)
# What a row of the list shows (templates/jinja2/casework/item_rows.html) and every sort
# column of casework.filters.SORTS, read as named tuples: nothing else is read for 200
# rows, and no model instances are built for them.
ROW_FIELDS = (
    "pk",
    "title",
    "url",
    "stage",
    "first_seen",
    "created_at",
    "rights_holder__code",
    "franchise__name",
    "platform_id",
    "platform__name",
    "platform__respondent_id",
    "platform__respondent__name",
    "variant_group_id",
    "variant_group__item_count",
)


@login_required
def home(request):
    return redirect("casework:item-list")


def _filtered(request):
    """The user's items narrowed by the URL's filters, and the FilterSet (for the form)."""
    items = InfringingItem.objects.for_user(request.user)
    filterset = ItemFilter(request.GET or None, queryset=items, request=request)
    return filterset, (filterset.qs if filterset.is_bound else items)


def _page_size(request) -> int:
    try:
        size = int(request.GET.get("size", PAGE_SIZE))
    except ValueError:
        return PAGE_SIZE
    return size if size in PAGE_SIZES else PAGE_SIZE


def _page_number(request) -> int:
    try:
        return int(request.GET.get("page", 1))
    except ValueError:
        return 1


def _rows_html(items, highlight):
    """The list's rows, rendered by Jinja2 with one reverse() per page (not two per row).

    ``highlight`` escapes a title or URL and marks the searched words in it."""
    head, tail = reverse("casework:item-detail", args=[0]).rsplit("0", 1)
    group_head, group_tail = reverse("casework:variant-group", args=[0]).rsplit("0", 1)
    # The platform and respondent scorecards (dashboards): a URL name, not an import.
    card_heads = {
        kind: reverse(f"scorecards:{kind}", args=[0]).rsplit("0", 1)
        for kind in ("platform", "respondent")
    }
    return jinja2.fragment(
        "casework/item_rows.html",
        {
            "items": items,
            "href_head": head,
            "href_tail": tail,
            "group_head": group_head,
            "group_tail": group_tail,
            "cards": card_heads,
            "stage_labels": STAGE_LABELS,
            "tz": timezone.get_current_timezone(),
            "highlight": highlight,
        },
    )


@login_required
@require_GET
def item_list(request):
    """The filtered list, its count, and one page: by relevance (OFFSET, the first
    pages only) when searching, else by keyset on the sorted column."""
    filterset, items = _filtered(request)
    sort_key, order = sort_of(request.GET)
    valid = not filterset.is_bound or filterset.is_valid()
    if not valid:
        items = items.none()
    used = filterset.form.cleaned_data if filterset.is_bound else {}
    q = used.get("q", "")
    size = _page_size(request)
    if sort_key == RELEVANCE:
        # The page's rows by primary key: still the user's items, not filtered again.
        rows = InfringingItem.objects.for_user(request.user).values_list(*ROW_FIELDS, named=True)
        page, total = search.ranked_page(items, rows, q, number=_page_number(request), size=size)
    else:
        total = (counting.from_rollups(request.user, used) if valid else None) or counting.count(
            items
        )
        page = paginate(
            items.values_list(*ROW_FIELDS, named=True),
            sort=order,
            size=size,
            after=request.GET.get("after", ""),
            before=request.GET.get("before", ""),
        )
    return render(
        request,
        "casework/item_list.html",
        {
            "nav": "items",
            "filter": filterset,
            "page": page,
            "count": total,
            "sort": sort_key,
            "sorts": SORTS,
            "searching": bool(q),
            "page_sizes": PAGE_SIZES,
            "stages": stages.move_options(),
            "bulk_form": BulkStageForm(user=request.user),
            "list_url": request.get_full_path(),
            "rows_html": _rows_html(page.object_list, search.highlighter(q)),
            "saved_filters": SavedFilter.objects.for_user(request.user).filter(owner=request.user),
            "save_form": SavedFilterForm(
                initial={"query": list_query(request.GET)}, auto_id="save-%s"
            ),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def item_export(request):
    """CSV of the filtered list (GET, the list's filters) or of the selected rows (POST)."""
    if request.method == "POST":
        ids = [v for v in request.POST.getlist("items") if v.isdigit()]
        items = InfringingItem.objects.for_user(request.user).filter(pk__in=ids)
    else:
        filterset, items = _filtered(request)
        if filterset.is_bound and not filterset.is_valid():
            items = items.none()
    _, order = sort_of(request.GET)
    return exports.streaming_response(items.order_by(order, "pk"))


@login_required
@require_http_methods(["GET", "POST"])
def item_create(request):
    access.require_edit(request.user)
    if request.method == "POST":
        form = ItemForm(request.POST, request.FILES, user=request.user)
        if form.is_valid():
            item = form.save()
            if item is not None:
                count = len(form.cleaned_data.get("evidence") or [])
                messages.success(
                    request,
                    f"Logged {item.reference} “{item.title}” with {count} evidence file"
                    f"{'' if count == 1 else 's'}.",
                )
                return redirect(item)
    else:
        form = ItemForm(user=request.user)
    return render(request, "casework/item_form.html", {"nav": "items", "form": form})


@login_required
@require_GET
def element_options(request):
    """The <option>s of one franchise's protected elements (htmx swaps them in)."""
    elements = ProtectedElement.objects.for_user(request.user).select_related("franchise")
    franchise = request.GET.get("franchise", "")
    elements = elements.filter(franchise_id=franchise) if franchise.isdigit() else elements
    return render(request, "casework/item_element_options.html", {"elements": elements})


def _item_for(request, pk, action="view"):
    """The item ``request.user`` may ``action``: scope and role checked together."""
    items = InfringingItem.objects.select_related(
        "rights_holder",
        "franchise",
        "platform",
        "platform__respondent",
        "logged_by",
        "variant_group",
    )
    return access.get_for(request.user, items, action, pk=pk)


@login_required
@require_GET
def item_detail(request, pk):
    item = _item_for(request, pk)
    return _render_detail(request, item)


def _render_detail(request, item, *, transition_form=None, evidence_form=None, status=200):
    events = (
        StageEvent.objects.filter(item=item)
        .select_related("by", "verification")
        .prefetch_related("demand")
    )
    # The demands that cover the item, through the reverse relation notices declares.
    demands = item.demands.for_user(request.user).select_related("respondent")
    context = {
        "nav": "items",
        "item": item,
        "elements": item.elements.all(),
        "evidence": Evidence.objects.filter(item=item).select_related("captured_by"),
        "events": events,
        "demands": demands,
        "targets": [(t, Stage(t).label) for t in stages.allowed_targets(item.stage)],
        "dismiss_confirmation": stages.dismiss_confirmation(item),
        "transition_form": transition_form or TransitionForm(),
        "evidence_form": evidence_form or EvidenceForm(),
        "changes": audit.changes(item),
        **_checks_context(item),
    }
    return render(request, "casework/item_detail.html", context, status=status)


def _checks_context(item):
    """The verification checks panel: the latest checks, and the latest "Check now" while
    it is unfinished or ended moments ago (its result is said next to the button)."""
    latest = item.check_requests.select_related("requested_by", "result").first()
    recent = timezone.now() - CHECK_RESULT_SHOWN_FOR
    ended_lately = latest and latest.finished_at and latest.finished_at > recent
    shown = latest if latest and (latest.unfinished or ended_lately) else None
    return {
        "checks": item.checks.select_related("requested_by")[:10],
        "check_request": shown,
        "check_state": (
            f"{shown.pk}.{shown.status}.{shown.attempts}.{shown.waiting_for_worker:d}"
            if shown
            else ""
        ),
    }


@login_required
@require_GET
def item_check_progress(request, pk):
    """The state of an item's "Check now", polled by its page: 204 while the state the
    page shows (``?state=``) is unchanged; when the check ends, its result and the checks
    table (swapped out of band)."""
    item = _item_for(request, pk)
    context = _checks_context(item)
    if request.GET.get("state") == context["check_state"]:
        unchanged = HttpResponse(status=204)
        del unchanged["Content-Type"]  # no body, so no type
        return unchanged
    return render(
        request, "casework/_check_progress.html", {"item": item, "oob_table": True, **context}
    )


@login_required
@require_POST
def item_transition(request, pk):
    item = _item_for(request, pk, "change")
    form = TransitionForm(request.POST)
    if form.is_valid():
        target = form.cleaned_data["target"]
        if target == Stage.DISMISSED and not confirm.confirmed(request):
            return confirm.page(
                request, stages.dismiss_confirmation(item), cancel_url=item.get_absolute_url()
            )
        try:
            stages.transition(item, target, by=request.user, reason=form.cleaned_data["note"])
        except stages.TransitionError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, f"{item.reference} moved to {Stage(target).label.lower()}.")
        return redirect(item)
    return _render_detail(request, item, transition_form=form, status=400)


@login_required
@require_POST
def evidence_add(request, pk):
    item = _item_for(request, pk, "change")
    form = EvidenceForm(request.POST, request.FILES)
    if form.is_valid():
        stored = form.save(item, request.user)
        messages.success(request, f"Added {len(stored)} evidence file(s) to {item.reference}.")
        return redirect(item)
    return _render_detail(request, item, evidence_form=form, status=400)


@login_required
@require_GET
def evidence_download(request, pk):
    evidence = get_object_or_404(
        Evidence.objects.for_user(request.user).select_related("item"), pk=pk
    )
    return evidence_store.download_response(evidence)


def _back_to_list(request):
    return redirect_next(request, reverse("casework:item-list"))


@login_required
@require_POST
def item_bulk_stage(request):
    """Move the items ticked on the list: after a confirmation, all of them in one
    transaction; if some cannot move, nothing moves and the page lists each item's
    result with a button to move the ones that can."""
    access.require_edit(request.user)
    form = BulkStageForm(request.POST, user=request.user)
    if form.is_valid() and confirm.confirmed(request):
        try:
            moved = stages.transition_many(
                form.item_ids,
                form.cleaned_data["target"],
                by=request.user,
                reason=form.cleaned_data["note"],
                skip_refused=form.cleaned_data["skip_refused"],
            )
        except stages.BulkTransitionError:
            pass  # nothing moved: the page below says which items cannot and why
        else:
            messages.success(request, moved.summary())
            return _back_to_list(request)
    return _bulk_stage_page(request, form)


def _bulk_stage_page(request, form):
    """The selected items with what a move would do to each: the confirmation page
    without JavaScript, the per-item result when some cannot move, or the form
    again with its errors next to the fields."""
    items = list(
        InfringingItem.objects.for_user(request.user)
        .filter(pk__in=form.item_ids)
        .select_related("rights_holder")
        .only("title", "stage", "rights_holder__code")
        .order_by("pk")
    )
    context = {
        "nav": "items",
        "form": form,
        "items": items,
        "stages": stages.move_options(),
        "back": safe_next(request, reverse("casework:item-list")),
    }
    if form.is_valid():
        target = form.cleaned_data["target"]
        movable, refused = stages.plan(items, target)
        why = {r.item.pk: r.why for r in refused}
        for item in items:
            item.why_not = why.get(item.pk, "")
        context.update(
            target_label=Stage(target).label.lower(),
            movable=movable,
            refused=refused,
            confirmation=stages.confirmation(target, len(items)),
            partial=stages.confirmation(target, len(movable)),
        )
    return render(
        request, "casework/item_bulk_stage.html", context, status=200 if form.is_valid() else 400
    )


@login_required
@require_POST
def item_check(request, pk):
    """A manager asks for a verification check of one item now (runs on the worker)."""
    item = access.get_for(request.user, InfringingItem.objects, "manage", pk=pk)
    if item.stage in (Stage.IDENTIFIED, Stage.DISMISSED):
        messages.error(request, "Only notified, removed or ceased items are checked.")
    else:
        created = verification.request_check(item, by=request.user)
        if created:
            messages.success(request, "Check queued: its progress shows under Verification checks.")
        else:
            messages.info(request, "A check of this item is already queued.")
    return redirect_next(request, item.get_absolute_url())


@login_required
@require_GET
def variant_group(request, pk):
    """One distinct infringement: its copies, the platforms they are on, first and last seen."""
    group = access.get_for(
        request.user, VariantGroup.objects.select_related("rights_holder"), pk=pk
    )
    return render(
        request,
        "casework/variant_group.html",
        {"nav": "items", "group": group, **variants.group_summary(group)},
    )
