"""Serializers of the clocks API: clocks with their segments (read-only), SLA test tickets
and the bodies of their actions."""

from __future__ import annotations

from typing import cast

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from itsm.core.api.base import DomainSerializer
from itsm.core.choices import Priority
from itsm.slm.clocks.models import Clock, ClockSegment, SlaTestTicket
from itsm.slm.clocks.selectors import clock_time


class ClockSegmentSerializer(serializers.ModelSerializer):
    class Meta:
        model = ClockSegment
        fields = ["id", "kind", "started_at", "ended_at", "business_seconds", "reason", "by"]
        read_only_fields = fields


class LiveTimeMixin(serializers.Serializer):
    """Business time of the clock *now* (the stored ``elapsed_seconds`` counts only closed
    segments): the same figures as the clock list and the clock panel."""

    elapsed_now_seconds = serializers.SerializerMethodField(
        help_text=_("Business seconds elapsed up to now, the running segment included.")
    )
    remaining_now_seconds = serializers.SerializerMethodField(
        help_text=_("Goal minus elapsed business seconds now; negative once overdue.")
    )

    def _time(self, obj):
        # DRF's context is a dict shared by the serializers of one answer
        cache = cast(dict, self.context).setdefault("_clock_times", {})
        if obj.pk not in cache:
            cache[obj.pk] = clock_time(obj)
        return cache[obj.pk]

    def get_elapsed_now_seconds(self, obj) -> int:
        return self._time(obj).elapsed_seconds

    def get_remaining_now_seconds(self, obj) -> int:
        return self._time(obj).remaining_seconds


class ClockSerializer(LiveTimeMixin, serializers.ModelSerializer):
    display = serializers.SerializerMethodField()
    record_type = serializers.SerializerMethodField()
    segments = ClockSegmentSerializer(many=True, read_only=True)

    class Meta:
        model = Clock
        fields = [
            "id",
            "display",
            "record_type",
            "object_id",
            "record_label",
            "customer",
            "agreement",
            "target",
            "service",
            "metric",
            "priority",
            "calendar",
            "goal_seconds",
            "warning_percent",
            "state",
            "started_at",
            "stopped_at",
            "elapsed_seconds",
            "elapsed_now_seconds",
            "remaining_now_seconds",
            "segment_started_at",
            "warn_at",
            "due_at",
            "next_event_at",
            "level",
            "warned_at",
            "breached_at",
            "breached",
            "breach_cause",
            "unconfirmed_years",
            "pause_reason",
            "segments",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields

    def get_display(self, obj) -> str:
        return str(obj)

    def get_record_type(self, obj) -> str:
        return f"{obj.content_type.app_label}.{obj.content_type.model}"


class SlaTestTicketSerializer(DomainSerializer):
    clocks = serializers.SerializerMethodField()

    class Meta:
        model = SlaTestTicket
        fields = [
            "id",
            "display",
            "number",
            "title",
            "agreement",
            "service",
            "priority",
            "customer",
            "status",
            "opened_at",
            "clocks",
            "version",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["number", "customer", "status", "created_at", "updated_at"]
        extra_kwargs = {"opened_at": {"required": False}, "service": {"required": False}}

    def get_clocks(self, obj) -> list[dict]:
        clocks = getattr(obj, "_clocks", None)
        if clocks is None:
            from itsm.slm.clocks.services import clocks_of

            clocks = clocks_of(obj)
        return list(ClockBriefSerializer(clocks, many=True).data)


class ClockBriefSerializer(LiveTimeMixin, serializers.ModelSerializer):
    class Meta:
        model = Clock
        fields = [
            "id",
            "metric",
            "state",
            "goal_seconds",
            "elapsed_seconds",
            "elapsed_now_seconds",
            "remaining_now_seconds",
            "warn_at",
            "due_at",
            "level",
            "warned_at",
            "breached_at",
            "breached",
            "pause_reason",
        ]
        read_only_fields = fields


class TicketActionSerializer(serializers.Serializer):
    """Body of a test ticket action: the version the client saw (optional) and the time the
    action happened (default now; may be in the past, not before the clock's last change)."""

    version = serializers.IntegerField(required=False, min_value=1, max_value=2**31 - 1)
    at = serializers.DateTimeField(required=False)


class PauseSerializer(TicketActionSerializer):
    reason = serializers.CharField(
        max_length=200, help_text=_("Why the clocks stop, e.g. waiting for customer.")
    )


class PrioritySerializer(TicketActionSerializer):
    priority = serializers.ChoiceField(choices=Priority.choices)
