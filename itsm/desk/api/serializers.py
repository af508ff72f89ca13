"""Serializers of the service desk API."""

from __future__ import annotations

from datetime import datetime

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from itsm.core.api.base import (
    BoundedPrimaryKeyRelatedField,
    DomainSerializer,
    TenancySerializerMixin,
    TransitionSerializer,
)
from itsm.desk.choices import (
    PENDING_STATES,
    Channel,
    EntryKind,
    EscalationKind,
    ResolutionCode,
    TicketStatus,
)
from itsm.desk.models import Attachment, Call, Category, DispatchRule, Ticket, TicketEntry


class RowSerializer(TenancySerializerMixin, serializers.ModelSerializer):
    """Rows without a version (entries, attachments, calls): tenancy as a DomainSerializer."""

    serializer_related_field = BoundedPrimaryKeyRelatedField


class TicketSerializer(DomainSerializer):
    channel = serializers.ChoiceField(choices=Channel.choices, required=False, default=Channel.API)
    transitions = serializers.SerializerMethodField()

    class Meta:
        model = Ticket
        fields = [
            "id",
            "display",
            "number",
            "kind",
            "title",
            "description",
            "status",
            "category",
            "impact",
            "urgency",
            "priority",
            "service",
            "service_item",
            "form_data",
            "cis",
            "customer",
            "contact",
            "contact_email",
            "channel",
            "agreement",
            "assignment_group",
            "assignee",
            "opened_at",
            "responded_at",
            "resolved_at",
            "closed_at",
            "due_at",
            "breached",
            "resolution_code",
            "resolution",
            "parent",
            "merged_into",
            "is_major",
            "major_manager",
            "flapping",
            "next_update_at",
            "satisfaction",
            "time_spent_minutes",
            "return_count",
            "reassignment_count",
            "reopen_count",
            "escalation_level",
            "missing_fields",
            "is_complete",
            "transitions",
            "version",
            "created_at",
            "updated_at",
        ]
        read_only_fields = [
            "number",
            "status",
            "agreement",
            "opened_at",
            "responded_at",
            "resolved_at",
            "closed_at",
            "due_at",
            "breached",
            "resolution_code",
            "resolution",
            "merged_into",
            "is_major",
            "major_manager",
            "flapping",
            "next_update_at",
            "satisfaction",
            "time_spent_minutes",
            "return_count",
            "reassignment_count",
            "reopen_count",
            "escalation_level",
            "missing_fields",
            "is_complete",
            "created_at",
            "updated_at",
        ]
        extra_kwargs = {"customer": {"required": False}}

    def get_transitions(self, obj) -> list[str]:
        """Names of the status changes the requesting user may make now."""
        request = self.context.get("request")
        user = getattr(request, "user", None)
        if user is None or not getattr(user, "is_authenticated", False):
            return []
        return [t.name for t in Ticket.state_machine.available(obj, user)]


#: the columns of the queue (the list ``GET /api/desk/tickets/``): what an agent's work list
#: shows, read from the ticket's own row — no related row, no many-to-many, nothing per row
QUEUE_FIELDS = (
    "id",
    "display",
    "number",
    "kind",
    "title",
    "status",
    "priority",
    "customer",
    "assignment_group",
    "assignee",
    "opened_at",
    "due_at",
    "breached",
    "is_major",
    "version",
    "updated_at",
)


#: the columns the queue's rows hold (``display`` is number and title; foreign keys by id)
_QUEUE_COLUMNS = frozenset(
    f"{name}_id" if name in ("customer", "assignment_group", "assignee") else name
    for name in QUEUE_FIELDS
    if name != "display"
)


class TicketQueueSerializer(DomainSerializer):
    """A ticket in the list (the queue): :data:`QUEUE_FIELDS`, the related records as ids.
    The whole ticket — description, service, CIs, the work figures, ``transitions`` — is
    ``GET /api/desk/tickets/{id}/`` (issue 11: 50 full tickets with their CIs and allowed
    transitions made the list several times its page's database work)."""

    class Meta:
        model = Ticket
        fields = list(QUEUE_FIELDS)
        read_only_fields = [name for name in QUEUE_FIELDS if name not in ("display", "version")]

    def to_representation(self, instance):
        """The row as DRF writes it (``test_queue.py`` compares them), read from the row's
        columns at once: choices and texts as stored, related records as their ids, times in
        ISO 8601 in the request's time zone (read once per page) — a third of the plan's
        field-by-field reading (``core/api/reading.py``), most of the list's serialising."""
        row = instance.__dict__
        if type(instance) is not Ticket or not _QUEUE_COLUMNS.issubset(row):
            return super().to_representation(instance)  # not a row of the list's query
        iso = self.__dict__.get("_iso")
        if iso is None:
            iso = self._iso = _iso_writer()
        return {
            "id": row["id"],
            "display": f"{row['number']} {row['title']}",
            "number": row["number"],
            "kind": row["kind"],
            "title": row["title"],
            "status": row["status"],
            "priority": row["priority"],
            "customer": row["customer_id"],
            "assignment_group": row["assignment_group_id"],
            "assignee": row["assignee_id"],
            "opened_at": iso(row["opened_at"]),
            "due_at": iso(row["due_at"]),
            "breached": row["breached"],
            "is_major": row["is_major"],
            "version": row["version"],
            "updated_at": iso(row["updated_at"]),
        }


