"""Fixtures of the business-calendar tests."""

from __future__ import annotations

from datetime import time

import pytest
from django.utils import translation

from itsm.core.calendars import businesstime, services

LUNCH_BREAK_5X8 = [
    {"weekday": day, "start": start, "end": end}
    for day in range(5)
    for start, end in ((time(9, 0), time(12, 0)), (time(13, 30), time(18, 0)))
]
ALL_DAY_7X24 = [{"weekday": day, "start": time(0, 0), "end": time(0, 0)} for day in range(7)]


@pytest.fixture(autouse=True)
def _english():
    """Messages are asserted in English; the default language is zh-Hans."""
    with translation.override("en"):
        yield


@pytest.fixture(autouse=True)
def _fresh_engines():
    """Engines are cached per process; ids repeat between tests on SQLite."""
    businesstime.invalidate()
    yield
    businesstime.invalidate()


@pytest.fixture
def china_5x8(db):
    """China 5×8 with a lunch break, holidays of 2025 and 2026 from chinese-calendar."""
    calendar = services.create_calendar(
        by=None,
        code="cn-5x8",
        name="China 5×8",
        time_zone="Asia/Shanghai",
        holiday_region="CN",
        intervals=LUNCH_BREAK_5X8,
    )
    services.seed_from_chinese_calendar(calendar, [2025, 2026])
    return calendar


@pytest.fixture
def all_day(db):
    return services.create_calendar(
        by=None, code="7x24", name="7×24", time_zone="Asia/Shanghai", intervals=ALL_DAY_7X24
    )
