"""Change management API: requests for change with their actions (transition, assess,
decide, reschedule, conflicts, propose), standard change templates, maintenance and blackout
windows, approval decisions.

Writes go through ``itsm.change.services``. Customer users see only the changes that affect
their organisation (never drafts), without the internal notes and working fields; any other
id answers 404.
"""

from __future__ import annotations

from datetime import timedelta

from django.db import transaction
from django.db.models import Prefetch
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework.decorators import action
from rest_framework.response import Response

from itsm.change import conflicts
from itsm.change.api.serializers import (
    AdvisoryBoardSerializer,
    AgendaMoveSerializer,
    CabMeetingSerializer,
    ChangeApprovalSerializer,
    ChangeAssessSerializer,
    ChangeDecisionSerializer,
    ChangeProposalSerializer,
    ChangeRescheduleSerializer,
    ChangeSerializer,
    ChangeTemplateSerializer,
    ChangeTransitionSerializer,
    ChangeWindowSerializer,
    MeetingDecisionSerializer,
    MeetingTransitionSerializer,
    RiskQuestionSerializer,
    RiskThresholdSerializer,
)
from itsm.change.filtersets import (
    ApprovalFilterSet,
    BoardFilterSet,
    ChangeFilterSet,
    MeetingFilterSet,
    QuestionFilterSet,
    TemplateFilterSet,
    ThresholdFilterSet,
    WindowFilterSet,
)
from itsm.change.lists import (
    BoardList,
    ChangeList,
    MeetingList,
    QuestionList,
    TemplateList,
    ThresholdList,
    WindowList,
)
from itsm.change.models import (
    AdvisoryBoard,
    AgendaItem,
    Approval,
    CabMeeting,
    Change,
    ChangeTemplate,
    RiskQuestion,
    RiskThreshold,
    Window,
)
from itsm.change.services import approval, assessment, changes, config, meetings
from itsm.cmdb import selectors as cmdb_selectors
from itsm.core.api.base import DomainViewSet, TransitionMixin
from itsm.core.errors import NotFound, ValidationFailed


def _change_queryset(queryset):
    return queryset.prefetch_related(
        Prefetch("cis", queryset=cmdb_selectors.all_cis().only("id", "customer_id")),
        "services",
        "customers",
    )


class ChangeViewSet(TransitionMixin, DomainViewSet):
    """Requests for change. ``POST`` raises one (draft); actions: ``transition`` (``to``:
    assessment, scheduled (a standard change), approval, draft, implementing, review, failed
    with ``outcome_note`` and ``rolled_back``, closed with ``review_note``, cancelled),
    ``assess`` (risk answers; the impact is computed from the CMDB), ``decide`` (approve /
    reject / abstain with a comment), ``reschedule``, ``conflicts`` (check now) and
    ``propose`` (the next window without conflicts)."""

    queryset = Change.objects.all()
    list_view = ChangeList
    serializer_class = ChangeSerializer
    filterset_class = ChangeFilterSet
    transition_serializer_class = ChangeTransitionSerializer

    def get_queryset(self):
        return _change_queryset(super().get_queryset())

    def _fresh(self, obj):
        return self.get_queryset().get(pk=obj.pk)

    def create_record(self, data, *, by):
        return changes.create_change(by=by, **data)

    def update_fields(self, instance, data, *, expected_version):
        with transaction.atomic():
            changes.update_change(
                instance, by=self.request.user, expected_version=expected_version, **data
            )
        return self._fresh(instance)

    def perform_transition(self, obj, *, to, expected_version, note, fields):
        changes.move(
            obj, to, by=self.request.user, note=note, expected_version=expected_version, **fields
        )
        return self._fresh(obj)

    @extend_schema(request=ChangeAssessSerializer, responses=ChangeSerializer)
    @action(detail=True, methods=["post"], policy_action="change", filterset_class=None)
    def assess(self, request, pk=None):
        """Record the assessment: risk answers; impact computed from the CMDB."""
        obj = self.get_object()
        body = ChangeAssessSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        assessment.assess(
            obj,
            by=request.user,
            answers=body.validated_data["answers"],
            expected_version=body.validated_data["version"],
        )
        return Response(self.get_serializer(self._fresh(obj)).data)

    @extend_schema(request=ChangeDecisionSerializer, responses=ChangeSerializer)
    @action(detail=True, methods=["post"], policy_action="view", filterset_class=None)
    def decide(self, request, pk=None):
        """An approval decision (the change manager's, or a CAB member's vote) with its
        comment; nobody decides on their own change."""
        obj = self.get_object()
        body = ChangeDecisionSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        approval.decide(obj, by=request.user, **body.validated_data)
        return Response(self.get_serializer(self._fresh(obj)).data)

    @extend_schema(request=ChangeRescheduleSerializer, responses=ChangeSerializer)
    @action(detail=True, methods=["post"], policy_action="change", filterset_class=None)
    def reschedule(self, request, pk=None):
        """Move the planned window; the conflicts are checked again."""
        obj = self.get_object()
        body = ChangeRescheduleSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = dict(body.validated_data)
        changes.reschedule(obj, by=request.user, expected_version=data.pop("version"), **data)
        return Response(self.get_serializer(self._fresh(obj)).data)

    @extend_schema(request=None, responses=ChangeSerializer)
    @action(detail=True, methods=["post"], policy_action="change", filterset_class=None)
    def conflicts(self, request, pk=None):
        """Check the conflicts of the planned window now (stored on the change)."""
        obj = self.get_object()
        changes.check_conflicts(obj, by=request.user)
        return Response(self.get_serializer(self._fresh(obj)).data)

    @extend_schema(request=None, responses=ChangeProposalSerializer)
    @action(detail=True, methods=["post"], policy_action="change", filterset_class=None)
    def propose(self, request, pk=None):
        """The scheduling assistant: the next window of the change's duration (default two
        hours) without conflicts, from now or its planned start, whichever is later."""
        obj = self.get_object()
        duration = (
            obj.planned_end - obj.planned_start
            if obj.planned_start and obj.planned_end
            else timedelta(hours=2)
        )
        found = conflicts.propose_window(conflicts.Subject.of(obj), duration=duration)
        start, end = found if found else (None, None)
        return Response(ChangeProposalSerializer({"planned_start": start, "planned_end": end}).data)


