"""The list pages of event management on the shared record list (``itsm.core.lists``)."""

from __future__ import annotations

import dataclasses

from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from itsm.core import policy
from itsm.core.lists import Column, RecordListView, by_language
from itsm.events.choices import (
    AlertStatus,
    AuthMethod,
    PointCategory,
    RecoveryAction,
    RuleAction,
    Severity,
    SourceKind,
)
from itsm.events.filtersets import (
    AlertFilterSet,
    AlertRuleFilterSet,
    AlertSourceFilterSet,
    MonitoringPointFilterSet,
)
from itsm.events.models import Alert, AlertRule, AlertSource, MonitoringPoint


def _code(name: str):
    """A technical value (an alert name, a unit) shown as code, not as text to translate."""

    def cell(row):
        value = getattr(row, name)
        return format_html("<code>{}</code>", value) if value else ""

    return cell


def _ticket_number(alert: Alert) -> str:
    return alert.ticket.number if alert.ticket_id and alert.ticket else ""


class AlertList(RecordListView):
    """Alerts received: provider staff see all, customers those of their own CIs."""

    model = Alert
    filterset_class = AlertFilterSet
    template_name = "events/alert_list.html"
    title = _("Alerts")
    empty_text = _("No alerts found.")
    table_testid = "alert-table"
    default_sort = "-id"
    columns = (
        Column("summary", _("Summary"), value=str, link="events:alert_detail"),
        Column("status", _("Status"), choices=AlertStatus, sort="status"),
        Column("severity", _("Severity"), choices=Severity, sort="severity"),
        Column("ci", _("Configuration item"), value="ci"),
        Column("monitoring_point", _("Monitoring point"), value="monitoring_point.label"),
        Column("ticket", _("Incident"), value=_ticket_number),
        Column("repeat_count", _("Deliveries"), sort="repeat_count"),
        Column("suppressed", _("Suppressed")),
        Column("flapping", _("Flapping")),
        Column("starts_at", _("Started"), sort="starts_at"),
        Column("last_seen", _("Last seen"), sort="last_seen"),
        Column("source", _("Source"), value="source", staff_only=True, visible=False),
    )

    def base_queryset(self):
        return Alert.objects.select_related("ci", "ticket", "monitoring_point", "source")


class SourceList(RecordListView):
    """Alert sources (provider staff)."""

    model = AlertSource
    filterset_class = AlertSourceFilterSet
    template_name = "events/source_list.html"
    title = _("Alert sources")
    empty_text = _("No alert sources yet.")
    table_testid = "source-table"
    staff_only = True
    default_sort = "name"
    columns = (
        Column("name", _("Name"), link="events:source_detail", sort="name"),
        Column("kind", _("Kind"), choices=SourceKind, sort="kind"),
        Column("auth", _("Authentication"), choices=AuthMethod, sort="auth"),
        Column("is_active", _("Active")),
        Column("customer", _("Customer"), value="customer"),
        Column("updated_at", _("Updated"), sort="updated_at", visible=False),
    )

    def base_queryset(self):
        return AlertSource.objects.select_related("customer")


class RuleList(RecordListView):
    """Alert rules in the order they are tried."""

    model = AlertRule
    filterset_class = AlertRuleFilterSet
    template_name = "events/rule_list.html"
    title = _("Alert rules")
    empty_text = _("No alert rules yet.")
    table_testid = "rule-table"
    staff_only = True
    default_sort = "position"
    columns = (
        Column("position", _("Order"), sort="position"),
        Column("name", _("Name"), sort="name"),
        Column("action", _("Action"), choices=RuleAction, sort="action"),
        Column("on_recovery", _("On recovery"), choices=RecoveryAction),
        Column("source", _("Source"), value="source"),
        Column("service", _("Service"), value="service"),
        Column("is_active", _("Active")),
    )

    def available_columns(self) -> list[Column]:
        """The name leads to the rule's edit page for whom may change rules (for the others
        it stays plain: the link would answer 403), as the knowledge categories do."""
        columns = super().available_columns()
        if not policy.can(self.request.user, AlertRule, "change"):
            return columns
        return [
            dataclasses.replace(c, link="events:rule_edit") if c.name == "name" else c
            for c in columns
        ]

    def base_queryset(self):
        return AlertRule.objects.select_related("source", "service")


class MonitoringPointList(RecordListView):
    """The monitoring points (seed 000 §3.5) with their thresholds and CIs."""

    model = MonitoringPoint
    filterset_class = MonitoringPointFilterSet
    template_name = "events/point_list.html"
    title = _("Monitoring points")
    empty_text = _("No monitoring points yet.")
    table_testid = "point-table"
    staff_only = True
    default_sort = "code"
    columns = (
        Column("code", _("Code"), sort="code"),
        Column("name", _("Name"), value="label", sort=by_language("name_zh", "name_en")),
        Column("category", _("Category"), choices=PointCategory, sort="category"),
        Column("ci", _("Configuration item"), value="ci"),
        Column("alertname", _("Alert name"), sort="alertname", html=_code("alertname")),
        Column("warning_threshold", _("Warning threshold")),
        Column("critical_threshold", _("Critical threshold")),
        Column("unit", _("Unit"), html=_code("unit")),
    )

    def base_queryset(self):
        return MonitoringPoint.objects.select_related("ci")
