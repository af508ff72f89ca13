"""Reads of management objectives (R-OBJ-02): the periods of an objective's year, the actual
of each period — the KPI's own ``compute`` (``kpi.registry``), so the catalogue, the reports
and the objectives cannot disagree, or the value entered by hand — and whether it met the
target in the objective's direction.

Tenancy: every read goes through ``restrict(user, "view")``; a KPI's ``compute`` reads its
records through the owning app's restricted selectors with the same user.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from itsm.kpi.choices import Direction, KpiStatus, Period, unit_symbol
from itsm.objectives.choices import ActualSource
from itsm.objectives.models import ManualActual, Objective, Plan


@dataclass(frozen=True)
class ObjectivePeriod:
    """One period of an objective's year: ``[start, end)`` as local dates."""

    start: datetime.date
    end: datetime.date
    label: str
    #: the period's stable code (``2026-01``, ``2026-Q1``, ``2026``)
    code: str

    def start_at(self) -> datetime.datetime:
        return timezone.make_aware(datetime.datetime.combine(self.start, datetime.time.min))

    def end_at(self) -> datetime.datetime:
        return timezone.make_aware(datetime.datetime.combine(self.end, datetime.time.min))

    def closed(self, now: datetime.datetime | None = None) -> bool:
        return self.end_at() <= (now or timezone.now())

    def started(self, now: datetime.datetime | None = None) -> bool:
        return self.start_at() <= (now or timezone.now())


def periods_of(period: str, year: int) -> list[ObjectivePeriod]:
    """The months, quarters or the year of *year*, in order."""
    if period == Period.YEAR:
        return [
            ObjectivePeriod(
                datetime.date(year, 1, 1), datetime.date(year + 1, 1, 1), str(year), str(year)
            )
        ]
    step = 3 if period == Period.QUARTER else 1
    result = []
    for month in range(1, 13, step):
        start = datetime.date(year, month, 1)
        end = (
            datetime.date(year + 1, 1, 1)
            if month + step > 12
            else datetime.date(year, month + step, 1)
        )
        if step == 3:
            quarter = (month - 1) // 3 + 1
            label = _("{year} Q{quarter}").format(year=year, quarter=quarter)
            code = f"{year}-Q{quarter}"
        else:
            label = code = start.strftime("%Y-%m")
        result.append(ObjectivePeriod(start, end, label, code))
    return result


def period_containing(period: str, year: int, day: datetime.date) -> ObjectivePeriod | None:
    """The period of *year* holding *day* (``None`` outside the year)."""
    return next((p for p in periods_of(period, year) if p.start <= day < p.end), None)


def verdict(value: Decimal | None, *, target: Decimal, direction: str) -> str:
    """Met or not met (``kpi.choices.KpiStatus``) of *value* against *target*: at or above it
    when higher is better, at or below it when lower is better; no data without a value."""
    if value is None:
        return KpiStatus.NO_DATA
    met = value >= target if direction == Direction.HIGHER else value <= target
    return KpiStatus.MET if met else KpiStatus.NOT_MET


@dataclass
class Cell:
    """The target and actual of one objective in one period."""

    period: ObjectivePeriod
    target: Decimal
    actual: Decimal | None
    status: str
    source: str
    closed: bool
    started: bool
    note: str = ""

    @property
    def status_label(self) -> str:
        return str(KpiStatus(self.status).label)

    @property
    def status_colour(self) -> str:
        return KpiStatus.colour(self.status)


@dataclass
class ObjectiveRow:
    objective: Objective
    cells: list[Cell] = field(default_factory=list)

    @property
    def symbol(self) -> str:
        return unit_symbol(self.objective.unit)

    @property
    def misses(self) -> int:
        return sum(1 for c in self.cells if c.closed and c.status == KpiStatus.NOT_MET)


def plans_for(user) -> QuerySet[Plan]:
    """The plans *user* may view (provider staff)."""
    return Plan.objects.restrict(user, "view")


def objectives_for(user) -> QuerySet[Objective]:
    """The objectives *user* may view: a customer user those decomposed to their
    organisation."""
    return Objective.objects.restrict(user, "view").select_related(
        "plan", "team", "customer", "parent"
    )


def actuals_for(user) -> QuerySet[ManualActual]:
    return ManualActual.objects.restrict(user, "view").select_related("objective")


def computed_actual(objective: Objective, period: ObjectivePeriod, *, user) -> Decimal | None:
    """The KPI's own figure for *period* (its ``compute``), for the objective's customer when
    it is decomposed to one, else over every customer *user* may see."""
    kpi = objective.kpi
    if kpi is None:
        return None
    measure = kpi.compute(
        period_start=period.start_at(),
        period_end=period.end_at(),
        customer=objective.customer,
        user=user,
    )
    return None if measure.value is None else Decimal(measure.value)


def evaluate(
    objective: Objective,
    *,
    user,
    now: datetime.datetime | None = None,
    manual: dict | None = None,
) -> ObjectiveRow:
    """Target vs actual of *objective* in every period of its plan's year that has started
    (later periods have no actual yet)."""
    now = now or timezone.now()
    if manual is None:
        manual = {
            a.period_start: a for a in ManualActual.objects.filter(objective=objective).order_by()
        }
    row = ObjectiveRow(objective)
    for period in periods_of(objective.period, objective.plan.year):
        started = period.started(now)
        note = ""
        if objective.manual:
            entry = manual.get(period.start)
            actual = entry.value if entry is not None else None
            note = entry.note if entry is not None else ""
            source = ActualSource.MANUAL
        else:
            actual = computed_actual(objective, period, user=user) if started else None
            source = ActualSource.COMPUTED
        row.cells.append(
            Cell(
                period=period,
                target=objective.target,
                actual=actual,
                status=verdict(actual, target=objective.target, direction=objective.direction),
                source=source,
                closed=period.closed(now),
                started=started,
                note=note,
            )
        )
    return row


def plan_rows(plan: Plan, *, user, now: datetime.datetime | None = None) -> list[ObjectiveRow]:
    """Every objective of *plan* *user* may view, parents before their children, evaluated."""
    objectives = list(objectives_for(user).filter(plan=plan).order_by("id"))
    manual: dict[int, dict] = {}
    for entry in ManualActual.objects.filter(objective__in=objectives).order_by():
        manual.setdefault(entry.objective_id, {})[entry.period_start] = entry
    ordered: list[Objective] = []
    by_parent: dict[int | None, list[Objective]] = {}
    ids = {o.pk for o in objectives}
    for o in objectives:
        by_parent.setdefault(o.parent_id if o.parent_id in ids else None, []).append(o)

    def walk(parent_id):
        for o in by_parent.get(parent_id, []):
            ordered.append(o)
            walk(o.pk)

    walk(None)
    return [evaluate(o, user=user, now=now, manual=manual.get(o.pk, {})) for o in ordered]


def depth_of(objective: Objective) -> int:
    depth, parent = 0, objective.parent
    while parent is not None and depth < 10:
        depth, parent = depth + 1, parent.parent
    return depth
