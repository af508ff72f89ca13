"""Serializers of the change management API."""

from __future__ import annotations

from rest_framework import serializers

from itsm.change.choices import ChangeStatus, MeetingStatus, Vote
from itsm.change.conflicts import reason
from itsm.change.models import (
    AdvisoryBoard,
    Approval,
    CabMeeting,
    Change,
    ChangeTemplate,
    RiskQuestion,
    RiskThreshold,
    Window,
)
from itsm.core import policy
from itsm.core.api.base import DomainSerializer, TransitionSerializer

CHANGE_FIELDS = [
    "id",
    "display",
    "number",
    "kind",
    "title",
    "description",
    "category",
    "reason",
    "template",
    "implementation_plan",
    "backout_plan",
    "test_plan",
    "planned_start",
    "planned_end",
    "actual_start",
    "actual_end",
    "status",
    "cis",
    "services",
    "customers",
    "requester",
    "owner",
    "implementer",
    "risk_score",
    "risk_level",
    "approval_path",
    "impact",
    "conflicts",
    "conflicts_checked_at",
    "board",
    "approval_round",
    "rolled_back",
    "outcome_note",
    "review_note",
    "internal_notes",
    "closed_at",
    "transitions",
    "version",
    "created_at",
    "updated_at",
]
CHANGE_READ_ONLY = [
    "number",
    "status",
    "actual_start",
    "actual_end",
    "customers",
    "requester",
    "risk_score",
    "risk_level",
    "approval_path",
    "impact",
    "conflicts",
    "conflicts_checked_at",
    "board",
    "approval_round",
    "rolled_back",
    "outcome_note",
    "review_note",
    "closed_at",
    "created_at",
    "updated_at",
]


class ChangeSerializer(DomainSerializer):
    transitions = serializers.SerializerMethodField()
    conflicts = serializers.SerializerMethodField()

    class Meta:
        model = Change
        fields = CHANGE_FIELDS
        read_only_fields = CHANGE_READ_ONLY
        extra_kwargs = {
            "impact": {
                "help_text": "The assessment's impact: business services, agreements (with "
                "their availability targets) and customers, each with the path of CI numbers "
                "that connects it."
            }
        }

    def get_transitions(self, obj) -> list[str]:
        """Names of the status changes the requesting user may make now."""
        request = self.context.get("request")
        user = getattr(request, "user", None)
        if user is None or not getattr(user, "is_authenticated", False):
            return []
        return [t.name for t in Change.state_machine.available(obj, user)]

    def get_conflicts(self, obj) -> list[dict]:
        """The last conflict check: each conflict's kind, reason and what it names."""
        return [{**item, "reason": reason(item)} for item in obj.conflicts or []]

    def to_representation(self, instance):
        data = super().to_representation(instance)
        user = self._tenancy_user()
        if not policy.sees_internal(user, Change):
            # a customer learns only about their own organisation
            own = getattr(user, "organisation_id", None)
            data["customers"] = [pk for pk in data.get("customers", []) if pk == own]
            data["cis"] = [ci.pk for ci in instance.cis.all() if ci.customer_id == own]
            impact = instance.impact or {}
            data["impact"] = {
                "customers": [c for c in impact.get("customers", []) if c.get("id") == own],
                "agreements": [
                    {k: v for k, v in a.items() if k != "path"}
                    for a in impact.get("agreements", [])
                    if a.get("customer_id") == own
                ],
            }
        return data


class ChangeTransitionSerializer(TransitionSerializer):
    to = serializers.ChoiceField(choices=ChangeStatus.choices)
    outcome_note = serializers.CharField(required=False, allow_blank=True)
    rolled_back = serializers.BooleanField(required=False)
    review_note = serializers.CharField(required=False, allow_blank=True)


class ChangeAssessSerializer(serializers.Serializer):
    version = serializers.IntegerField(min_value=1)
    answers = serializers.DictField(
        child=serializers.IntegerField(min_value=0),
        help_text="Question id → index of the chosen answer, for every active question.",
    )


class ChangeDecisionSerializer(serializers.Serializer):
    vote = serializers.ChoiceField(choices=Vote.choices)
    comment = serializers.CharField(allow_blank=True)


