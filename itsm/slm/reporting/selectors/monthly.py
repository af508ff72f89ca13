"""The monthly SLA execution report (服务级别协议执行情况月报) of one agreement."""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from decimal import Decimal
from itertools import chain
from typing import TYPE_CHECKING, Any

from django.db.models import Count
from django.utils.translation import gettext_lazy as _

from itsm.availability import selectors as availability_selectors
from itsm.core.errors import NotFound
from itsm.kpi.choices import unit_symbol
from itsm.slm import selectors as slm_selectors
from itsm.slm.choices import CLOCK_METRICS, AgreementKind, TargetMetric
from itsm.slm.clocks.choices import metric_label
from itsm.slm.reporting.selectors.breaches import (
    BREACH_FIELDS,
    BreachRow,
    breach_queryset,
    breaches,
)
from itsm.slm.reporting.selectors.measures import (
    AVAILABILITY_MEASURED,
    AVAILABILITY_NO_HOURS,
    AVAILABILITY_PENDING,
    BREACH_PAGE,
    BREACHED_Q,
    DEFAULT_TARGET,
    MET,
    NO_DATA,
    NOT_MET,
    OTHER_PENDING,
    STATUS_COLOURS,
    STATUS_LABELS,
    _target_for,
    is_achievement_target,
    measured_clocks,
    month_label,
    month_period,
    percent,
    status_for,
)

if TYPE_CHECKING:
    from itsm.slm.models import Agreement


# --- the monthly SLA execution report ------------------------------------------------------------


@dataclass
class TargetRow:
    target_id: int | None
    service: str
    priority: str
    metric: str
    metric_label: str
    target_value: Decimal | None
    unit: str
    measured: int
    met: int
    breached: int
    achievement: Decimal | None
    achievement_target: Decimal
    status: str

    @property
    def unit_symbol(self) -> str:
        return unit_symbol(self.unit)

    @property
    def status_label(self):
        return STATUS_LABELS[self.status]

    @property
    def status_colour(self):
        return STATUS_COLOURS[self.status]


@dataclass
class IndicatorRow:
    """A target not measured by clocks (availability, other indicators): shown, not faked."""

    target_id: int
    name: str
    service: str
    metric: str
    metric_label: str
    target_value: Decimal
    unit: str
    note: str
    #: an availability target's measured availability % (``itsm.availability.selectors``)
    measured: Decimal | None = None
    #: its status against the target: met, not_met, no_data ("" when not measured)
    status: str = ""

    @property
    def unit_symbol(self) -> str:
        return unit_symbol(self.unit)

    @property
    def status_label(self):
        return STATUS_LABELS.get(self.status, "")

    @property
    def status_colour(self):
        return STATUS_COLOURS.get(self.status, "secondary")


def _availability_row(*, user, agreement, month, target, service: str) -> IndicatorRow:
    """An availability target's row: the availability module's figure for the target's
    service (all the SLA's services when it names none) in *month*, against the target."""
    row = IndicatorRow(
        target_id=target.pk,
        name=target.name,
        service=service,
        metric=target.metric,
        metric_label=str(target.get_metric_display()),
        target_value=target.target_value,
        unit=target.unit,
        note=str(AVAILABILITY_PENDING),
    )
    if agreement.kind != AgreementKind.SLA or agreement.customer_id is None:
        return row
    figure = availability_selectors.agreement_availability(
        user=user, agreement=agreement, month=month, service=target.service_id
    )
    if not figure.rows:
        return row
    value = figure.availability
    if value is None:
        row.status, row.note = NO_DATA, str(AVAILABILITY_NO_HOURS)
        return row
    row.measured = value
    row.status = MET if value >= Decimal(target.target_value) else NOT_MET
    row.note = str(AVAILABILITY_MEASURED).format(
        value=value,
        target=f"{Decimal(target.target_value).normalize():f}",
        status=STATUS_LABELS[row.status],
    )
    return row


@dataclass
class MonthlyReport:
    agreement: Agreement
    month: datetime.date
    period_start: datetime.datetime
    period_end: datetime.datetime
    target_rows: list[TargetRow]
    indicator_rows: list[IndicatorRow]
    #: the first :data:`BREACH_PAGE` breaches (oldest first); :meth:`breach_tuples` streams all
    breaches: list[BreachRow]
    measured: int = 0
    met: int = 0
    breached: int = 0
    achievement: Decimal | None = None
    achievement_target: Decimal = DEFAULT_TARGET
    comments: str = ""
    not_met_count: int = 0
    #: who reads the report (its breaches are read with the same restriction)
    user: Any = None

    @property
    def month_label(self) -> str:
        return month_label(self.month)

    @property
    def breach_count(self) -> int:
        """Every breach of the month (each breached measured clock is one breach)."""
        return self.breached

    @property
    def more_breaches(self) -> bool:
        return self.breach_count > len(self.breaches)

    def breach_tuples(self, *fields: str, chunk_size: int = 2000) -> Iterator[tuple]:
        """Every breach of the month, oldest first, as tuples of *fields* (names of
        :data:`BREACH_FIELDS`) read *chunk_size* at a time: the Excel export's fast path,
        which writes tens of thousands of rows without building a :class:`BreachRow` each."""
        unknown = set(fields) - set(BREACH_FIELDS)
        if unknown:
            raise ValueError(f"not a breach field: {sorted(unknown)}")
        queryset = breach_queryset(
            user=self.user,
            period_start=self.period_start,
            period_end=self.period_end,
            agreement=self.agreement,
        )
        return queryset.values_list(*fields).iterator(chunk_size=chunk_size)

    @property
    def has_data(self) -> bool:
        return self.measured > 0

    @property
    def all_met(self) -> bool:
        """Whether every clock-measured target met its achievement target this month."""
        return self.not_met_count == 0


