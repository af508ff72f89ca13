"""Property test: clocks agree with a minute-by-minute reference simulation.

Random pause/resume sequences, goal (priority) changes, calendar switches between China 5×8
(lunch break, 2026 holidays and 调休 from chinese-calendar, 2027 weekly hours only) and 7×24,
and holidays entered for a future day while the clock runs. The reference knows nothing of
segments or engines: it marks every minute as working or not for each calendar, walks the
events, counts the working minutes while running and finds the first instant the elapsed
minutes reach the warning and the goal. The engine must agree exactly on the elapsed business
minutes, every due time, and the warning and breach moments (the sweeper runs before each
event and at the end).

Examples: 60, 300 with ``ITSM_FULL_TESTS=1`` (CI); ``ITSM_CLOCK_PROPERTY_EXAMPLES`` overrides.
"""

from __future__ import annotations

from bisect import bisect_left
from datetime import date, datetime, timedelta
from itertools import accumulate
from zoneinfo import ZoneInfo

import chinese_calendar
import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from itsm.core.calendars import businesstime
from itsm.core.calendars import services as calendars
from itsm.core.testing.sizes import size
from itsm.slm.clocks import services
from itsm.slm.clocks.models import Clock

pytestmark = pytest.mark.django_db

EXAMPLES = size(dev=60, full=300, env="ITSM_CLOCK_PROPERTY_EXAMPLES")
TZ = ZoneInfo("Asia/Shanghai")
ORIGIN = datetime(2026, 1, 1, tzinfo=TZ)
END = datetime(2027, 4, 1, tzinfo=TZ)
TOTAL = int((END - ORIGIN).total_seconds() // 60)
LATEST_START = int((datetime(2026, 12, 28, tzinfo=TZ) - ORIGIN).total_seconds() // 60)
WARNING_PERCENT = 75


def _cn_flags() -> list[int]:
    flags: list[int] = []
    day = ORIGIN.date()
    while day < END.date():
        if day.year >= 2027:
            working = day.weekday() < 5
        elif day in chinese_calendar.holidays:
            working = False
        elif day in chinese_calendar.workdays:
            working = True
        else:
            working = day.weekday() < 5
        minutes = [0] * 1440
        if working:
            for m in (*range(9 * 60, 12 * 60), *range(13 * 60, 18 * 60)):
                minutes[m] = 1
        flags.extend(minutes)
        day += timedelta(days=1)
    return flags


CN_FLAGS = _cn_flags()
CN_PREFIX = [0, *accumulate(CN_FLAGS)]
ALL_PREFIX = list(range(TOTAL + 1))


def _minute(value: datetime) -> int:
    return int((value - ORIGIN).total_seconds() // 60)


def _instant(minute: int) -> datetime:
    return ORIGIN + timedelta(minutes=minute)


def _add(prefix, start: int, duration: int) -> int:
    if duration <= 0:
        return start
    return bisect_left(prefix, prefix[start] + duration)


def _holiday_prefix(days: list[date]) -> list[int]:
    flags = list(CN_FLAGS)
    for day in days:
        first = (day - ORIGIN.date()).days * 1440
        flags[first : first + 1440] = [0] * 1440
    return [0, *accumulate(flags)]


class Reference:
    """The clock as the reference sees it."""

    def __init__(self, start: int, goal: int, calendar: str):
        self.t = start
        self.goal = goal
        self.calendar = calendar
        self.running = True
        self.elapsed = 0
        self.warned_at: int | None = None
        self.breached_at: int | None = None
        self.holidays: list[date] = []
        self._cn = CN_PREFIX

    def prefix(self):
        return ALL_PREFIX if self.calendar == "7x24" else self._cn

    def warn_goal(self) -> int:
        return self.goal * WARNING_PERCENT // 100

    def _check(self, until: int) -> None:
        """Record the warning/breach reached while running from self.t up to *until*."""
        if not self.running:
            return
        prefix = self.prefix()
        if self.warned_at is None:
            when = _add(prefix, self.t, self.warn_goal() - self.elapsed)
            if when <= until:
                self.warned_at = when
        if self.breached_at is None:
            when = _add(prefix, self.t, self.goal - self.elapsed)
            if when <= until:
                self.breached_at = when
                if self.warned_at is None:  # pragma: no cover - warning comes first
                    self.warned_at = when

    def advance(self, to: int) -> None:
        self._check(to)
        if self.running:
            prefix = self.prefix()
            self.elapsed += prefix[to] - prefix[self.t]
        self.t = to

    def due(self) -> int:
        return _add(self.prefix(), self.t, self.goal - self.elapsed)

    def add_holiday(self, day: date) -> None:
        self.holidays.append(day)
        self._cn = _holiday_prefix(self.holidays)


# an event: (minutes after the previous one, kind, parameter)
EVENTS = st.lists(
    st.tuples(
        st.integers(1, 2000),
        st.sampled_from(["pause", "resume", "goal", "calendar", "holiday"]),
        st.integers(1, 150),  # goal in units of 4 minutes / holiday day offset
    ),
    max_size=8,
)


def test_clock_matches_minute_reference(record, cn_5x8, all_day):
    calendars_by_code = {"cn-5x8": cn_5x8, "7x24": all_day}
    checked = {"n": 0, "breached": 0, "holiday": 0, "switch": 0}

    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
    )
    @given(
        start=st.integers(0, LATEST_START),
        goal_units=st.integers(1, 300),
        calendar=st.sampled_from(["cn-5x8", "cn-5x8", "7x24"]),
        events=EVENTS,
    )
    def check(start, goal_units, calendar, events):
        with transaction.atomic():
            try:
                _run(start, goal_units * 4, calendar, events)
            finally:
                transaction.set_rollback(True)
        businesstime.invalidate()
        for cal in calendars_by_code.values():
            cal.refresh_from_db()

    def _run(start, goal, calendar_code, events):
        ref = Reference(start, goal, calendar_code)
        clock = services.start_clock(
            record=record,
            metric="resolution",
            calendar=calendars_by_code[calendar_code],
            goal_seconds=goal * 60,
            warning_percent=WARNING_PERCENT,
            at=_instant(start),
        )
        assert clock.due_at == _instant(ref.due())
        t = start
        for gap, kind, param in events:
            t = min(t + gap, TOTAL - 10 * 1440)
            when = _instant(t)
            services.sweep(now=when)
            ref.advance(t)
            clock = Clock.objects.get(pk=clock.pk)
            if kind == "pause" and ref.running:
                services.pause_clock(clock, at=when, reason="waiting for customer")
                ref.running = False
            elif kind == "resume" and not ref.running:
                services.resume_clock(clock, at=when)
                ref.running = True
            elif kind == "goal":
                services.recalculate_clock(clock, at=when, goal_seconds=param * 4 * 60)
                ref.goal = param * 4
            elif kind == "calendar":
                new = "7x24" if ref.calendar == "cn-5x8" else "cn-5x8"
                services.recalculate_clock(clock, at=when, calendar=calendars_by_code[new])
                ref.calendar = new
                checked["switch"] += 1
            elif kind == "holiday":
                day = (when + timedelta(days=1 + param % 10)).date()
                if day.year != 2026 or ref.holidays or chinese_calendar.is_holiday(day):
                    continue
                if day in chinese_calendar.workdays or day.weekday() >= 5:
                    continue
                calendars.add_day(cn_5x8, date=day, kind="holiday", by=None)
                ref.add_holiday(day)
                checked["holiday"] += 1
            else:
                continue
            clock = Clock.objects.select_related("calendar").get(pk=clock.pk)
            assert services.elapsed_at(clock, when) == ref.elapsed * 60, (kind, t)
            if ref.running and ref.elapsed < ref.goal:
                assert clock.due_at == _instant(ref.due()), (kind, t)
            elif not ref.running:
                assert clock.due_at is None
        # the end: sweep far in the future, stop, compare
        final = min(t + 3000, TOTAL - 1)
        services.sweep(now=_instant(final))
        ref.advance(final)
        clock = Clock.objects.get(pk=clock.pk)
        services.stop_clock(clock, at=_instant(final))
        if ref.breached_at is None and ref.elapsed > ref.goal:
            ref.breached_at = final  # a goal lowered below the elapsed time while paused
        clock = Clock.objects.get(pk=clock.pk)
        assert clock.elapsed_seconds == ref.elapsed * 60
        assert clock.warned_at == (None if ref.warned_at is None else _instant(ref.warned_at))
        assert clock.breached_at == (None if ref.breached_at is None else _instant(ref.breached_at))
        assert clock.breached == (ref.breached_at is not None)
        checked["n"] += 1
        checked["breached"] += ref.breached_at is not None

    check()
    print("\nclock property:", checked)
    assert checked["n"] >= min(EXAMPLES, 100)
    assert checked["breached"] > 0 and checked["switch"] > 0 and checked["holiday"] > 0
