"""Property test: the interval engine agrees with a minute-by-minute reference.

The reference knows nothing of intervals or engines: it marks every local minute from
2025-12-01 to 2027-03-01 as working or not straight from the rules (chinese-calendar's
holidays and adjusted working days for 2025–2026; the weekly hours only for the unconfirmed
2027) and counts them with a prefix sum.
"""

from __future__ import annotations

from bisect import bisect_left
from datetime import date, datetime, timedelta
from itertools import accumulate
from zoneinfo import ZoneInfo

import chinese_calendar
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from itsm.core.calendars.businesstime import (
    add_business_time,
    business_time_between,
    compute_deadline,
)
from itsm.core.testing.sizes import size

TZ = ZoneInfo("Asia/Shanghai")
ORIGIN = datetime(2025, 12, 1, tzinfo=TZ)
END = datetime(2027, 3, 1, tzinfo=TZ)
TOTAL_MINUTES = int((END - ORIGIN).total_seconds() // 60)
MAX_DURATION = 3000  # minutes of work: more than six working days
LATEST_START = int((datetime(2027, 1, 31, tzinfo=TZ) - ORIGIN).total_seconds() // 60)
WORKING_MINUTES_5X8 = [(9 * 60, 12 * 60), (13 * 60 + 30, 18 * 60)]


def _minute(value: datetime) -> int:
    return int((value - ORIGIN).total_seconds() // 60)


def _china_minutes() -> list[int]:
    """1 for each working minute of China 5×8 with lunch break, 0 otherwise."""
    flags: list[int] = []
    day = ORIGIN.date()
    while day < END.date():
        if day.year >= 2027:  # unconfirmed: weekly hours only
            working = day.weekday() < 5
        elif day in chinese_calendar.holidays:
            working = False
        elif day in chinese_calendar.workdays:
            working = True  # adjusted working day: Monday's hours
        else:
            working = day.weekday() < 5
        minutes = [0] * 1440
        if working:
            for start, end in WORKING_MINUTES_5X8:
                for m in range(start, end):
                    minutes[m] = 1
        flags.extend(minutes)
        day += timedelta(days=1)
    return flags


CHINA_PREFIX = [0, *accumulate(_china_minutes())]
assert len(CHINA_PREFIX) == TOTAL_MINUTES + 1


def _reference_add(prefix: list[int], start: int, duration: int) -> int:
    if duration == 0:
        return start
    return bisect_left(prefix, prefix[start] + duration)


def _window(first: date, last: date):
    return st.integers(
        _minute(datetime(first.year, first.month, first.day, tzinfo=TZ)),
        _minute(datetime(last.year, last.month, last.day, tzinfo=TZ)),
    )


STARTS = st.one_of(
    st.integers(0, LATEST_START),
    _window(date(2026, 2, 10), date(2026, 3, 3)),  # Spring Festival, Feb 14 and 28 worked
    _window(date(2026, 9, 27), date(2026, 10, 12)),  # National Day, Oct 10 worked
    _window(date(2026, 12, 28), date(2027, 1, 8)),  # into the unconfirmed 2027
)
DURATIONS = st.one_of(st.integers(0, 600), st.integers(0, MAX_DURATION))
OFFSETS = st.integers(-4000, 4000)
CHINA_EXAMPLES = size(dev=2_000, full=10_000)
ALL_DAY_EXAMPLES = size(dev=500, full=2_000)


def test_china_5x8_agrees_with_minute_reference(china_5x8):
    # Given the China 5×8 calendar seeded from chinese-calendar for 2025 and 2026 only
    assert add_business_time(ORIGIN, timedelta(minutes=1), china_5x8)  # builds the engine
    checked = {"n": 0, "spring": 0, "national": 0, "y2027": 0}

    @settings(
        max_examples=CHINA_EXAMPLES,
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.too_slow],
    )
    @given(start=STARTS, duration=DURATIONS, offset=OFFSETS)
    @example(start=_minute(datetime(2026, 2, 13, 17, 0, tzinfo=TZ)), duration=120, offset=0)
    @example(start=_minute(datetime(2026, 9, 30, 17, 0, tzinfo=TZ)), duration=61, offset=0)
    @example(start=_minute(datetime(2026, 12, 31, 17, 30, tzinfo=TZ)), duration=60, offset=0)
    def check(start: int, duration: int, offset: int):
        # When a deadline is computed from a whole-minute start
        begin = ORIGIN + timedelta(minutes=start)
        deadline = compute_deadline(begin, timedelta(minutes=duration), china_5x8)
        # Then it is the minute the reference finds, and 2027 is flagged iff it was reached
        expected = _reference_add(CHINA_PREFIX, start, duration)
        assert deadline.due == ORIGIN + timedelta(minutes=expected)
        assert add_business_time(begin, timedelta(minutes=duration), china_5x8) == deadline.due
        reaches_2027 = deadline.due.astimezone(TZ).year >= 2027
        assert deadline.unconfirmed_years == ((2027,) if reaches_2027 else ())
        # And the working time between any two instants is the reference's count
        other = min(max(start + offset, 0), TOTAL_MINUTES)
        between = business_time_between(begin, ORIGIN + timedelta(minutes=other), china_5x8)
        assert between == timedelta(minutes=CHINA_PREFIX[other] - CHINA_PREFIX[start])
        # And measuring back from the due time gives the duration
        assert business_time_between(begin, deadline.due, china_5x8) == timedelta(minutes=duration)
        checked["n"] += 1
        when = begin.date()
        checked["spring"] += date(2026, 2, 13) <= when <= date(2026, 3, 1)
        checked["national"] += date(2026, 9, 29) <= when <= date(2026, 10, 11)
        checked["y2027"] += reaches_2027

    check()
    assert checked["n"] >= CHINA_EXAMPLES
    # each hard region was drawn often: more than 1 % of the examples
    assert min(checked["spring"], checked["national"], checked["y2027"]) > CHINA_EXAMPLES // 100


def test_7x24_agrees_with_minute_reference(all_day):
    @settings(max_examples=ALL_DAY_EXAMPLES, deadline=None, database=None)
    @given(start=STARTS, duration=DURATIONS, offset=OFFSETS)
    def check(start: int, duration: int, offset: int):
        begin = ORIGIN + timedelta(minutes=start)
        deadline = compute_deadline(begin, timedelta(minutes=duration), all_day)
        assert deadline.due == begin + timedelta(minutes=duration)
        assert deadline.unconfirmed_years == ()  # no holidays observed: never unconfirmed
        other = ORIGIN + timedelta(minutes=start + offset)
        assert business_time_between(begin, other, all_day) == other - begin

    check()