class TemplateViewSet(DomainViewSet):
    """Pre-approved standard change templates (the standard change catalogue)."""

    queryset = ChangeTemplate.objects.all()
    list_view = TemplateList
    serializer_class = ChangeTemplateSerializer
    filterset_class = TemplateFilterSet

    def create_record(self, data, *, by):
        return config.create_template(by=by, **data)

    def update_fields(self, instance, data, *, expected_version):
        return config.update_template(
            instance, by=self.request.user, expected_version=expected_version, **data
        )


class WindowViewSet(DomainViewSet):
    """Maintenance and blackout (freeze) windows on a CI, a service, an agreement or global;
    one-off or weekly."""

    queryset = Window.objects.all()
    list_view = WindowList
    serializer_class = ChangeWindowSerializer
    filterset_class = WindowFilterSet

    def create_record(self, data, *, by):
        return config.create_window(by=by, **data)

    def update_fields(self, instance, data, *, expected_version):
        return config.update_window(
            instance, by=self.request.user, expected_version=expected_version, **data
        )

    def delete_record(self, instance, *, by):
        config.delete_window(instance, by=by)


class ApprovalViewSet(DomainViewSet):
    """Approval decisions, each with its comment (read-only: decide through the change)."""

    http_method_names = ["get", "head", "options"]
    queryset = Approval.objects.select_related("change")
    serializer_class = ChangeApprovalSerializer
    filterset_class = ApprovalFilterSet


class QuestionViewSet(DomainViewSet):
    """The risk questionnaire: questions with their answers and scores (weights)."""

    queryset = RiskQuestion.objects.all()
    list_view = QuestionList
    serializer_class = RiskQuestionSerializer
    filterset_class = QuestionFilterSet

    def create_record(self, data, *, by):
        return config.create_question(by=by, **data)

    def update_fields(self, instance, data, *, expected_version):
        return config.update_question(
            instance, by=self.request.user, expected_version=expected_version, **data
        )

    def delete_record(self, instance, *, by):
        config.delete_question(instance, by=by)


class ThresholdViewSet(DomainViewSet):
    """Risk thresholds: from which score a change has a risk level and its approval path."""

    queryset = RiskThreshold.objects.all()
    list_view = ThresholdList
    serializer_class = RiskThresholdSerializer
    filterset_class = ThresholdFilterSet

    def create_record(self, data, *, by):
        return config.create_threshold(by=by, **data)

    def update_fields(self, instance, data, *, expected_version):
        return config.update_threshold(
            instance, by=self.request.user, expected_version=expected_version, **data
        )

    def delete_record(self, instance, *, by):
        config.delete_threshold(instance, by=by)


