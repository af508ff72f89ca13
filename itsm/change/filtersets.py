"""FilterSets of change management, shared by the list pages and the API."""

from __future__ import annotations

import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from itsm.change.choices import (
    ChangeCategory,
    ChangeKind,
    ChangeStatus,
    MeetingStatus,
    RiskLevel,
    WindowKind,
)
from itsm.change.models import (
    AdvisoryBoard,
    Approval,
    CabMeeting,
    Change,
    ChangeTemplate,
    RiskQuestion,
    RiskThreshold,
    Window,
)
from itsm.core.filtersets import FilterSet


class ChangeFilterSet(FilterSet):
    q = django_filters.CharFilter(method="search", label=_("search"))
    status = django_filters.MultipleChoiceFilter(choices=ChangeStatus.choices, label=_("status"))
    kind = django_filters.ChoiceFilter(choices=ChangeKind.choices, label=_("kind"))
    category = django_filters.ChoiceFilter(choices=ChangeCategory.choices, label=_("category"))
    risk_level = django_filters.ChoiceFilter(choices=RiskLevel.choices, label=_("risk level"))
    starts_after = django_filters.IsoDateTimeFilter(
        field_name="planned_start", lookup_expr="gte", label=_("planned start from")
    )
    starts_before = django_filters.IsoDateTimeFilter(
        field_name="planned_start", lookup_expr="lt", label=_("planned start before")
    )
    ci = django_filters.NumberFilter(field_name="cis", label=_("configuration item"))

    class Meta:
        model = Change
        fields = ["q", "status", "kind", "category", "risk_level", "starts_after", "starts_before"]

    def search(self, queryset, name, value):
        return queryset.filter(Q(number__icontains=value) | Q(title__icontains=value))


class TemplateFilterSet(FilterSet):
    q = django_filters.CharFilter(method="search", label=_("search"))
    category = django_filters.ChoiceFilter(choices=ChangeCategory.choices, label=_("category"))

    class Meta:
        model = ChangeTemplate
        fields = ["q", "category", "is_active"]

    def search(self, queryset, name, value):
        return queryset.filter(Q(code__icontains=value) | Q(name__icontains=value))


class WindowFilterSet(FilterSet):
    kind = django_filters.ChoiceFilter(choices=WindowKind.choices, label=_("kind"))

    class Meta:
        model = Window
        fields = ["kind", "is_active"]


class ApprovalFilterSet(FilterSet):
    class Meta:
        model = Approval
        fields = ["change", "vote"]


class QuestionFilterSet(FilterSet):
    class Meta:
        model = RiskQuestion
        fields = ["is_active"]


class ThresholdFilterSet(FilterSet):
    level = django_filters.ChoiceFilter(choices=RiskLevel.choices, label=_("risk level"))

    class Meta:
        model = RiskThreshold
        fields = ["level"]


class BoardFilterSet(FilterSet):
    class Meta:
        model = AdvisoryBoard
        fields = ["is_emergency", "is_active"]


class MeetingFilterSet(FilterSet):
    status = django_filters.MultipleChoiceFilter(choices=MeetingStatus.choices, label=_("status"))
    emergency = django_filters.BooleanFilter(
        field_name="board__is_emergency", label=_("emergency CAB")
    )

    class Meta:
        model = CabMeeting
        fields = ["status", "emergency", "board"]
