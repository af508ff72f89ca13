"""FilterSets of the improvement register, shared by the list page and the API."""

from __future__ import annotations

import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from itsm.core.filtersets import FilterSet
from itsm.improvement.choices import ItemSource, ItemStatus
from itsm.improvement.models import Item


class ItemFilterSet(FilterSet):
    q = django_filters.CharFilter(method="search", label=_("search"))
    status = django_filters.MultipleChoiceFilter(choices=ItemStatus.choices, label=_("status"))
    source = django_filters.MultipleChoiceFilter(choices=ItemSource.choices, label=_("source"))
    due_after = django_filters.DateFilter(
        field_name="due_date", lookup_expr="gte", label=_("due from")
    )
    due_before = django_filters.DateFilter(
        field_name="due_date", lookup_expr="lte", label=_("due until")
    )

    class Meta:
        model = Item
        fields = ["q", "status", "source", "customer", "owner", "due_after", "due_before"]

    def search(self, queryset, name, value):
        return queryset.filter(
            Q(number__icontains=value) | Q(title__icontains=value) | Q(goal__icontains=value)
        )
