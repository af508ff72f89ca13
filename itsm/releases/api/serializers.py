"""Serializers of the release management API."""

from __future__ import annotations

from rest_framework import serializers

from itsm.core import policy
from itsm.core.api.base import DomainSerializer, TransitionSerializer
from itsm.releases.choices import Decision, ReleaseStatus, TestResult
from itsm.releases.models import Release, ReleaseDecision, ReleaseTest

RELEASE_FIELDS = [
    "id",
    "display",
    "number",
    "kind",
    "title",
    "version_label",
    "description",
    "status",
    "planned_at",
    "changes",
    "customers",
    "manager",
    "deployment_plan",
    "rollback_plan",
    "ci_versions",
    "deploy_started_at",
    "deploy_ended_at",
    "outcome_note",
    "internal_notes",
    "closed_at",
    "transitions",
    "version",
    "created_at",
    "updated_at",
]
RELEASE_READ_ONLY = [
    "number",
    "status",
    "customers",
    "deploy_started_at",
    "deploy_ended_at",
    "outcome_note",
    "closed_at",
    "created_at",
    "updated_at",
]


class ReleaseSerializer(DomainSerializer):
    transitions = serializers.SerializerMethodField()
    ci_versions = serializers.DictField(
        child=serializers.CharField(max_length=60),
        required=False,
        help_text="CI id → the version the CI takes when the release is deployed (CIs of the "
        "bundled changes).",
    )

    class Meta:
        model = Release
        fields = RELEASE_FIELDS
        read_only_fields = RELEASE_READ_ONLY

    def get_transitions(self, obj) -> list[str]:
        """Names of the status changes the requesting user may make now (for this kind)."""
        from itsm.releases.choices import KIND_STEPS

        request = self.context.get("request")
        user = getattr(request, "user", None)
        if user is None or not getattr(user, "is_authenticated", False):
            return []
        steps = KIND_STEPS[obj.kind]
        return [t.name for t in Release.state_machine.available(obj, user) if t.name in steps]

    def to_representation(self, instance):
        data = super().to_representation(instance)
        user = self._tenancy_user()
        if not policy.sees_internal(user, Release):
            own = getattr(user, "organisation_id", None)
            data["customers"] = [pk for pk in data.get("customers", []) if pk == own]
        return data


class ReleaseTransitionSerializer(TransitionSerializer):
    to = serializers.ChoiceField(choices=ReleaseStatus.choices)
    outcome_note = serializers.CharField(required=False, allow_blank=True)


class ReleaseTestInputSerializer(serializers.Serializer):
    subject = serializers.CharField(max_length=200)
    result = serializers.ChoiceField(choices=TestResult.choices)
    note = serializers.CharField(required=False, allow_blank=True)
    tested_at = serializers.DateTimeField(required=False)


class ReleaseDecisionInputSerializer(serializers.Serializer):
    decision = serializers.ChoiceField(choices=Decision.choices)
    comment = serializers.CharField(allow_blank=True)
    version = serializers.IntegerField(min_value=1, required=False)


class ReleaseTestSerializer(DomainSerializer):
    class Meta:
        model = ReleaseTest
        fields = [
            "id",
            "display",
            "release",
            "subject",
            "result",
            "tested_by",
            "tested_at",
            "note",
            "version",
            "created_at",
        ]
        read_only_fields = fields


class ReleaseDecisionSerializer(DomainSerializer):
    class Meta:
        model = ReleaseDecision
        fields = [
            "id",
            "display",
            "release",
            "decision",
            "comment",
            "decided_by",
            "version",
            "created_at",
        ]
        read_only_fields = fields
