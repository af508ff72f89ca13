"""FilterSets of capacity management, shared by the list pages and the API."""

from __future__ import annotations

import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from itsm.capacity.choices import Direction, ForecastMethod, PlanStatus
from itsm.capacity.models import CapacityPlan, Metric, Sample
from itsm.core.filtersets import FilterSet


class MetricFilterSet(FilterSet):
    q = django_filters.CharFilter(method="search", label=_("search"))
    direction = django_filters.ChoiceFilter(choices=Direction.choices, label=_("direction"))
    forecast_method = django_filters.ChoiceFilter(
        choices=ForecastMethod.choices, label=_("forecast method")
    )
    ci = django_filters.NumberFilter(field_name="ci", label=_("configuration item"))
    service = django_filters.NumberFilter(field_name="service", label=_("service"))
    key = django_filters.CharFilter(field_name="key", label=_("key"))

    class Meta:
        model = Metric
        fields = ["q", "direction", "forecast_method"]

    def search(self, queryset, name, value):
        return queryset.filter(
            Q(name__icontains=value)
            | Q(key__icontains=value)
            | Q(ci__name__icontains=value)
            | Q(ci__number__iexact=value)
        )


class SampleFilterSet(FilterSet):
    metric = django_filters.NumberFilter(field_name="metric", label=_("metric"))
    since = django_filters.IsoDateTimeFilter(field_name="at", lookup_expr="gte", label=_("from"))
    until = django_filters.IsoDateTimeFilter(field_name="at", lookup_expr="lt", label=_("until"))

    class Meta:
        model = Sample
        fields = ["since", "until"]


class BreachFilterSet(FilterSet):
    """The breaching samples (the breach list): by metric name and time."""

    q = django_filters.CharFilter(method="search", label=_("metric"))
    since = django_filters.IsoDateTimeFilter(field_name="at", lookup_expr="gte", label=_("from"))
    until = django_filters.IsoDateTimeFilter(field_name="at", lookup_expr="lt", label=_("until"))
    days = django_filters.NumberFilter(
        method="horizon", label=_("forecast horizon (days)"), min_value=1, max_value=3650
    )

    class Meta:
        model = Sample
        fields = ["q", "since", "until", "days"]

    def horizon(self, queryset, name, value):
        """Read by the page for the forecast breaches; the samples are not filtered by it."""
        return queryset

    def search(self, queryset, name, value):
        return queryset.filter(Q(metric__name__icontains=value) | Q(metric__key__icontains=value))


class PlanFilterSet(FilterSet):
    q = django_filters.CharFilter(method="search", label=_("search"))
    status = django_filters.MultipleChoiceFilter(choices=PlanStatus.choices, label=_("status"))
    service = django_filters.NumberFilter(field_name="service", label=_("service"))

    class Meta:
        model = CapacityPlan
        fields = ["q", "status"]

    def search(self, queryset, name, value):
        return queryset.filter(
            Q(number__icontains=value)
            | Q(title__icontains=value)
            | Q(service__name__icontains=value)
        )
