"""Serializers of the slm API."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from itsm.cmdb import services as cmdb_services
from itsm.core.api.base import DomainSerializer, TransitionSerializer
from itsm.core.errors import ValidationFailed
from itsm.slm.choices import AgreementStatus, RequirementStatus
from itsm.slm.models import ActionItem, Agreement, Requirement, ReviewMeeting, Target
from itsm.slm.services.agreements import AGREEMENT_FIELDS, warning_message


class UnderpinningWarningSerializer(serializers.Serializer):
    message = serializers.CharField()
    other = serializers.CharField()
    contract = serializers.CharField()
    sla = serializers.CharField()
    metric = serializers.CharField()
    priority = serializers.CharField()
    contract_value = serializers.CharField()
    sla_value = serializers.CharField()


def _authorised(value: str) -> str:
    """*value* as the number of an approved change in its window, or the field's error."""
    try:
        return cmdb_services.authorised_change(value)
    except ValidationFailed as error:
        raise serializers.ValidationError(
            [str(m) for messages in (error.fields or {}).values() for m in messages]
        ) from None


class AgreementSerializer(DomainSerializer):
    change_reference = serializers.CharField(required=False, allow_blank=True, max_length=40)
    underpinned_by: serializers.PrimaryKeyRelatedField[Agreement] = (
        serializers.PrimaryKeyRelatedField(many=True, read_only=True)
    )
    underpinning_warnings = serializers.SerializerMethodField()

    def validate_change_reference(self, value: str) -> str:
        """An approved change in its window (``cmdb.services.authorised_change``)."""
        return _authorised(value)

    class Meta:
        model = Agreement
        fields = [
            "id",
            "display",
            "number",
            "kind",
            "status",
            *AGREEMENT_FIELDS,
            "services",
            "underpins",
            "underpinned_by",
            "signed_by",
            "signed_at",
            "change_reference",
            "ci",
            "underpinning_warnings",
            "version",
            "created_at",
            "updated_at",
        ]
        read_only_fields = [
            "number",
            "status",
            "signed_by",
            "signed_at",
            "ci",
            "created_at",
            "updated_at",
        ]

    @extend_schema_field(UnderpinningWarningSerializer(many=True))
    def get_underpinning_warnings(self, obj) -> list[dict]:
        # an internal field (``Agreement.policy``): left out for customers and suppliers
        data = UnderpinningWarningSerializer(
            [{**w, "message": warning_message(w)} for w in obj.underpinning_warnings or []],
            many=True,
        ).data
        return list(data)


class AgreementTransitionSerializer(TransitionSerializer):
    to = serializers.ChoiceField(choices=AgreementStatus.choices)


class GenerateReviewsSerializer(serializers.Serializer):
    year = serializers.IntegerField(min_value=2000, max_value=2100)


class GenerateReviewsResultSerializer(serializers.Serializer):
    created = serializers.IntegerField()
    meetings = serializers.ListField(child=serializers.IntegerField())


class TargetSerializer(DomainSerializer):
    change_reference = serializers.CharField(
        required=False, allow_blank=True, max_length=40, write_only=True
    )

    def validate_change_reference(self, value: str) -> str:
        """An approved change in its window (``cmdb.services.authorised_change``)."""
        return _authorised(value)

    class Meta:
        model = Target
        fields = [
            "id",
            "display",
            "agreement",
            "service",
            "priority",
            "metric",
            "name",
            "indicator_kind",
            "target_value",
            "unit",
            "higher_is_better",
            "measurement_method",
            "frequency",
            "change_reference",
            "version",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["created_at", "updated_at"]
        extra_kwargs = {
            "higher_is_better": {"required": False},
            "indicator_kind": {"required": False},
        }


class RequirementSerializer(DomainSerializer):
    class Meta:
        model = Requirement
        fields = [
            "id",
            "display",
            "customer",
            "kind",
            "service",
            "title",
            "description",
            "status",
            "targets",
            "reviewed_by",
            "reviewed_at",
            "version",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["status", "reviewed_by", "reviewed_at", "created_at", "updated_at"]


class RequirementReviewSerializer(serializers.Serializer):
    status = serializers.ChoiceField(
        choices=[
            (RequirementStatus.REVIEWED, RequirementStatus.REVIEWED.label),
            (RequirementStatus.AGREED, RequirementStatus.AGREED.label),
            (RequirementStatus.REJECTED, RequirementStatus.REJECTED.label),
        ]
    )
    note = serializers.CharField(required=False, allow_blank=True, default="")
    version = serializers.IntegerField(min_value=1, required=False)


class ReviewMeetingSerializer(DomainSerializer):
    class Meta:
        model = ReviewMeeting
        fields = [
            "id",
            "display",
            "kind",
            "agreement",
            "customer",
            "title",
            "due_date",
            "held_on",
            "status",
            "agenda",
            "attendees",
            "external_attendees",
            "minutes",
            "version",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["created_at", "updated_at"]


class ActionItemSerializer(DomainSerializer):
    class Meta:
        model = ActionItem
        fields = [
            "id",
            "display",
            "meeting",
            "description",
            "owner",
            "due_date",
            "status",
            "completed_at",
            "version",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["completed_at", "created_at", "updated_at"]
