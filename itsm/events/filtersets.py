"""FilterSets of event management, shared by the list pages and the API."""

from __future__ import annotations

import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from itsm.core.filtersets import FilterSet
from itsm.events.choices import (
    AlertStatus,
    AuthMethod,
    PointCategory,
    RuleAction,
    Severity,
    SourceKind,
)
from itsm.events.models import Alert, AlertRule, AlertSource, MonitoringPoint


class AlertFilterSet(FilterSet):
    q = django_filters.CharFilter(method="search", label=_("search"))
    status = django_filters.MultipleChoiceFilter(choices=AlertStatus.choices, label=_("status"))
    severity = django_filters.MultipleChoiceFilter(choices=Severity.choices, label=_("severity"))
    suppressed = django_filters.BooleanFilter(label=_("suppressed"))
    flapping = django_filters.BooleanFilter(label=_("flapping"))
    seen_after = django_filters.IsoDateTimeFilter(
        field_name="last_seen", lookup_expr="gte", label=_("last seen from")
    )

    class Meta:
        model = Alert
        fields = ["q", "status", "severity", "suppressed", "flapping", "seen_after"]

    def search(self, queryset, name, value):
        return queryset.filter(
            Q(summary__icontains=value)
            | Q(alertname__icontains=value)
            | Q(fingerprint=value)
            | Q(ticket__number__iexact=value)
        )


class AlertSourceFilterSet(FilterSet):
    kind = django_filters.ChoiceFilter(choices=SourceKind.choices, label=_("kind"))
    auth = django_filters.ChoiceFilter(choices=AuthMethod.choices, label=_("authentication"))
    is_active = django_filters.BooleanFilter(label=_("active"))

    class Meta:
        model = AlertSource
        fields = ["kind", "auth", "is_active"]


class AlertRuleFilterSet(FilterSet):
    action = django_filters.ChoiceFilter(choices=RuleAction.choices, label=_("action"))
    is_active = django_filters.BooleanFilter(label=_("active"))

    class Meta:
        model = AlertRule
        fields = ["action", "is_active"]


class MonitoringPointFilterSet(FilterSet):
    q = django_filters.CharFilter(method="search", label=_("search"))
    category = django_filters.ChoiceFilter(choices=PointCategory.choices, label=_("category"))

    class Meta:
        model = MonitoringPoint
        fields = ["q", "category"]

    def search(self, queryset, name, value):
        return queryset.filter(
            Q(code__icontains=value)
            | Q(name_zh__icontains=value)
            | Q(name_en__icontains=value)
            | Q(alertname__icontains=value)
        )
