"""JSON API of the problem report: ``GET /api/problems/report/?start=YYYY-MM&end=YYYY-MM``
(default: the twelve months up to this one) — the same figures as the page and the Excel file,
from the same :func:`itsm.problems.report.problem_report`. Provider staff only (403 for
customers: problems are internal)."""

from __future__ import annotations

from dataclasses import asdict

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from itsm.core.errors import ValidationFailed
from itsm.core.periods import resolve_months
from itsm.problems import report as reports
from itsm.problems.models import Problem


class ProblemReportQuerySerializer(serializers.Serializer):
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


def _decimal():
    return serializers.DecimalField(max_digits=9, decimal_places=1, allow_null=True)


class ProblemReportPeriodSerializer(serializers.Serializer):
    start = serializers.CharField()
    end = serializers.CharField()


class ProblemReportMonthSerializer(serializers.Serializer):
    month = serializers.CharField()
    opened = serializers.IntegerField()
    resolved = serializers.IntegerField()


class ProblemReportCauseSerializer(serializers.Serializer):
    cause_category = serializers.CharField()
    label = serializers.CharField()  # type: ignore[assignment]
    count = serializers.IntegerField()


class ProblemReportRatioSerializer(serializers.Serializer):
    numerator = serializers.IntegerField()
    denominator = serializers.IntegerField()
    value = _decimal()


class ProblemReportSerializer(serializers.Serializer):
    period = ProblemReportPeriodSerializer()
    opened = serializers.IntegerField()
    resolved = serializers.IntegerField()
    open_at_end = serializers.IntegerField()
    months = ProblemReportMonthSerializer(many=True)
    causes = ProblemReportCauseSerializer(many=True)
    mean_days_to_known_error = _decimal()
    known_errors = serializers.IntegerField()
    mean_days_to_resolution = _decimal()
    incident_links = serializers.IntegerField()
    incidents_per_problem = _decimal()
    completeness = ProblemReportRatioSerializer()
    effectiveness = ProblemReportRatioSerializer()


def report_data(report: reports.ProblemReport) -> dict:
    data = asdict(report)
    data["period"] = report.period.query()
    for name in ("completeness", "effectiveness"):
        ratio = getattr(report, name)
        data[name] = {**data[name], "value": ratio.value}
    return data


class ProblemReportView(APIView):
    """The problem report of a range of months."""

    policy_model = Problem
    pagination_class = None
    filter_backends: list = []

    @extend_schema(parameters=[ProblemReportQuerySerializer], responses=ProblemReportSerializer)
    def get(self, request):
        query = ProblemReportQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        report = reports.problem_report(user=request.user, period=query.validated_data["period"])
        return Response(ProblemReportSerializer(report_data(report)).data)
