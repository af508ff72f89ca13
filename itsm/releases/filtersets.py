"""FilterSets of release management, shared by the list page and the API."""

from __future__ import annotations

import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from itsm.core.filtersets import FilterSet
from itsm.releases.choices import Decision, ReleaseKind, ReleaseStatus, TestResult
from itsm.releases.models import Release, ReleaseDecision, ReleaseTest


class ReleaseFilterSet(FilterSet):
    q = django_filters.CharFilter(method="search", label=_("search"))
    status = django_filters.MultipleChoiceFilter(choices=ReleaseStatus.choices, label=_("status"))
    kind = django_filters.ChoiceFilter(choices=ReleaseKind.choices, label=_("kind"))
    planned_after = django_filters.IsoDateTimeFilter(
        field_name="planned_at", lookup_expr="gte", label=_("planned from")
    )
    planned_before = django_filters.IsoDateTimeFilter(
        field_name="planned_at", lookup_expr="lt", label=_("planned before")
    )
    change = django_filters.NumberFilter(field_name="changes", label=_("change"))

    class Meta:
        model = Release
        fields = ["q", "status", "kind", "planned_after", "planned_before"]

    def search(self, queryset, name, value):
        return queryset.filter(
            Q(number__icontains=value)
            | Q(title__icontains=value)
            | Q(version_label__icontains=value)
        )


class ReleaseTestFilterSet(FilterSet):
    result = django_filters.ChoiceFilter(choices=TestResult.choices, label=_("result"))

    class Meta:
        model = ReleaseTest
        fields = ["release", "result"]


class ReleaseDecisionFilterSet(FilterSet):
    decision = django_filters.ChoiceFilter(choices=Decision.choices, label=_("decision"))

    class Meta:
        model = ReleaseDecision
        fields = ["release", "decision"]
