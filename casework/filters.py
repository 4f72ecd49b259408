"""The item list's FilterSet: every dropdown is scoped to the signed-in user.

The dropdowns' choices (the user's franchises, elements, rights holders; all
platforms and respondents) are read once per set of rights holders and kept in
the cache (``casework.catalogue``), so a list page builds them without a query;
the choice fields validate against those same choices. The selects and the
stage checkboxes render as one string each (``casework.widgets``) instead of a
template per option.
"""

import django_filters as filters
from django import forms
from django.core.validators import RegexValidator

from casework import catalogue, search
from casework.choices import Conduct, ContentKind, Stage, Theory
from casework.inputs import BoundedDateFromToRangeFilter
from casework.models import InfringingItem, VariantGroup
from casework.widgets import EitherYesNo, FastCheckboxes, FastSelect

# Sortable columns: the URL's ``sort`` value → the model field ordered on.
# Each is paged by keyset on (column, id): stable while rows are added.
SORTS = {
    "ref": "id",
    "logged": "created_at",
    "title": "title",
    "stage": "stage",
    "franchise": "franchise__name",
    "platform": "platform__name",
    "respondent": "platform__respondent__name",
    "first_seen": "first_seen",
}
DEFAULT_SORT = "-logged"
# The order of a search unless a column is chosen: by relevance (casework.search).
RELEVANCE = "relevance"


def _demands(request):
    # The demand model declares the relation (``Demand.items``, related name
    # ``demands``); reached through it, so casework does not import notices.
    demand_model = InfringingItem._meta.get_field("demands").related_model
    return demand_model.objects.for_user(request.user)


class ElementChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.franchise.name} — {obj.name}"


class CatalogueChoiceFilter(filters.ChoiceFilter):
    """A dropdown of one of the user's cached catalogue lists (``casework.catalogue``).

    The value is the row's id; it is valid only if it is among the user's choices,
    so another holder's franchise is refused like any unknown value.
    """

    def __init__(self, *args, catalogue: str, **kwargs):
        self.catalogue = catalogue
        kwargs.setdefault("widget", FastSelect)
        super().__init__(*args, **kwargs)

    @property
    def field(self):
        if not hasattr(self, "_field"):
            self.extra["choices"] = self.parent.catalogue().get(self.catalogue, [])
        return super().field


class ItemFilter(filters.FilterSet):
    """Filters of the item list. All values live in the URL, so a list can be shared.

    Single-valued joins (element, demand) cannot duplicate rows, so they run
    with ``distinct=False``: a DISTINCT would defeat the index-ordered paging.
    """

    q = filters.CharFilter(
        method="search",
        label="Search",
        max_length=200,
        help_text='Words, "a phrase", -without, this or that; a fragment of a title or URL; '
        "a reference such as NFLX-I9.",
        widget=forms.TextInput(
            attrs={
                "type": "search",
                "placeholder": "URL, title, description, reference",
                "aria-describedby": "q-help",
            }
        ),
    )
    rights_holder = CatalogueChoiceFilter(
        catalogue="rights_holder", label="Rights holder", empty_label="Any rights holder"
    )
    franchise = CatalogueChoiceFilter(
        catalogue="franchise", label="Franchise", empty_label="Any franchise"
    )
    element = CatalogueChoiceFilter(
        catalogue="element",
        field_name="elements",
        distinct=False,
        label="Protected element",
        empty_label="Any element",
    )
    platform = CatalogueChoiceFilter(
        catalogue="platform", label="Platform", empty_label="Any platform"
    )
    stage = filters.MultipleChoiceFilter(
        choices=Stage.choices, distinct=False, widget=FastCheckboxes
    )
    # Respondents are shared by all rights holders (like platforms): no names leak.
    respondent = CatalogueChoiceFilter(
        catalogue="respondent",
        field_name="platform__respondent",
        label="Respondent",
        empty_label="Any respondent",
    )
    content_kind = filters.ChoiceFilter(
        choices=ContentKind.choices, empty_label="Any kind", widget=FastSelect
    )
    conduct = filters.ChoiceFilter(
        choices=Conduct.choices, empty_label="Any conduct", widget=FastSelect
    )
    theory = filters.ChoiceFilter(
        choices=Theory.choices, empty_label="Any theory", widget=FastSelect
    )
    logged = BoundedDateFromToRangeFilter(
        field_name="created_at",
        label="Logged between",
        widget=filters.widgets.DateRangeWidget(attrs={"type": "date"}),
    )
    # A demand is named by its reference: a dropdown of thousands of demands helps nobody.
    demand = filters.ModelChoiceFilter(
        field_name="demands",
        queryset=_demands,
        to_field_name="reference",
        distinct=False,
        widget=forms.TextInput(attrs={"placeholder": "e.g. NFLX-2026-0007"}),
        label="Demand reference",
    )

    # Items found live again after a removal (the scorecards' relapses link here).
    relapsed = filters.BooleanFilter(
        method="filter_relapsed",
        field_name="relapse_count",
        label="Found live again after removal",
        widget=EitherYesNo,
    )

    # A variant group is named by its reference (NFLX-V12), like a demand: no dropdown.
    variant_group = filters.CharFilter(
        method="in_group",
        label="Variant group",
        widget=forms.TextInput(attrs={"placeholder": "e.g. NFLX-V12"}),
        validators=[
            RegexValidator(
                r"^\s*([A-Za-z0-9]+-)?[Vv]?\d{1,18}\s*$",
                "Enter a variant group reference such as NFLX-V12.",
            )
        ],
    )

    class Meta:
        model = InfringingItem
        fields = []

    def catalogue(self) -> dict:
        """The dropdowns' choices for this request's user, read once (cached across requests)."""
        if not hasattr(self, "_catalogue"):
            user = getattr(self.request, "user", None)
            self._catalogue = catalogue.read(user) if user and user.is_authenticated else {}
        return self._catalogue

    def filter_relapsed(self, queryset, name, value):
        if value is None:
            return queryset
        return queryset.filter(relapse_count__gt=0) if value else queryset.filter(relapse_count=0)

    def in_group(self, queryset, name, value):
        """Items of the variant group ``CODE-V<id>`` (or a bare id); none if unknown."""
        value = value.strip().upper()
        if not value:
            return queryset
        code, _, number = value.rpartition("-")
        number = number.lstrip("V")
        groups = VariantGroup.objects.for_user(self.request.user).filter(pk=int(number))
        if code:
            groups = groups.filter(rights_holder__code=code)
        return queryset.filter(variant_group__in=groups.values("pk"))

    def search(self, queryset, name, value):
        """Words, fragments and references (casework.search); blank changes nothing."""
        return search.matching(queryset, value)


def sort_of(params) -> tuple[str, str]:
    """(the ``sort`` key as in the URL, the order_by expression) with a safe default.

    A search is ordered by relevance unless a column is chosen; ``RELEVANCE`` comes
    with the default column order, for what cannot rank (the CSV export).
    """
    searching = bool((params.get("q") or "").strip())
    key = params.get("sort") or (RELEVANCE if searching else DEFAULT_SORT)
    if key == RELEVANCE and searching:
        return RELEVANCE, "-" + SORTS[DEFAULT_SORT.lstrip("-")]
    name = key.lstrip("-")
    if name not in SORTS:
        key, name = DEFAULT_SORT, DEFAULT_SORT.lstrip("-")
    return key, ("-" if key.startswith("-") else "") + SORTS[name]
