"""The demand list's filters. Every dropdown is scoped to the user's rights holders."""

import django_filters
from django import forms
from django.db.models import Q

from casework.inputs import BoundedDateFilter, check_date_order
from casework.models import Franchise, Platform, Respondent, RightsHolder
from notices.choices import DemandStatus
from notices.models import Demand
from notices.workflow import is_overdue_q


class DemandFilterForm(forms.Form):
    def clean(self):
        data = super().clean()
        check_date_order(self, "sent_after", "sent_before")
        return data


class DemandFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label="Reference")
    status = django_filters.MultipleChoiceFilter(
        choices=DemandStatus.choices, distinct=False, widget=forms.SelectMultiple
    )
    rights_holder = django_filters.ModelChoiceFilter(
        queryset=RightsHolder.objects.none(), distinct=False
    )
    respondent = django_filters.ModelChoiceFilter(
        queryset=Respondent.objects.none(), distinct=False
    )
    franchise = django_filters.ModelChoiceFilter(
        queryset=Franchise.objects.none(), field_name="items__franchise", distinct=True
    )
    # Demands covering one of its items (the platform scorecards link here).
    platform = django_filters.ModelChoiceFilter(
        queryset=Platform.objects.none(), field_name="items__platform", distinct=True
    )
    overdue = django_filters.BooleanFilter(
        method="filter_overdue",
        label="Overdue",
        widget=forms.Select(choices=[("", "Any"), ("true", "Overdue"), ("false", "Not overdue")]),
    )
    sent_after = BoundedDateFilter(
        field_name="sent_on",
        lookup_expr="gte",
        label="Sent from",
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    sent_before = BoundedDateFilter(
        field_name="sent_on",
        lookup_expr="lte",
        label="Sent until",
        widget=forms.DateInput(attrs={"type": "date"}),
    )

    class Meta:
        model = Demand
        form = DemandFilterForm
        fields = ["q", "status", "rights_holder", "respondent", "franchise", "platform", "overdue"]

    def __init__(self, data=None, queryset=None, *, request=None, **kwargs):
        super().__init__(data, queryset, request=request, **kwargs)
        user = request.user
        visible = Demand.objects.for_user(user)
        self.filters["rights_holder"].queryset = RightsHolder.objects.for_user(user)
        # Only respondents the user's demands are addressed to.
        self.filters["respondent"].queryset = Respondent.objects.filter(
            pk__in=visible.values("respondent_id")
        )
        self.filters["franchise"].queryset = Franchise.objects.for_user(user)
        # Platforms are shared by all rights holders (like respondents): no names leak.
        self.filters["platform"].queryset = Platform.objects.all()

    def search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(Q(reference__icontains=value))

    def filter_overdue(self, queryset, name, value):
        if value is None:
            return queryset
        return queryset.filter(is_overdue_q()) if value else queryset.exclude(is_overdue_q())
