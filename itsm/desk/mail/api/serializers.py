from __future__ import annotations

from rest_framework import serializers

from itsm.core.api.base import DomainSerializer
from itsm.desk.mail.models import InboundMail, Mailbox


class MailboxSerializer(DomainSerializer):
    """A mailbox; ``password`` is write-only (an update without it keeps the stored one)."""

    password = serializers.CharField(
        write_only=True, required=False, allow_blank=True, max_length=255
    )
    has_password = serializers.SerializerMethodField()

    class Meta:
        model = Mailbox
        fields = [
            "id",
            "display",
            "name",
            "host",
            "port",
            "security",
            "username",
            "password",
            "has_password",
            "folder",
            "addresses",
            "default_customer",
            "default_kind",
            "is_active",
            "uid_validity",
            "last_uid",
            "last_polled_at",
            "last_error",
            "version",
            "created_at",
            "updated_at",
        ]
        read_only_fields = [
            "uid_validity",
            "last_uid",
            "last_polled_at",
            "last_error",
            "created_at",
            "updated_at",
        ]
        # uniqueness is the service's (model full_clean) job
        validators: list = []

    def get_has_password(self, obj) -> bool:
        return bool(obj.password)

    def get_fields(self):
        fields = super().get_fields()
        fields["name"].validators = [
            v for v in fields["name"].validators if type(v).__name__ != "UniqueValidator"
        ]
        return fields


class InboundMailSerializer(serializers.ModelSerializer):
    display = serializers.CharField(source="__str__", read_only=True)

    class Meta:
        model = InboundMail
        fields = [
            "id",
            "display",
            "mailbox",
            "uid",
            "uid_validity",
            "message_id",
            "from_address",
            "from_name",
            "recipients",
            "subject",
            "sent_at",
            "received_at",
            "size",
            "kind",
            "reason",
            "outcome",
            "ticket",
            "detail",
            "text",
        ]
        read_only_fields = fields


class PollResultSerializer(serializers.Serializer):
    mailbox = serializers.CharField()
    read = serializers.IntegerField()
    outcomes = serializers.DictField(child=serializers.IntegerField())
