"""SLA monitoring and reporting (R-SLM-06): achievement per agreement / service / customer /
month / priority, the list of breaches with their causes, and the monthly SLA execution report
(服务级别协议执行情况月报).

Definitions (also in ``docs/modules/slm-reports.en.md``):

- a clock is **measured** in a period when it has an outcome there: a stopped clock whose
  ``stopped_at`` lies in the period, or a running/paused clock that has already breached and
  whose ``breached_at`` lies in the period. Cancelled clocks and running clocks that have not
  breached are not measured (they have no outcome yet);
- a measured clock is **breached** when its ``breached`` flag is set, or it stopped with more
  business time elapsed than its goal; otherwise it is **met**;
- **achievement** = met / measured × 100, rounded half-up to one decimal (``None`` when nothing
  was measured);
- the **target achievement** is 100 % (seed 003 KPI "服务级别指标是否全部满足 100%") unless the
  agreement declares an achievement target: an "other" target whose indicator kind is
  ``TargetIndicator.SLA_ACHIEVEMENT`` (see :func:`is_achievement_target`);
- the overall figure (:func:`overall`) is the KPI ``sla_achievement`` of the KPI catalogue
  (``itsm/slm/reporting/kpis.py``).

Every figure is aggregated in the database (``values().annotate(Count(…, filter=…))``); every
query goes through ``.restrict(user, "view")``, so a customer user only ever counts their own
organisation's clocks.

This app is the layer above ``slm`` and ``slm.clocks``: it reads agreements and targets through
``slm.selectors`` and clocks through ``clocks.selectors``, so neither of them imports it.
"""

from __future__ import annotations

import datetime
import re
from collections import defaultdict
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from itertools import chain
from typing import TYPE_CHECKING, Any

from django.db.models import Case, Count, DateTimeField, F, Q, QuerySet, When
from django.db.models.functions import TruncMonth
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from itsm.core.errors import NotFound, ValidationFailed
from itsm.kpi.choices import unit_symbol
from itsm.slm import selectors as slm_selectors
from itsm.slm.choices import CLOCK_METRICS, TargetIndicator, TargetMetric
from itsm.slm.clocks import selectors as clock_selectors
from itsm.slm.clocks.choices import ClockState, metric_label

if TYPE_CHECKING:
    from itsm.slm.clocks.models import Clock
    from itsm.slm.models import Agreement, Target

GROUPINGS = ("agreement", "service", "customer", "month", "priority")
GROUP_LABELS = {
    "agreement": _("Agreement"),
    "service": _("Service"),
    "customer": _("Customer"),
    "month": _("Month"),
    "priority": _("Priority"),
}
DEFAULT_TARGET = Decimal("100")
#: the longest period the achievement page and API accept (months)
MAX_MONTHS = 36
#: the metrics a report can be restricted to (form and API choices)
METRIC_CHOICES = [(m.value, m.label) for m in (TargetMetric.RESPONSE, TargetMetric.RESOLUTION)]
_MONTH_RE = re.compile(r"^(\d{4})-(\d{2})$")
_ONE_DECIMAL = Decimal("0.1")

#: breaches a report page (and the monthly report API) lists; the rest is one link away
BREACH_PAGE = 20

MET = "met"
NOT_MET = "not_met"
NO_DATA = "no_data"
STATUS_LABELS = {MET: _("Met"), NOT_MET: _("Not met"), NO_DATA: _("No data")}
STATUS_COLOURS = {MET: "green", NOT_MET: "red", NO_DATA: "secondary"}
NOT_ANALYSED = _("not yet analysed")
AVAILABILITY_PENDING = _("measured by the availability module (not yet available)")
OTHER_PENDING = _("not measured automatically")


# --- periods -------------------------------------------------------------------------------------


