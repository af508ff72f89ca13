"""A capacity forecast names the date a metric crosses its threshold, tested on series with a
known answer: linear (exact) and seasonal (a weekly pattern on a trend), automatic choice,
direction down, too few samples, and the demo's metric."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from itsm.capacity import selectors, services
from itsm.capacity.choices import Direction, ForecastMethod
from itsm.capacity.forecast import fit_seasonal, forecast, least_squares
from itsm.capacity.tests.factories import daily, make_metric, start_day

PATTERN = (2.0, 2.0, 2.0, 2.0, 2.0, -5.0, -5.0)  # sums to zero


def _points(start, values):
    return [(row["at"], row["value"]) for row in daily(start, values)]


def test_least_squares_is_exact_on_a_line():
    assert least_squares([0, 1, 2, 3], [1, 3, 5, 7]) == pytest.approx((1.0, 2.0))


def test_linear_forecast_names_the_exact_day():
    """50 % on day 0, +0.5 a day for 60 days: 80 % is reached on day 60, 90 % on day 80."""
    start = start_day()
    result = forecast(
        _points(start, [50 + 0.5 * d for d in range(60)]),
        direction=Direction.UP,
        warning=80.0,
        critical=90.0,
        method=ForecastMethod.LINEAR,
    )
    assert result.method == "linear"
    assert result.method_label == "Linear trend (least squares)"
    assert not result.automatic
    assert result.slope_per_day == pytest.approx(0.5)
    first = timezone.localtime(start).date()
    assert result.warning_on == first + timedelta(days=60)
    assert result.critical_on == first + timedelta(days=80)
    assert result.warning_now is result.critical_now is False
    # the chart's line starts on the last sample's day at its value
    assert result.line[0] == (first + timedelta(days=59), pytest.approx(79.5))


def test_seasonal_forecast_names_the_known_day():
    """40 + 0.2·d + a weekly pattern (+2 on five days, −5 on two) for 12 weeks: the first day
    at 69.5 or more is day 140 (70.0, a +2 day); the line through the same data would say
    day 147 or later."""
    start = start_day()
    values = [40 + 0.2 * d + PATTERN[d % 7] for d in range(84)]
    result = forecast(
        _points(start, values),
        direction=Direction.UP,
        warning=69.5,
        critical=None,
        method=ForecastMethod.SEASONAL,
    )
    first = timezone.localtime(start).date()
    assert result.method == "seasonal"
    assert result.slope_per_day == pytest.approx(0.2)
    assert result.warning_on == first + timedelta(days=140)
    assert result.critical_on is None
    linear = forecast(
        _points(start, values),
        direction=Direction.UP,
        warning=69.5,
        critical=None,
        method=ForecastMethod.LINEAR,
    )
    assert linear.warning_on is not None and linear.warning_on > first + timedelta(days=140)


def test_seasonal_model_recovers_trend_and_indices():
    days = {d: 10 + 1.5 * d + PATTERN[d % 7] for d in range(21)}
    model = fit_seasonal(days, 7)
    assert model is not None
    assert model.trend == pytest.approx(1.5)
    assert model.level == pytest.approx(10)
    assert list(model.indices) == pytest.approx(list(PATTERN))
    assert fit_seasonal({d: 1.0 for d in range(10)}, 7) is None  # less than two seasons


def test_automatic_choice_takes_the_seasonal_method_only_for_a_pattern():
    start = start_day()
    seasonal = forecast(
        _points(start, [40 + 0.2 * d + PATTERN[d % 7] for d in range(84)]),
        direction=Direction.UP,
        warning=69.5,
        critical=None,
    )
    assert (seasonal.method, seasonal.automatic) == ("seasonal", True)
    linear = forecast(
        _points(start, [50 + 0.5 * d for d in range(60)]),
        direction=Direction.UP,
        warning=80.0,
        critical=None,
    )
    assert (linear.method, linear.automatic) == ("linear", True)


def test_seasonal_asked_without_two_seasons_falls_back_to_linear():
    result = forecast(
        _points(start_day(), [50 + d for d in range(10)]),
        direction=Direction.UP,
        warning=80.0,
        critical=None,
        method=ForecastMethod.SEASONAL,
    )
    assert result.method == "linear"
    assert result.warning_on == timezone.localtime(start_day()).date() + timedelta(days=30)


def test_direction_down_and_heading_away():
    start = start_day()
    points = _points(start, [14 - 0.1 * d for d in range(30)])
    down = forecast(points, direction=Direction.DOWN, warning=4.0, critical=2.0)
    first = timezone.localtime(start).date()
    assert down.warning_on == first + timedelta(days=100)
    assert down.critical_on == first + timedelta(days=120)
    # the same falling series never reaches an upper threshold
    up = forecast(points, direction=Direction.UP, warning=20.0, critical=None)
    assert up.warning_on is None


def test_already_beyond_and_too_few_samples():
    start = start_day()
    beyond = forecast(
        _points(start, [85, 86, 87, 88]), direction=Direction.UP, warning=80.0, critical=90.0
    )
    assert beyond.warning_now and not beyond.critical_now
    assert beyond.critical_on == timezone.localtime(start).date() + timedelta(days=5)
    few = forecast(_points(start, [1, 2]), direction=Direction.UP, warning=80.0, critical=None)
    assert (few.method, few.reason, few.warning_on) == ("", "too_few_samples", None)


@pytest.mark.django_db
def test_a_stored_metric_forecast_names_the_date(planner, customer_a):
    metric = make_metric(planner, owner=customer_a, forecast_method=ForecastMethod.AUTO)
    start = start_day()
    services.record_samples(
        by=planner, metric=metric, samples=daily(start, [50 + 0.5 * d for d in range(60)])
    )
    metric.refresh_from_db()
    result = selectors.metric_forecast(metric)
    assert result.method == "linear"
    assert result.warning_on == timezone.localtime(start).date() + timedelta(days=60)


@pytest.mark.django_db
def test_the_demo_disk_metric_is_forecast_to_cross_its_threshold_soon():
    """The demo's e-banking database disk crosses 80 % in about ten days (linear)."""
    from itsm.core.demo import load_demo

    load_demo()
    metric = selectors.all_metrics().get(key="hx-mysql-ebank:disk_used_percent")
    result = selectors.metric_forecast(metric)
    assert result.method == "linear"
    assert not result.warning_now
    today = timezone.localdate()
    assert today + timedelta(days=5) <= result.warning_on <= today + timedelta(days=15)
    cpu = selectors.all_metrics().get(key="hx-ebank-api:cpu_percent")
    assert selectors.metric_forecast(cpu).method == "seasonal"
