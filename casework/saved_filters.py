"""Saved filters of the item list: a name for a query string, and its link.

What is kept is only the list's own parameters (its filters, sort and page size),
never paging cursors. Opening one is opening the list with that query string, so
it shows what the person opening it may see: the filters are checked against their
own choices, as for any URL of the list.
"""

from django import forms
from django.http import QueryDict

from casework import access
from casework.filters import ItemFilter
from casework.models import SavedFilter

# The list's parameters besides its filters' (casework.views.item_list).
LIST_KEYS = ("sort", "size")


def _list_keys() -> set[str]:
    """The names of the list form's inputs (a date range is two: logged_after, _before)."""
    keys = set(LIST_KEYS)
    for name, item_filter in ItemFilter.base_filters.items():
        suffixes = getattr(item_filter.extra.get("widget"), "suffixes", None) or [None]
        keys.update(f"{name}_{suffix}" if suffix else name for suffix in suffixes)
    return keys


def list_query(params: QueryDict) -> str:
    """``params`` reduced to the list's own keys, non-blank, encoded."""
    keys = _list_keys()
    kept = QueryDict(mutable=True)
    for key in sorted(params):
        if key in keys:
            values = [v for v in params.getlist(key) if v.strip()]
            if values:
                kept.setlist(key, values)
    return kept.urlencode()


class SavedFilterForm(forms.ModelForm):
    """Save the list's current query under a name (the list page's "Save under this name")."""

    class Meta:
        model = SavedFilter
        fields = ["name", "query"]
        widgets = {"query": forms.HiddenInput}
        labels = {"name": "Name of this filter", "query": "Filter"}

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_name(self):
        name = self.cleaned_data["name"].strip()
        if SavedFilter.objects.filter(owner=self.user, name__iexact=name).exists():
            raise forms.ValidationError("You already have a saved filter with this name.")
        return name

    def clean_query(self):
        query = list_query(QueryDict(self.cleaned_data["query"]))
        if not query:
            raise forms.ValidationError("Choose a filter or search before saving it.")
        return query

    def clean(self):
        cleaned = super().clean()
        holders = access.holders_of(self.user)
        if not holders:
            raise forms.ValidationError("You belong to no rights holder.")
        # Its rights holder is the one it filters on, else the user's first: the
        # people who may open its link are that holder's.
        chosen = QueryDict(cleaned.get("query", "")).get("rights_holder", "")
        self.instance.rights_holder = next((h for h in holders if str(h.pk) == chosen), holders[0])
        self.instance.owner = self.user
        return cleaned
