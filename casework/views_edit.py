"""Correct an item: its fields, protected elements and platform (not its evidence).

Legal staff and managers of the item's rights holder; a viewer gets 403 and
another holder's item 404 (``access.get_for``). The rules are in
``forms.ItemEditForm``; each saved edit is one row of the item's timeline.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from casework import access
from casework.forms import LOCKED_WHEN_SENT, ItemEditForm
from casework.models import InfringingItem


@login_required
@require_http_methods(["GET", "POST"])
def item_edit(request, pk):
    items = InfringingItem.objects.select_related("rights_holder", "franchise", "platform")
    item = access.get_for(request.user, items, "change", pk=pk)
    heading = f"{item.reference} · {item.title}"  # as saved: a bound form changes ``item``
    if request.method == "POST":
        form = ItemEditForm(request.POST, instance=item, user=request.user)
        if form.is_valid():
            saved = form.save()
            if saved is not None:
                messages.success(request, f"Saved your changes to {item.reference}.")
                return redirect(item)
            if not form.errors:
                messages.info(request, "Nothing changed.")
                return redirect(item)
    else:
        form = ItemEditForm(instance=item, user=request.user)
    locked = [form.fields[n].label for n in LOCKED_WHEN_SENT] if form.locked else []
    return render(
        request,
        "casework/item_edit.html",
        {"nav": "items", "item": item, "heading": heading, "form": form, "locked_labels": locked},
    )
