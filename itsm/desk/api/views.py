"""Service desk API: tickets of every kind (with ``Idempotency-Key`` on create), their
actions, entries and attachments; calls; categories and dispatch rules.

Writes go through ``itsm.desk.services``. Customer users see and create only their own
organisation's tickets, never internal notes, time spent or dispatch data; any other id
answers 404.
"""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response

from itsm.core import policy
from itsm.core.api.base import MAX_ID, DomainViewSet, TransitionMixin
from itsm.core.errors import ValidationFailed
from itsm.core.lists.rows import page_rows
from itsm.core.models import Team, User
from itsm.core.uploads import read_upload_bytes
from itsm.desk import selectors
from itsm.desk.api.serializers import (
    QUEUE_FIELDS,
    AssignSerializer,
    AttachmentSerializer,
    CallSerializer,
    CategorySerializer,
    DispatchRuleSerializer,
    EntrySerializer,
    EscalateSerializer,
    RatingSerializer,
    ResolutionAnswerSerializer,
    ReturnSerializer,
    TicketQueueSerializer,
    TicketSerializer,
    TicketTransitionSerializer,
    TicketUpdateSerializer,
    WaitSerializer,
)
from itsm.desk.choices import EntryKind, SurveyChannel, TicketStatus
from itsm.desk.filtersets import (
    AttachmentFilterSet,
    CallFilterSet,
    CategoryFilterSet,
    DispatchRuleFilterSet,
    TicketFilterSet,
)
from itsm.desk.lists import CallList, CategoryList, DispatchRuleList, TicketList
from itsm.desk.models import Attachment, Call, Category, DispatchRule, Survey, Ticket
from itsm.desk.services import config, contact, dispatch, entries, escalation, tickets
from itsm.desk.views_files import attachment_response

#: the ticket's columns the list reads (its serializer's, ``display`` being number and title)
_QUEUE_COLUMNS = tuple(name for name in QUEUE_FIELDS if name != "display")


def _version(data) -> int | None:
    return data.get("version")


