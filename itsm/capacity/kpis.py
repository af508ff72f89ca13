"""The KPI of capacity management, declared in the KPI catalogue (R-KPI, R-CAP).

Metrics at risk (容量风险指标数) = metrics beyond a threshold now or forecast to reach one
within 30 days (:func:`itsm.capacity.selectors.forecast_breach_count`), of the metrics with a
threshold and samples. A snapshot of today: the period chosen does not change it. Per
customer: the metrics of the customer's CIs.
"""

from __future__ import annotations

from decimal import Decimal

from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _

from itsm.capacity import selectors
from itsm.kpi.choices import Direction, Period, Scope, Unit
from itsm.kpi.registry import KPI, Measure, register_kpi

DAYS = 30


def metrics_at_risk(*, period_start, period_end, customer, user) -> Measure:
    """Metrics beyond or forecast to reach a threshold within 30 days."""
    count, total = selectors.forecast_breach_count(user=user, customer=customer, days=DAYS)
    return Measure(Decimal(count) if total else None, count, total)


def _report_url(period_start, period_end, customer) -> str:
    return f"{reverse('capacity:breaches')}?{urlencode({'days': DAYS})}"


METRICS_AT_RISK = register_kpi(
    KPI(
        id="capacity_metrics_at_risk",
        name=_("Capacity metrics at risk"),
        description=_(
            "Metrics beyond a threshold now or forecast to reach one within 30 days (a snapshot "
            "of today)."
        ),
        compute=metrics_at_risk,
        unit=Unit.COUNT,
        direction=Direction.LOWER,
        period=Period.MONTH,
        scope=Scope.CUSTOMER,
        source="seed 000 §3.4 (容量管理); R-CAP",
        model="capacity.Metric",
        target=Decimal("0"),
        report_url=_report_url,
        order=70,
    )
)
