"""Serializers of the capacity management API."""

from __future__ import annotations

from rest_framework import serializers

from itsm.capacity.choices import ForecastMethod, PlanStatus
from itsm.capacity.models import CapacityPlan, Metric, Sample
from itsm.core.api.base import DomainSerializer, TransitionSerializer

METRIC_FIELDS = [
    "id",
    "display",
    "name",
    "unit",
    "description",
    "ci",
    "service",
    "customer",
    "key",
    "direction",
    "warning_threshold",
    "critical_threshold",
    "forecast_method",
    "season_days",
    "last_value",
    "last_at",
    "version",
    "created_at",
    "updated_at",
]


class MetricSerializer(DomainSerializer):
    class Meta:
        model = Metric
        fields = METRIC_FIELDS
        read_only_fields = ["customer", "last_value", "last_at", "created_at", "updated_at"]


class SampleSerializer(serializers.ModelSerializer):
    class Meta:
        model = Sample
        fields = ["id", "metric", "at", "value"]
        read_only_fields = fields


class SampleInputSerializer(serializers.Serializer):
    """One sample of a batch: the metric by id or by key (``metric``), the instant (ISO 8601;
    without an offset, the site's time zone) and the value. Rows are checked by the service,
    which names each bad row."""

    metric = serializers.JSONField(help_text="The metric's id (a number) or its key (text).")
    at = serializers.CharField()
    value = serializers.JSONField(help_text="A number.")


class SampleBatchSerializer(serializers.Serializer):
    samples = serializers.ListField(child=serializers.DictField(), allow_empty=True)


class IngestResultSerializer(serializers.Serializer):
    created = serializers.IntegerField()
    updated = serializers.IntegerField()
    unchanged = serializers.IntegerField()


class ForecastQuerySerializer(serializers.Serializer):
    method = serializers.ChoiceField(choices=ForecastMethod.choices, required=False)
    days = serializers.IntegerField(min_value=7, max_value=730, required=False)


class ForecastPointSerializer(serializers.Serializer):
    day = serializers.DateField()
    value = serializers.FloatField()


class ForecastSerializer(serializers.Serializer):
    metric = serializers.IntegerField()
    method = serializers.CharField(help_text="linear or seasonal; empty without a forecast.")
    method_label = serializers.CharField()
    automatic = serializers.BooleanField()
    slope_per_day = serializers.FloatField(allow_null=True)
    warning_on = serializers.DateField(allow_null=True)
    critical_on = serializers.DateField(allow_null=True)
    warning_now = serializers.BooleanField()
    critical_now = serializers.BooleanField()
    samples = serializers.IntegerField()
    reason = serializers.CharField()
    line = ForecastPointSerializer(many=True)


PLAN_FIELDS = [
    "id",
    "display",
    "number",
    "title",
    "service",
    "status",
    "period_start",
    "period_end",
    "current_demand",
    "forecast_demand",
    "upgrade_due",
    "upgrade_cost",
    "upgrade_description",
    "changes_effect",
    "changes",
    "metrics",
    "approved_at",
    "version",
    "created_at",
    "updated_at",
]


class CapacityPlanSerializer(DomainSerializer):
    upgrade_cost = serializers.DecimalField(
        max_digits=14, decimal_places=2, required=False, allow_null=True, coerce_to_string=False
    )

    class Meta:
        model = CapacityPlan
        fields = PLAN_FIELDS
        read_only_fields = ["number", "status", "approved_at", "created_at", "updated_at"]


class PlanTransitionSerializer(TransitionSerializer):
    to = serializers.ChoiceField(choices=PlanStatus.choices)
