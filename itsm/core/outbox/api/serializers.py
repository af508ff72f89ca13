from __future__ import annotations

from rest_framework import serializers

from itsm.core.api.base import DomainSerializer
from itsm.core.outbox.models import Job, NotificationChannel, OutboxMessage


class OutboxMessageSerializer(serializers.ModelSerializer):
    class Meta:
        model = OutboxMessage
        fields = [
            "id",
            "key",
            "channel",
            "target",
            "payload",
            "status",
            "attempts",
            "next_attempt_at",
            "lease_until",
            "leased_by",
            "last_error",
            "created_at",
            "sent_at",
        ]
        read_only_fields = fields


class JobSerializer(serializers.ModelSerializer):
    duration_seconds = serializers.SerializerMethodField()

    class Meta:
        model = Job
        fields = [
            "id",
            "name",
            "started_at",
            "finished_at",
            "duration_seconds",
            "status",
            "detail",
            "worker",
        ]
        read_only_fields = fields

    def get_duration_seconds(self, obj) -> float | None:
        duration = obj.duration
        return None if duration is None else duration.total_seconds()


class NotificationChannelSerializer(DomainSerializer):
    """A channel; ``secret`` is write-only (an update without it keeps the stored one)."""

    secret = serializers.CharField(
        write_only=True, required=False, allow_blank=True, max_length=200
    )
    has_secret = serializers.SerializerMethodField()

    class Meta:
        model = NotificationChannel
        fields = [
            "id",
            "display",
            "name",
            "kind",
            "url",
            "secret",
            "has_secret",
            "is_active",
            "notes",
            "version",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["created_at", "updated_at"]
        # uniqueness and the SSRF check are the service's (model full_clean) job
        validators: list = []

    def get_has_secret(self, obj) -> bool:
        return bool(obj.secret)

    def get_fields(self):
        fields = super().get_fields()
        fields["name"].validators = [
            v for v in fields["name"].validators if type(v).__name__ != "UniqueValidator"
        ]
        return fields
