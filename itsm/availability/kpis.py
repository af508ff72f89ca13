"""The KPI of availability management, declared in the KPI catalogue (R-KPI, R-AVC-01).

Service availability (服务可用率) = (agreed service time − planned interruptions − downtime) /
(agreed service time − planned interruptions), summed over every SLA × covered service in force
in the period (:func:`itsm.availability.selectors.overall`, the figures of the availability
page). Per customer: that customer's SLAs.
"""

from __future__ import annotations

from decimal import Decimal

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from itsm.availability import selectors
from itsm.kpi.adapters import report_link
from itsm.kpi.choices import Direction, Period, Scope, Unit
from itsm.kpi.registry import KPI, Measure, register_kpi


def service_availability(*, period_start, period_end, customer, user) -> Measure:
    """Available time / agreed service time (planned interruptions excluded), in percent."""
    figure = selectors.overall(
        user=user, period_start=period_start, period_end=period_end, customer=customer
    )
    base = figure.agreed_seconds - figure.planned_seconds
    return Measure(figure.availability, base - figure.downtime_seconds, base)


def _report_url(period_start, period_end, customer) -> str:
    month = timezone.localtime(period_start).strftime("%Y-%m")
    return report_link("availability:availability", {"month": month})


SERVICE_AVAILABILITY = register_kpi(
    KPI(
        id="service_availability",
        name=_("Service availability"),
        description=_(
            "Available time / agreed service time inside each SLA's service hours, planned "
            "interruptions excluded, over every service an SLA covers."
        ),
        compute=service_availability,
        unit=Unit.PERCENT,
        direction=Direction.HIGHER,
        period=Period.MONTH,
        scope=Scope.CUSTOMER,
        source="seed 000 §3.5 (可用性管理); R-AVC-01",
        model="availability.Outage",
        target=Decimal("99.9"),
        report_url=_report_url,
        order=66,
    )
)