class TicketViewSet(TransitionMixin, DomainViewSet):
    """Incidents, service requests and consultations. ``POST`` logs one (priority from the
    matrix, dispatched by the rules, SLA clocks started); send ``Idempotency-Key`` to make a
    retried create safe. Actions: ``transition``, ``assign``, ``return``, ``wait``,
    ``escalate``, ``confirm`` and ``reject`` (the customer's answer to a resolution),
    ``rate``, ``entries`` and ``attachments``."""

    queryset = Ticket.objects.select_related("customer")
    list_view = TicketList
    serializer_class = TicketSerializer
    filterset_class = TicketFilterSet
    transition_serializer_class = TicketTransitionSerializer

    def get_queryset(self):
        queryset = selectors.tickets_for(self.request.user)
        if self.action == "list":
            # the queue's columns only (TicketQueueSerializer): no join, no prefetch of the
            # CIs, rows made by the HTML lists' reader (no Model.__init__, C date-times)
            return page_rows(queryset.only(*_QUEUE_COLUMNS))
        return queryset.prefetch_related("cis")

    def get_serializer_class(self):
        if self.action == "list":
            return TicketQueueSerializer
        if self.action in ("update", "partial_update"):
            return TicketUpdateSerializer
        return super().get_serializer_class()

    def create_record(self, data, *, by):
        if data.get("customer") is None and not policy.is_provider_staff(by):
            data["customer"] = by.organisation
        if data.get("customer") is None:
            raise ValidationFailed(fields={"customer": [str(_("This field is required."))]})
        data["cis"] = list(data.get("cis") or ())
        return tickets.create_ticket(by=by, **data)

    def delete_record(self, instance, *, by):
        raise ValidationFailed(
            _("Tickets cannot be deleted; cancel them instead."), code="delete_not_allowed"
        )

    def update_fields(self, instance, data, *, expected_version):
        return tickets.update_ticket(
            instance, by=self.request.user, expected_version=expected_version, **data
        )

    def perform_transition(self, obj, *, to, expected_version, note, fields):
        by = self.request.user
        if to == TicketStatus.RESOLVED:
            return tickets.resolve(
                obj,
                by=by,
                resolution=fields.get("resolution", ""),
                resolution_code=fields.get("resolution_code", ""),
                expected_version=expected_version,
                resolve_children=fields.get("resolve_children", False),
            )
        if to == TicketStatus.NEW:
            return dispatch.return_ticket(
                obj, by=by, reason=note, expected_version=expected_version
            )
        return tickets.move(obj, to, by=by, note=note, expected_version=expected_version)

    def _answer(self, ticket):
        return Response(self.get_serializer(self.get_queryset().get(pk=ticket.pk)).data)

    def _act(self, body_class, perform):
        """An action on one ticket: its body validated by *body_class*, then
        ``perform(ticket, data)`` (a service call), then the ticket as it is now."""
        ticket = self.get_object()
        body = body_class(data=self.request.data)
        body.is_valid(raise_exception=True)
        perform(ticket, body.validated_data)
        return self._answer(ticket)

    @extend_schema(request=AssignSerializer, responses=TicketSerializer)
    @action(detail=True, methods=["post"], policy_action="change", filterset_class=None)
    def assign(self, request, pk=None):
        """Assign by hand to a group and maybe a member of it (manual override)."""

        def perform(ticket, data):
            group = Team.objects.filter(pk=data["assignment_group"]).first()
            if group is None:
                raise ValidationFailed(fields={"assignment_group": [str(_("Unknown group."))]})
            assignee = None
            if data["assignee"]:
                assignee = User.objects.filter(pk=data["assignee"]).first()
                if assignee is None:
                    raise ValidationFailed(fields={"assignee": [str(_("Unknown person."))]})
            dispatch.assign(
                ticket,
                by=request.user,
                group=group,
                assignee=assignee,
                note=data["note"],
                expected_version=_version(data),
            )

        return self._act(AssignSerializer, perform)

    @extend_schema(request=ReturnSerializer, responses=TicketSerializer)
    @action(
        detail=True,
        methods=["post"],
        url_path="return",
        url_name="return",
        policy_action="change",
        filterset_class=None,
    )
    def return_(self, request, pk=None):
        """Return (退回) the ticket to the desk with the reason."""
        return self._act(
            ReturnSerializer,
            lambda ticket, data: dispatch.return_ticket(
                ticket, by=request.user, reason=data["reason"], expected_version=_version(data)
            ),
        )

    @extend_schema(request=WaitSerializer, responses=TicketSerializer)
    @action(detail=True, methods=["post"], policy_action="change", filterset_class=None)
    def wait(self, request, pk=None):
        """Put the ticket on hold (pending customer, supplier or change), with a note."""
        return self._act(
            WaitSerializer,
            lambda ticket, data: tickets.wait(
                ticket,
                on=data["on"],
                by=request.user,
                note=data["note"],
                expected_version=_version(data),
            ),
        )

    @extend_schema(request=EscalateSerializer, responses=TicketSerializer)
    @action(detail=True, methods=["post"], policy_action="change", filterset_class=None)
    def escalate(self, request, pk=None):
        """Escalate by hand: functional (next-line group) or hierarchical (leader, manager)."""
        return self._act(
            EscalateSerializer,
            lambda ticket, data: escalation.escalate(
                ticket,
                kind=data["kind"],
                by=request.user,
                reason=data["reason"],
                expected_version=_version(data),
            ),
        )

    @extend_schema(request=ResolutionAnswerSerializer, responses=TicketSerializer)
    @action(detail=True, methods=["post"], policy_action="view", filterset_class=None)
    def confirm(self, request, pk=None):
        """The customer confirms the resolution: the ticket closes."""
        return self._act(
            ResolutionAnswerSerializer,
            lambda ticket, data: tickets.close(
                ticket, by=request.user, note=data["note"], expected_version=_version(data)
            ),
        )

    @extend_schema(request=ResolutionAnswerSerializer, responses=TicketSerializer)
    @action(detail=True, methods=["post"], policy_action="view", filterset_class=None)
    def reject(self, request, pk=None):
        """The customer rejects the resolution (reason required): the ticket reopens."""
        return self._act(
            ResolutionAnswerSerializer,
            lambda ticket, data: tickets.reopen(
                ticket, by=request.user, note=data["note"], expected_version=_version(data)
            ),
        )

    @extend_schema(request=RatingSerializer, responses=TicketSerializer)
    @action(detail=True, methods=["post"], policy_action="view", filterset_class=None)
    def rate(self, request, pk=None):
        """The customer rates the resolved ticket (1–5 and a comment), once."""

        def perform(ticket, data):
            survey = Survey.objects.filter(ticket=ticket).first()
            if survey is None:
                raise ValidationFailed(
                    fields={"score": [str(_("The ticket is not resolved yet: nothing to rate."))]}
                )
            contact.answer_survey(
                survey,
                score=data["score"],
                comment=data["comment"],
                channel=SurveyChannel.PORTAL,
                by=request.user,
            )

        return self._act(RatingSerializer, perform)

    @extend_schema(methods=["get"], responses=EntrySerializer(many=True))
    @extend_schema(methods=["post"], request=EntrySerializer, responses=EntrySerializer)
    @action(
        detail=True,
        methods=["get", "post"],
        policy_action="view",
        filterset_class=None,
        pagination_class=None,
    )
    def entries(self, request, pk=None):
        """The conversation (customers: without internal notes); POST adds a reply, a
        customer comment or (staff) an internal work note."""
        ticket = self.get_object()
        if request.method == "POST":
            body = EntrySerializer(data=request.data, context={"request": request})
            body.is_valid(raise_exception=True)
            staff = policy.is_provider_staff(request.user)
            kind = body.validated_data.get("kind") or (
                EntryKind.REPLY if staff else EntryKind.COMMENT
            )
            entry = entries.add_entry(
                ticket,
                by=request.user,
                kind=kind,
                body=body.validated_data.get("body", ""),
                time_spent_minutes=body.validated_data.get("time_spent_minutes", 0),
            )
            return Response(
                EntrySerializer(entry, context={"request": request}).data,
                status=status.HTTP_201_CREATED,
            )
        rows = selectors.entries_for(request.user).filter(ticket=ticket).select_related("author")
        return Response(EntrySerializer(rows, many=True, context={"request": request}).data)

    @extend_schema(methods=["get"], responses=AttachmentSerializer(many=True))
    @extend_schema(methods=["post"], request=AttachmentSerializer, responses=AttachmentSerializer)
    @action(
        detail=True,
        methods=["get", "post"],
        policy_action="view",
        filterset_class=None,
        pagination_class=None,
        parser_classes=[MultiPartParser, FormParser],
    )
    def attachments(self, request, pk=None):
        """The ticket's files (customers: not the internal ones); POST uploads one."""
        ticket = self.get_object()
        if request.method == "POST":
            upload = request.FILES.get("file")
            if upload is None:
                raise ValidationFailed(fields={"file": ["Choose a file."]})
            content = read_upload_bytes(upload, field="file")
            internal = str(request.data.get("internal", "")).lower() in ("1", "true", "yes")
            attachment = entries.add_attachment(
                ticket,
                by=request.user,
                name=upload.name,
                content_type=upload.content_type or "",
                content=content,
                internal=internal,
            )
            return Response(
                AttachmentSerializer(attachment, context={"request": request}).data,
                status=status.HTTP_201_CREATED,
            )
        rows = selectors.attachments_for(request.user).filter(ticket=ticket)
        return Response(AttachmentSerializer(rows, many=True, context={"request": request}).data)


