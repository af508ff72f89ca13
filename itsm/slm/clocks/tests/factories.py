"""Factories of the clock tests: calendars, a signed agreement with response/resolution
targets per priority, SLA test tickets. Everything goes through the services."""

from __future__ import annotations

import datetime
import itertools
from zoneinfo import ZoneInfo

from itsm.core.calendars import services as calendars
from itsm.core.calendars.models import BusinessCalendar
from itsm.core.choices import Role
from itsm.core.testing.factories import UserFactory, get_provider

_seq = itertools.count(1)

#: (metric, priority, business minutes) of the test agreement
DEFAULT_TARGETS = (
    ("response", "p1", 30),
    ("resolution", "p1", 240),
    ("response", "p2", 60),
    ("resolution", "p2", 480),
    ("response", "p3", 120),
    ("resolution", "p3", 1440),
    ("response", "p4", 240),
    ("resolution", "p4", 2400),
)


def make_cn_5x8() -> BusinessCalendar:
    """China 5×8: 09:00–12:00 and 13:00–18:00, holidays and 调休 of 2026 (chinese-calendar)."""
    existing = BusinessCalendar.objects.filter(code="cn-5x8").first()
    if existing:
        return existing
    calendar = calendars.create_calendar(
        by=None,
        code="cn-5x8",
        name="China 5x8",
        time_zone="Asia/Shanghai",
        holiday_region="CN",
        intervals=[
            {"weekday": d, "start": start, "end": end}
            for d in range(5)
            for start, end in (("09:00", "12:00"), ("13:00", "18:00"))
        ],
    )
    calendars.seed_from_chinese_calendar(calendar, [2026])
    calendars.confirm_year(calendar, 2026, by=None)
    return calendar


def make_all_day() -> BusinessCalendar:
    existing = BusinessCalendar.objects.filter(code="7x24").first()
    if existing:
        return existing
    return calendars.create_calendar(
        by=None,
        code="7x24",
        name="7x24",
        time_zone="Asia/Shanghai",
        intervals=[{"weekday": d, "start": "00:00", "end": "00:00"} for d in range(7)],
    )


def slm_manager():
    return UserFactory(
        username=f"clock-slm{next(_seq)}",
        organisation=get_provider(),
        roles=(Role.SERVICE_LEVEL_MANAGER, Role.AGREEMENT_MAINTAINER),
    )


def published_service(customer, *, calendar=None):
    from itsm.catalog import services as catalog
    from itsm.catalog.models import ServiceCategory

    n = next(_seq)
    category = ServiceCategory.objects.filter(code="98").first() or catalog.create_category(
        code="98", name="Clock test services", by=None
    )
    owner = UserFactory(username=f"clock-owner{n}", organisation=get_provider())
    service = catalog.create_service(
        code=f"SVC-CLK-{n}",
        name=f"Clock service {n}",
        category=category,
        by=None,
        description="A service",
        owner=owner,
        modes=["remote"],
        service_hours=calendar or make_all_day(),
        customers=[customer],
    )
    catalog.submit_service(service, by=None)
    catalog.publish_service(service, by=None)
    return service


def signed_sla(customer, *, calendar=None, targets=DEFAULT_TARGETS, active=True, by=None):
    """An SLA of *customer* covering one published service, with *targets*, signed (and
    activated); valid 2025–2027."""
    from itsm.slm.services import agreements

    by = by or slm_manager()
    calendar = calendar or make_cn_5x8()
    service = published_service(customer, calendar=calendar)
    agreement = agreements.create_agreement(
        kind="sla",
        customer=customer,
        by=by,
        services=[service],
        title=f"SLA {next(_seq)}",
        calendar=calendar,
        valid_from=datetime.date(2025, 1, 1),
        valid_to=datetime.date(2027, 12, 31),
        provider_signatory="Provider signatory",
        customer_signatory="Customer signatory",
    )
    for metric, priority, value in targets:
        agreements.add_target(
            agreement=agreement, by=by, metric=metric, priority=priority, target_value=value
        )
    agreements.transition_agreement(agreement, to="negotiating", by=by)
    # four eyes: a second manager signs what *by* drafted
    agreements.transition_agreement(agreement, to="signed", by=slm_manager())
    if active:
        agreements.transition_agreement(agreement, to="active", by=by)
    agreement.refresh_from_db()
    return agreement


def open_test_ticket(agreement, *, priority="p2", opened_at=None, by=None, title="Printer jam"):
    from itsm.slm.clocks.services import testtickets

    return testtickets.create_test_ticket(
        title=title,
        agreement=agreement,
        service=agreement.services.first(),
        priority=priority,
        opened_at=opened_at,
        by=by,
    )


TZ = ZoneInfo("Asia/Shanghai")


def at(*args) -> datetime.datetime:
    """A time in Asia/Shanghai: ``at(2026, 3, 2, 9, 0)``."""
    return datetime.datetime(*args, tzinfo=TZ)


def start(record, calendar, *, goal_minutes=240, when=None, metric="resolution", **kw):
    """Start a clock on *record* (default: resolution, 4 h, Monday 2 March 2026 09:00)."""
    from itsm.slm.clocks import services

    return services.start_clock(
        record=record,
        metric=metric,
        calendar=calendar,
        goal_seconds=goal_minutes * 60,
        at=when or at(2026, 3, 2, 9, 0),  # Monday
        customer=record.customer,
        **kw,
    )
