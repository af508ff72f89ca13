"""JSON API of the SLA reports (R-SLM-06), mirroring :mod:`itsm.slm.reporting.selectors`:

- ``GET /api/slm/reports/achievement/?start=YYYY-MM&end=YYYY-MM&group_by=…`` — achievement rows;
- ``GET /api/slm/reports/breaches/?start=…&end=…&agreement=…&limit=…&offset=…`` — the breach
  list, one page at a time (``count`` of them all, ``next`` page link);
- ``GET /api/slm/reports/monthly/?agreement=<id>&month=YYYY-MM`` — the monthly execution report
  with its first breaches (``breach_count`` of them all, ``breaches_url``: the breach list).

Months default to the last full month. Figures are restricted to what the user may view; an
agreement the user may not view (or an unknown id) answers 404.
"""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.exceptions import NotFound
from rest_framework.response import Response
from rest_framework.views import APIView

from itsm.core import policy
from itsm.core.choices import OrganisationKind
from itsm.core.errors import ValidationFailed
from itsm.core.models import Organisation
from itsm.slm import selectors as slm_selectors
from itsm.slm.clocks import selectors as clock_selectors
from itsm.slm.reporting import selectors as reports

MAX_BREACHES = 1000


class MonthField(serializers.CharField):
    """A month written ``YYYY-MM``; the value is the first day of the month."""

    def __init__(self, **kwargs):
        kwargs.setdefault("help_text", _("A month as YYYY-MM; default: the last full month."))
        super().__init__(**kwargs)

    def to_internal_value(self, data):
        value = super().to_internal_value(data)
        try:
            return reports.parse_month(value)
        except ValidationFailed as error:
            raise serializers.ValidationError(str(error.detail), code="invalid_month") from None


class _RestrictedFiltersMixin(serializers.Serializer):
    agreement = serializers.PrimaryKeyRelatedField(
        queryset=slm_selectors.all_agreements().none(), required=False, help_text=_("Agreement id.")
    )
    customer = serializers.PrimaryKeyRelatedField(
        queryset=Organisation.objects.none(),
        required=False,
        help_text=_("Customer organisation id (provider staff only)."),
    )
    metric = serializers.CharField(
        required=False, help_text=_("response or resolution; default: both.")
    )

    def validate_metric(self, value):
        if value not in dict(reports.METRIC_CHOICES):
            raise serializers.ValidationError(_("Choose response or resolution."))
        return value

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        if user is not None:
            # related fields (Any: DRF's stubs type their queryset as a possible Manager, which
            # mypy then treats as a descriptor)
            agreement: Any = self.fields["agreement"]
            agreement.queryset = slm_selectors.agreements_for(user)
            if policy.sees_all_tenants(user, slm_selectors.all_agreements().model):
                customer: Any = self.fields["customer"]
                customer.queryset = Organisation.objects.filter(kind=OrganisationKind.CUSTOMER)


class PeriodQuerySerializer(_RestrictedFiltersMixin):
    start = MonthField(required=False)
    end = MonthField(required=False)

    def validate(self, attrs):
        end = attrs.get("end") or attrs.get("start") or reports.last_full_month()
        start = attrs.get("start") or end
        error = reports.period_error(start, end)
        if error:
            field, message = error
            raise serializers.ValidationError({field: [message]})
        attrs["period_start"], attrs["period_end"] = reports.months_period(start, end)
        return attrs


class AchievementQuerySerializer(PeriodQuerySerializer):
    group_by = serializers.ChoiceField(
        choices=[(key, label) for key, label in reports.GROUP_LABELS.items()],
        required=False,
        default="agreement",
    )


class BreachQuerySerializer(PeriodQuerySerializer):
    limit = serializers.IntegerField(
        required=False, min_value=1, max_value=MAX_BREACHES, default=500
    )
    offset = serializers.IntegerField(
        required=False,
        min_value=0,
        max_value=10**9,
        default=0,
        help_text=_("Breaches to skip (the next page link sets it)."),
    )


class MonthlyQuerySerializer(serializers.Serializer):
    agreement = serializers.IntegerField(min_value=1, max_value=2**62, help_text=_("Agreement id."))
    month = MonthField(required=False)


# --- responses ------------------------------------------------------------------------------


def _percent():
    return serializers.DecimalField(max_digits=6, decimal_places=1, allow_null=True)


class AchievementRowSerializer(serializers.Serializer):
    key = serializers.CharField(help_text=_("The grouped value: an id, a priority or YYYY-MM."))
    # an API field named "label": DRF takes declared fields off the class (no Field.label clash)
    label = serializers.CharField()  # type: ignore[assignment]
    measured = serializers.IntegerField()
    met = serializers.IntegerField()
    breached = serializers.IntegerField()
    achievement = _percent()
    target = serializers.DecimalField(max_digits=7, decimal_places=1)
    status = serializers.CharField(help_text=_("met, not_met or no_data."))


