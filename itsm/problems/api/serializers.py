"""Serializers of the problem management API."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from itsm.core.api.base import (
    BoundedPrimaryKeyRelatedField,
    DomainSerializer,
    TransitionSerializer,
)
from itsm.core.choices import Priority
from itsm.problems.choices import (
    CauseCategory,
    KnownErrorStatus,
    ProblemStatus,
    RcaMethod,
)
from itsm.problems.models import DetectionRule, KnownError, Problem, ProblemProposal


def _transitions(serializer, obj) -> list[str]:
    request = serializer.context.get("request")
    user = getattr(request, "user", None)
    if user is None:
        return []
    return [t.name for t in type(obj).state_machine.available(obj, user)]


class ProblemSerializer(DomainSerializer):
    transitions = serializers.SerializerMethodField()
    known_errors: serializers.Field = serializers.PrimaryKeyRelatedField(many=True, read_only=True)

    class Meta:
        model = Problem
        fields = [
            "id",
            "display",
            "number",
            "title",
            "description",
            "status",
            "priority",
            "source",
            "manager",
            "assignment_group",
            "service",
            "category",
            "cis",
            "incidents",
            "rca_method",
            "root_cause",
            "cause_category",
            "workaround",
            "fix",
            "fix_change",
            "change_reference",
            "known_error_at",
            "resolved_at",
            "closed_at",
            "reopen_count",
            "known_errors",
            "transitions",
            "version",
            "created_at",
            "updated_at",
        ]
        read_only_fields = [
            "number",
            "status",
            "source",
            "known_error_at",
            "resolved_at",
            "closed_at",
            "reopen_count",
            "change_reference",
            "created_at",
            "updated_at",
        ]
        extra_kwargs = {
            "incidents": {
                "help_text": "Ids of the incidents (desk tickets of kind incident) the problem "
                "is the cause of; an incident belongs to one problem that is not cancelled."
            },
            "fix_change": {
                "help_text": "Id of the change that removes the cause: a change the user may "
                "see (``change.selectors.changes_for``), else 400 naming the field."
            },
            "change_reference": {
                "help_text": "Read-only: the change number typed before changes were linked "
                "(kept as it was; the link is ``fix_change``)."
            },
        }

    def get_transitions(self, obj) -> list[str]:
        """Names of the status changes the requesting user may make now."""
        return _transitions(self, obj)


class ProblemTransitionSerializer(TransitionSerializer):
    to = serializers.ChoiceField(choices=ProblemStatus.choices)
    rca_method = serializers.ChoiceField(choices=RcaMethod.choices, required=False)
    root_cause = serializers.CharField(required=False, allow_blank=True)
    cause_category = serializers.ChoiceField(choices=CauseCategory.choices, required=False)
    workaround = serializers.CharField(required=False, allow_blank=True)
    fix = serializers.CharField(required=False, allow_blank=True)
    fix_change = BoundedPrimaryKeyRelatedField(
        queryset=Problem._meta.get_field("fix_change").related_model._default_manager.all(),
        required=False,
        help_text=_("Id of the change that removes the cause (a change you may see)."),
    )

    def get_fields(self):
        """``fix_change`` among the changes the requesting user may see (none without one)."""
        from itsm.change.selectors import changes_for

        fields = super().get_fields()
        user = getattr(self.context.get("request"), "user", None)
        field: Any = fields["fix_change"]  # a related field
        field.queryset = changes_for(user) if user is not None else field.queryset.none()
        return fields


class ProblemLinkIncidentsSerializer(serializers.Serializer):
    incidents = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=2**62),
        allow_empty=False,
        max_length=500,
        help_text=_("Ids of incidents to link."),
    )


class ProblemUnlinkIncidentSerializer(serializers.Serializer):
    incident = serializers.IntegerField(min_value=1, max_value=2**62)


class KnownErrorSerializer(DomainSerializer):
    transitions = serializers.SerializerMethodField()

    class Meta:
        model = KnownError
        fields = [
            "id",
            "display",
            "number",
            "title",
            "status",
            "problem",
            "symptoms",
            "workaround",
            "root_cause",
            "service",
            "category",
            "cis",
            "incidents",
            "article_id",
            "article_number",
            "published_at",
            "transitions",
            "version",
            "created_at",
            "updated_at",
        ]
        read_only_fields = [
            "number",
            "status",
            "article_id",
            "article_number",
            "published_at",
            "created_at",
            "updated_at",
        ]

    def get_transitions(self, obj) -> list[str]:
        return _transitions(self, obj)

    def validate_problem(self, value):
        if self.instance is not None and value != self.instance.problem:
            raise serializers.ValidationError(_("A known error does not move to another problem."))
        return value


class KnownErrorTransitionSerializer(TransitionSerializer):
    to = serializers.ChoiceField(choices=KnownErrorStatus.choices)


class KnownErrorArticleSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    number = serializers.CharField()
    known_error = KnownErrorSerializer()


class KnownErrorSuggestionSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    number = serializers.CharField()
    title = serializers.CharField()
    status = serializers.CharField()
    opened_at = serializers.DateTimeField()


class ProblemProposalSerializer(DomainSerializer):
    class Meta:
        model = ProblemProposal
        fields = [
            "id",
            "display",
            "rule",
            "dimension",
            "key",
            "label",
            "status",
            "incidents",
            "incident_count",
            "first_opened_at",
            "last_opened_at",
            "decided_by",
            "decided_at",
            "reason",
            "problem",
            "version",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class ProposalAcceptSerializer(serializers.Serializer):
    title = serializers.CharField(required=False, allow_blank=True, max_length=200)
    priority = serializers.ChoiceField(choices=Priority.choices, default=Priority.P3)
    manager = serializers.IntegerField(required=False, min_value=1, max_value=2**62)
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=2000)
    version = serializers.IntegerField(required=False, min_value=1, max_value=2**31 - 1)


class ProposalDismissSerializer(serializers.Serializer):
    reason = serializers.CharField(required=False, allow_blank=True, default="", max_length=2000)
    version = serializers.IntegerField(required=False, min_value=1, max_value=2**31 - 1)


class DetectionRuleSerializer(DomainSerializer):
    class Meta:
        model = DetectionRule
        fields = [
            "id",
            "display",
            "name",
            "dimension",
            "threshold",
            "window_days",
            "is_active",
            "version",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["created_at", "updated_at"]