def parse_month(value: str | None, *, field_name: str = "month") -> datetime.date:
    """``"2026-03"`` → ``date(2026, 3, 1)``; anything else → ``ValidationFailed`` naming
    *field_name*."""
    match = _MONTH_RE.match((value or "").strip())
    if match:
        year, month = int(match.group(1)), int(match.group(2))
        if 1 <= month <= 12 and 1900 <= year <= 9998:
            return datetime.date(year, month, 1)
    raise ValidationFailed(
        _("Enter a month as YYYY-MM, e.g. 2026-03."),
        fields={field_name: [str(_("Enter a month as YYYY-MM, e.g. 2026-03."))]},
    )


def last_full_month(today: datetime.date | None = None) -> datetime.date:
    """The first day of the month before *today* (default: today, local time)."""
    today = today or timezone.localdate()
    first = today.replace(day=1)
    return (first - datetime.timedelta(days=1)).replace(day=1)


def next_month(month: datetime.date) -> datetime.date:
    return (month.replace(day=28) + datetime.timedelta(days=4)).replace(day=1)


def add_months(month: datetime.date, count: int) -> datetime.date:
    index = month.year * 12 + month.month - 1 + count
    return datetime.date(index // 12, index % 12 + 1, 1)


def month_label(month: datetime.date) -> str:
    return f"{month.year:04d}-{month.month:02d}"


def _aware(value: datetime.date | datetime.datetime) -> datetime.datetime:
    """A date → local midnight; a naive datetime → local time; aware datetimes unchanged."""
    if not isinstance(value, datetime.datetime):
        value = datetime.datetime.combine(value, datetime.time.min)
    if timezone.is_naive(value):
        value = timezone.make_aware(value, timezone.get_current_timezone())
    return value


def month_period(month: datetime.date) -> tuple[datetime.datetime, datetime.datetime]:
    """[first instant of *month*, first instant of the next month) in local time."""
    return _aware(month), _aware(next_month(month))


def months_period(
    first: datetime.date, last: datetime.date
) -> tuple[datetime.datetime, datetime.datetime]:
    """[first instant of *first*, first instant of the month after *last*) in local time."""
    return _aware(first), _aware(next_month(last))


def period_error(start: datetime.date, end: datetime.date) -> tuple[str, str] | None:
    """``(field, message)`` when the months *start* … *end* are not an accepted period (the
    first after the last, or more than :data:`MAX_MONTHS`); ``None`` when they are."""
    if start > end:
        return "start", gettext("The first month must not be after the last.")
    if add_months(start, MAX_MONTHS - 1) < end:
        return "end", gettext("Choose at most %(count)d months.") % {"count": MAX_MONTHS}
    return None


# --- the measured clocks -------------------------------------------------------------------------

#: a measured clock counts as breached (the flag, or a stop after its goal)
BREACHED_Q = Q(breached=True) | Q(state=ClockState.STOPPED, elapsed_seconds__gt=F("goal_seconds"))


def measured_at_expression() -> Case:
    """When a clock got its outcome: its stop, or its breach while it still runs."""
    return Case(
        When(state=ClockState.STOPPED, then=F("stopped_at")),
        When(breached=True, then=F("breached_at")),
        default=None,
        output_field=DateTimeField(),
    )


def measured_clocks(
    *,
    user,
    period_start,
    period_end,
    agreement=None,
    customer=None,
    service=None,
    metric: str | None = None,
) -> QuerySet[Clock]:
    """The clocks *user* may view that are measured in [period_start, period_end)."""
    start, end = _aware(period_start), _aware(period_end)
    stopped_in = Q(state=ClockState.STOPPED, stopped_at__gte=start, stopped_at__lt=end)
    breached_in = Q(
        state__in=(ClockState.RUNNING, ClockState.PAUSED),
        breached=True,
        breached_at__gte=start,
        breached_at__lt=end,
    )
    queryset = clock_selectors.visible_clocks(user).filter(
        stopped_in | breached_in, metric__in=sorted(CLOCK_METRICS)
    )
    if metric:
        queryset = queryset.filter(metric=metric)
    if agreement is not None:
        queryset = queryset.filter(agreement=agreement)
    if customer is not None:
        queryset = queryset.filter(customer=customer)
    if service is not None:
        queryset = queryset.filter(service=service)
    return queryset


def percent(met: int, measured: int) -> Decimal | None:
    if not measured:
        return None
    return (Decimal(met) * 100 / Decimal(measured)).quantize(_ONE_DECIMAL, ROUND_HALF_UP)


def status_for(achievement: Decimal | None, target: Decimal) -> str:
    if achievement is None:
        return NO_DATA
    return MET if achievement >= target else NOT_MET


# --- achievement targets -------------------------------------------------------------------------


def is_achievement_target(target: Target) -> bool:
    """An agreement declares its own achievement target with an "other" target whose
    indicator kind is "SLA achievement target" (a percentage)."""
    return (
        target.metric == TargetMetric.OTHER
        and target.indicator_kind == TargetIndicator.SLA_ACHIEVEMENT
    )


def _achievement_target_q() -> Q:
    return Q(metric=TargetMetric.OTHER, indicator_kind=TargetIndicator.SLA_ACHIEVEMENT)


def achievement_targets(agreement_ids) -> dict[tuple[int, int | None], Decimal]:
    """``{(agreement id, service id or None): target %}`` of the given agreements (one query)."""
    rows = (
        slm_selectors.all_targets()
        .filter(_achievement_target_q(), agreement_id__in=list(agreement_ids))
        .order_by("id")
        .values_list("agreement_id", "service_id", "target_value")
    )
    found: dict[tuple[int, int | None], Decimal] = {}
    for agreement_id, service_id, value in rows:
        found.setdefault((agreement_id, service_id), Decimal(value))
    return found


def _target_for(targets: dict, agreement_id, service_id=None) -> Decimal:
    if service_id is not None and (agreement_id, service_id) in targets:
        return targets[(agreement_id, service_id)]
    return targets.get((agreement_id, None), DEFAULT_TARGET)


# --- achievement ---------------------------------------------------------------------------------


@dataclass
class AchievementRow:
    key: object
    label: str
    measured: int
    met: int
    breached: int
    achievement: Decimal | None
    target: Decimal
    status: str
    agreement_id: int | None = None
    #: the agreement's monthly report, linked from the report page (which fills it in)
    monthly_url: str | None = None

    @property
    def status_label(self):
        return STATUS_LABELS[self.status]

    @property
    def status_colour(self):
        return STATUS_COLOURS[self.status]


_GROUP_FIELDS = {
    "agreement": ("agreement_id", "agreement__number", "agreement__title"),
    "service": ("service_id", "service__code", "service__name"),
    "customer": ("customer_id", "customer__name"),
    "priority": ("priority",),
    "month": ("month",),
}


def _label(group_by: str, row: dict) -> str:
    if group_by == "agreement":
        if row["agreement_id"] is None:
            return str(_("(no agreement)"))
        return f"{row['agreement__number']} {row['agreement__title']}"
    if group_by == "service":
        if row["service_id"] is None:
            return str(_("(no service)"))
        return f"{row['service__code']} {row['service__name']}"
    if group_by == "customer":
        return row["customer__name"] or str(_("(no customer)"))
    if group_by == "priority":
        return (row["priority"] or "").upper() or str(_("(no priority)"))
    return month_label(timezone.localtime(row["month"]).date())


def _key(group_by: str, row: dict):
    if group_by == "month":
        return month_label(timezone.localtime(row["month"]).date())
    return row[_GROUP_FIELDS[group_by][0]]


def achievement(
    *,
    user,
    period_start,
    period_end,
    group_by: str = "agreement",
    metric: str | None = None,
    agreement=None,
    customer=None,
    service=None,
) -> list[AchievementRow]:
    """Measured / met / breached clocks and achievement % per *group_by* value, for the clocks
    *user* may view measured in [period_start, period_end). Two queries at most."""
    if group_by not in GROUPINGS:
        raise ValidationFailed(fields={"group_by": [str(_("Choose a valid grouping."))]})
    queryset = measured_clocks(
        user=user,
        period_start=period_start,
        period_end=period_end,
        agreement=agreement,
        customer=customer,
        service=service,
        metric=metric,
    )
    if group_by == "month":
        queryset = queryset.annotate(
            month=TruncMonth(measured_at_expression(), tzinfo=timezone.get_current_timezone())
        )
    fields = _GROUP_FIELDS[group_by]
    rows = list(
        queryset.values(*fields)
        .annotate(measured=Count("id"), breached_count=Count("id", filter=BREACHED_Q))
        .order_by(*fields)
    )
    targets: dict = {}
    fixed_target = DEFAULT_TARGET  # every row's target unless grouped by agreement
    if group_by == "agreement":
        ids = {row["agreement_id"] for row in rows if row["agreement_id"] is not None}
        targets = achievement_targets(ids) if ids else {}
    elif agreement is not None:
        agreement_id = getattr(agreement, "pk", agreement)
        fixed_target = _target_for(achievement_targets([agreement_id]), agreement_id)
    result = []
    for row in rows:
        measured = row["measured"]
        breached = row["breached_count"]
        met = measured - breached
        if group_by == "agreement":
            target = _target_for(targets, row["agreement_id"])
        else:
            target = fixed_target
        value = percent(met, measured)
        result.append(
            AchievementRow(
                key=_key(group_by, row),
                label=_label(group_by, row),
                measured=measured,
                met=met,
                breached=breached,
                achievement=value,
                target=target,
                status=status_for(value, target),
                agreement_id=row.get("agreement_id"),
            )
        )
    return result


@dataclass(frozen=True)
class Totals:
    """Measured / met / breached clocks and achievement summed over report rows."""

    measured: int
    met: int
    breached: int

    @property
    def achievement(self) -> Decimal | None:
        return percent(self.met, self.measured)

    def as_dict(self) -> dict:
        return {
            "measured": self.measured,
            "met": self.met,
            "breached": self.breached,
            "achievement": self.achievement,
        }


def totals(rows: list[AchievementRow]) -> Totals:
    """The totals of an achievement report (the figures above the table of the SLA report
    page and the SLA achievement KPI)."""
    return Totals(
        measured=sum(r.measured for r in rows),
        met=sum(r.met for r in rows),
        breached=sum(r.breached for r in rows),
    )


def overall(*, user, period_start, period_end, **filters) -> Totals:
    """SLA achievement over every clock *user* may view measured in [period_start, period_end)
    (with the report filters: agreement, customer, service, metric). One query."""
    return totals(
        achievement(
            user=user,
            period_start=period_start,
            period_end=period_end,
            group_by="customer",
            **filters,
        )
    )


def monthly_series(
    *, user, first_month: datetime.date, last_month: datetime.date, **filters
) -> list[AchievementRow]:
    """One row per month from *first_month* to *last_month* (inclusive), months without data
    included with zero counts (for a chart). One query."""
    rows = {
        row.key: row
        for row in achievement(
            user=user,
            period_start=first_month,
            period_end=next_month(last_month),
            group_by="month",
            **filters,
        )
    }
    series = []
    month = first_month
    while month <= last_month:
        label = month_label(month)
        series.append(
            rows.get(label)
            or AchievementRow(
                key=label,
                label=label,
                measured=0,
                met=0,
                breached=0,
                achievement=None,
                target=DEFAULT_TARGET,
                status=NO_DATA,
            )
        )
        month = next_month(month)
    return series


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


def breach_queryset(
    *,
    user,
    period_start,
    period_end,
    agreement=None,
    customer=None,
    service=None,
    metric: str | None = None,
) -> QuerySet:
    """The breached clocks *user* may view measured in [period_start, period_end), oldest
    breach first, as ``values()`` rows (:func:`breach_row` turns one into a :class:`BreachRow`)."""
    return _ordered_breaches(
        user=user,
        period_start=period_start,
        period_end=period_end,
        agreement=agreement,
        customer=customer,
        service=service,
        metric=metric,
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

    @property
    def unit_symbol(self) -> str:
        return unit_symbol(self.unit)


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
                    note=str(
                        AVAILABILITY_PENDING
                        if target.metric == TargetMetric.AVAILABILITY
                        else OTHER_PENDING
                    ),
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
