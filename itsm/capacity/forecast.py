"""Forecasts of capacity metrics (R-CAP): the date a metric reaches its thresholds, in plain
Python (no numpy).

Two methods, shown with every forecast:

- **linear** — the least-squares line through the samples (value against time); the threshold
  date is where the line meets the threshold;
- **seasonal** — trend plus seasonal indices over the metric's season (7 days by default):
  the samples are averaged per local day; the trend is the mean change between a day and the
  same day one season later, divided by the season's length (seasonal differencing, which a
  repeating pattern does not bias); the seasonal index of each day of the season is the mean of
  that day's values less the trend, centred on zero. The forecast of day *d* is
  ``level + trend·d + index[d mod season]``; the threshold date is the first day after the
  last sample whose forecast reaches the threshold.

``auto`` picks the seasonal method when there are at least two seasons of days and the
seasonal model leaves less than half of the linear line's squared error on the daily values;
otherwise the linear one. Noise-free series give exact answers (``tests/test_forecast.py``).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.utils import timezone

from itsm.capacity.choices import Direction, ForecastMethod

#: how far ahead a threshold date is looked for at all (a date further away is "not reached")
SEARCH_DAYS = 3650
#: the default horizon of the chart and of "forecast to breach" in the breach list
HORIZON_DAYS = 90
#: at least this many samples (linear) before a forecast is made
MIN_SAMPLES = 3


@dataclass
class Forecast:
    """A metric's forecast: the method used (and whether it was chosen automatically), the
    trend per day, the date each threshold is reached (``None``: not within ``SEARCH_DAYS``, not
    heading there, or already reached — see ``warning_now``/``critical_now``), and the
    forecast line for the chart (local day, value)."""

    method: str = ""
    automatic: bool = False
    slope_per_day: float | None = None
    warning_on: date | None = None
    critical_on: date | None = None
    warning_now: bool = False
    critical_now: bool = False
    line: list[tuple[date, float]] = field(default_factory=list)
    samples: int = 0
    last_day: date | None = None
    reason: str = ""  # why there is no forecast: "too_few_samples", "" otherwise

    @property
    def method_label(self) -> str:
        return str(ForecastMethod(self.method).label) if self.method else ""

    @property
    def first_breach_on(self) -> date | None:
        dates = [d for d in (self.warning_on, self.critical_on) if d is not None]
        return min(dates) if dates else None

    def within(self, days: int, *, today: date | None = None) -> bool:
        """Whether a threshold is forecast to be reached within *days* from *today*."""
        first = self.first_breach_on
        if first is None:
            return False
        today = today or timezone.localdate()
        return first <= today + timedelta(days=days)


def _crosses(value: float, threshold: float, direction: str) -> bool:
    return value >= threshold if direction == Direction.UP else value <= threshold


# --- linear ----------------------------------------------------------------------------------


def least_squares(xs: Sequence[float], ys: Sequence[float]) -> tuple[float, float]:
    """(intercept, slope) of the least-squares line through the points."""
    n = len(xs)
    mean_x = sum(xs) / n
    mean_y = sum(ys) / n
    sxx = sum((x - mean_x) ** 2 for x in xs)
    if sxx == 0:
        return mean_y, 0.0
    sxy = sum((x - mean_x) * (y - mean_y) for x, y in zip(xs, ys, strict=True))
    slope = sxy / sxx
    return mean_y - slope * mean_x, slope


def _linear_date(
    start: datetime, intercept: float, slope: float, last_x: float, threshold: float, direction
) -> date | None:
    if slope == 0 or (slope > 0) != (direction == Direction.UP):
        return None  # flat or heading away from the threshold
    x = (threshold - intercept) / slope
    x = max(x, last_x)
    if x - last_x > SEARCH_DAYS:
        return None
    return timezone.localtime(start + timedelta(days=x)).date()


# --- seasonal --------------------------------------------------------------------------------


@dataclass(frozen=True)
class SeasonalModel:
    level: float
    trend: float
    indices: tuple[float, ...]

    def value(self, day: int) -> float:
        return self.level + self.trend * day + self.indices[day % len(self.indices)]


def daily_means(points: Iterable[tuple[datetime, float]]) -> dict[date, float]:
    """The mean value of each local day."""
    sums: dict[date, list[float]] = {}
    zone = timezone.get_current_timezone()
    for at, value in points:
        day = at.astimezone(zone).date()
        entry = sums.setdefault(day, [0.0, 0])
        entry[0] += value
        entry[1] += 1
    return {day: total / count for day, (total, count) in sorted(sums.items())}


def fit_seasonal(days: dict[int, float], season: int) -> SeasonalModel | None:
    """The seasonal model of daily values (day number → value), or ``None`` without two
    seasons of days and a value for every day of the season."""
    if season < 2 or not days or max(days) - min(days) + 1 < 2 * season:
        return None
    pairs = [(days[d + season] - days[d]) / season for d in days if d + season in days]
    if not pairs:
        return None
    trend = sum(pairs) / len(pairs)
    buckets: list[list[float]] = [[] for _ in range(season)]
    for d, value in days.items():
        buckets[d % season].append(value - trend * d)
    if any(not b for b in buckets):
        return None
    means = [sum(b) / len(b) for b in buckets]
    level = sum(means) / season
    return SeasonalModel(level=level, trend=trend, indices=tuple(m - level for m in means))


# --- the forecast ----------------------------------------------------------------------------


def forecast(
    points: Sequence[tuple[datetime, float]],
    *,
    direction: str,
    warning: float | None,
    critical: float | None,
    method: str = ForecastMethod.AUTO,
    season_days: int = 7,
    horizon_days: int = HORIZON_DAYS,
) -> Forecast:
    """The forecast of a metric's samples *points* (instant, value), oldest first."""
    result = Forecast(samples=len(points))
    if len(points) < MIN_SAMPLES:
        result.reason = "too_few_samples"
        return result
    points = sorted(points)
    last_value = points[-1][1]
    result.warning_now = warning is not None and _crosses(last_value, warning, direction)
    result.critical_now = critical is not None and _crosses(last_value, critical, direction)
    start = points[0][0]
    means = daily_means(points)
    first_day = next(iter(means))
    result.last_day = next(reversed(means))
    day_values = {(day - first_day).days: value for day, value in means.items()}
    last_index = (result.last_day - first_day).days

    seasonal = fit_seasonal(day_values, season_days)
    chosen = method
    if method == ForecastMethod.AUTO:
        result.automatic = True
        chosen = ForecastMethod.LINEAR
        if seasonal is not None:
            a, b = least_squares(list(day_values), list(day_values.values()))
            linear_error = sum((v - (a + b * d)) ** 2 for d, v in day_values.items())
            seasonal_error = sum((v - seasonal.value(d)) ** 2 for d, v in day_values.items())
            if linear_error > 1e-9 and seasonal_error < 0.5 * linear_error:
                chosen = ForecastMethod.SEASONAL
    if chosen == ForecastMethod.SEASONAL and seasonal is None:
        chosen = ForecastMethod.LINEAR  # too little data for the seasons: said by the method
    result.method = str(chosen)

    if chosen == ForecastMethod.SEASONAL and seasonal is not None:
        result.slope_per_day = seasonal.trend
        for name, threshold in (("warning_on", warning), ("critical_on", critical)):
            if threshold is None:
                continue
            for d in range(last_index + 1, last_index + 1 + SEARCH_DAYS):
                if _crosses(seasonal.value(d), threshold, direction):
                    setattr(result, name, first_day + timedelta(days=d))
                    break
        result.line = [
            (first_day + timedelta(days=d), round(seasonal.value(d), 6))
            for d in range(last_index, last_index + horizon_days + 1)
        ]
        return result

    xs = [(at - start).total_seconds() / 86400 for at, _value in points]
    ys = [value for _at, value in points]
    intercept, slope = least_squares(xs, ys)
    result.slope_per_day = slope
    for name, threshold in (("warning_on", warning), ("critical_on", critical)):
        if threshold is not None:
            setattr(
                result, name, _linear_date(start, intercept, slope, xs[-1], threshold, direction)
            )
    start_day = timezone.localtime(start).date()
    # the line at local noon of each day from the last sample's day to the horizon
    origin = timezone.localtime(start).replace(hour=12, minute=0, second=0, microsecond=0) - start
    base = origin.total_seconds() / 86400
    last_offset = (result.last_day - start_day).days
    result.line = [
        (start_day + timedelta(days=d), round(intercept + slope * (base + d), 6))
        for d in range(last_offset, last_offset + horizon_days + 1)
    ]
    if not all(math.isfinite(v) for _d, v in result.line):
        result.line = []
    return result
