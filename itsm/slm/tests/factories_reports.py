"""Rows for the SLA report tests, created directly (reports only read them, so these bypass
the agreement, catalogue and clock services on purpose: the figures must be exact and must not
depend on the clock engine).

``report_dataset(customer_a, customer_b)`` builds the crafted data set the report tests assert
against; its figures are listed in ``test_reports.py``.
"""

from __future__ import annotations

import datetime
import itertools
from decimal import Decimal
from types import SimpleNamespace

from django.contrib.contenttypes.models import ContentType
from django.utils import timezone

from itsm.catalog.models import Service, ServiceCategory
from itsm.core.calendars.models import BusinessCalendar
from itsm.slm.clocks.models import Clock
from itsm.slm.models import Agreement, Target

_seq = itertools.count(1)


def local(year, month, day, hour=0, minute=0) -> datetime.datetime:
    """An aware datetime in the current (project) time zone."""
    return timezone.make_aware(
        datetime.datetime(year, month, day, hour, minute), timezone.get_current_timezone()
    )


def make_calendar(**fields) -> BusinessCalendar:
    n = next(_seq)
    fields.setdefault("code", f"rep-cal-{n}")
    fields.setdefault("name", f"Report calendar {n}")
    fields.setdefault("time_zone", "Asia/Shanghai")
    return BusinessCalendar.objects.create(**fields)


def make_service(**fields) -> Service:
    n = next(_seq)
    category = fields.pop("category", None) or ServiceCategory.objects.create(
        code=f"R{n}", name=f"Report category {n}"
    )
    fields.setdefault("code", f"SVC-{n}")
    fields.setdefault("name", f"Service {n}")
    return Service.objects.create(category=category, status="published", **fields)


def make_agreement(**fields) -> Agreement:
    n = next(_seq)
    fields.setdefault("number", f"SLA-R{n:05d}")
    fields.setdefault("kind", "sla")
    fields.setdefault("title", f"Agreement {n}")
    fields.setdefault("status", "active")
    services = fields.pop("services", ())
    agreement = Agreement.objects.create(**fields)
    if services:
        agreement.services.set(services)
    return agreement


def make_target(agreement, **fields) -> Target:
    fields.setdefault("metric", "resolution")
    fields.setdefault("target_value", Decimal("240"))
    fields.setdefault(
        "unit", "minutes" if fields["metric"] in ("response", "resolution") else "percent"
    )
    return Target.objects.create(agreement=agreement, **fields)


def make_clock(*, target=None, **fields) -> Clock:
    """A clock; agreement, service, priority, metric and customer default from *target*."""
    n = next(_seq)
    if target is not None:
        fields.setdefault("agreement", target.agreement)
        fields.setdefault("service", target.service)
        fields.setdefault("priority", target.priority)
        fields.setdefault("metric", target.metric)
        fields.setdefault("goal_seconds", int(target.target_value) * 60)
        fields.setdefault("customer", target.agreement.customer)
        fields.setdefault("calendar", target.agreement.calendar)
    if fields.get("calendar") is None:
        fields["calendar"] = make_calendar()
    fields.setdefault("content_type", ContentType.objects.get_for_model(Agreement))
    fields.setdefault("object_id", 100000 + n)
    fields.setdefault("record_label", f"TEST-{n:06d}")
    fields.setdefault("state", "stopped")
    fields.setdefault("goal_seconds", 3600)
    fields.setdefault("started_at", local(2026, 3, 1, 9))
    return Clock.objects.create(target=target, **fields)


EVIL_LABEL = '=HYPERLINK("http://evil")'


