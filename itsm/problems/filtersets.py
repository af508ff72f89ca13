"""FilterSets of problem management, shared by the list pages and the API."""

from __future__ import annotations

import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from itsm.core.choices import Priority
from itsm.core.filtersets import FilterSet
from itsm.problems.choices import (
    OPEN_PROBLEM_STATES,
    CauseCategory,
    Dimension,
    KnownErrorStatus,
    ProblemSource,
    ProblemStatus,
    ProposalStatus,
)
from itsm.problems.models import DetectionRule, KnownError, Problem, ProblemProposal


def number_or_title(value: str, prefix: str) -> Q:
    """The number itself (``PRB-000012``, case-insensitive) or the text in the title."""
    value = (value or "").strip()
    if not value:
        return Q()
    if value.upper().startswith(prefix + "-"):
        return Q(number=value.upper())
    return Q(title__icontains=value)


class ProblemFilterSet(FilterSet):
    q = django_filters.CharFilter(method="search", label=_("search"))
    open = django_filters.BooleanFilter(method="only_open", label=_("open only"))
    status = django_filters.MultipleChoiceFilter(choices=ProblemStatus.choices, label=_("status"))
    priority = django_filters.MultipleChoiceFilter(choices=Priority.choices, label=_("priority"))
    source = django_filters.ChoiceFilter(choices=ProblemSource.choices, label=_("source"))
    cause_category = django_filters.ChoiceFilter(
        choices=CauseCategory.choices, label=_("cause category")
    )
    incident = django_filters.CharFilter(method="with_incident", label=_("incident number"))

    class Meta:
        model = Problem
        fields = ["q", "open", "status", "priority", "source", "cause_category", "incident"]

    def search(self, queryset, name, value):
        return queryset.filter(number_or_title(value, "PRB"))

    def only_open(self, queryset, name, value):
        if value is None:
            return queryset
        if value:
            return queryset.filter(status__in=OPEN_PROBLEM_STATES)
        return queryset.exclude(status__in=OPEN_PROBLEM_STATES)

    def with_incident(self, queryset, name, value):
        value = (value or "").strip().upper()
        return queryset.filter(incidents__number=value) if value else queryset


class KnownErrorFilterSet(FilterSet):
    q = django_filters.CharFilter(method="search", label=_("search"))
    status = django_filters.MultipleChoiceFilter(
        choices=KnownErrorStatus.choices, label=_("status")
    )
    published = django_filters.BooleanFilter(
        field_name="article_id", lookup_expr="isnull", exclude=True, label=_("published")
    )

    class Meta:
        model = KnownError
        fields = ["q", "status", "published", "problem"]

    def search(self, queryset, name, value):
        value = (value or "").strip()
        if value.upper().startswith("KE-"):
            return queryset.filter(number=value.upper())
        return queryset.filter(Q(title__icontains=value) | Q(symptoms__icontains=value))


class ProposalFilterSet(FilterSet):
    status = django_filters.MultipleChoiceFilter(choices=ProposalStatus.choices, label=_("status"))
    dimension = django_filters.ChoiceFilter(choices=Dimension.choices, label=_("group by"))

    class Meta:
        model = ProblemProposal
        fields = ["status", "dimension"]


class DetectionRuleFilterSet(FilterSet):
    dimension = django_filters.ChoiceFilter(choices=Dimension.choices, label=_("group by"))
    is_active = django_filters.BooleanFilter(label=_("active"))

    class Meta:
        model = DetectionRule
        fields = ["dimension", "is_active"]
