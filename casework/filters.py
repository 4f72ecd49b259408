"""The item list's FilterSet: every dropdown is scoped to the signed-in user."""

import django_filters as filters
from django import forms
from django.core.validators import RegexValidator
from django.db.models import Q

from casework.choices import Conduct, ContentKind, Stage, Theory
from casework.inputs import BoundedDateFromToRangeFilter
from casework.models import (
    Franchise,
    InfringingItem,
    Platform,
    ProtectedElement,
    Respondent,
    RightsHolder,
    VariantGroup,
)

# Sortable columns: the URL's ``sort`` value → the model field ordered on.
SORTS = {
    "logged": "created_at",
    "title": "title",
    "stage": "stage",
    "franchise": "franchise__name",
    "platform": "platform__name",
    "first_seen": "first_seen",
}
DEFAULT_SORT = "-logged"


def _holders(request):
    return RightsHolder.objects.for_user(request.user)


def _franchises(request):
    return Franchise.objects.for_user(request.user).select_related("rights_holder")


def _elements(request):
    return ProtectedElement.objects.for_user(request.user).select_related("franchise")


def _demands(request):
    # The demand model declares the relation (``Demand.items``, related name
    # ``demands``); reached through it, so casework does not import notices.
    demand_model = InfringingItem._meta.get_field("demands").related_model
    return demand_model.objects.for_user(request.user)


class ElementChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.franchise.name} — {obj.name}"


class ElementFilter(filters.ModelChoiceFilter):
    field_class = ElementChoiceField


class ItemFilter(filters.FilterSet):
    """Filters of the item list. All values live in the URL, so a list can be shared.

    Single-valued joins (element, demand) cannot duplicate rows, so they run
    with ``distinct=False``: a DISTINCT would defeat the index-ordered paging.
    """

    q = filters.CharFilter(
        method="search",
        label="Search",
        widget=forms.TextInput(attrs={"type": "search", "placeholder": "URL, title, description"}),
    )
    rights_holder = filters.ModelChoiceFilter(queryset=_holders, empty_label="Any rights holder")
    franchise = filters.ModelChoiceFilter(queryset=_franchises, empty_label="Any franchise")
    element = ElementFilter(
        field_name="elements",
        queryset=_elements,
        distinct=False,
        label="Protected element",
        empty_label="Any element",
    )
    platform = filters.ModelChoiceFilter(
        queryset=Platform.objects.all(), empty_label="Any platform"
    )
    stage = filters.MultipleChoiceFilter(
        choices=Stage.choices, distinct=False, widget=forms.CheckboxSelectMultiple
    )
    # Respondents are shared by all rights holders (like platforms): no names leak.
    respondent = filters.ModelChoiceFilter(
        field_name="platform__respondent",
        queryset=Respondent.objects.all(),
        empty_label="Any respondent",
    )
    content_kind = filters.ChoiceFilter(choices=ContentKind.choices, empty_label="Any kind")
    conduct = filters.ChoiceFilter(choices=Conduct.choices, empty_label="Any conduct")
    theory = filters.ChoiceFilter(choices=Theory.choices, empty_label="Any theory")
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
        """Substring search over URL, title and description.

        ``icontains`` becomes ``UPPER(col) LIKE UPPER('%q%')``, which the
        trigram GIN indexes of migration 0003 answer on PostgreSQL.
        """
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(url__icontains=value) | Q(title__icontains=value) | Q(description__icontains=value)
        )


def sort_of(params) -> tuple[str, str]:
    """(the ``sort`` key as in the URL, the order_by expression) with a safe default."""
    key = params.get("sort") or DEFAULT_SORT
    name = key.lstrip("-")
    if name not in SORTS:
        key, name = DEFAULT_SORT, DEFAULT_SORT.lstrip("-")
    return key, ("-" if key.startswith("-") else "") + SORTS[name]