class AttachmentViewSet(viewsets.ReadOnlyModelViewSet):
    """Ticket files (customers: their organisation's, never internal ones); upload through
    ``POST /api/desk/tickets/{id}/attachments/``; ``GET …/{id}/download/`` is the file."""

    queryset = Attachment.objects.defer("content").order_by("-id")
    serializer_class = AttachmentSerializer
    filterset_class = AttachmentFilterSet
    policy_action: str | None = None

    def get_queryset(self):
        return policy.restrict(super().get_queryset(), self.request.user, "view")

    def get_object(self):
        value = str(self.kwargs.get("pk", ""))
        if not (value.isdigit() and 0 < int(value) <= MAX_ID):
            raise NotFound()
        return super().get_object()

    @extend_schema(responses={(200, "application/octet-stream"): bytes})
    @action(detail=True, methods=["get"], filterset_class=None)
    def download(self, request, pk=None):
        """The file itself (always as a download)."""
        return attachment_response(request, self.get_object().pk)


class CallViewSet(DomainViewSet):
    """Phone calls the desk took or missed (provider staff): start, end, answered, outcome."""

    queryset = Call.objects.all()
    list_view = CallList
    serializer_class = CallSerializer
    filterset_class = CallFilterSet

    def get_queryset(self):
        return selectors.calls_for(self.request.user).select_related("caller", "organisation")

    def create_record(self, data, *, by):
        return contact.log_call(by=by, **data)

    def delete_record(self, instance, *, by):
        raise ValidationFailed(
            _("Calls are kept as they were logged; they cannot be deleted."),
            code="delete_not_allowed",
        )


class CategoryViewSet(DomainViewSet):
    """The ticket category tree."""

    queryset = Category.objects.all()
    list_view = CategoryList
    serializer_class = CategorySerializer
    filterset_class = CategoryFilterSet

    def create_record(self, data, *, by):
        return config.create_category(by=by, **data)

    def update_fields(self, instance, data, *, expected_version):
        return config.update_category(
            instance, by=self.request.user, expected_version=expected_version, **data
        )

    def delete_record(self, instance, *, by):
        config.delete_category(instance, by=by)


class DispatchRuleViewSet(DomainViewSet):
    """Ordered dispatch rules (派单规则)."""

    queryset = DispatchRule.objects.select_related("team")
    list_view = DispatchRuleList
    serializer_class = DispatchRuleSerializer
    filterset_class = DispatchRuleFilterSet

    def create_record(self, data, *, by):
        return config.create_dispatch_rule(by=by, **data)

    def update_fields(self, instance, data, *, expected_version):
        return config.update_dispatch_rule(
            instance, by=self.request.user, expected_version=expected_version, **data
        )

    def delete_record(self, instance, *, by):
        with transaction.atomic():
            config.delete_dispatch_rule(instance, by=by)
