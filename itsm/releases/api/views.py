"""Release management API: releases with their actions (transition, tests, decide), the test
records and go/no-go decisions (read-only), and the release report.

Writes go through ``itsm.releases.services``. Customer users see only the releases of changes
that affect their organisation (never while planned), without the internal fields; any other
id answers 404.
"""

from __future__ import annotations

from dataclasses import asdict

from django.db import transaction
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.views import APIView

from itsm.core.api.base import DomainViewSet, TransitionMixin
from itsm.core.errors import ValidationFailed
from itsm.core.periods import resolve_months
from itsm.releases import report as reports
from itsm.releases import services
from itsm.releases.api.serializers import (
    ReleaseDecisionInputSerializer,
    ReleaseDecisionSerializer,
    ReleaseSerializer,
    ReleaseTestInputSerializer,
    ReleaseTestSerializer,
    ReleaseTransitionSerializer,
)
from itsm.releases.filtersets import (
    ReleaseDecisionFilterSet,
    ReleaseFilterSet,
    ReleaseTestFilterSet,
)
from itsm.releases.lists import ReleaseList
from itsm.releases.models import Release, ReleaseDecision, ReleaseTest


class ReleaseViewSet(TransitionMixin, DomainViewSet):
    """Releases. ``POST`` plans one; actions: ``transition`` (``to``: testing, decision,
    deploying, deployed, rolled_back with ``outcome_note``, cancelled; ready/planning record a
    go/no-go with the note as its comment), ``tests`` (record a test) and ``decide`` (go or
    no-go with a comment)."""

    queryset = Release.objects.all()
    list_view = ReleaseList
    serializer_class = ReleaseSerializer
    filterset_class = ReleaseFilterSet
    transition_serializer_class = ReleaseTransitionSerializer

    def get_queryset(self):
        return super().get_queryset().prefetch_related("changes", "customers")

    def _fresh(self, obj):
        return self.get_queryset().get(pk=obj.pk)

    def create_record(self, data, *, by):
        return services.create_release(by=by, **data)

    def update_fields(self, instance, data, *, expected_version):
        with transaction.atomic():
            services.update_release(
                instance, by=self.request.user, expected_version=expected_version, **data
            )
        return self._fresh(instance)

    def perform_transition(self, obj, *, to, expected_version, note, fields):
        services.move(
            obj, to, by=self.request.user, note=note, expected_version=expected_version, **fields
        )
        return self._fresh(obj)

    @extend_schema(request=ReleaseTestInputSerializer, responses=ReleaseTestSerializer)
    @action(detail=True, methods=["post"], policy_action="change", filterset_class=None)
    def tests(self, request, pk=None):
        """Record a test: what was tested, the result (passed / failed), a note."""
        obj = self.get_object()
        body = ReleaseTestInputSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        row = services.record_test(obj, by=request.user, **body.validated_data)
        return Response(
            ReleaseTestSerializer(row, context=self.get_serializer_context()).data, status=201
        )

    @extend_schema(request=ReleaseDecisionInputSerializer, responses=ReleaseSerializer)
    @action(detail=True, methods=["post"], policy_action="change", filterset_class=None)
    def decide(self, request, pk=None):
        """The go/no-go decision with its comment."""
        obj = self.get_object()
        body = ReleaseDecisionInputSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = dict(body.validated_data)
        services.decide(
            obj,
            by=request.user,
            decision=data["decision"],
            comment=data["comment"],
            expected_version=data.get("version"),
        )
        return Response(self.get_serializer(self._fresh(obj)).data)


class ReleaseTestViewSet(DomainViewSet):
    """Test records of releases (read-only: record through the release's ``tests`` action)."""

    http_method_names = ["get", "head", "options"]
    queryset = ReleaseTest.objects.select_related("release")
    serializer_class = ReleaseTestSerializer
    filterset_class = ReleaseTestFilterSet


class ReleaseDecisionViewSet(DomainViewSet):
    """Go/no-go decisions (read-only: decide through the release)."""

    http_method_names = ["get", "head", "options"]
    queryset = ReleaseDecision.objects.select_related("release")
    serializer_class = ReleaseDecisionSerializer
    filterset_class = ReleaseDecisionFilterSet


# --- report ---------------------------------------------------------------------------------


class ReleaseReportQuerySerializer(serializers.Serializer):
    start = serializers.CharField(
        required=False, help_text=_("The first month (YYYY-MM); default: eleven months ago.")
    )
    end = serializers.CharField(
        required=False, help_text=_("The last month (YYYY-MM, included); default: this month.")
    )

    def validate(self, attrs):
        try:
            attrs["period"] = resolve_months(start=attrs.get("start"), end=attrs.get("end"))
        except ValidationFailed as error:
            raise serializers.ValidationError(error.fields) from None
        return attrs


class ReleaseReportPeriodSerializer(serializers.Serializer):
    start = serializers.CharField()
    end = serializers.CharField()


class ReleaseReportMonthSerializer(serializers.Serializer):
    month = serializers.CharField()
    deployed = serializers.IntegerField()
    rolled_back = serializers.IntegerField()
    cancelled = serializers.IntegerField()


class ReleaseReportKindSerializer(serializers.Serializer):
    kind = serializers.CharField()
    label = serializers.CharField()  # type: ignore[assignment]  # a DRF Field attribute name
    deployed = serializers.IntegerField()
    rolled_back = serializers.IntegerField()
    cancelled = serializers.IntegerField()


class ReleaseReportRowSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    number = serializers.CharField()
    title = serializers.CharField()
    kind = serializers.CharField()
    status = serializers.CharField()
    closed_at = serializers.DateTimeField()


class ReleaseReportSerializer(serializers.Serializer):
    period = ReleaseReportPeriodSerializer()
    deployed = serializers.IntegerField()
    rolled_back = serializers.IntegerField()
    cancelled = serializers.IntegerField()
    success_rate = serializers.DecimalField(max_digits=9, decimal_places=1, allow_null=True)
    months = ReleaseReportMonthSerializer(many=True)
    kinds = ReleaseReportKindSerializer(many=True)
    releases = ReleaseReportRowSerializer(many=True)


class ReleaseReportView(APIView):
    """The release report of a range of months (the same figures as the page)."""

    policy_model = Release
    pagination_class = None
    filter_backends: list = []

    @extend_schema(parameters=[ReleaseReportQuerySerializer], responses=ReleaseReportSerializer)
    def get(self, request):
        query = ReleaseReportQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        report = reports.release_report(user=request.user, period=query.validated_data["period"])
        data = {
            "period": report.period.query(),
            "deployed": report.deployed,
            "rolled_back": report.rolled_back,
            "cancelled": report.cancelled,
            "success_rate": report.success_rate,
            "months": [asdict(row) for row in report.months],
            "kinds": [asdict(row) for row in report.kinds],
            "releases": report.releases,
        }
        return Response(ReleaseReportSerializer(data).data)
