"""The KPI of change management, declared in the KPI catalogue (R-KPI, R-CHG-05).

Change success rate (变更成功率) = 1 − rolled back / total, over the changes finished (closed
after their review, or failed) in the period (:func:`itsm.change.selectors.success_counts`).
Per customer: the changes that affect the customer.
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _

from itsm.change import selectors
from itsm.kpi.choices import Direction, Period, Scope, Unit
from itsm.kpi.registry import KPI, Measure, percent_of, register_kpi


def change_success_rate(*, period_start, period_end, customer, user) -> Measure:
    """Changes not rolled back / changes finished in the period."""
    succeeded, total = selectors.success_counts(
        user=user, since=period_start, until=period_end, customer=customer
    )
    return Measure(percent_of(succeeded, total), succeeded, total)


def _report_url(period_start, period_end, customer) -> str:
    """The change report of the KPI's period (and customer)."""
    last = period_end - timedelta(seconds=1)
    query = {"start": period_start.strftime("%Y-%m"), "end": last.strftime("%Y-%m")}
    if customer is not None:
        query["customer"] = str(customer.pk)
    return f"{reverse('change:report')}?{urlencode(query)}"


CHANGE_SUCCESS_RATE = register_kpi(
    KPI(
        id="change_success_rate",
        name=_("Change success rate"),
        description=_(
            "1 − rolled-back changes / changes finished (closed or failed) in the period."
        ),
        compute=change_success_rate,
        unit=Unit.PERCENT,
        direction=Direction.HIGHER,
        period=Period.MONTH,
        scope=Scope.CUSTOMER,
        source="seed 000 §3.4 (变更管理); R-CHG-05",
        model="change.Change",
        target=Decimal("95"),
        report_url=_report_url,
        order=40,
    )
)
