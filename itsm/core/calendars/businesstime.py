"""Business-time arithmetic over a business calendar (R-SLM-04).

An engine turns a calendar (time zone, weekly intervals, dated holidays and adjusted
working days, confirmed years) into a sorted list of working intervals expressed as
instants (integer microseconds since the Unix epoch) with running totals of working time.
Adding business time or measuring it between two instants is then two binary searches.
Intervals are local wall-clock times converted to real instants, so arithmetic happens in
elapsed time (a DST jump shortens or lengthens the day it happens on).

Years are built lazily, the first time a computation reaches them. Engines are cached per
calendar keyed by ``BusinessCalendar.rules_token``, which every service that changes a
calendar's intervals, days or years replaces (``services._touch``), so a changed calendar is
rebuilt on its next use in every process.

Conventions:

- durations are working time; adding zero returns the start unchanged;
- ``add_business_time`` answers the earliest instant at which the duration has been worked,
  so a duration that ends exactly at the end of an interval ends there (e.g. 18:00), not at
  the start of the next one;
- ``business_time_between(a, b)`` is negative when ``b`` is before ``a``;
- a computation *touches* the local years from its start to its end (both included); those
  that are unconfirmed (no dated rows and no confirmation for a calendar observing holidays)
  are reported in ``Deadline.unconfirmed_years``. The arithmetic has no side effects: the
  caller that stores a deadline alerts the administrators (the clock engine calls
  ``services.alert_unconfirmed_year``), and the periodic job ``calendars.unconfirmed_years``
  checks this year and the next.
"""

from __future__ import annotations

import threading
from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_US = timedelta(microseconds=1)
_MINUTE_US = 60_000_000
_DAY = timedelta(days=1)

#: the engine refuses to look further than this many years for working time
MAX_SEARCH_YEARS = 200
_MIN_ENGINE_YEAR = 1971
_MAX_ENGINE_YEAR = 9000


class NoWorkingTime(ValueError):
    """The calendar has no working time in reach (no weekly intervals at all)."""


@dataclass(frozen=True, slots=True)
class Deadline:
    """A computed due time and the unconfirmed years the computation crossed."""

    due: datetime
    unconfirmed_years: tuple[int, ...] = ()

    @property
    def is_confirmed(self) -> bool:
        return not self.unconfirmed_years


Interval = tuple[int, int]  # (start minute, end minute) of a local day, end ≤ 1440


def _merge(intervals: Iterable[Interval]) -> tuple[Interval, ...]:
    merged: list[list[int]] = []
    for start, end in sorted(intervals):
        if end <= start:
            continue
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    return tuple((s, e) for s, e in merged)


