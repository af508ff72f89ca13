"""The KPI of release management, declared in the KPI catalogue (R-KPI, R-REL).

Release success rate (发布成功率) = releases deployed / releases finished (deployed or rolled
back) in the period (:func:`itsm.releases.selectors.success_counts`). Per customer: the
releases of changes that affect the customer.
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _

from itsm.kpi.choices import Direction, Period, Scope, Unit
from itsm.kpi.registry import KPI, Measure, percent_of, register_kpi
from itsm.releases import selectors


def release_success_rate(*, period_start, period_end, customer, user) -> Measure:
    """Releases deployed / releases finished in the period."""
    deployed, total = selectors.success_counts(
        user=user, since=period_start, until=period_end, customer=customer
    )
    return Measure(percent_of(deployed, total), deployed, total)


def _report_url(period_start, period_end, customer) -> str:
    last = period_end - timedelta(seconds=1)
    query = {"start": period_start.strftime("%Y-%m"), "end": last.strftime("%Y-%m")}
    return f"{reverse('releases:report')}?{urlencode(query)}"


RELEASE_SUCCESS_RATE = register_kpi(
    KPI(
        id="release_success_rate",
        name=_("Release success rate"),
        description=_(
            "Releases deployed / releases finished (deployed or rolled back) in the period."
        ),
        compute=release_success_rate,
        unit=Unit.PERCENT,
        direction=Direction.HIGHER,
        period=Period.MONTH,
        scope=Scope.CUSTOMER,
        source="seed 000 §3.4 (发布管理); R-REL",
        model="releases.Release",
        target=Decimal("95"),
        report_url=_report_url,
        order=41,
    )
)