def get_agreement(*, user, agreement) -> Agreement:
    """*agreement* (instance or id) if *user* may view it; ``NotFound`` otherwise."""
    pk = getattr(agreement, "pk", agreement)
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        raise NotFound() from None
    found = (
        slm_selectors.agreements_for(user)
        .select_related("customer", "supplier", "team", "calendar")
        .filter(pk=pk)
        .first()
    )
    if found is None:
        raise NotFound()
    return found


def _counted_row(*, measured: int, breached: int, goal: Decimal, **fields) -> TargetRow:
    """A target row with its counts, achievement and status against *goal*."""
    value = percent(measured - breached, measured)
    return TargetRow(
        measured=measured,
        met=measured - breached,
        breached=breached,
        achievement=value,
        achievement_target=goal,
        status=status_for(value, goal),
        **fields,
    )


def monthly_report(
    *, user, agreement, month: datetime.date, breach_limit: int = BREACH_PAGE
) -> MonthlyReport:
    """The SLA execution report of *agreement* for *month* (the first day of a month), with
    the first *breach_limit* breaches (``report.breach_count`` counts them all, and
    ``report.breach_tuples()`` streams them).

    Four queries (the breaches are skipped when the counts find none): the agreement, its
    targets, clock counts per target, the first breaches. Every figure is a database
    aggregate; no query reads more rows than it shows.
    """
    agreement = get_agreement(user=user, agreement=agreement)
    month = month.replace(day=1)
    start, end = month_period(month)
    targets = list(agreement.targets.select_related("service").order_by("metric", "priority", "id"))
    achievement_by: dict[tuple[int, int | None], Decimal] = {}
    for target in targets:
        if is_achievement_target(target):
            achievement_by.setdefault((agreement.pk, target.service_id), target.target_value)
    #: clock counts per target id, one row per metric (target id, then metric order)
    counts: dict[int | None, list[Mapping[str, Any]]] = defaultdict(list)
    for row in (
        measured_clocks(user=user, period_start=start, period_end=end, agreement=agreement)
        .values("target_id", "metric")
        .annotate(measured=Count("id"), breached_count=Count("id", filter=BREACHED_Q))
        .order_by("target_id", "metric")
    ):
        counts[row["target_id"]].append(row)
    target_rows: list[TargetRow] = []
    indicator_rows: list[IndicatorRow] = []
    for target in targets:
        service = str(target.service) if target.service_id else str(_("All services"))
        if target.metric in CLOCK_METRICS:
            mine = counts.pop(target.pk, [])
            target_rows.append(
                _counted_row(
                    measured=sum(row["measured"] for row in mine),
                    breached=sum(row["breached_count"] for row in mine),
                    goal=_target_for(achievement_by, agreement.pk, target.service_id),
                    target_id=target.pk,
                    service=service,
                    priority=(target.priority or "").upper(),
                    metric=target.metric,
                    metric_label=str(target.get_metric_display()),
                    target_value=target.target_value,
                    unit=target.unit,
                )
            )
        elif target.metric == TargetMetric.AVAILABILITY:
            indicator_rows.append(
                _availability_row(
                    user=user, agreement=agreement, month=month, target=target, service=service
                )
            )
        elif not is_achievement_target(target):
            indicator_rows.append(
                IndicatorRow(
                    target_id=target.pk,
                    name=target.name,
                    service=service,
                    metric=target.metric,
                    metric_label=str(target.get_metric_display()),
                    target_value=target.target_value,
                    unit=target.unit,
                    note=str(OTHER_PENDING),
                )
            )
    # clocks of this agreement without one of its targets (target deleted or never set)
    overall_target = _target_for(achievement_by, agreement.pk)
    for leftover in chain.from_iterable(counts.values()):
        target_rows.append(
            _counted_row(
                measured=leftover["measured"],
                breached=leftover["breached_count"],
                goal=overall_target,
                target_id=None,
                service=str(_("(no target)")),
                priority="",
                metric=leftover["metric"],
                metric_label=metric_label(leftover["metric"]),
                target_value=None,
                unit="",
            )
        )
    measured = sum(r.measured for r in target_rows)
    breached = sum(r.breached for r in target_rows)
    first_breaches = (
        breaches(
            user=user, period_start=start, period_end=end, agreement=agreement, limit=breach_limit
        )
        if breached and breach_limit
        else []
    )
    return MonthlyReport(
        agreement=agreement,
        month=month,
        period_start=start,
        period_end=end,
        target_rows=target_rows,
        indicator_rows=indicator_rows,
        breaches=first_breaches,
        measured=measured,
        met=measured - breached,
        breached=breached,
        achievement=percent(measured - breached, measured),
        achievement_target=overall_target,
        not_met_count=sum(1 for r in target_rows if r.status == NOT_MET),
        user=user,
    )
