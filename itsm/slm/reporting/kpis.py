"""The KPIs of service level management, declared in the KPI catalogue (R-KPI, DESIGN rule 8).

SLA achievement (SLA 达成率) is the figure of the SLA reports: met clocks / measured clocks,
computed by :func:`itsm.slm.reporting.selectors.overall`, the function behind the totals of
the report page,
so the catalogue and the report always agree.
"""

from __future__ import annotations

import datetime

from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _

from itsm.kpi.choices import Direction, Period, Scope, Unit
from itsm.kpi.registry import KPI, Measure, register_kpi
from itsm.slm.reporting import selectors as reports


def sla_achievement(*, period_start, period_end, customer, user) -> Measure:
    """Met / measured clocks of *customer* (or every customer *user* may see) in the period."""
    figures = reports.overall(
        user=user, period_start=period_start, period_end=period_end, customer=customer
    )
    return Measure(figures.achievement, figures.met, figures.measured)


def _report_url(period_start, period_end, customer) -> str:
    last_day = timezone.localtime(period_end) - datetime.timedelta(days=1)
    query = {
        "start": reports.month_label(timezone.localtime(period_start).date()),
        "end": reports.month_label(last_day.date()),
        "group_by": "customer",
    }
    if customer is not None:
        query["customer"] = customer.pk
    return f"{reverse('slm:report')}?{urlencode(query)}"


SLA_ACHIEVEMENT = register_kpi(
    KPI(
        id="sla_achievement",
        name=_("SLA achievement"),
        description=_(
            "Clocks that met their target / clocks measured in the period (response and "
            "resolution), as in the SLA reports."
        ),
        compute=sla_achievement,
        unit=Unit.PERCENT,
        direction=Direction.HIGHER,
        period=Period.MONTH,
        scope=Scope.CUSTOMER,
        source="seed 000 §3.5 (SLA 达成率); seed 003 §7",
        model="clocks.Clock",
        target=reports.DEFAULT_TARGET,
        report_url=_report_url,
        order=10,
    )
)
