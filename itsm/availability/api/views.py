"""Availability management API: outages (read-write for staff, customers read their own
organisation's) and the availability figures of a month.

Writes go through ``itsm.availability.services``; any row the user may not view answers 404.
"""

from __future__ import annotations

from dataclasses import asdict

from django.db import transaction
from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework.response import Response
from rest_framework.views import APIView

from itsm.availability import selectors, services
from itsm.availability.api.serializers import (
    AvailabilitySerializer,
    MonthQuerySerializer,
    OutageSerializer,
)
from itsm.availability.filtersets import OutageFilterSet
from itsm.availability.lists import OutageList
from itsm.availability.models import Outage
from itsm.core import policy
from itsm.core.api.base import DomainViewSet
from itsm.core.periods import parse_month


class OutageViewSet(DomainViewSet):
    """Outages of services. ``POST`` records one (``source`` manual unless given), ``PATCH``
    corrects it (``ended_at`` ends it), ``DELETE`` removes one recorded by mistake."""

    queryset = Outage.objects.select_related("service", "customer")
    list_view = OutageList
    serializer_class = OutageSerializer
    filterset_class = OutageFilterSet

    def create_record(self, data, *, by):
        return services.record_outage(by=by, **data)

    def update_fields(self, instance, data, *, expected_version):
        with transaction.atomic():
            services.update_outage(
                instance, by=self.request.user, expected_version=expected_version, **data
            )
        return self.get_queryset().get(pk=instance.pk)

    def delete_record(self, instance, *, by):
        services.delete_outage(instance, by=by)


class AvailabilityView(APIView):
    """Availability per SLA × service of a month (the SLAs the user may view) with MTBF and
    MTRS per service — the figures of the availability page."""

    policy_model = Outage
    pagination_class = None
    filter_backends: list = []

    @extend_schema(parameters=[MonthQuerySerializer], responses=AvailabilitySerializer)
    def get(self, request):
        query = MonthQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        value = query.validated_data.get("month")
        month = parse_month("month", value) if value else timezone.localdate().replace(day=1)
        customer = None
        if not policy.is_provider_staff(request.user):
            customer = getattr(request.user, "organisation", None)
        rows = selectors.availability_rows(user=request.user, month=month)
        data = {
            "month": month.strftime("%Y-%m"),
            "rows": [asdict(row) for row in rows],
            "reliability": [
                asdict(r)
                for r in selectors.reliability(user=request.user, month=month, customer=customer)
            ],
        }
        return Response(AvailabilitySerializer(data).data)