class BoardViewSet(DomainViewSet):
    """Change advisory boards (CAB, emergency CAB): members, quorum, veto."""

    queryset = AdvisoryBoard.objects.prefetch_related("members")
    list_view = BoardList
    serializer_class = AdvisoryBoardSerializer
    filterset_class = BoardFilterSet

    def create_record(self, data, *, by):
        members = data.pop("members", [])
        return config.create_board(by=by, members=members, **data)

    def update_fields(self, instance, data, *, expected_version):
        members = data.pop("members", None)
        config.update_board(
            instance,
            by=self.request.user,
            expected_version=expected_version,
            members=members,
            **data,
        )
        return self.get_queryset().get(pk=instance.pk)


class MeetingViewSet(TransitionMixin, DomainViewSet):
    """CAB meetings: ``transition`` (held, closed with ``minutes``, cancelled), ``agenda``
    (add the changes awaiting the board's approval), ``agenda_item`` (move an item up or
    down, or remove it) and ``decide`` (a decision on a change of the agenda, through the
    approval rules)."""

    queryset = CabMeeting.objects.select_related("board").prefetch_related(
        "attendees", Prefetch("items", queryset=AgendaItem.objects.select_related("change"))
    )
    list_view = MeetingList
    serializer_class = CabMeetingSerializer
    filterset_class = MeetingFilterSet
    transition_serializer_class = MeetingTransitionSerializer

    def _fresh(self, obj):
        return self.get_queryset().get(pk=obj.pk)

    def create_record(self, data, *, by):
        attendees = data.pop("attendees", [])
        return meetings.create_meeting(by=by, attendees=attendees, **data)

    def update_fields(self, instance, data, *, expected_version):
        attendees = data.pop("attendees", None)
        meetings.update_meeting(
            instance,
            by=self.request.user,
            expected_version=expected_version,
            attendees=attendees,
            **data,
        )
        return self._fresh(instance)

    def perform_transition(self, obj, *, to, expected_version, note, fields):
        meetings.move_meeting(
            obj, to, by=self.request.user, note=note, expected_version=expected_version, **fields
        )
        return self._fresh(obj)

    @extend_schema(request=None, responses=CabMeetingSerializer)
    @action(detail=True, methods=["post"], policy_action="change", filterset_class=None)
    def agenda(self, request, pk=None):
        """Add the changes awaiting the board's approval to the agenda (while planned)."""
        obj = self.get_object()
        meetings.generate_agenda(obj, by=request.user)
        return Response(self.get_serializer(self._fresh(obj)).data)

    @extend_schema(request=AgendaMoveSerializer, responses=CabMeetingSerializer)
    @action(
        detail=True,
        methods=["post"],
        policy_action="change",
        filterset_class=None,
        url_path="agenda-item",
    )
    def agenda_item(self, request, pk=None):
        """Move an agenda item up or down, or take it off the agenda."""
        obj = self.get_object()
        body = AgendaMoveSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        item = obj.items.filter(pk=body.validated_data["item"]).first()
        if item is None:
            raise NotFound()
        if body.validated_data["action"] == "remove":
            meetings.remove_item(item, by=request.user)
        else:
            meetings.move_item(item, by=request.user, up=body.validated_data["action"] == "up")
        return Response(self.get_serializer(self._fresh(obj)).data)

    @extend_schema(request=MeetingDecisionSerializer, responses=CabMeetingSerializer)
    @action(detail=True, methods=["post"], policy_action="view", filterset_class=None)
    def decide(self, request, pk=None):
        """A decision, with its comment, on a change of the agenda (the approval rules: the
        board's members vote; nobody decides on their own change)."""
        obj = self.get_object()
        body = MeetingDecisionSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        item = obj.items.select_related("change").filter(change_id=data["change"]).first()
        if item is None:
            raise ValidationFailed(
                fields={"change": [str(_("The change is not on this meeting's agenda."))]}
            )
        meetings.decide_at(
            obj, item.change, by=request.user, vote=data["vote"], comment=data["comment"]
        )
        return Response(self.get_serializer(self._fresh(obj)).data)
