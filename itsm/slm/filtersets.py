"""Filters of the slm lists (HTML and API)."""

from __future__ import annotations

import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from itsm.core.choices import Priority
from itsm.core.filtersets import CustomerFilter, FilterSet, SupplierFilter
from itsm.slm.choices import (
    ActionStatus,
    AgreementKind,
    AgreementStatus,
    RequirementKind,
    RequirementStatus,
    ReviewKind,
    ReviewStatus,
    TargetMetric,
)
from itsm.slm.models import ActionItem, Agreement, Requirement, ReviewMeeting, Target


class AgreementFilterSet(FilterSet):
    q = django_filters.CharFilter(label=_("Search"), method="search")
    kind = django_filters.MultipleChoiceFilter(label=_("kind"), choices=AgreementKind.choices)
    status = django_filters.MultipleChoiceFilter(label=_("status"), choices=AgreementStatus.choices)
    customer = CustomerFilter()
    supplier = SupplierFilter()
    valid_to_before = django_filters.DateFilter(
        field_name="valid_to", lookup_expr="lte", label=_("valid until, on or before")
    )

    class Meta:
        model = Agreement
        fields = ["q", "kind", "status", "customer", "team", "supplier", "services"]

    def search(self, queryset, name, value):
        return queryset.filter(Q(number__icontains=value) | Q(title__icontains=value))


class TargetFilterSet(FilterSet):
    metric = django_filters.MultipleChoiceFilter(label=_("metric"), choices=TargetMetric.choices)
    priority = django_filters.MultipleChoiceFilter(label=_("priority"), choices=Priority.choices)

    class Meta:
        model = Target
        fields = ["agreement", "service", "metric", "priority"]


class RequirementFilterSet(FilterSet):
    kind = django_filters.MultipleChoiceFilter(label=_("kind"), choices=RequirementKind.choices)
    status = django_filters.MultipleChoiceFilter(
        label=_("status"), choices=RequirementStatus.choices
    )
    customer = CustomerFilter()

    class Meta:
        model = Requirement
        fields = ["customer", "kind", "status", "service"]


class ReviewFilterSet(FilterSet):
    kind = django_filters.MultipleChoiceFilter(label=_("kind"), choices=ReviewKind.choices)
    status = django_filters.MultipleChoiceFilter(label=_("status"), choices=ReviewStatus.choices)
    year = django_filters.NumberFilter(
        label=_("year"),
        field_name="due_date",
        lookup_expr="year",
        min_value=1,
        max_value=9999,
        decimal_places=0,
    )
    due_after = django_filters.DateFilter(
        label=_("due from"), field_name="due_date", lookup_expr="gte"
    )
    due_before = django_filters.DateFilter(
        label=_("due until"), field_name="due_date", lookup_expr="lte"
    )
    customer = CustomerFilter()

    class Meta:
        model = ReviewMeeting
        fields = ["kind", "status", "agreement", "customer", "year", "due_after", "due_before"]


class ActionItemFilterSet(FilterSet):
    status = django_filters.MultipleChoiceFilter(label=_("status"), choices=ActionStatus.choices)

    class Meta:
        model = ActionItem
        fields = ["meeting", "owner", "status"]
