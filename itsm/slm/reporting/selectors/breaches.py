"""The breaches of a period: rows, the paged list and their count."""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import TYPE_CHECKING, Any

from django.db.models import QuerySet

from itsm.slm.clocks.choices import ClockState, metric_label
from itsm.slm.reporting.selectors.measures import (
    _ONE_DECIMAL,
    BREACHED_Q,
    NOT_ANALYSED,
    measured_at_expression,
    measured_clocks,
)

if TYPE_CHECKING:
    pass


# --- breaches ------------------------------------------------------------------------------------


@dataclass
class BreachRow:
    clock_id: int
    record_label: str
    agreement: str
    agreement_id: int | None
    customer: str
    service: str
    metric: str
    metric_label: str
    priority: str
    started_at: datetime.datetime
    due_at: datetime.datetime | None
    breached_at: datetime.datetime | None
    stopped_at: datetime.datetime | None
    state: str
    overrun_minutes: Decimal | None
    cause: str

    @property
    def cause_display(self) -> str:
        return self.cause or str(NOT_ANALYSED)


#: the columns of a breach row (one ``values()`` query, no model instances)
BREACH_FIELDS = (
    "id",
    "record_label",
    "metric",
    "priority",
    "state",
    "started_at",
    "stopped_at",
    "due_at",
    "breached_at",
    "elapsed_seconds",
    "goal_seconds",
    "segment_started_at",
    "breach_cause",
    "agreement_id",
    "agreement__number",
    "agreement__title",
    "customer__name",
    "service_id",
    "service__code",
    "service__name",
)


def _ordered_breaches(*, user, period_start, period_end, **filters) -> QuerySet:
    """The breached clocks *user* may view measured in [period_start, period_end), oldest
    breach first (*filters*: ``agreement``, ``customer``, ``service``, ``metric``)."""
    return (
        measured_clocks(user=user, period_start=period_start, period_end=period_end, **filters)
        .filter(BREACHED_Q)
        .annotate(measured_at=measured_at_expression())
        .order_by("measured_at", "id")
    )


def breach_queryset(*, user, period_start, period_end, **filters) -> QuerySet:
    """The breached clocks *user* may view measured in [period_start, period_end), oldest
    breach first, as ``values()`` rows (:func:`breach_row` turns one into a :class:`BreachRow`);
    *filters*: ``agreement``, ``customer``, ``service``, ``metric``."""
    return _ordered_breaches(
        user=user, period_start=period_start, period_end=period_end, **filters
    ).values(*BREACH_FIELDS)


def breach_row(row: Mapping[str, Any]) -> BreachRow:
    """A :class:`BreachRow` from one row of :func:`breach_queryset`."""
    state = row["state"]
    overrun = None
    if state == ClockState.STOPPED or row["segment_started_at"] is None:
        overrun = (Decimal(int(row["elapsed_seconds"]) - int(row["goal_seconds"])) / 60).quantize(
            _ONE_DECIMAL, ROUND_HALF_UP
        )
    return BreachRow(
        clock_id=row["id"],
        record_label=row["record_label"],
        agreement=(
            f"{row['agreement__number']} {row['agreement__title']}" if row["agreement_id"] else ""
        ),
        agreement_id=row["agreement_id"],
        customer=row["customer__name"] or "",
        service=f"{row['service__code']} {row['service__name']}" if row["service_id"] else "",
        metric=row["metric"],
        metric_label=metric_label(row["metric"]),
        priority=(row["priority"] or "").upper(),
        started_at=row["started_at"],
        due_at=row["due_at"],
        breached_at=row["breached_at"],
        stopped_at=row["stopped_at"],
        state=state,
        overrun_minutes=overrun,
        cause=row["breach_cause"],
    )


def breaches(
    *,
    user,
    period_start,
    period_end,
    agreement=None,
    customer=None,
    service=None,
    metric: str | None = None,
    limit: int | None = None,
    offset: int = 0,
) -> list[BreachRow]:
    """The breached clocks *user* may view measured in [period_start, period_end), oldest
    breach first (rows *offset* … *offset* + *limit*). ``overrun_minutes`` = (elapsed − goal)
    business minutes for a clock whose time is settled (stopped or paused); ``None`` while it
    still runs. One query. A page lists a few (:data:`BREACH_PAGE`) and links to the whole
    list; :meth:`MonthlyReport.breach_tuples` streams every one (the Excel export)."""
    filters = {"agreement": agreement, "customer": customer, "service": service, "metric": metric}
    period = {"user": user, "period_start": period_start, "period_end": period_end}
    queryset = breach_queryset(**period, **filters)
    if limit is not None:
        # the ids of the page first (a narrow top-N sort), then their columns and joins: one
        # statement, instead of sorting every breach with all its columns before the LIMIT
        page = _ordered_breaches(**period, **filters).values("id")[offset : offset + limit]
        queryset = queryset.filter(pk__in=page)
    elif offset:
        queryset = queryset[offset:]
    return [breach_row(row) for row in queryset]


def breach_count(*, user, period_start, period_end, **filters) -> int:
    """How many breaches :func:`breaches` lists without a limit (same filters). One query."""
    return (
        measured_clocks(user=user, period_start=period_start, period_end=period_end, **filters)
        .filter(BREACHED_Q)
        .count()
    )
