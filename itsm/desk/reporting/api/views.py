"""JSON API of the desk report: ``GET /api/desk/reports/?month=YYYY-MM`` (or
``?start=YYYY-MM-DD&end=YYYY-MM-DD``; default: the last full month) ``&customer=<id>``: the
same figures as the page, from the same :func:`desk_report`. A customer user gets their own
organisation's figures (another organisation's id answers 404) and ``null`` for the desk's
internal measures (dispatch, calls)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.exceptions import NotFound
from rest_framework.response import Response
from rest_framework.views import APIView

from itsm.core.errors import ValidationFailed
from itsm.desk import selectors as desk
from itsm.desk.reporting import selectors as reports
from itsm.desk.reporting.views import customers_for, sees_every_customer


class ReportQuerySerializer(serializers.Serializer):
    month = serializers.CharField(
        required=False, help_text=_("A month as YYYY-MM; default: the last full month.")
    )
    start = serializers.CharField(
        required=False, help_text=_("The first day (YYYY-MM-DD) of a range of days.")
    )
    end = serializers.CharField(
        required=False, help_text=_("The last day (YYYY-MM-DD, included) of a range of days.")
    )
    customer = serializers.IntegerField(
        required=False,
        min_value=1,
        max_value=2**62,
        help_text=_("Customer organisation id; default: every customer you may see."),
    )

    def validate(self, attrs):
        try:
            attrs["period"] = reports.resolve_period(
                month=attrs.get("month"), start=attrs.get("start"), end=attrs.get("end")
            )
        except ValidationFailed as error:
            raise serializers.ValidationError(error.fields) from None
        return attrs


def _percent():
    return serializers.DecimalField(max_digits=7, decimal_places=1, allow_null=True)


class RatioSerializer(serializers.Serializer):
    numerator = serializers.IntegerField()
    denominator = serializers.IntegerField()
    value = _percent()


class PeriodSerializer(serializers.Serializer):
    first_day = serializers.DateField()
    last_day = serializers.DateField()
    start = serializers.DateTimeField()
    end = serializers.DateTimeField(help_text=_("The first instant after the period."))
    label = serializers.CharField()  # type: ignore[assignment]


class CustomerSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class VolumeSerializer(serializers.Serializer):
    kind = serializers.CharField(help_text=_("incident, request or consultation; empty: all."))
    opened = serializers.IntegerField()
    resolved = serializers.IntegerField()
    closed = serializers.IntegerField()
    finished = serializers.IntegerField(
        help_text=_("Resolved in the period, or closed there without a resolution time.")
    )
    backlog = serializers.IntegerField(help_text=_("Open at the end of the period."))
    complete = serializers.IntegerField()
    cancelled = serializers.IntegerField()
    fulfilled = serializers.IntegerField()


class TrendSerializer(serializers.Serializer):
    month = serializers.CharField()
    opened = serializers.DictField(child=serializers.IntegerField())
    opened_total = serializers.IntegerField()
    finished = serializers.IntegerField()


class SlaSerializer(serializers.Serializer):
    metric = serializers.CharField()
    measured = serializers.IntegerField()
    met = serializers.IntegerField()
    breached = serializers.IntegerField()
    achievement = _percent()


class TopSerializer(serializers.Serializer):
    id = serializers.IntegerField(allow_null=True)
    label = serializers.CharField()  # type: ignore[assignment]
    count = serializers.IntegerField()


class IncompleteRowSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    number = serializers.CharField()
    title = serializers.CharField()


class IncompleteSerializer(serializers.Serializer):
    count = serializers.IntegerField()
    first = IncompleteRowSerializer(many=True)


class SatisfactionSerializer(serializers.Serializer):
    mean = serializers.DecimalField(max_digits=4, decimal_places=2, allow_null=True)
    count = serializers.IntegerField()
    distribution = serializers.DictField(child=serializers.IntegerField())


class CallsSerializer(serializers.Serializer):
    calls = serializers.IntegerField()
    answered = serializers.IntegerField()
    logged = serializers.IntegerField()
    timed = serializers.IntegerField()
    answer_rate = _percent()
    logging_rate = _percent()
    average_seconds = serializers.IntegerField(allow_null=True)


def _hours():
    return serializers.DecimalField(max_digits=12, decimal_places=2, allow_null=True)


class IncidentHandlingSerializer(serializers.Serializer):
    opened = serializers.IntegerField(help_text=_("Incidents opened in the period."))
    reassignments = serializers.IntegerField()
    mean_reassignments = serializers.DecimalField(max_digits=9, decimal_places=2, allow_null=True)
    reopened = serializers.IntegerField(help_text=_("Incidents reopened at least once."))
    reopen_rate = _percent()
    resolved = serializers.IntegerField(help_text=_("Incidents with a resolution time."))
    mean_resolution_hours = _hours()
    median_resolution_hours = _hours()
    imported = serializers.IntegerField(help_text=_("Imported incidents opened in the period."))
    imported_sla = RatioSerializer(
        help_text=_("Imported incidents that met their SLA by the old tool's verdict.")
    )


class DeskReportSerializer(serializers.Serializer):
    period = PeriodSerializer()
    customer = CustomerSerializer(allow_null=True)
    volumes = VolumeSerializer(many=True)
    totals = VolumeSerializer()
    trend = TrendSerializer(many=True)
    sla = serializers.DictField(child=SlaSerializer())
    top_categories = TopSerializer(many=True)
    top_cis = TopSerializer(many=True)
    first_time_dispatch = RatioSerializer(allow_null=True)
    dispatch_accuracy = RatioSerializer(allow_null=True)
    record_completeness = RatioSerializer()
    incomplete_incidents = IncompleteSerializer()
    resolution_rate = RatioSerializer()
    request_completion = RatioSerializer()
    satisfaction = SatisfactionSerializer()
    calls = CallsSerializer(allow_null=True)
    incident_handling = IncidentHandlingSerializer()


class DeskReportView(APIView):
    """The service desk and incident report of a period and customer."""

    policy_model = desk.all_tickets().model
    pagination_class = None
    filter_backends: list = []

    @extend_schema(parameters=[ReportQuerySerializer], responses=DeskReportSerializer)
    def get(self, request):
        user = request.user
        raw = str(request.query_params.get("customer", "")).strip()
        if (
            raw.isdigit()
            and len(raw) <= 18
            and not customers_for(user).filter(pk=int(raw)).exists()
        ):
            raise NotFound()  # an id too long to be one stays a 400 naming the field
        query = ReportQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        data = query.validated_data
        customer = None
        if data.get("customer"):
            customer = customers_for(user).get(pk=data["customer"])
        elif not sees_every_customer(user):
            customer = customers_for(user).filter(pk=user.organisation_id).first()
        report = reports.desk_report(user=user, period=data["period"], customer=customer)
        return Response(DeskReportSerializer(report.as_dict()).data)
