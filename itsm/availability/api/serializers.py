"""Serializers of the availability management API."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from itsm.availability.models import Outage
from itsm.core.api.base import DomainSerializer

OUTAGE_FIELDS = [
    "id",
    "display",
    "number",
    "service",
    "customer",
    "kind",
    "source",
    "started_at",
    "ended_at",
    "ticket",
    "change",
    "reference",
    "description",
    "version",
    "created_at",
    "updated_at",
]


class OutageSerializer(DomainSerializer):
    """An outage; ``kind`` defaults to unplanned and ``source`` to manual."""

    class Meta:
        model = Outage
        fields = OUTAGE_FIELDS
        read_only_fields = ["number", "created_at", "updated_at"]


class MonthQuerySerializer(serializers.Serializer):
    month = serializers.RegexField(
        r"^\d{4}-\d{2}$",
        required=False,
        help_text="The month (YYYY-MM); default: this month.",
        error_messages={"invalid": _("Enter a month as YYYY-MM.")},
    )


class AvailabilityRowSerializer(serializers.Serializer):
    agreement_id = serializers.IntegerField()
    agreement = serializers.CharField()
    customer_id = serializers.IntegerField(allow_null=True)
    customer = serializers.CharField()
    service_id = serializers.IntegerField()
    service = serializers.CharField()
    agreed_seconds = serializers.IntegerField()
    planned_seconds = serializers.IntegerField()
    downtime_seconds = serializers.IntegerField()
    outages = serializers.IntegerField()
    availability = serializers.DecimalField(max_digits=7, decimal_places=3, allow_null=True)
    target = serializers.DecimalField(max_digits=7, decimal_places=3, allow_null=True)
    status = serializers.CharField()


class ReliabilitySerializer(serializers.Serializer):
    service_id = serializers.IntegerField()
    service = serializers.CharField()
    failures = serializers.IntegerField()
    downtime_hours = serializers.DecimalField(max_digits=12, decimal_places=2)
    mtbf_hours = serializers.DecimalField(max_digits=12, decimal_places=2, allow_null=True)
    mtrs_hours = serializers.DecimalField(max_digits=12, decimal_places=2, allow_null=True)


class AvailabilitySerializer(serializers.Serializer):
    month = serializers.CharField()
    rows = AvailabilityRowSerializer(many=True)
    reliability = ReliabilitySerializer(many=True)
