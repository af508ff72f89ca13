"""The KPI of the improvement register, declared in the KPI catalogue (R-KPI, R-CSI-03).

Improvement items closed on time (改进项按期关闭率) = items closed by their due date / items
closed in the period (:func:`itsm.improvement.selectors.on_time_counts`). Per customer: the
items of the customer.
"""

from __future__ import annotations

from decimal import Decimal

from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _

from itsm.improvement import selectors
from itsm.kpi.choices import Direction, Period, Scope, Unit
from itsm.kpi.registry import KPI, Measure, percent_of, register_kpi


def items_closed_on_time(*, period_start, period_end, customer, user) -> Measure:
    """Items closed by their due date / items closed in the period."""
    on_time, total = selectors.on_time_counts(
        user=user, since=period_start, until=period_end, customer=customer
    )
    return Measure(percent_of(on_time, total), on_time, total)


def _report_url(period_start, period_end, customer) -> str:
    query = {"status": "closed", "sort": "-closed_at"}
    return f"{reverse('improvement:item_list')}?{urlencode(query)}"


IMPROVEMENT_ON_TIME = register_kpi(
    KPI(
        id="improvement_on_time",
        name=_("Improvement items closed on time"),
        description=_(
            "Improvement items closed by their due date / improvement items closed in the period."
        ),
        compute=items_closed_on_time,
        unit=Unit.PERCENT,
        direction=Direction.HIGHER,
        period=Period.QUARTER,
        scope=Scope.CUSTOMER,
        source="R-CSI-03",
        model="improvement.Item",
        target=Decimal("90"),
        report_url=_report_url,
        order=90,
    )
)