def _iso_writer():
    """``value → DateTimeField().to_representation(value)`` (ISO 8601, ``Z`` for UTC) with
    the current time zone read once."""
    zone = timezone.get_current_timezone() if settings.USE_TZ else None
    field = serializers.DateTimeField()

    def iso(value):
        if value is None:
            return None
        if zone is None or not isinstance(value, datetime) or value.tzinfo is None:
            return field.to_representation(value)
        text = value.astimezone(zone).isoformat()
        return text[:-6] + "Z" if text.endswith("+00:00") else text

    return iso


class TicketUpdateSerializer(TicketSerializer):
    """PUT/PATCH: the description fields (status, group and assignee move through actions)."""

    class Meta(TicketSerializer.Meta):
        read_only_fields = [
            *TicketSerializer.Meta.read_only_fields,
            "customer",
            "channel",
            "assignment_group",
            "assignee",
            "parent",
            "service_item",
            "form_data",
        ]


class TicketTransitionSerializer(TransitionSerializer):
    to = serializers.ChoiceField(choices=TicketStatus.choices)
    resolution = serializers.CharField(required=False, allow_blank=True, default="")
    resolution_code = serializers.ChoiceField(
        choices=ResolutionCode.choices, required=False, allow_blank=True, default=""
    )
    resolve_children = serializers.BooleanField(required=False, default=False)


class AssignSerializer(serializers.Serializer):
    assignment_group = serializers.IntegerField()
    assignee = serializers.IntegerField(required=False, allow_null=True, default=None)
    note = serializers.CharField(required=False, allow_blank=True, default="")
    version = serializers.IntegerField(min_value=1, required=False)


class ReturnSerializer(serializers.Serializer):
    reason = serializers.CharField(allow_blank=True)
    version = serializers.IntegerField(min_value=1, required=False)


class EscalateSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=EscalationKind.choices)
    reason = serializers.CharField(allow_blank=True)
    version = serializers.IntegerField(min_value=1, required=False)


class ResolutionAnswerSerializer(serializers.Serializer):
    """A customer's answer to a resolution: confirm (close) or reject (reopen, reason)."""

    note = serializers.CharField(required=False, allow_blank=True, default="")
    version = serializers.IntegerField(min_value=1, required=False)


class RatingSerializer(serializers.Serializer):
    score = serializers.IntegerField(min_value=1, max_value=5)
    comment = serializers.CharField(required=False, allow_blank=True, default="")


class WaitSerializer(serializers.Serializer):
    on = serializers.ChoiceField(choices=[(s.value, s.label) for s in PENDING_STATES])
    note = serializers.CharField(allow_blank=True)
    version = serializers.IntegerField(min_value=1, required=False)


class EntrySerializer(RowSerializer):
    kind = serializers.ChoiceField(
        choices=[(k.value, k.label) for k in (EntryKind.REPLY, EntryKind.COMMENT, EntryKind.NOTE)],
        required=False,
    )
    author_name = serializers.SerializerMethodField()

    class Meta:
        model = TicketEntry
        fields = [
            "id",
            "kind",
            "internal",
            "author",
            "author_name",
            "author_email",
            "body",
            "body_html",
            "time_spent_minutes",
            "automatic",
            "at",
            "mentions",
        ]
        read_only_fields = [
            "internal",
            "author",
            "author_email",
            "body_html",
            "automatic",
            "at",
            "mentions",
        ]

    def get_author_name(self, obj) -> str:
        author = obj.author
        if author is None:
            return obj.author_email
        return author.display_name or author.get_full_name() or author.username


class AttachmentSerializer(RowSerializer):
    file = serializers.FileField(write_only=True)

    class Meta:
        model = Attachment
        fields = [
            "id",
            "name",
            "content_type",
            "size",
            "content_id",
            "internal",
            "entry",
            "file",
            "created_at",
        ]
        read_only_fields = ["name", "content_type", "size", "content_id", "entry", "created_at"]


class CategorySerializer(DomainSerializer):
    class Meta:
        model = Category
        fields = [
            "id",
            "display",
            "code",
            "name",
            "parent",
            "kind",
            "order",
            "is_active",
            "version",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["created_at", "updated_at"]
        validators: list = []  # the service names a duplicate code on the field


class DispatchRuleSerializer(DomainSerializer):
    weekdays = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=7), required=False
    )

    class Meta:
        model = DispatchRule
        fields = [
            "id",
            "display",
            "order",
            "name",
            "is_active",
            "kind",
            "category",
            "service",
            "ci",
            "customer",
            "channel",
            "time_from",
            "time_to",
            "weekdays",
            "team",
            "assign_mode",
            "last_assignee",
            "version",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["last_assignee", "created_at", "updated_at"]


class CallSerializer(DomainSerializer):
    duration_seconds = serializers.IntegerField(read_only=True, allow_null=True)

    class Meta:
        model = Call
        fields = [
            "id",
            "display",
            "agent",
            "caller",
            "caller_name",
            "caller_phone",
            "organisation",
            "started_at",
            "ended_at",
            "answered",
            "outcome",
            "ticket",
            "note",
            "duration_seconds",
            "version",
            "created_at",
        ]
        read_only_fields = ["agent", "created_at"]

    def validate(self, attrs):
        if (
            attrs.get("ended_at")
            and attrs.get("started_at")
            and attrs["ended_at"] < attrs["started_at"]
        ):
            raise serializers.ValidationError(
                {"ended_at": _("The call cannot end before it started.")}
            )
        return attrs
