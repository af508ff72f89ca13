"""Serializers of the event management API."""

from __future__ import annotations

from rest_framework import serializers

from itsm.core.api.base import DomainSerializer
from itsm.events.models import Alert, AlertRule, AlertSource, MonitoringPoint
from itsm.events.services import POINT_EDITABLE, RULE_EDITABLE, SOURCE_EDITABLE


class AlertSourceSerializer(DomainSerializer):
    endpoint = serializers.SerializerMethodField()

    class Meta:
        model = AlertSource
        fields = [
            "id",
            "display",
            *SOURCE_EDITABLE,
            "endpoint",
            "version",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["created_at", "updated_at"]

    def get_endpoint(self, obj) -> str:
        """The path the monitoring system posts to (its kind's endpoint)."""
        from itsm.events.selectors import endpoint_path

        return endpoint_path(obj)


class AlertRuleSerializer(DomainSerializer):
    match_labels = serializers.DictField(child=serializers.CharField(), required=False)
    priority_map = serializers.DictField(child=serializers.CharField(), required=False)

    class Meta:
        model = AlertRule
        fields = [
            "id",
            "display",
            *RULE_EDITABLE,
            "version",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["created_at", "updated_at"]


class MonitoringPointSerializer(DomainSerializer):
    class Meta:
        model = MonitoringPoint
        fields = [
            "id",
            "display",
            *POINT_EDITABLE,
            "version",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["created_at", "updated_at"]


class AlertSerializer(DomainSerializer):
    version = None  # type: ignore[assignment]  # alerts have no version: nobody edits them
    ticket_number = serializers.CharField(source="ticket.number", read_only=True, default=None)

    class Meta:
        model = Alert
        fields = [
            "id",
            "display",
            "source",
            "fingerprint",
            "status",
            "alertname",
            "summary",
            "severity",
            "starts_at",
            "ends_at",
            "last_seen",
            "repeat_count",
            "labels",
            "annotations",
            "customer",
            "ci",
            "service",
            "monitoring_point",
            "rule",
            "ticket",
            "ticket_number",
            "suppressed",
            "suppression_reason",
            "flapping",
            "outcome",
            "created_at",
        ]
        read_only_fields = fields