class AchievementReportSerializer(serializers.Serializer):
    period_start = serializers.DateTimeField()
    period_end = serializers.DateTimeField()
    group_by = serializers.CharField()
    rows = AchievementRowSerializer(many=True)


class BreachRowSerializer(serializers.Serializer):
    clock_id = serializers.IntegerField()
    record_label = serializers.CharField()
    agreement_id = serializers.IntegerField(allow_null=True)
    agreement = serializers.CharField()
    customer = serializers.CharField()
    service = serializers.CharField()
    metric = serializers.CharField()
    metric_label = serializers.CharField()
    priority = serializers.CharField()
    started_at = serializers.DateTimeField()
    due_at = serializers.DateTimeField(allow_null=True)
    breached_at = serializers.DateTimeField(allow_null=True)
    stopped_at = serializers.DateTimeField(allow_null=True)
    state = serializers.CharField()
    overrun_minutes = serializers.DecimalField(max_digits=14, decimal_places=1, allow_null=True)
    cause = serializers.CharField(help_text=_("Empty while the breach is not yet analysed."))


class BreachReportSerializer(serializers.Serializer):
    period_start = serializers.DateTimeField()
    period_end = serializers.DateTimeField()
    count = serializers.IntegerField(help_text=_("Every breach of the period and filters."))
    next = serializers.CharField(
        allow_null=True, help_text=_("The next page of breaches; null on the last page.")
    )
    previous = serializers.CharField(allow_null=True)
    truncated = serializers.BooleanField(help_text=_("More breaches follow this page."))
    results = BreachRowSerializer(many=True)


class MonthlyAgreementSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    number = serializers.CharField()
    title = serializers.CharField()
    kind = serializers.CharField()
    status = serializers.CharField()
    customer_id = serializers.IntegerField(allow_null=True)
    customer = serializers.CharField(allow_null=True)
    valid_from = serializers.DateField(allow_null=True)
    valid_to = serializers.DateField(allow_null=True)
    service_hours = serializers.CharField(allow_null=True)


class MonthlyTargetSerializer(serializers.Serializer):
    target_id = serializers.IntegerField(allow_null=True)
    service = serializers.CharField()
    priority = serializers.CharField()
    metric = serializers.CharField()
    metric_label = serializers.CharField()
    target_value = serializers.DecimalField(max_digits=12, decimal_places=3, allow_null=True)
    unit = serializers.CharField()
    measured = serializers.IntegerField()
    met = serializers.IntegerField()
    breached = serializers.IntegerField()
    achievement = _percent()
    achievement_target = serializers.DecimalField(max_digits=7, decimal_places=1)
    status = serializers.CharField(help_text=_("met, not_met or no_data."))


class MonthlyIndicatorSerializer(serializers.Serializer):
    target_id = serializers.IntegerField()
    name = serializers.CharField()
    service = serializers.CharField()
    metric = serializers.CharField()
    metric_label = serializers.CharField()
    target_value = serializers.DecimalField(max_digits=12, decimal_places=3)
    unit = serializers.CharField()
    note = serializers.CharField()


class MonthlySummarySerializer(serializers.Serializer):
    measured = serializers.IntegerField()
    met = serializers.IntegerField()
    breached = serializers.IntegerField()
    achievement = _percent()
    achievement_target = serializers.DecimalField(max_digits=7, decimal_places=1)
    all_met = serializers.BooleanField()
    not_met_count = serializers.IntegerField()
    has_data = serializers.BooleanField()


class MonthlyReportSerializer(serializers.Serializer):
    agreement = MonthlyAgreementSerializer()
    month = serializers.CharField()
    period_start = serializers.DateTimeField()
    period_end = serializers.DateTimeField()
    targets = MonthlyTargetSerializer(many=True)
    indicators = MonthlyIndicatorSerializer(many=True)
    breaches = BreachRowSerializer(
        many=True, help_text=_("The first breaches of the month (oldest first).")
    )
    breach_count = serializers.IntegerField(help_text=_("Every breach of the month."))
    breaches_url = serializers.CharField(
        help_text=_("The breach list of this agreement and month, paged (every breach).")
    )
    summary = MonthlySummarySerializer()
    comments = serializers.CharField(
        help_text=_("Left empty for the service level manager's comments (not stored).")
    )


# --- views ----------------------------------------------------------------------------------


