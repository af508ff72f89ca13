"""JSON API of the change report: ``GET /api/changes/report/?start=YYYY-MM&end=YYYY-MM``
(or ``month=YYYY-MM``; default: the twelve months up to this one; ``customer=<code or id>``
for provider staff) — the same figures as the page and the Excel file, from the same
:func:`itsm.change.report.change_report`. Over the changes the user may view: a customer user
gets those affecting their organisation, without the internal figures (``conflicts``,
``caused_incidents`` and ``incidents`` are ``null``)."""

from __future__ import annotations

from dataclasses import asdict, replace

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from itsm.change import report as reports
from itsm.change.models import Change
from itsm.core import policy
from itsm.core.errors import ValidationFailed
from itsm.core.models import Organisation
from itsm.core.pickers import get_lookup


class ChangeReportQuerySerializer(serializers.Serializer):
    month = serializers.CharField(required=False, help_text=_("One month (YYYY-MM)."))
    start = serializers.CharField(
        required=False, help_text=_("The first month (YYYY-MM); default: eleven months ago.")
    )
    end = serializers.CharField(
        required=False, help_text=_("The last month (YYYY-MM, included); default: this month.")
    )
    customer = serializers.CharField(
        required=False, help_text=_("A customer's code or id (provider staff); default: all.")
    )

    def validate(self, attrs):
        try:
            attrs["period"] = reports.resolve_period(
                month=attrs.get("month"), start=attrs.get("start"), end=attrs.get("end")
            )
        except ValidationFailed as error:
            raise serializers.ValidationError(error.fields) from None
        attrs["organisation"] = self._customer(attrs.get("customer"))
        return attrs

    def _customer(self, value: str | None) -> Organisation | None:
        user = self.context["request"].user
        value = (value or "").strip()
        if not value or not policy.sees_all_tenants(user, Change):
            return None  # a customer user's report is their organisation's anyway
        rows = get_lookup("core.customer").rows(user)
        found = rows.filter(code__iexact=value).first()
        if found is None and value.isdigit() and len(value) < 19:
            found = rows.filter(pk=int(value)).first()
        if found is None:
            raise serializers.ValidationError(
                {"customer": [str(_("No customer with this code or id."))]}
            )
        return found


def _decimal():
    return serializers.DecimalField(max_digits=9, decimal_places=1, allow_null=True)


class ChangeReportPeriodSerializer(serializers.Serializer):
    start = serializers.CharField()
    end = serializers.CharField()


class ChangeReportCountSerializer(serializers.Serializer):
    code = serializers.CharField()
    label = serializers.CharField()  # type: ignore[assignment]
    count = serializers.IntegerField()


class ChangeReportMonthSerializer(serializers.Serializer):
    month = serializers.CharField()
    raised = serializers.DictField(child=serializers.IntegerField())
    closed = serializers.IntegerField()
    failed = serializers.IntegerField()


class ChangeReportRatioSerializer(serializers.Serializer):
    numerator = serializers.IntegerField()
    denominator = serializers.IntegerField()
    value = _decimal()


class ChangeReportFailureSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    number = serializers.CharField()
    title = serializers.CharField()
    kind = serializers.CharField()
    kind_label = serializers.CharField()
    risk_level = serializers.CharField(allow_blank=True)
    risk_label = serializers.CharField(allow_blank=True)
    closed_at = serializers.DateTimeField(allow_null=True)
    rolled_back = serializers.BooleanField()
    outcome_note = serializers.CharField(allow_blank=True)


class ChangeReportConflictsSerializer(serializers.Serializer):
    checked = serializers.IntegerField()
    with_conflicts = serializers.IntegerField()
    by_kind = ChangeReportCountSerializer(many=True)


class ChangeReportIncidentSerializer(serializers.Serializer):
    ticket_id = serializers.IntegerField()
    ticket_number = serializers.CharField()
    ticket_title = serializers.CharField()
    change_id = serializers.IntegerField()
    change_number = serializers.CharField()


class ChangeReportSerializer(serializers.Serializer):
    period = ChangeReportPeriodSerializer()
    customer = serializers.CharField(allow_null=True, help_text=_("The customer's code."))
    raised = serializers.IntegerField()
    by_kind = ChangeReportCountSerializer(many=True)
    by_status = ChangeReportCountSerializer(many=True)
    by_risk = ChangeReportCountSerializer(many=True)
    months = ChangeReportMonthSerializer(many=True)
    finished = serializers.IntegerField()
    closed = serializers.IntegerField()
    failed = serializers.IntegerField()
    rolled_back = serializers.IntegerField()
    success = ChangeReportRatioSerializer()
    emergency = ChangeReportRatioSerializer()
    implemented = serializers.IntegerField()
    mean_days_lead_time = _decimal()
    failures = ChangeReportFailureSerializer(many=True)
    failures_total = serializers.IntegerField()
    conflicts = ChangeReportConflictsSerializer(allow_null=True)
    caused_incidents = serializers.IntegerField(allow_null=True)
    incidents = ChangeReportIncidentSerializer(many=True, allow_null=True)


def report_data(report: reports.ChangeReport) -> dict:
    customer = report.customer
    data = asdict(replace(report, customer=None))  # the organisation: its code below
    data["period"] = report.period.query()
    data["customer"] = getattr(customer, "code", None)
    for name in ("success", "emergency"):
        data[name] = {**data[name], "value": getattr(report, name).value}
    return data


class ChangeReportView(APIView):
    """The change report of a range of months (and a customer)."""

    policy_model = Change
    pagination_class = None
    filter_backends: list = []

    @extend_schema(parameters=[ChangeReportQuerySerializer], responses=ChangeReportSerializer)
    def get(self, request):
        query = ChangeReportQuerySerializer(data=request.query_params, context={"request": request})
        query.is_valid(raise_exception=True)
        report = reports.change_report(
            user=request.user,
            period=query.validated_data["period"],
            customer=query.validated_data["organisation"],
        )
        return Response(ChangeReportSerializer(report_data(report)).data)
