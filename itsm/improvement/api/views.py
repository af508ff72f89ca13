"""Improvement register API: items with their actions (transition, measure, effect).
Writes go through ``itsm.improvement.services``. Customer users see only the items of their
organisation, without the internal fields; any other id answers 404.
"""

from __future__ import annotations

from django.db import transaction
from drf_spectacular.utils import extend_schema
from rest_framework.decorators import action
from rest_framework.response import Response

from itsm.core.api.base import DomainViewSet, TransitionMixin
from itsm.improvement import services
from itsm.improvement.api.serializers import (
    EffectInputSerializer,
    ItemSerializer,
    ItemTransitionSerializer,
    VersionInputSerializer,
)
from itsm.improvement.filtersets import ItemFilterSet
from itsm.improvement.lists import ItemList
from itsm.improvement.models import Item


class ItemViewSet(TransitionMixin, DomainViewSet):
    """Improvement items. ``POST`` records one (status proposed); actions: ``transition``
    (``to``: planned, proposed, approved — four eyes —, rejected, implementing, verifying with
    ``implementation_notes``, closed, cancelled), ``measure`` (the KPI before and after) and
    ``effect`` (the verified effect)."""

    queryset = Item.objects.select_related("owner", "customer", "change")
    list_view = ItemList
    serializer_class = ItemSerializer
    filterset_class = ItemFilterSet
    transition_serializer_class = ItemTransitionSerializer

    def _fresh(self, obj):
        return self.get_queryset().get(pk=obj.pk)

    def create_record(self, data, *, by):
        return services.create_item(by=by, **data)

    def update_fields(self, instance, data, *, expected_version):
        for name in ("source", "source_key", "incident"):
            if name in data and data[name] == getattr(instance, name):
                data.pop(name)
        with transaction.atomic():
            services.update_item(
                instance, by=self.request.user, expected_version=expected_version, **data
            )
        return self._fresh(instance)

    def perform_transition(self, obj, *, to, expected_version, note, fields):
        services.move(
            obj, to, by=self.request.user, note=note, expected_version=expected_version, **fields
        )
        return self._fresh(obj)

    @extend_schema(request=VersionInputSerializer, responses=ItemSerializer)
    @action(detail=True, methods=["post"], policy_action="change", filterset_class=None)
    def measure(self, request, pk=None):
        """Measure the item's KPI for the period before and the period after."""
        obj = self.get_object()
        body = VersionInputSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        services.measure_effect(
            obj, by=request.user, expected_version=body.validated_data.get("version")
        )
        return Response(self.get_serializer(self._fresh(obj)).data)

    @extend_schema(request=EffectInputSerializer, responses=ItemSerializer)
    @action(detail=True, methods=["post"], policy_action="change", filterset_class=None)
    def effect(self, request, pk=None):
        """Record the verified effect (while verifying)."""
        obj = self.get_object()
        body = EffectInputSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        services.record_effect(
            obj,
            by=request.user,
            effect_note=body.validated_data["effect_note"],
            expected_version=body.validated_data.get("version"),
        )
        return Response(self.get_serializer(self._fresh(obj)).data)