class _ReportView(APIView):
    policy_model = clock_selectors.all_clocks().model
    pagination_class = None
    filter_backends: list = []

    def _query(self, serializer_class):
        # another customer's (or an unknown) agreement answers 404, as its own record does
        raw = str(self.request.query_params.get("agreement", "")).strip()
        visible = slm_selectors.agreements_for(self.request.user)
        if raw.isdigit() and len(raw) <= 18 and not visible.filter(pk=int(raw)).exists():
            raise NotFound()  # an id too long to be one stays a 400 naming the field
        query = serializer_class(data=self.request.query_params, user=self.request.user)
        query.is_valid(raise_exception=True)
        return query.validated_data


def _filters(data) -> dict:
    return {
        "agreement": data.get("agreement"),
        "customer": data.get("customer"),
        "metric": data.get("metric") or None,
    }


class AchievementReportView(_ReportView):
    """SLA achievement (measured, met, breached, %) per agreement, service, customer, month or
    priority for the months from ``start`` to ``end``."""

    @extend_schema(parameters=[AchievementQuerySerializer], responses=AchievementReportSerializer)
    def get(self, request):
        data = self._query(AchievementQuerySerializer)
        rows = reports.achievement(
            user=request.user,
            period_start=data["period_start"],
            period_end=data["period_end"],
            group_by=data["group_by"],
            **_filters(data),
        )
        body = {
            "period_start": data["period_start"],
            "period_end": data["period_end"],
            "group_by": data["group_by"],
            "rows": [{**vars(row), "key": str(row.key)} for row in rows],
        }
        return Response(AchievementReportSerializer(body).data)


class BreachReportView(_ReportView):
    """The breached clocks measured from ``start`` to ``end``, oldest first, with the overrun
    in business minutes and the cause."""

    @extend_schema(parameters=[BreachQuerySerializer], responses=BreachReportSerializer)
    def get(self, request):
        data = self._query(BreachQuerySerializer)
        period = {"period_start": data["period_start"], "period_end": data["period_end"]}
        limit, offset = data["limit"], data["offset"]
        rows = reports.breaches(
            user=request.user, limit=limit, offset=offset, **period, **_filters(data)
        )
        if offset == 0 and len(rows) < limit:
            count = len(rows)  # the whole list is on this page: no count query
        else:
            count = reports.breach_count(user=request.user, **period, **_filters(data))
        more = offset + len(rows) < count
        body = {
            **period,
            "count": count,
            "next": _page_url(request, offset + limit) if more else None,
            "previous": _page_url(request, max(0, offset - limit)) if offset else None,
            "truncated": more,
            "results": [vars(row) for row in rows],
        }
        return Response(BreachReportSerializer(body).data)


def _page_url(request, offset: int) -> str:
    query = request.query_params.copy()
    query["offset"] = str(offset)
    return request.build_absolute_uri(f"{request.path}?{query.urlencode()}")


class MonthlyReportView(APIView):
    """The SLA execution report (服务级别协议执行情况月报) of one agreement and month."""

    policy_model = slm_selectors.all_agreements().model
    pagination_class = None

    @extend_schema(parameters=[MonthlyQuerySerializer], responses=MonthlyReportSerializer)
    def get(self, request):
        query = MonthlyQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        month = query.validated_data.get("month") or reports.last_full_month()
        report = reports.monthly_report(
            user=request.user, agreement=query.validated_data["agreement"], month=month
        )
        agreement = report.agreement
        body = {
            "agreement": {
                "id": agreement.pk,
                "number": agreement.number,
                "title": agreement.title,
                "kind": agreement.kind,
                "status": agreement.status,
                "customer_id": agreement.customer_id,
                "customer": agreement.customer.name if agreement.customer else None,
                "valid_from": agreement.valid_from,
                "valid_to": agreement.valid_to,
                "service_hours": agreement.calendar.name if agreement.calendar else None,
            },
            "month": report.month_label,
            "period_start": report.period_start,
            "period_end": report.period_end,
            "targets": [vars(row) for row in report.target_rows],
            "indicators": [vars(row) for row in report.indicator_rows],
            "breaches": [vars(row) for row in report.breaches],
            "breach_count": report.breach_count,
            "breaches_url": request.build_absolute_uri(
                reverse("api:slm-api:report-breaches")
                + "?"
                + urlencode(
                    {
                        "agreement": str(agreement.pk),
                        "start": report.month_label,
                        "end": report.month_label,
                    }
                )
            ),
            "summary": {
                "measured": report.measured,
                "met": report.met,
                "breached": report.breached,
                "achievement": report.achievement,
                "achievement_target": report.achievement_target,
                "all_met": report.all_met,
                "not_met_count": report.not_met_count,
                "has_data": report.has_data,
            },
            "comments": report.comments,
        }
        return Response(MonthlyReportSerializer(body).data)
