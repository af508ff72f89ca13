"""The adapters of report-backed KPIs (``itsm.kpi.adapters``): the local days of a period, a
report's ratio as a measure, the report link and the declaring function's defaults."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal

import pytest
from django.utils import timezone

from itsm.core.models import Organisation
from itsm.kpi.adapters import declarer, local_days, ratio_measure, report_link
from itsm.kpi.choices import Direction, Period, Scope, Unit
from itsm.kpi.registry import KpiRegistry, Measure


def _local(*args) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime(*args))


def test_local_days_of_a_month_end_on_its_last_day():
    first, last = local_days(_local(2026, 3, 1), _local(2026, 4, 1))
    assert (first, last) == (datetime.date(2026, 3, 1), datetime.date(2026, 3, 31))
    assert local_days(_local(2026, 3, 5, 9), _local(2026, 3, 5, 18)) == (
        datetime.date(2026, 3, 5),
        datetime.date(2026, 3, 5),
    )


def test_a_ratio_becomes_the_measure():
    @dataclass
    class Ratio:
        value: Decimal | None
        numerator: int
        denominator: int

    assert ratio_measure(Ratio(Decimal("75.0"), 3, 4)) == Measure(Decimal("75.0"), 3, 4)
    assert ratio_measure(Ratio(None, 0, 0)) == Measure(None, 0, 0)


def test_report_link_with_the_period_and_the_customer():
    url = report_link("problems:report", {"start": "2026-03", "end": "2026-03"})
    assert url == "/problems/report/?start=2026-03&end=2026-03"
    customer = Organisation(pk=7)
    assert report_link("problems:report", {"a": "1"}, customer) == (
        "/problems/report/?a=1&customer=7"
    )
    assert report_link("knowledge:article_list", {}) == "/knowledge/"
    assert report_link("nowhere:report", {"a": "1"}) == ""


def test_declarer_defaults_and_overrides():
    registry = KpiRegistry()

    def compute(**kwargs):
        return Measure(None)

    declare = declarer(
        register=registry.register,
        report_url=lambda *args: "",
        scope=Scope.PROVIDER,
        model="core.Organisation",
    )
    common = {"name": "Test", "description": "A test", "compute": compute, "source": "test"}
    ratio = declare(id="test_ratio", **common)
    days = declare(id="test_days", unit=Unit.DAYS, direction=Direction.LOWER, **common)
    assert (ratio.unit, ratio.direction, ratio.period, ratio.scope) == (
        Unit.PERCENT,
        Direction.HIGHER,
        Period.MONTH,
        Scope.PROVIDER,
    )
    assert (days.unit, days.direction) == (Unit.DAYS, Direction.LOWER)
    assert set(registry.all()) == {ratio, days}


@pytest.mark.django_db
def test_the_problem_kpis_link_to_the_report_of_their_months():
    from itsm.kpi.registry import registry

    kpi = registry.get("problem_process_completeness")
    url = kpi.report_url(_local(2026, 3, 1), _local(2026, 4, 1), None)
    assert url == "/problems/report/?start=2026-03&end=2026-03"
