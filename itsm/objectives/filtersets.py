"""FilterSets of management objectives, shared by the list pages and the API."""

from __future__ import annotations

import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from itsm.core.filtersets import FilterSet
from itsm.kpi.choices import Period
from itsm.objectives.choices import ObjectiveScope, PlanStatus
from itsm.objectives.models import ManualActual, Objective, Plan


class PlanFilterSet(FilterSet):
    q = django_filters.CharFilter(method="search", label=_("search"))
    status = django_filters.MultipleChoiceFilter(choices=PlanStatus.choices, label=_("status"))
    year = django_filters.NumberFilter(field_name="year", label=_("year"))

    class Meta:
        model = Plan
        fields = ["q", "status", "year"]

    def search(self, queryset, name, value):
        return queryset.filter(Q(number__icontains=value) | Q(title__icontains=value))


class ObjectiveFilterSet(FilterSet):
    q = django_filters.CharFilter(method="search", label=_("search"))
    plan = django_filters.NumberFilter(field_name="plan", label=_("plan"))
    scope = django_filters.MultipleChoiceFilter(choices=ObjectiveScope.choices, label=_("scope"))
    period = django_filters.ChoiceFilter(choices=Period.choices, label=_("period"))
    kpi_id = django_filters.CharFilter(field_name="kpi_id", label=_("KPI"))
    customer = django_filters.NumberFilter(field_name="customer", label=_("customer"))

    class Meta:
        model = Objective
        fields = ["q", "plan", "scope", "period", "kpi_id", "customer"]

    def search(self, queryset, name, value):
        return queryset.filter(
            Q(title__icontains=value) | Q(project__icontains=value) | Q(owner__icontains=value)
        )


class ManualActualFilterSet(FilterSet):
    objective = django_filters.NumberFilter(field_name="objective", label=_("objective"))
    since = django_filters.DateFilter(field_name="period_start", lookup_expr="gte", label=_("from"))

    class Meta:
        model = ManualActual
        fields = ["objective", "since"]
