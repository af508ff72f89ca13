"""The KPI API (R-KPI, X-07):

- ``GET /api/kpi/?period=YYYY-MM&customer=<id>`` — every KPI the user sees, with its figure;
- ``GET /api/kpi/<id>/?period=…&customer=…`` — one KPI.

A malformed period or customer answers 400 naming the field; another customer's id answers
404 to a customer user; an unknown KPI (or one the user may not see) answers 404.
"""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework.response import Response
from rest_framework.views import APIView

from itsm.kpi import selectors
from itsm.kpi.api.serializers import KpiDetailSerializer, KpiListSerializer, KpiQuerySerializer


class _KpiView(APIView):
    pagination_class = None
    filter_backends: list = []

    def _query(self):
        query = KpiQuerySerializer(data=self.request.query_params)
        query.is_valid(raise_exception=True)
        user = self.request.user
        period = selectors.parse_period(query.validated_data.get("period"))
        customer = selectors.resolve_customer(user, query.validated_data.get("customer"))
        return {"period": period, "customer": customer}


class KpiListView(_KpiView):
    """Every KPI the user may see, computed for one month and customer."""

    @extend_schema(
        operation_id="kpi_list", parameters=[KpiQuerySerializer], responses=KpiListSerializer
    )
    def get(self, request):
        query = self._query()
        body = {**query, "results": selectors.figures(user=request.user, **query)}
        return Response(KpiListSerializer(body).data)


class KpiDetailView(_KpiView):
    """One KPI computed for one month and customer."""

    @extend_schema(
        operation_id="kpi_retrieve",
        parameters=[KpiQuerySerializer],
        responses=KpiDetailSerializer,
    )
    def get(self, request, kpi_id: str):
        kpi = selectors.get_kpi(request.user, kpi_id)
        query = self._query()
        body = {**query, "kpi": selectors.figure(kpi, user=request.user, **query)}
        return Response(KpiDetailSerializer(body).data)
