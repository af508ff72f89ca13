"""Reads of capacity management that pages, the API, the KPI and other apps may call: metrics
and plans restricted to the user, a metric's samples and forecast, and the breaches."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.db.models import F, Q, QuerySet
from django.utils import timezone

from itsm.capacity.choices import BreachLevel, Direction
from itsm.capacity.forecast import HORIZON_DAYS, Forecast, forecast
from itsm.capacity.models import CapacityPlan, Metric, Sample

#: the samples a forecast reads: this many days back from the newest
HISTORY_DAYS = 180


def metrics_for(user, action: str = "view") -> QuerySet[Metric]:
    """The metrics *user* may *action* (a customer: those of their own CIs)."""
    return Metric.objects.restrict(user, action)


def all_metrics() -> QuerySet[Metric]:
    """Every metric, unrestricted: for trusted callers (the events module matching an alert's
    metric label to ``Metric.key``) and form placeholders."""
    return Metric.objects.all()


def samples_for(user, action: str = "view") -> QuerySet[Sample]:
    return Sample.objects.restrict(user, action)


def plans_for(user, action: str = "view") -> QuerySet[CapacityPlan]:
    """The capacity plans *user* may *action* (provider staff only)."""
    return CapacityPlan.objects.restrict(user, action)


def series(metric: Metric, *, days: int = HISTORY_DAYS) -> list[tuple[datetime, float]]:
    """The metric's samples of the last *days* days before its newest, oldest first."""
    if metric.last_at is None:
        return []
    since = metric.last_at - timedelta(days=days)
    return list(
        Sample.objects.filter(metric=metric, at__gte=since)
        .order_by("at")
        .values_list("at", "value")
    )


def metric_forecast(
    metric: Metric,
    *,
    method: str | None = None,
    horizon_days: int = HORIZON_DAYS,
    points: list[tuple[datetime, float]] | None = None,
) -> Forecast:
    """The forecast of *metric* (its own method unless *method* is given)."""
    return forecast(
        series(metric) if points is None else points,
        direction=metric.direction,
        warning=metric.warning_threshold,
        critical=metric.critical_threshold,
        method=method or metric.forecast_method,
        season_days=metric.season_days,
        horizon_days=horizon_days,
    )


def breaching_samples(queryset: QuerySet[Sample]) -> QuerySet[Sample]:
    """The samples of *queryset* at or beyond their metric's warning threshold."""
    up = Q(metric__direction=Direction.UP) & (
        Q(value__gte=F("metric__warning_threshold")) | Q(value__gte=F("metric__critical_threshold"))
    )
    down = Q(metric__direction=Direction.DOWN) & (
        Q(value__lte=F("metric__warning_threshold")) | Q(value__lte=F("metric__critical_threshold"))
    )
    return queryset.filter(up | down)


def sample_level(sample: Sample) -> str:
    """The breach level of a breaching sample (its metric loaded)."""
    metric = sample.metric
    if metric.breaches(sample.value, metric.critical_threshold):
        return BreachLevel.CRITICAL
    return BreachLevel.WARNING


@dataclass(frozen=True)
class ForecastBreach:
    """A metric forecast to reach a threshold within the horizon (or beyond it now)."""

    metric: Metric
    forecast: Forecast
    level: str  # the first threshold reached: warning or critical
    on: date | None  # None: already beyond it now


def forecast_breaches(user, *, days: int = HORIZON_DAYS, customer=None) -> list[ForecastBreach]:
    """The metrics *user* may view (of *customer* when given) whose last value is beyond a
    threshold, or whose forecast reaches one within *days* days — soonest first."""
    metrics = metrics_for(user).filter(
        Q(warning_threshold__isnull=False) | Q(critical_threshold__isnull=False),
        last_at__isnull=False,
    )
    if customer is not None:
        metrics = metrics.filter(customer=customer)
    today = timezone.localdate()
    rows: list[ForecastBreach] = []
    for metric in metrics.select_related("ci", "service").order_by("name", "id"):
        result = metric_forecast(metric, horizon_days=days)
        if result.critical_now or result.warning_now:
            level = BreachLevel.CRITICAL if result.critical_now else BreachLevel.WARNING
            rows.append(ForecastBreach(metric, result, level, None))
        elif result.within(days, today=today):
            first = result.first_breach_on
            level = BreachLevel.WARNING if result.warning_on == first else BreachLevel.CRITICAL
            rows.append(ForecastBreach(metric, result, level, first))
    rows.sort(key=lambda row: (row.on or date.min, row.metric.name))
    return rows


def forecast_breach_count(*, user, customer=None, days: int = 30) -> tuple[int, int]:
    """(metrics beyond or forecast to reach a threshold within *days*, metrics with a
    threshold and samples) among those *user* may view: the KPI's figures."""
    metrics = metrics_for(user).filter(
        Q(warning_threshold__isnull=False) | Q(critical_threshold__isnull=False),
        last_at__isnull=False,
    )
    if customer is not None:
        metrics = metrics.filter(customer=customer)
    return len(forecast_breaches(user, days=days, customer=customer)), metrics.count()
