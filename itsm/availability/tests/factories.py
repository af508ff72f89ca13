"""Rows for the availability tests: agreements, calendars and services created directly (the
figures only read them), outages through the services."""

from __future__ import annotations

import datetime
from decimal import Decimal
from types import SimpleNamespace

from itsm.availability import services
from itsm.core.calendars.models import WorkingInterval
from itsm.slm.tests.factories_reports import (
    local,
    make_agreement,
    make_calendar,
    make_service,
    make_target,
)

MARCH = datetime.date(2026, 3, 1)


def calendar_8x5():
    """Monday to Friday 09:00–17:00, Asia/Shanghai, no holidays."""
    calendar = make_calendar(name="8x5 availability")
    for weekday in range(5):
        WorkingInterval.objects.create(
            calendar=calendar, weekday=weekday, start=datetime.time(9), end=datetime.time(17)
        )
    return calendar


def sla_8x5(customer, *, target="99.9", code=None):
    """An active SLA of *customer* on one service, 8×5 service hours, availability *target*."""
    d = SimpleNamespace()
    d.calendar = calendar_8x5()
    d.service = make_service(**({"code": code, "name": f"Online banking {code}"} if code else {}))
    d.agreement = make_agreement(
        customer=customer,
        calendar=d.calendar,
        valid_from=datetime.date(2026, 1, 1),
        services=[d.service],
        title="Online banking SLA",
    )
    d.target = make_target(
        d.agreement,
        service=d.service,
        metric="availability",
        name="Online banking availability",
        target_value=Decimal(target),
        higher_is_better=True,
    )
    return d


def march_outages(d, customer):
    """The outages of the hand-computed example (see test_figures)."""
    night = services.record_outage(
        service=d.service,
        customer=customer,
        started_at=local(2026, 3, 13, 16),  # Friday 16:00
        ended_at=local(2026, 3, 16, 10),  # Monday 10:00
        description="Storage failure over the weekend",
    )
    planned = services.record_outage(
        service=d.service,
        customer=None,
        kind="planned",
        started_at=local(2026, 3, 18, 12),  # Wednesday 12:00–14:00
        ended_at=local(2026, 3, 18, 14),
        description="Database upgrade",
    )
    overlap = services.record_outage(
        service=d.service,
        customer=customer,
        started_at=local(2026, 3, 18, 13),  # Wednesday 13:00–15:00
        ended_at=local(2026, 3, 18, 15),
        description="Upgrade overran",
    )
    return night, planned, overlap
