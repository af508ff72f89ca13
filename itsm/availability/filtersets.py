"""FilterSets of availability management, shared by the list page and the API."""

from __future__ import annotations

import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from itsm.availability.choices import OutageKind, OutageSource
from itsm.availability.models import Outage
from itsm.core.filtersets import FilterSet


class OutageFilterSet(FilterSet):
    q = django_filters.CharFilter(method="search", label=_("search"))
    kind = django_filters.ChoiceFilter(choices=OutageKind.choices, label=_("kind"))
    source = django_filters.MultipleChoiceFilter(choices=OutageSource.choices, label=_("source"))
    service = django_filters.NumberFilter(field_name="service", label=_("service"))
    customer = django_filters.NumberFilter(field_name="customer", label=_("customer"))
    ticket = django_filters.NumberFilter(field_name="ticket", label=_("incident"))
    change = django_filters.NumberFilter(field_name="change", label=_("change"))
    is_open = django_filters.BooleanFilter(
        field_name="ended_at", lookup_expr="isnull", label=_("still open")
    )
    started_after = django_filters.IsoDateTimeFilter(
        field_name="started_at", lookup_expr="gte", label=_("started from")
    )
    started_before = django_filters.IsoDateTimeFilter(
        field_name="started_at", lookup_expr="lt", label=_("started before")
    )

    class Meta:
        model = Outage
        fields = ["q", "kind", "source", "service", "customer", "started_after", "started_before"]

    def search(self, queryset, name, value):
        return queryset.filter(
            Q(number__icontains=value)
            | Q(description__icontains=value)
            | Q(reference__icontains=value)
            | Q(service__name__icontains=value)
        )