class ChangeRescheduleSerializer(serializers.Serializer):
    version = serializers.IntegerField(min_value=1)
    planned_start = serializers.DateTimeField()
    planned_end = serializers.DateTimeField()


class ChangeProposalSerializer(serializers.Serializer):
    planned_start = serializers.DateTimeField(allow_null=True)
    planned_end = serializers.DateTimeField(allow_null=True)


class ChangeTemplateSerializer(DomainSerializer):
    class Meta:
        model = ChangeTemplate
        fields = [
            "id",
            "display",
            "code",
            "name",
            "category",
            "description",
            "implementation_plan",
            "backout_plan",
            "test_plan",
            "duration_minutes",
            "is_active",
            "version",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["created_at", "updated_at"]
        validators: list = []


class ChangeWindowSerializer(DomainSerializer):
    weekdays = serializers.ListField(
        child=serializers.IntegerField(min_value=0, max_value=6), required=False
    )

    class Meta:
        model = Window
        fields = [
            "id",
            "display",
            "kind",
            "name",
            "ci",
            "service",
            "agreement",
            "starts_at",
            "ends_at",
            "weekdays",
            "start_time",
            "end_time",
            "time_zone",
            "note",
            "is_active",
            "version",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["created_at", "updated_at"]


class ChangeApprovalSerializer(DomainSerializer):
    class Meta:
        model = Approval
        fields = [
            "id",
            "display",
            "change",
            "approver",
            "board",
            "meeting",
            "round",
            "vote",
            "comment",
            "version",
            "created_at",
        ]
        read_only_fields = fields


class RiskAnswerSerializer(serializers.Serializer):
    # an API field named like DRF's ``Field.label``: mypy reads it as overriding that attribute
    label = serializers.CharField(max_length=200)  # type: ignore[assignment]
    weight = serializers.IntegerField(min_value=0)


class RiskQuestionSerializer(DomainSerializer):
    answers = RiskAnswerSerializer(many=True)

    class Meta:
        model = RiskQuestion
        fields = [
            "id",
            "display",
            "order",
            "text",
            "answers",
            "is_active",
            "version",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["created_at", "updated_at"]

    def to_internal_value(self, data):
        values = super().to_internal_value(data)
        if "answers" in values:
            values["answers"] = [dict(answer) for answer in values["answers"]]
        return values


class RiskThresholdSerializer(DomainSerializer):
    class Meta:
        model = RiskThreshold
        fields = [
            "id",
            "display",
            "level",
            "min_score",
            "approval_path",
            "version",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["created_at", "updated_at"]
        validators: list = []


class AdvisoryBoardSerializer(DomainSerializer):
    class Meta:
        model = AdvisoryBoard
        fields = [
            "id",
            "display",
            "code",
            "name",
            "is_emergency",
            "members",
            "quorum",
            "veto",
            "is_active",
            "version",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["created_at", "updated_at"]
        validators: list = []


class AgendaItemSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    change = serializers.IntegerField(source="change_id", read_only=True)
    number = serializers.CharField(source="change.number", read_only=True)
    position = serializers.IntegerField(read_only=True)


class CabMeetingSerializer(DomainSerializer):
    agenda = serializers.SerializerMethodField()

    class Meta:
        model = CabMeeting
        fields = [
            "id",
            "display",
            "board",
            "title",
            "starts_at",
            "ends_at",
            "location",
            "online_link",
            "attendees",
            "minutes",
            "status",
            "agenda",
            "version",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["status", "created_at", "updated_at"]

    def get_agenda(self, obj) -> list[dict]:
        """The agenda in its order: each item's id, change id and number, position."""
        items = sorted(obj.items.all(), key=lambda item: (item.position, item.id))
        return list(AgendaItemSerializer(items, many=True).data)


class MeetingTransitionSerializer(TransitionSerializer):
    to = serializers.ChoiceField(choices=MeetingStatus.choices)
    minutes = serializers.CharField(required=False, allow_blank=True)


class MeetingDecisionSerializer(serializers.Serializer):
    change = serializers.IntegerField()
    vote = serializers.ChoiceField(choices=Vote.choices)
    comment = serializers.CharField(allow_blank=True)


class AgendaMoveSerializer(serializers.Serializer):
    item = serializers.IntegerField()
    action = serializers.ChoiceField(choices=[("up", "up"), ("down", "down"), ("remove", "remove")])
