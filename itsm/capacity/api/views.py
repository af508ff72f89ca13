"""Capacity management API: metrics (with their ``forecast``), samples (read, and the batch
ingest ``POST /api/capacity/samples/`` and CSV ``POST /api/capacity/samples/csv/``, both
idempotent on (metric, at)) and capacity plans with their ``transition``.

Writes go through ``itsm.capacity.services``. Customer users see the metrics of their own CIs
and those metrics' samples; capacity plans are provider staff's only.
"""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import BaseParser, MultiPartParser
from rest_framework.response import Response

from itsm.capacity import selectors, services
from itsm.capacity.api.serializers import (
    CapacityPlanSerializer,
    ForecastQuerySerializer,
    ForecastSerializer,
    IngestResultSerializer,
    MetricSerializer,
    PlanTransitionSerializer,
    SampleBatchSerializer,
    SampleSerializer,
)
from itsm.capacity.filtersets import MetricFilterSet, PlanFilterSet, SampleFilterSet
from itsm.capacity.lists import MetricList, PlanList
from itsm.capacity.models import CapacityPlan, Metric, Sample
from itsm.core import policy
from itsm.core.api.base import DomainViewSet, TransitionMixin
from itsm.core.errors import NotFound, ValidationFailed

#: the largest CSV body accepted by the API
MAX_CSV_BYTES = 2 * 1024 * 1024


class CSVParser(BaseParser):
    """A ``text/csv`` body, passed on as its bytes (at most ``MAX_CSV_BYTES``)."""

    media_type = "text/csv"

    def parse(self, stream, media_type=None, parser_context=None):
        content = stream.read(MAX_CSV_BYTES + 1) if stream is not None else b""
        if len(content) > MAX_CSV_BYTES:
            raise ValidationFailed(fields={"file": [str(_("The file is too large."))]})
        return content


class MetricViewSet(DomainViewSet):
    """Capacity metrics. ``POST`` defines one; ``GET …/{id}/forecast/`` its forecast
    (``?method=auto|linear|seasonal``, ``?days=`` the horizon of the line)."""

    queryset = Metric.objects.all()
    list_view = MetricList
    serializer_class = MetricSerializer
    filterset_class = MetricFilterSet

    def create_record(self, data, *, by):
        return services.create_metric(by=by, **data)

    def update_fields(self, instance, data, *, expected_version):
        with transaction.atomic():
            return services.update_metric(
                instance, by=self.request.user, expected_version=expected_version, **data
            )

    @extend_schema(parameters=[ForecastQuerySerializer], responses=ForecastSerializer)
    @action(detail=True, methods=["get"], pagination_class=None, filterset_class=None)
    def forecast(self, request, pk=None):
        """The date the metric reaches its warning and critical thresholds, with the method."""
        metric = self.get_object()
        query = ForecastQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        options = query.validated_data
        result = selectors.metric_forecast(
            metric, method=options.get("method"), horizon_days=options.get("days", 90)
        )
        data = {
            "metric": metric.pk,
            "method": result.method,
            "method_label": result.method_label,
            "automatic": result.automatic,
            "slope_per_day": result.slope_per_day,
            "warning_on": result.warning_on,
            "critical_on": result.critical_on,
            "warning_now": result.warning_now,
            "critical_now": result.critical_now,
            "samples": result.samples,
            "reason": result.reason,
            "line": [{"day": day, "value": value} for day, value in result.line],
        }
        return Response(ForecastSerializer(data).data)


class SampleViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Samples of the metrics the user may view (``?metric=``, ``?since=``, ``?until=``).
    ``POST`` records a batch ``{"samples": [{"metric": id or key, "at": ISO 8601, "value":
    number}, …]}``: a sample already stored for the same metric and instant is replaced, never
    duplicated; any bad row writes nothing and is named (``fields.samples``: "Row 3: …")."""

    queryset = Sample.objects.all()
    serializer_class = SampleSerializer
    filterset_class = SampleFilterSet
    http_method_names = ["get", "post", "head", "options"]

    def get_queryset(self):
        return policy.restrict(super().get_queryset(), self.request.user, "view")

    def get_object(self):
        value = str(self.kwargs.get("pk", ""))
        if not (value.isdigit() and 0 < int(value) < 2**63):
            raise NotFound()
        return super().get_object()

    @extend_schema(request=SampleBatchSerializer, responses=IngestResultSerializer)
    def create(self, request, *args, **kwargs):
        body = request.data
        rows = body.get("samples") if isinstance(body, dict) else body
        if not isinstance(rows, list):
            raise ValidationFailed(
                fields={"samples": [str(_("Send a list of samples under “samples”."))]}
            )
        result = services.record_samples(by=request.user, samples=rows)
        return Response(
            IngestResultSerializer(result.as_dict()).data,
            status=201 if result.created else 200,
        )

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "metric", int, description="The metric of every line (then columns at,value)."
            )
        ],
        request={
            "multipart/form-data": {
                "type": "object",
                "properties": {"file": {"type": "string", "format": "binary"}},
            },
            "text/csv": {"type": "string"},
        },
        responses=IngestResultSerializer,
    )
    @action(
        detail=False,
        methods=["post"],
        url_path="csv",
        filterset_class=None,
        parser_classes=[CSVParser, MultiPartParser],
    )
    def csv(self, request):
        """A CSV file of samples (multipart ``file``, or a ``text/csv`` body): header
        ``metric,at,value`` (the metric's key or id), or ``at,value`` with ``?metric=<id>``.
        Errors name the file's lines; nothing is written unless every line is valid."""
        metric = None
        raw = request.query_params.get("metric", "")
        if raw:
            if not (raw.isdigit() and len(raw) < 19):
                raise ValidationFailed(fields={"metric": [str(_("Give a metric's id."))]})
            metric = Metric.objects.restrict(request.user, "view").filter(pk=int(raw)).first()
            if metric is None:
                raise NotFound()
        data = request.data
        if isinstance(data, bytes):
            content = data
        else:
            upload = request.FILES.get("file")
            if upload is None:
                raise ValidationFailed(fields={"file": [str(_("Send a CSV file."))]})
            if upload.size > MAX_CSV_BYTES:
                raise ValidationFailed(fields={"file": [str(_("The file is too large."))]})
            content = upload.read()
        result = services.import_samples_csv(by=request.user, content=content, metric=metric)
        return Response(
            IngestResultSerializer(result.as_dict()).data,
            status=201 if result.created else 200,
        )


class CapacityPlanViewSet(TransitionMixin, DomainViewSet):
    """Capacity plans (provider staff). ``POST`` drafts one; ``transition`` (``to``:
    approved, draft, archived)."""

    queryset = CapacityPlan.objects.select_related("service")
    list_view = PlanList
    serializer_class = CapacityPlanSerializer
    filterset_class = PlanFilterSet
    transition_serializer_class = PlanTransitionSerializer

    def get_queryset(self):
        return super().get_queryset().prefetch_related("changes", "metrics")

    def _fresh(self, obj):
        return self.get_queryset().get(pk=obj.pk)

    def create_record(self, data, *, by):
        return services.create_plan(by=by, **data)

    def update_fields(self, instance, data, *, expected_version):
        with transaction.atomic():
            services.update_plan(
                instance, by=self.request.user, expected_version=expected_version, **data
            )
        return self._fresh(instance)

    def perform_transition(self, obj, *, to, expected_version, note, fields):
        services.move_plan(
            obj, to, by=self.request.user, note=note, expected_version=expected_version
        )
        return self._fresh(obj)
