"""Management objectives API: plans (staff; ``transition`` approves by a second person,
revises or archives), objectives (a customer user reads those decomposed to their
organisation; ``GET …/{id}/actuals/`` gives target vs actual per period) and the manual
actuals (``POST`` enters the actual of a hand-measured objective for a period; entering it
again replaces the value).

Writes go through ``itsm.objectives.services``.
"""

from __future__ import annotations

from django.db import transaction
from drf_spectacular.utils import extend_schema
from rest_framework.decorators import action
from rest_framework.response import Response

from itsm.core.api.base import DomainViewSet, TransitionMixin
from itsm.objectives import selectors, services
from itsm.objectives.api.serializers import (
    CellSerializer,
    ManualActualSerializer,
    ObjectivePlanTransitionSerializer,
    ObjectiveSerializer,
    PlanSerializer,
)
from itsm.objectives.filtersets import ManualActualFilterSet, ObjectiveFilterSet, PlanFilterSet
from itsm.objectives.lists import PlanList
from itsm.objectives.models import ManualActual, Objective, Plan


class PlanViewSet(TransitionMixin, DomainViewSet):
    """Annual objective plans (provider staff). ``POST`` drafts one (the caller is its
    author); ``transition`` (``to``: approved — not by the author —, draft, archived)."""

    queryset = Plan.objects.select_related("author", "approved_by")
    list_view = PlanList
    serializer_class = PlanSerializer
    filterset_class = PlanFilterSet
    transition_serializer_class = ObjectivePlanTransitionSerializer

    def create_record(self, data, *, by):
        return services.create_plan(by=by, **data)

    def update_fields(self, instance, data, *, expected_version):
        with transaction.atomic():
            return services.update_plan(
                instance, by=self.request.user, expected_version=expected_version, **data
            )

    def perform_transition(self, obj, *, to, expected_version, note, fields):
        return services.move_plan(
            obj, to, by=self.request.user, note=note, expected_version=expected_version
        )


class ObjectiveViewSet(DomainViewSet):
    """Objectives of the plans. ``POST`` adds one to a draft plan: ``kpi_id`` a KPI of
    ``/api/kpi/`` (its unit is taken; direction and period default to the KPI's) or empty
    (measured by hand); ``scope`` with its ``team``, ``project`` or ``customer``; ``parent``
    the objective it decomposes."""

    queryset = Objective.objects.select_related("plan", "customer", "team", "parent")
    serializer_class = ObjectiveSerializer
    filterset_class = ObjectiveFilterSet

    def create_record(self, data, *, by):
        return services.create_objective(by=by, **data)

    def update_fields(self, instance, data, *, expected_version):
        with transaction.atomic():
            return services.update_objective(
                instance, by=self.request.user, expected_version=expected_version, **data
            )

    @extend_schema(responses=CellSerializer(many=True))
    @action(detail=True, methods=["get"], pagination_class=None, filterset_class=None)
    def actuals(self, request, pk=None):
        """Target vs actual per period of the plan's year: computed by the KPI from the
        records the caller may see, or entered by hand; met/not met by the direction."""
        objective = self.get_object()
        row = selectors.evaluate(objective, user=request.user)
        data = [
            {
                "period": c.period.code,
                "period_label": c.period.label,
                "start": c.period.start,
                "end": c.period.end,
                "target": c.target,
                "actual": c.actual,
                "status": c.status,
                "actual_source": c.source,
                "closed": c.closed,
            }
            for c in row.cells
        ]
        return Response(CellSerializer(data, many=True).data)


class ManualActualViewSet(DomainViewSet):
    """Actuals entered by hand (``?objective=``). ``POST`` ``{objective, period_start (a day
    of the period), value, note}``; ``PATCH`` corrects value and note."""

    queryset = ManualActual.objects.select_related("objective", "entered_by")
    serializer_class = ManualActualSerializer
    filterset_class = ManualActualFilterSet

    def create_record(self, data, *, by):
        return services.enter_actual(by=by, **data)

    def update_fields(self, instance, data, *, expected_version):
        data.pop("objective", None)
        data.pop("period_start", None)
        with transaction.atomic():
            return services.update_actual(
                instance, by=self.request.user, expected_version=expected_version, **data
            )
