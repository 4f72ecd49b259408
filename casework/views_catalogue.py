"""The catalogue in the app: a rights holder's franchises, protected elements,
registrations and letter signatory.

Everyone reads the catalogue of their own rights holders; only managers write
(legal staff and viewers get 403 on the write pages, GET included); another
holder's row is 404 (``access.get_for``: scope first, then role). Every save is
recorded by django-simple-history with the user (shown on each edit page).
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Prefetch
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods

from casework import access, audit
from casework.forms_catalogue import ElementForm, FranchiseForm, SignatoryForm
from casework.models import Franchise, ProtectedElement, RightsHolder

INDEX = "casework:catalogue"


@login_required
@require_GET
def index(request):
    user = request.user
    franchises = Franchise.objects.for_user(user).prefetch_related(
        Prefetch("elements", queryset=ProtectedElement.objects.order_by("name"))
    )
    holders = [
        (holder, [f for f in franchises if f.rights_holder_id == holder.pk])
        for holder in access.holders_of(user)
    ]
    return render(request, "casework/catalogue.html", {"nav": "catalogue", "holders": holders})


def _form_page(request, form, *, title, obj=None, intro=""):
    if request.method == "POST" and form.is_valid():
        saved = form.save()
        messages.success(request, f"Saved {title.lower()}: {saved}.")
        return redirect(reverse(INDEX) + f"#holder-{_holder_id(saved)}")
    return render(
        request,
        "casework/catalogue_form.html",
        {
            "nav": "catalogue",
            "form": form,
            "title": title,
            "intro": intro,
            "changes": audit.changes(obj) if obj is not None else [],
        },
    )


def _holder_id(obj):
    if isinstance(obj, RightsHolder):
        return obj.pk
    if isinstance(obj, ProtectedElement):
        return obj.franchise.rights_holder_id
    return obj.rights_holder_id


def _bound(request, form_class, **kwargs):
    data = request.POST if request.method == "POST" else None
    return form_class(data, user=request.user, **kwargs)


@login_required
@require_http_methods(["GET", "POST"])
def franchise_create(request):
    access.require_manager(request.user)
    return _form_page(request, _bound(request, FranchiseForm), title="New franchise")


@login_required
@require_http_methods(["GET", "POST"])
def franchise_edit(request, pk):
    franchise = access.get_for(request.user, Franchise.objects, "manage", pk=pk)
    form = _bound(request, FranchiseForm, instance=franchise)
    return _form_page(request, form, title="Franchise", obj=franchise)


@login_required
@require_http_methods(["GET", "POST"])
def element_create(request):
    access.require_manager(request.user)
    initial = {}
    franchise = request.GET.get("franchise", "")
    if franchise.isdigit():
        initial["franchise"] = int(franchise)
    form = _bound(request, ElementForm, initial=initial)
    return _form_page(request, form, title="New protected element")


@login_required
@require_http_methods(["GET", "POST"])
def element_edit(request, pk):
    elements = ProtectedElement.objects.select_related("franchise")
    element = access.get_for(request.user, elements, "manage", pk=pk)
    form = _bound(request, ElementForm, instance=element)
    return _form_page(request, form, title="Protected element", obj=element)


@login_required
@require_http_methods(["GET", "POST"])
def signatory_edit(request, pk):
    holder = access.get_for(request.user, RightsHolder.objects, "manage", pk=pk)
    form = _bound(request, SignatoryForm, instance=holder)
    return _form_page(
        request,
        form,
        title=f"Letter signatory of {holder.name}",
        obj=holder,
        intro="The signatory on record for this rights holder. A letter names the "
        "signatory of its letter template, which starts from this one.",
    )
