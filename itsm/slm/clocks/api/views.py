"""Clocks API: clocks are read-only (they change through their record's actions and the
sweeper); SLA test tickets have create, title edit and the clock actions."""

from __future__ import annotations

from django.contrib.contenttypes.models import ContentType
from drf_spectacular.utils import extend_schema
from rest_framework.decorators import action
from rest_framework.response import Response

from itsm.core.api.base import DomainViewSet
from itsm.core.api.pagination import KeysetPagination
from itsm.slm.clocks.api.serializers import (
    ClockSerializer,
    PauseSerializer,
    PrioritySerializer,
    SlaTestTicketSerializer,
    TicketActionSerializer,
)
from itsm.slm.clocks.filtersets import ClockFilterSet, SlaTestTicketFilterSet
from itsm.slm.clocks.lists import ClockList, TestTicketList
from itsm.slm.clocks.models import Clock, SlaTestTicket
from itsm.slm.clocks.services import testtickets


class ClockViewSet(DomainViewSet):
    """SLA clocks with their running/paused segments (read-only)."""

    http_method_names = ["get", "head", "options"]
    queryset = Clock.objects.select_related("content_type", "calendar").prefetch_related("segments")
    list_view = ClockList  # ?sort= takes its list page's sortable columns
    serializer_class = ClockSerializer
    filterset_class = ClockFilterSet
    pagination_class = KeysetPagination


class SlaTestTicketViewSet(DomainViewSet):
    """SLA test tickets: open one on a signed/active agreement to try its clocks."""

    queryset = SlaTestTicket.objects.select_related("agreement", "service", "customer")
    list_view = TestTicketList  # ?sort= takes its list page's sortable columns
    serializer_class = SlaTestTicketSerializer
    filterset_class = SlaTestTicketFilterSet

    def create_record(self, data, *, by):
        return testtickets.create_test_ticket(by=by, **data)

    def update_fields(self, instance, data, *, expected_version):
        return testtickets.update_test_ticket(
            instance, by=self.request.user, expected_version=expected_version, **data
        )

    # clocks of a page in one query
    def paginate_queryset(self, queryset):
        page = super().paginate_queryset(queryset)
        if page is not None:
            _attach_clocks(page)
        return page

    def _act(self, request, serializer_class, fn):
        ticket = self.get_object()
        body = serializer_class(data=request.data)
        body.is_valid(raise_exception=True)
        data = dict(body.validated_data)
        expected = data.pop("version", None)
        ticket = fn(ticket, by=request.user, expected_version=expected, **data)
        ticket = self.get_queryset().get(pk=ticket.pk)
        return Response(self.get_serializer(ticket).data)

    @extend_schema(request=PauseSerializer, responses=SlaTestTicketSerializer)
    @action(detail=True, methods=["post"], policy_action="change", filterset_class=None)
    def pause(self, request, pk=None):
        """Pause the running clocks (a reason is required)."""
        return self._act(request, PauseSerializer, testtickets.pause_test_ticket)

    @extend_schema(request=TicketActionSerializer, responses=SlaTestTicketSerializer)
    @action(detail=True, methods=["post"], policy_action="change", filterset_class=None)
    def resume(self, request, pk=None):
        """Resume the paused clocks."""
        return self._act(request, TicketActionSerializer, testtickets.resume_test_ticket)

    @extend_schema(request=TicketActionSerializer, responses=SlaTestTicketSerializer)
    @action(detail=True, methods=["post"], policy_action="change", filterset_class=None)
    def respond(self, request, pk=None):
        """Record the first response: stops the response clock."""
        return self._act(request, TicketActionSerializer, testtickets.respond_test_ticket)

    @extend_schema(request=TicketActionSerializer, responses=SlaTestTicketSerializer)
    @action(detail=True, methods=["post"], policy_action="change", filterset_class=None)
    def resolve(self, request, pk=None):
        """Resolve: stops the resolution clock."""
        return self._act(request, TicketActionSerializer, testtickets.resolve_test_ticket)

    @extend_schema(request=PrioritySerializer, responses=SlaTestTicketSerializer)
    @action(
        detail=True,
        methods=["post"],
        policy_action="change",
        filterset_class=None,
        url_path="set-priority",
    )
    def set_priority(self, request, pk=None):
        """Change the priority: open clocks take the new target, keeping elapsed time."""
        return self._act(request, PrioritySerializer, testtickets.set_test_ticket_priority)

    @extend_schema(request=TicketActionSerializer, responses=SlaTestTicketSerializer)
    @action(detail=True, methods=["post"], policy_action="change", filterset_class=None)
    def close(self, request, pk=None):
        """Close the ticket; open clocks are stopped."""
        return self._act(request, TicketActionSerializer, testtickets.close_test_ticket)


def _attach_clocks(tickets) -> None:
    if not tickets:
        return
    content_type = ContentType.objects.get_for_model(SlaTestTicket)
    by_ticket: dict[int, list[Clock]] = {t.pk: [] for t in tickets}
    for clock in (
        Clock.objects.filter(content_type=content_type, object_id__in=list(by_ticket))
        .select_related("calendar")
        .order_by("id")
    ):
        by_ticket[clock.object_id].append(clock)
    for ticket in tickets:
        ticket._clocks = by_ticket[ticket.pk]
