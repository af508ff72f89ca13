"""Serializers of the management objectives API."""

from __future__ import annotations

from rest_framework import serializers

from itsm.core.api.base import DomainSerializer, TransitionSerializer
from itsm.objectives.choices import PlanStatus
from itsm.objectives.models import ManualActual, Objective, Plan

PLAN_FIELDS = [
    "id",
    "display",
    "number",
    "year",
    "title",
    "management_policy",
    "commitments",
    "status",
    "author",
    "approved_by",
    "approved_at",
    "version",
    "created_at",
    "updated_at",
]
OBJECTIVE_FIELDS = [
    "id",
    "display",
    "plan",
    "parent",
    "title",
    "kpi_id",
    "manual",
    "unit",
    "target",
    "direction",
    "period",
    "scope",
    "team",
    "project",
    "customer",
    "owner",
    "version",
    "created_at",
    "updated_at",
]
ACTUAL_FIELDS = [
    "id",
    "display",
    "objective",
    "period_start",
    "value",
    "note",
    "entered_by",
    "version",
    "created_at",
    "updated_at",
]


class PlanSerializer(DomainSerializer):
    class Meta:
        model = Plan
        fields = PLAN_FIELDS
        read_only_fields = [
            "number",
            "status",
            "author",
            "approved_by",
            "approved_at",
            "created_at",
            "updated_at",
        ]


class ObjectivePlanTransitionSerializer(TransitionSerializer):
    to = serializers.ChoiceField(choices=PlanStatus.choices)


class ObjectiveSerializer(DomainSerializer):
    target = serializers.DecimalField(max_digits=12, decimal_places=2, coerce_to_string=False)
    manual = serializers.BooleanField(read_only=True)
    kpi_id = serializers.CharField(required=False, allow_blank=True, max_length=64)
    title = serializers.CharField(
        required=False, allow_blank=True, max_length=200, help_text="Default: the KPI's name."
    )

    class Meta:
        model = Objective
        fields = OBJECTIVE_FIELDS
        read_only_fields = ["created_at", "updated_at"]


class ManualActualSerializer(DomainSerializer):
    value = serializers.DecimalField(max_digits=12, decimal_places=2, coerce_to_string=False)

    class Meta:
        model = ManualActual
        fields = ACTUAL_FIELDS
        read_only_fields = ["entered_by", "created_at", "updated_at"]


class CellSerializer(serializers.Serializer):
    """The target and actual of an objective in one period."""

    period = serializers.CharField(help_text="2026-01, 2026-Q1 or 2026.")
    period_label = serializers.CharField()
    start = serializers.DateField()
    end = serializers.DateField(help_text="The first day after the period.")
    target = serializers.DecimalField(max_digits=12, decimal_places=2, coerce_to_string=False)
    actual = serializers.DecimalField(
        max_digits=14, decimal_places=2, coerce_to_string=False, allow_null=True
    )
    status = serializers.CharField(help_text="met, not_met or no_data.")
    actual_source = serializers.CharField(help_text="computed or manual.")
    closed = serializers.BooleanField()
