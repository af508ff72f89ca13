"""Unit tests of the arithmetic: documented cases, fallback, cache, time zones."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from itsm.core.calendars import businesstime, services
from itsm.core.calendars.businesstime import (
    BusinessTimeEngine,
    Deadline,
    NoWorkingTime,
    add_business_time,
    business_time_between,
    compute_deadline,
)
from itsm.core.calendars.choices import DayKind

TZ = ZoneInfo("Asia/Shanghai")


def at(*args) -> datetime:
    return datetime(*args, tzinfo=TZ)


def test_spring_festival_2026_skips_holidays_and_works_adjusted_saturdays(china_5x8):
    # Friday 13 Feb 17:00 + 2 h → 1 h on Friday, 1 h on the adjusted working Saturday 14 Feb
    assert add_business_time(at(2026, 2, 13, 17), timedelta(hours=2), china_5x8) == at(
        2026, 2, 14, 10
    )
    # Saturday 14 Feb 17:00 + 2 h → Feb 15–23 are holidays → Tuesday 24 Feb 10:00
    assert add_business_time(at(2026, 2, 14, 17), timedelta(hours=2), china_5x8) == at(
        2026, 2, 24, 10
    )
    # Saturday 28 Feb is an adjusted working day with Monday's hours, lunch break included
    assert add_business_time(at(2026, 2, 28, 11), timedelta(hours=2), china_5x8) == at(
        2026, 2, 28, 14, 30
    )


def test_national_day_2026(china_5x8):
    # Wed 30 Sep 17:30 + 1 h: Oct 1–7 holidays, Oct 8 Thursday 09:30
    assert add_business_time(at(2026, 9, 30, 17, 30), timedelta(hours=1), china_5x8) == at(
        2026, 10, 8, 9, 30
    )
    # Saturday 10 Oct is worked
    assert business_time_between(at(2026, 10, 10), at(2026, 10, 11), china_5x8) == timedelta(
        hours=7, minutes=30
    )


def test_duration_ending_at_end_of_interval_ends_there(china_5x8):
    assert add_business_time(at(2026, 3, 2, 9), timedelta(hours=3), china_5x8) == at(2026, 3, 2, 12)
    assert add_business_time(at(2026, 3, 2, 9), timedelta(hours=7, minutes=30), china_5x8) == at(
        2026, 3, 2, 18
    )


def test_zero_duration_returns_start_even_outside_hours(china_5x8):
    start = at(2026, 3, 1, 3, 7)  # a Sunday night
    assert add_business_time(start, timedelta(0), china_5x8) == start


def test_between_is_negative_when_reversed(china_5x8):
    assert business_time_between(at(2026, 3, 2, 10), at(2026, 3, 2, 9), china_5x8) == -timedelta(
        hours=1
    )


def test_result_keeps_the_start_time_zone_and_seconds(china_5x8):
    start = datetime(2026, 3, 2, 1, 0, 30, 500, tzinfo=UTC)  # 09:00:30.0005 in Shanghai
    due = add_business_time(start, timedelta(minutes=1), china_5x8)
    assert due == datetime(2026, 3, 2, 1, 1, 30, 500, tzinfo=UTC)
    assert due.tzinfo is UTC


def test_naive_datetimes_are_refused(china_5x8):
    with pytest.raises(ValueError):
        add_business_time(datetime(2026, 3, 2, 9), timedelta(hours=1), china_5x8)


def test_unconfirmed_2027_falls_back_to_weekly_hours_and_is_flagged(china_5x8):
    # Thursday 31 Dec 2026 17:30 + 1 h: 2027 has no rows, so Friday 1 Jan 2027 is worked
    deadline = compute_deadline(at(2026, 12, 31, 17, 30), timedelta(hours=1), china_5x8)
    assert deadline == Deadline(at(2027, 1, 1, 9, 30), (2027,))
    assert not deadline.is_confirmed
    # a computation inside 2026 only is confirmed
    assert (
        compute_deadline(at(2026, 6, 1, 9), timedelta(hours=1), china_5x8).unconfirmed_years == ()
    )


def test_confirming_2027_clears_the_flag_and_rebuilds_the_engine(china_5x8, admin_user):
    before = compute_deadline(at(2027, 1, 4, 9), timedelta(hours=1), china_5x8)
    assert before.unconfirmed_years == (2027,)
    services.add_day(
        china_5x8, date=date(2027, 1, 4), kind=DayKind.HOLIDAY, name="test", by=admin_user
    )
    after = compute_deadline(at(2027, 1, 4, 9), timedelta(hours=1), china_5x8)
    assert after == Deadline(at(2027, 1, 5, 10), ())


def test_7x24_has_no_unconfirmed_years(all_day):
    deadline = compute_deadline(at(2031, 5, 5, 1, 2), timedelta(days=400), all_day)
    assert deadline == Deadline(at(2032, 6, 8, 1, 2), ())


def test_long_durations_span_many_years(china_5x8):
    start = at(2026, 3, 2, 9)
    due = add_business_time(start, timedelta(hours=7.5 * 2000), china_5x8)
    assert business_time_between(start, due, china_5x8) == timedelta(hours=7.5 * 2000)
    assert compute_deadline(
        start, timedelta(hours=7.5 * 2000), china_5x8
    ).unconfirmed_years == tuple(range(2027, due.year + 1))


def test_calendar_without_hours_raises(db):
    empty = services.create_calendar(by=None, code="empty", name="Empty")
    with pytest.raises(NoWorkingTime):
        add_business_time(at(2026, 1, 1), timedelta(hours=1), empty)


def test_dst_zone_works_in_elapsed_time():
    # Berlin switches to summer time at 02:00 on Sunday 29 Mar 2026
    engine = BusinessTimeEngine(time_zone="Europe/Berlin", weekly={6: [(0, 1440)], 0: [(0, 1440)]})
    berlin = ZoneInfo("Europe/Berlin")
    sunday = datetime(2026, 3, 29, tzinfo=berlin)
    assert business_time_between(sunday, sunday + timedelta(days=2), engine) == timedelta(hours=47)
    assert add_business_time(sunday, timedelta(hours=23), engine) == datetime(
        2026, 3, 30, tzinfo=berlin
    )


def test_engine_is_cached_until_the_calendar_changes(
    china_5x8, admin_user, django_assert_num_queries
):
    businesstime.engine_for(china_5x8)
    with django_assert_num_queries(0):
        add_business_time(at(2026, 3, 2, 9), timedelta(hours=1), china_5x8)
    services.set_weekly_intervals(
        china_5x8, intervals=[{"weekday": 0, "start": time(8), "end": time(9)}], by=admin_user
    )
    assert add_business_time(at(2026, 3, 2, 8), timedelta(hours=1), china_5x8) == at(2026, 3, 2, 9)
    assert add_business_time(at(2026, 3, 2, 9), timedelta(hours=1), china_5x8) == at(2026, 3, 9, 9)
