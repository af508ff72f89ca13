"""FilterSets of the service catalogue, shared by the UI lists and the API."""

from __future__ import annotations

import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from itsm.catalog.choices import ServiceMode, ServiceStatus
from itsm.catalog.models import Service, ServiceCategory, ServiceItem
from itsm.core.filtersets import CustomerFilter, FilterSet


def _code_prefix(queryset, field: str, value: str):
    """Rows whose category code is *value* or below it (``01`` matches ``01`` and ``01.02``)."""
    value = (value or "").strip()
    if not value:
        return queryset
    return queryset.filter(Q(**{field: value}) | Q(**{f"{field}__startswith": value + "."}))


class ServiceCategoryFilterSet(FilterSet):
    q = django_filters.CharFilter(method="search", label=_("search"))
    code = django_filters.CharFilter(method="code_prefix", label=_("code"))

    class Meta:
        model = ServiceCategory
        fields = ["parent"]

    def search(self, queryset, name, value):
        return queryset.filter(Q(name__icontains=value) | Q(code__startswith=value))

    def code_prefix(self, queryset, name, value):
        return _code_prefix(queryset, "code", value)


class ServiceFilterSet(FilterSet):
    q = django_filters.CharFilter(method="search", label=_("search"))
    status = django_filters.MultipleChoiceFilter(choices=ServiceStatus.choices, label=_("status"))
    category = django_filters.CharFilter(
        method="category_prefix",
        label=_("category code"),
        help_text=_("A category code; services of its sub-categories are included."),
    )
    mode = django_filters.ChoiceFilter(
        choices=ServiceMode.choices, method="with_mode", label=_("service mode")
    )
    customer = CustomerFilter(field_name="customers")

    class Meta:
        model = Service
        fields = ["q", "status", "category", "mode", "customer"]

    def search(self, queryset, name, value):
        return queryset.filter(Q(name__icontains=value) | Q(code__icontains=value))

    def category_prefix(self, queryset, name, value):
        return _code_prefix(queryset, "category__code", value)

    def with_mode(self, queryset, name, value):
        # the JSON text of the list contains the quoted value (works on SQLite and PostgreSQL)
        return queryset.filter(modes__icontains=f'"{value}"')


class ServiceItemFilterSet(FilterSet):
    q = django_filters.CharFilter(method="search", label=_("search"))

    class Meta:
        model = ServiceItem
        fields = ["service"]

    def search(self, queryset, name, value):
        return queryset.filter(Q(name__icontains=value) | Q(code__icontains=value))
