"""Saved filters of the item list: save the current query, open one by its link, delete.

Opening is a redirect to the list with the saved query string; a saved filter of
another rights holder is a 404 like any of its objects. Saving needs the right to
edit (viewers read); deleting, being the owner.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.http import QueryDict
from django.shortcuts import redirect
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from casework import access
from casework.models import SavedFilter
from casework.saved_filters import SavedFilterForm, list_query


def _list(query: str = ""):
    url = reverse("casework:item-list")
    return redirect(f"{url}?{query}" if query else url)


@login_required
@require_POST
def saved_filter_create(request):
    access.require_edit(request.user)
    form = SavedFilterForm(request.POST, user=request.user)
    # Back to the list as it was: only its own parameters (casework.saved_filters).
    back = list_query(QueryDict(request.POST.get("query", "")))
    if not form.is_valid():
        for field, errors in form.errors.items():
            label = form.fields[field].label if field in form.fields else ""
            for error in errors:
                messages.error(request, f"{label}: {error}" if label else error)
        return _list(back)
    try:
        with transaction.atomic():
            saved = form.save()
    except IntegrityError:  # the same name saved a moment ago, from another tab
        messages.error(request, "Name of this filter: You already have a saved filter with it.")
        return _list(back)
    messages.success(request, f"Saved the filter “{saved.name}”: its link opens this list.")
    return _list(saved.query)


@login_required
@require_GET
def saved_filter(request, pk):
    saved = access.get_for(request.user, SavedFilter.objects, pk=pk)
    return _list(saved.query)


@login_required
@require_POST
def saved_filter_delete(request, pk):
    saved = access.get_for(request.user, SavedFilter.objects, "change", pk=pk)
    if saved.owner_id != request.user.pk:
        raise PermissionDenied("Only the person who saved a filter deletes it.")
    saved.delete()
    messages.success(request, f"Deleted the saved filter “{saved.name}”.")
    return redirect("casework:item-list")
