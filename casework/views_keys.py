"""A rights holder's API keys page: its managers make and revoke keys (casework/api/keys.py).

A new key's token is shown once, on the page the form redirects to, and never
again: it waits in the session only until that page pops it (post/redirect/get,
so a reload neither shows it again nor makes a second key). Only its SHA-256 is
kept.
"""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods

from casework import access, confirm
from casework.api import keys
from casework.models import ApiKey, ApiKeyScope, RightsHolder

SESSION_TOKEN = "new_api_key_token"  # noqa: S105 - a session key name


class ApiKeyForm(forms.Form):
    name = forms.CharField(
        max_length=100, help_text="Who or what uses it, e.g. “Vobile monitoring feed”."
    )
    scope = forms.ChoiceField(
        choices=ApiKeyScope.choices,
        initial=ApiKeyScope.READ,
        widget=forms.RadioSelect,
        help_text="Read lists items and demands; read and write also logs items, adds "
        "evidence, moves stages and records compliance.",
    )


class RevokeForm(forms.Form):
    key = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args, holder, **kwargs):
        super().__init__(*args, **kwargs)
        self.holder = holder

    def clean_key(self):
        key = ApiKey.objects.filter(
            rights_holder=self.holder, pk=self.cleaned_data["key"], revoked_at__isnull=True
        ).first()
        if key is None:
            raise forms.ValidationError("That key does not exist or is already revoked.")
        return key


@login_required
@require_GET
def api_keys_home(request):
    """The nav's "API keys": straight to the holder's page when there is one."""
    access.require_manager(request.user)
    holders = access.holders_of(request.user)
    if len(holders) == 1:
        return redirect("casework:api-keys", holder_id=holders[0].pk)
    return render(request, "casework/api_key_holders.html", {"nav": "api", "holders": holders})


@login_required
@require_http_methods(["GET", "POST"])
def api_keys(request, holder_id):
    holder = access.get_for(request.user, RightsHolder.objects, "manage", pk=holder_id)
    form, status = ApiKeyForm(), 200
    token = None
    if request.method == "GET" and request.session.get(SESSION_TOKEN, [None])[0] == holder.pk:
        token = request.session.pop(SESSION_TOKEN)[1]
    if request.method == "POST":
        if "key" in request.POST:
            revoke = RevokeForm(request.POST, holder=holder)
            if revoke.is_valid():
                key = revoke.cleaned_data["key"]
                if not confirm.confirmed(request):
                    return confirm.page(
                        request,
                        keys.revoke_confirmation(key),
                        cancel_url=reverse("casework:api-keys", kwargs={"holder_id": holder.pk}),
                    )
                keys.revoke_key(key, by=request.user)
                messages.success(request, f"Revoked “{key.name}” ({key.prefix}…).")
            else:
                messages.error(request, revoke.errors["key"][0])
            return redirect("casework:api-keys", holder_id=holder.pk)
        form = ApiKeyForm(request.POST)
        if form.is_valid():
            key, new_token = keys.create_key(
                holder,
                name=form.cleaned_data["name"],
                scope=form.cleaned_data["scope"],
                by=request.user,
            )
            request.session[SESSION_TOKEN] = [holder.pk, new_token]
            messages.success(request, f"Made “{key.name}” ({key.prefix}…).")
            return redirect("casework:api-keys", holder_id=holder.pk)
        status = 400
    holder_keys = list(
        ApiKey.objects.filter(rights_holder=holder).select_related("created_by", "revoked_by")
    )
    for key in holder_keys:
        key.revoke_confirmation = keys.revoke_confirmation(key)
    context = {
        "nav": "api",
        "holder": holder,
        "form": form,
        "token": token,
        "keys": holder_keys,
    }
    response = render(request, "casework/api_keys.html", context, status=status)
    if token:
        response["Cache-Control"] = "no-store"
    return response