class BusinessTimeEngine:
    """Pure arithmetic over one calendar's rules; no database access.

    ``weekly``: weekday (0 = Monday) → intervals in minutes of the local day;
    ``days``: date → ``"holiday"`` or ``"workday"`` (a workday works the standard day's
    intervals: those of the lowest-numbered weekday that has any);
    ``observes_holidays`` and ``known_years`` decide which years are unconfirmed.
    """

    def __init__(
        self,
        *,
        time_zone: str,
        weekly: Mapping[int, Iterable[Interval]],
        days: Mapping[date, str] | None = None,
        observes_holidays: bool = False,
        known_years: Iterable[int] = (),
    ):
        self.tz = ZoneInfo(time_zone)
        self.weekly: tuple[tuple[Interval, ...], ...] = tuple(
            _merge(weekly.get(weekday, ())) for weekday in range(7)
        )
        self.standard_day: tuple[Interval, ...] = next((w for w in self.weekly if w), ())
        self.days: dict[date, tuple[Interval, ...]] = {
            day: (self.standard_day if kind == "workday" else ())
            for day, kind in (days or {}).items()
        }
        self.observes_holidays = observes_holidays
        self.known_years = frozenset(known_years)
        self.has_weekly_work = any(self.weekly)
        self._lock = threading.Lock()
        # (first year, last year, year start instants [n+1], starts, ends, before, after)
        self._state: tuple | None = None

    # --- rules -------------------------------------------------------------------------------
    def is_unconfirmed(self, year: int) -> bool:
        return self.observes_holidays and year not in self.known_years

    def intervals_on(self, day: date) -> tuple[Interval, ...]:
        """Working intervals (local minutes) of *day*. Unconfirmed years use weekly hours."""
        override = self.days.get(day)
        if override is not None:
            return override
        return self.weekly[day.weekday()]

    # --- building ----------------------------------------------------------------------------
    def _local_us(self, day: date, minute: int) -> int:
        if minute >= 1440:
            day, minute = day + _DAY, minute - 1440
        local = datetime(day.year, day.month, day.day, minute // 60, minute % 60, tzinfo=self.tz)
        return (local - EPOCH) // _US

    def _year_start(self, year: int) -> int:
        return self._local_us(date(year, 1, 1), 0)

    def _build_year(self, year: int) -> list[tuple[int, int]]:
        out: list[tuple[int, int]] = []
        day = date(year, 1, 1)
        while day.year == year:
            for start, end in self.intervals_on(day):
                s, e = self._local_us(day, start), self._local_us(day, end)
                if e > s:  # a DST gap can swallow an interval
                    out.append((s, e))
            day += _DAY
        return out

    def _rebuild(self, first: int, last: int, per_year: dict[int, list[tuple[int, int]]]) -> tuple:
        """Build the state of years *first*..*last* from *per_year*, keep it and return it."""
        pairs: list[list[int]] = []
        for year in range(first, last + 1):
            for s, e in per_year[year]:
                if pairs and s <= pairs[-1][1]:
                    pairs[-1][1] = max(pairs[-1][1], e)
                else:
                    pairs.append([s, e])
        starts = [p[0] for p in pairs]
        ends = [p[1] for p in pairs]
        before: list[int] = []
        after: list[int] = []
        total = 0
        for s, e in pairs:
            before.append(total)
            total += e - s
            after.append(total)
        year_starts = [self._year_start(y) for y in range(first, last + 2)]
        self._per_year = per_year
        self._state = state = (first, last, year_starts, starts, ends, before, after)
        return state

    def _ensure_years(self, first: int, last: int) -> tuple:
        """Make sure years *first*..*last* are built; return the current state."""
        state = self._state
        if state is not None and state[0] <= first and last <= state[1]:
            return state
        if first < _MIN_ENGINE_YEAR or last > _MAX_ENGINE_YEAR:
            raise NoWorkingTime("date out of the supported range")
        with self._lock:
            state = self._state
            if state is None:
                per_year: dict[int, list[tuple[int, int]]] = {}
                lo, hi = first, last
            else:
                per_year = dict(self._per_year)
                lo, hi = min(first, state[0]), max(last, state[1])
            for year in range(lo, hi + 1):
                if year not in per_year:
                    per_year[year] = self._build_year(year)
            return self._rebuild(lo, hi, per_year)

    def _state_for(self, t: int) -> tuple[tuple, int]:
        """The state covering instant *t* and the local year *t* falls in."""
        state = self._state
        if state is not None:
            year_starts = state[2]
            if year_starts[0] <= t < year_starts[-1]:
                return state, state[0] + bisect_right(year_starts, t) - 1
        year = (EPOCH + timedelta(microseconds=t)).astimezone(self.tz).year
        state = self._ensure_years(year, year)
        return state, state[0] + bisect_right(state[2], t) - 1

    # --- arithmetic on epoch microseconds ----------------------------------------------------
    def add_us(self, t: int, duration: int) -> tuple[int, int, int]:
        """(due, first local year, last local year) for *duration* µs of work from *t*."""
        if duration < 0:
            raise ValueError("duration must not be negative")
        state, first_year = self._state_for(t)
        if duration == 0:
            return t, first_year, first_year
        if not self.has_weekly_work:
            raise NoWorkingTime("the calendar has no working hours")
        while True:
            _, hi, year_starts, starts, ends, before, after = state
            n = len(ends)
            i = bisect_right(ends, t)
            worked = (before[i] + max(0, t - starts[i])) if i < n else (after[-1] if n else 0)
            target = worked + duration
            j = bisect_left(after, target)
            if j < n:
                due = starts[j] + (target - before[j])
                if due < year_starts[-1]:
                    return due, first_year, state[0] + bisect_right(year_starts, due) - 1
            if hi - first_year >= MAX_SEARCH_YEARS:
                raise NoWorkingTime(f"no working time within {MAX_SEARCH_YEARS} years")
            # extend by roughly the number of years the remaining work needs (at least one)
            per_year_work = max(1, (after[-1] if n else 0) // max(1, hi - state[0] + 1))
            extra = max(1, min(50, (target - (after[-1] if n else 0)) // per_year_work + 1))
            state = self._ensure_years(state[0], hi + extra)

    def worked_before_us(self, t: int) -> tuple[int, int]:
        """(working µs between the start of the built range and *t*, local year of *t*)."""
        state, year = self._state_for(t)
        return self._worked(state, t), year

    @staticmethod
    def _worked(state: tuple, t: int) -> int:
        starts, ends, before, after = state[3], state[4], state[5], state[6]
        i = bisect_right(ends, t)
        if i < len(ends):
            return before[i] + max(0, t - starts[i])
        return after[-1] if after else 0

    def between_us(self, a: int, b: int) -> tuple[int, int, int]:
        """(working µs in [a, b), first local year, last local year); negative if b < a."""
        if b < a:
            value, y1, y2 = self.between_us(b, a)
            return -value, y1, y2
        _, year_a = self._state_for(a)
        _, year_b = self._state_for(b)
        state = self._ensure_years(year_a, year_b)
        return self._worked(state, b) - self._worked(state, a), year_a, year_b

    def unconfirmed_between(self, first_year: int, last_year: int) -> tuple[int, ...]:
        if not self.observes_holidays:
            return ()
        known = self.known_years
        return tuple(y for y in range(first_year, last_year + 1) if y not in known)


# --- engines per stored calendar --------------------------------------------------------------

_CACHE: dict[int, tuple[str, BusinessTimeEngine]] = {}
_CACHE_LOCK = threading.Lock()
_CACHE_SIZE = 256


def build_engine(calendar) -> BusinessTimeEngine:
    """Read *calendar*'s rows (three queries) into a new engine."""
    from itsm.core.calendars.models import (
        CalendarDay,
        CalendarYear,
        WorkingInterval,
        interval_end_minutes,
    )

    weekly: dict[int, list[Interval]] = {}
    for weekday, start, end in WorkingInterval.objects.filter(calendar=calendar).values_list(
        "weekday", "start", "end"
    ):
        weekly.setdefault(weekday, []).append(
            (start.hour * 60 + start.minute, interval_end_minutes(end))
        )
    days = dict(CalendarDay.objects.filter(calendar=calendar).values_list("date", "kind"))
    known = {d.year for d in days}
    known.update(
        CalendarYear.objects.filter(calendar=calendar, confirmed=True).values_list(
            "year", flat=True
        )
    )
    return BusinessTimeEngine(
        time_zone=calendar.time_zone,
        weekly=weekly,
        days=days,
        observes_holidays=bool(calendar.holiday_region),
        known_years=known,
    )


def engine_for(calendar) -> BusinessTimeEngine:
    """The cached engine of *calendar* (a ``BusinessCalendar`` or an engine, returned as is)."""
    if isinstance(calendar, BusinessTimeEngine):
        return calendar
    entry = _CACHE.get(calendar.pk)
    token = calendar.rules_token
    if entry is not None and entry[0] == token:
        return entry[1]
    engine = build_engine(calendar)
    with _CACHE_LOCK:
        if len(_CACHE) >= _CACHE_SIZE:
            _CACHE.clear()
        _CACHE[calendar.pk] = (token, engine)
    return engine


def invalidate(calendar_id: int | None = None) -> None:
    """Forget the cached engine of one calendar (or all)."""
    with _CACHE_LOCK:
        if calendar_id is None:
            _CACHE.clear()
        else:
            _CACHE.pop(calendar_id, None)


def _to_us(value: datetime) -> int:
    if value.tzinfo is None:
        raise ValueError("an aware datetime is required")
    return (value - EPOCH) // _US


def _from_us(value: int, tzinfo) -> datetime:
    return (EPOCH + timedelta(microseconds=value)).astimezone(tzinfo)


# --- public API -------------------------------------------------------------------------------


def compute_deadline(start: datetime, duration: timedelta, calendar) -> Deadline:
    """Due time of *duration* working time from *start* on *calendar*, with the unconfirmed
    years the computation crossed (no side effects: alerting is the caller's)."""
    engine = engine_for(calendar)
    due, first, last = engine.add_us(_to_us(start), duration // _US)
    unconfirmed = engine.unconfirmed_between(first, last) if engine.observes_holidays else ()
    return Deadline(_from_us(due, start.tzinfo), unconfirmed)


def add_business_time(start: datetime, duration: timedelta, calendar) -> datetime:
    """The earliest instant by which *duration* of working time has passed since *start*."""
    return compute_deadline(start, duration, calendar).due


def business_time_between(a: datetime, b: datetime, calendar) -> timedelta:
    """Working time in [a, b) on *calendar* (negative when *b* is before *a*)."""
    value, _first, _last = engine_for(calendar).between_us(_to_us(a), _to_us(b))
    return timedelta(microseconds=value)