def report_dataset(customer_a, customer_b) -> SimpleNamespace:
    """Three agreements (two of customer A, one of B), two services, priorities P1–P3, clocks
    in February, March and April 2026 (local time), met / breached / running / cancelled."""
    d = SimpleNamespace()
    d.calendar = make_calendar(code="rep-5x8", name="China 5x8 (reports)")
    d.s1 = make_service(code="SVC-MAIL", name="Email")
    d.s2 = make_service(code="SVC-ERP", name="ERP")
    d.a1 = make_agreement(
        number="SLA-000101",
        title="Office IT",
        customer=customer_a,
        calendar=d.calendar,
        valid_from=datetime.date(2026, 1, 1),
        valid_to=datetime.date(2026, 12, 31),
        services=[d.s1, d.s2],
    )
    d.a2 = make_agreement(
        number="SLA-000102", title="Plant IT", customer=customer_a, calendar=d.calendar
    )
    d.b1 = make_agreement(
        number="SLA-000201", title="B IT", customer=customer_b, calendar=d.calendar
    )
    d.t1 = make_target(
        d.a1, service=d.s1, priority="p1", metric="response", target_value=Decimal(30)
    )
    d.t2 = make_target(
        d.a1, service=d.s1, priority="p1", metric="resolution", target_value=Decimal(240)
    )
    d.t3 = make_target(
        d.a1, service=d.s2, priority="p2", metric="resolution", target_value=Decimal(480)
    )
    d.t4 = make_target(
        d.a1,
        service=d.s1,
        metric="availability",
        name="Email availability",
        target_value=Decimal("99.9"),
        higher_is_better=True,
    )
    d.t5 = make_target(d.a2, priority="p3", metric="resolution", target_value=Decimal(960))
    d.t6 = make_target(
        d.a2,
        metric="other",
        indicator_kind="sla_achievement",
        name="SLA achievement",
        target_value=Decimal(90),
        unit="percent",
        higher_is_better=True,
    )
    d.t7 = make_target(
        d.b1, service=d.s1, priority="p1", metric="resolution", target_value=Decimal(240)
    )
    # --- agreement A1 ---
    d.c1 = make_clock(target=d.t1, stopped_at=local(2026, 3, 5, 10), elapsed_seconds=1200)
    d.c2 = make_clock(
        target=d.t1,
        stopped_at=local(2026, 3, 10, 12),
        elapsed_seconds=2400,
        breached=True,
        breached_at=local(2026, 3, 10, 9),
        due_at=local(2026, 3, 10, 9),
        breach_cause="Network outage",
    )
    d.c3 = make_clock(target=d.t2, stopped_at=local(2026, 3, 12, 15), elapsed_seconds=10000)
    d.c4 = make_clock(
        target=d.t2,
        state="running",
        elapsed_seconds=15000,
        segment_started_at=local(2026, 3, 20, 8),
        breached=True,
        breached_at=local(2026, 3, 20, 9),
        due_at=local(2026, 3, 20, 9),
    )
    # the last minutes of March and the first of April, local time (UTC+8)
    d.c5 = make_clock(target=d.t3, stopped_at=local(2026, 3, 31, 23, 30), elapsed_seconds=100)
    d.c6 = make_clock(target=d.t3, stopped_at=local(2026, 4, 1, 0, 30), elapsed_seconds=100)
    # stopped after its goal without the flag: counted as breached
    d.c7 = make_clock(target=d.t3, stopped_at=local(2026, 2, 15, 10), elapsed_seconds=30000)
    d.c8 = make_clock(target=d.t1, state="running", segment_started_at=local(2026, 3, 2, 9))
    d.c9 = make_clock(target=d.t1, state="cancelled", stopped_at=local(2026, 3, 3, 9))
    d.c10 = make_clock(
        target=d.t3,
        state="paused",
        elapsed_seconds=29400,
        breached=True,
        breached_at=local(2026, 3, 15, 9),
        due_at=local(2026, 3, 15, 9),
        breach_cause="Waiting for vendor",
        record_label=EVIL_LABEL,
    )
    # --- agreement A2 (service S2, agreement-wide target) ---
    d.c11 = make_clock(target=d.t5, service=d.s2, stopped_at=local(2026, 3, 3, 10))
    d.c12 = make_clock(target=d.t5, service=d.s2, stopped_at=local(2026, 3, 4, 10))
    d.c13 = make_clock(
        target=d.t5,
        service=d.s2,
        stopped_at=local(2026, 3, 5, 10),
        elapsed_seconds=60000,
        breached=True,
        breached_at=local(2026, 3, 5, 9),
    )
    d.c14 = make_clock(target=d.t5, service=d.s2, stopped_at=local(2026, 2, 10, 10))
    # --- agreement B1 (customer B) ---
    d.c15 = make_clock(
        target=d.t7,
        stopped_at=local(2026, 3, 6, 10),
        elapsed_seconds=20000,
        breached=True,
        breached_at=local(2026, 3, 6, 8),
        breach_cause="B cause",
        record_label="B-SECRET-1",
    )
    d.c16 = make_clock(target=d.t7, stopped_at=local(2026, 3, 7, 10))
    return d
