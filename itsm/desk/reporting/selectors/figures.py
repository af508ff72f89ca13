"""The figures of the service desk and incident reports, each computed in the database by one
aggregate query over the desk's restricted querysets (``itsm.desk.selectors``), and the SLA
clocks of incidents (``itsm.slm.reporting.selectors.measured_clocks``, the SLA reports' own
definition of a measured and a breached clock).

Each function here is *the* formula of its figure: the report page, its Excel file, its API
and the KPI catalogue (``itsm/desk/reporting/kpis.py``) all call it. Definitions:
``docs/desk-reports.md``.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db.models import (
    Count,
    DurationField,
    ExpressionWrapper,
    F,
    OuterRef,
    Q,
    Subquery,
    Sum,
)
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _

from itsm.cmdb import selectors as cmdb_selectors
from itsm.core import policy
from itsm.core.formatting import field_label
from itsm.desk import selectors as desk
from itsm.desk.choices import CallOutcome, TicketKind, TicketStatus
from itsm.desk.reporting.selectors.periods import ReportPeriod
from itsm.kpi.registry import percent_of
from itsm.slm.reporting import selectors as sla_reports

#: the kinds in the order every table lists them
KINDS = (TicketKind.INCIDENT, TicketKind.REQUEST, TicketKind.CONSULTATION)
#: rows of the top-category and top-CI tables
TOP = 10
#: incomplete incidents listed on the page (the Excel file lists them all)
INCOMPLETE_PAGE = 20
SCORES = (1, 2, 3, 4, 5)
_TWO_DECIMALS = Decimal("0.01")


@dataclass(frozen=True)
class Ratio:
    """``numerator / denominator`` as a percentage with one decimal (``None`` over nothing)."""

    numerator: int
    denominator: int

    @property
    def value(self) -> Decimal | None:
        return percent_of(self.numerator, self.denominator)

    def as_dict(self) -> dict:
        return {"numerator": self.numerator, "denominator": self.denominator, "value": self.value}


# --- tickets: volumes, completeness, resolution, request completion -----------------------------


@dataclass(frozen=True)
class KindFigures:
    """The ticket counts of one kind (or of all kinds: ``kind == ""``) for a period."""

    kind: str
    #: opened in the period
    opened: int = 0
    #: resolved in the period (``resolved_at``)
    resolved: int = 0
    #: closed in the period (``closed_at``; a cancelled ticket is closed too, but not counted)
    closed: int = 0
    #: resolved in the period, or closed there without a resolution time, not cancelled
    #: (resolution rate)
    finished: int = 0
    #: open at the end of the period (opened before it ends, not finished nor cancelled by then)
    backlog: int = 0
    #: opened in the period with a complete record (``is_complete``)
    complete: int = 0
    #: opened in the period and cancelled (at any time)
    cancelled: int = 0
    #: opened in the period, not cancelled, resolved or closed before the period ends
    fulfilled: int = 0

    @property
    def label(self) -> str:
        return str(TicketKind(self.kind).label) if self.kind else str(_("All tickets"))

    @property
    def completeness(self) -> Ratio:
        """事件记录完整率: complete records / opened."""
        return Ratio(self.complete, self.opened)

    @property
    def resolution_rate(self) -> Ratio:
        """事件解决率: finished in the period / opened in the period (may exceed 100 %)."""
        return Ratio(self.finished, self.opened)

    @property
    def completion(self) -> Ratio:
        """服务请求完成率: fulfilled / opened and not cancelled."""
        return Ratio(self.fulfilled, self.opened - self.cancelled)

    def as_dict(self) -> dict:
        return {
            "kind": self.kind,
            "opened": self.opened,
            "resolved": self.resolved,
            "closed": self.closed,
            "finished": self.finished,
            "backlog": self.backlog,
            "complete": self.complete,
            "cancelled": self.cancelled,
            "fulfilled": self.fulfilled,
        }


_COUNTED = (
    "opened",
    "resolved",
    "closed",
    "finished",
    "backlog",
    "complete",
    "cancelled",
    "fulfilled",
)


def _between(name: str, start, end) -> Q:
    return Q(**{f"{name}__gte": start, f"{name}__lt": end})


def _tickets(user, customer):
    tickets = desk.tickets_for(user)
    if customer is not None:
        tickets = tickets.filter(customer=customer)
    return tickets


@dataclass(frozen=True)
class TrendRow:
    month: str  # YYYY-MM
    opened: dict[str, int]  # per kind
    finished: int

    @property
    def opened_total(self) -> int:
        return sum(self.opened.values())

    def as_dict(self) -> dict:
        return {
            "month": self.month,
            "opened": dict(self.opened),
            "opened_total": self.opened_total,
            "finished": self.finished,
        }


@dataclass(frozen=True)
class TicketScan:
    """What one pass over the tickets counts: the figures per kind and the trend."""

    kinds: dict[str, KindFigures]
    trend: list[TrendRow]


def _months(period: ReportPeriod) -> list[tuple[str, datetime.datetime, datetime.datetime]]:
    """``(YYYY-MM, first instant, first instant of the next month)`` of the trend's months."""
    months = []
    month = period.trend_first_month
    while month <= period.trend_last_month:
        start, end = sla_reports.month_period(month)
        months.append((sla_reports.month_label(month), start, end))
        month = sla_reports.next_month(month)
    return months


def ticket_scan(*, user, period: ReportPeriod, customer=None) -> TicketScan:
    """The ticket figures of the period per kind (:class:`KindFigures`) and the trend of the
    twelve months ending with the period's last month (tickets opened per month and kind;
    tickets finished — resolved, or closed without a resolution time — per month), over the
    tickets *user* may view (of *customer*, when given).

    ONE query, one pass over the tickets opened before the later of the period's and the
    trend's ends, grouped by kind: every figure is a ``COUNT … FILTER``, each month of the
    trend one pair of them with bounds at local midnight (grouping by ``TruncMonth`` instead
    took two more passes, and converting every row's time to the reader's zone cost more than
    the whole scan: ``docs/desk-reports.md``, "Cost")."""
    start, end = period.start, period.end
    months = _months(period)
    scan_end = max(end, months[-1][2])
    opened = _between("opened_at", start, end)
    done_by_end = Q(resolved_at__lt=end) | Q(closed_at__lt=end)
    # a cancelled ticket leaves the backlog when it is closed, else at its last change
    cancelled_by_end = Q(status=TicketStatus.CANCELLED) & (
        Q(closed_at__lt=end) | Q(closed_at__isnull=True, updated_at__lt=end)
    )
    cancelled = Q(status=TicketStatus.CANCELLED)
    counts = {
        "opened": Count("id", filter=opened),
        "resolved": Count("id", filter=_between("resolved_at", start, end)),
        "closed": Count("id", filter=_between("closed_at", start, end) & ~cancelled),
        "finished": Count("id", filter=_between("finished_at", start, end) & ~cancelled),
        "backlog": Count("id", filter=Q(opened_at__lt=end) & ~done_by_end & ~cancelled_by_end),
        "complete": Count("id", filter=opened & Q(is_complete=True)),
        "cancelled": Count("id", filter=opened & cancelled),
        "fulfilled": Count("id", filter=opened & ~cancelled & done_by_end),
    }
    for index, (_label, month_start, month_end) in enumerate(months):
        counts[f"opened_m{index}"] = Count(
            "id", filter=_between("opened_at", month_start, month_end)
        )
        counts[f"finished_m{index}"] = Count(
            "id", filter=_between("finished_at", month_start, month_end) & ~cancelled
        )
    rows = (
        _tickets(user, customer)
        .filter(opened_at__lt=scan_end)
        .annotate(finished_at=Coalesce("resolved_at", "closed_at"))
        .values("kind")
        .annotate(**counts)
        .order_by("kind")
    )
    found: dict[str, Any] = {row["kind"]: row for row in rows}
    kinds = {
        kind.value: KindFigures(
            kind=kind.value, **{name: found.get(kind.value, {}).get(name, 0) for name in _COUNTED}
        )
        for kind in KINDS
    }
    trend = [
        TrendRow(
            month=label,
            opened={
                kind.value: found.get(kind.value, {}).get(f"opened_m{index}", 0) for kind in KINDS
            },
            finished=sum(row[f"finished_m{index}"] for row in found.values()),
        )
        for index, (label, _start, _end) in enumerate(months)
    ]
    return TicketScan(kinds=kinds, trend=trend)


def ticket_figures(*, user, period: ReportPeriod, customer=None) -> dict[str, KindFigures]:
    """Per kind (every kind a key, zeros included): the counts of :class:`KindFigures` (the
    figures of :func:`ticket_scan`)."""
    return ticket_scan(user=user, period=period, customer=customer).kinds


def all_kinds(figures: dict[str, KindFigures]) -> KindFigures:
    """The sum over every kind."""
    return KindFigures(
        kind="", **{name: sum(getattr(f, name) for f in figures.values()) for name in _COUNTED}
    )


def trend(*, user, period: ReportPeriod, customer=None) -> list[TrendRow]:
    """The trend of :func:`ticket_scan`: per month of the twelve ending with the period's
    last month, tickets opened per kind and tickets finished, months without tickets
    included."""
    return ticket_scan(user=user, period=period, customer=customer).trend


# --- SLA of incidents ---------------------------------------------------------------------------


@dataclass(frozen=True)
class SlaFigures:
    metric: str  # response / resolution
    measured: int
    breached: int

    @property
    def met(self) -> int:
        return self.measured - self.breached

    @property
    def achievement(self) -> Ratio:
        return Ratio(self.met, self.measured)

    @property
    def label(self) -> str:
        return str(dict(sla_reports.METRIC_CHOICES)[self.metric])

    def as_dict(self) -> dict:
        return {
            "metric": self.metric,
            "measured": self.measured,
            "met": self.met,
            "breached": self.breached,
            "achievement": self.achievement.value,
        }


def ticket_content_type() -> ContentType:
    return ContentType.objects.get_for_model(desk.all_tickets().model)


def incident_sla(*, user, period: ReportPeriod, customer=None) -> dict[str, SlaFigures]:
    """Response and resolution clocks of the incidents *user* may view, measured in the
    period as the SLA reports measure them (stopped there, or breached there while running),
    and how many breached. One query."""
    # Whether a measured clock is an incident's: its ticket read by primary key (a correlated
    # scalar subquery, never flattened into a join), in the counts' FILTER rather than the
    # WHERE so that the planner costs it per measured clock, not per clock scanned. As
    # ``object_id IN (incidents)`` the planner hashed every incident the user may view: a
    # pass over the whole ticket table for a month's few thousand clocks
    # (docs/desk-reports.md, "Cost").
    kind = _tickets(user, customer).filter(pk=OuterRef("object_id")).values("kind")[:1]
    incident = Q(ticket_kind=TicketKind.INCIDENT)
    rows = (
        sla_reports.measured_clocks(
            user=user, period_start=period.start, period_end=period.end, customer=customer
        )
        .filter(content_type=ticket_content_type())
        .alias(ticket_kind=Subquery(kind))
        .values("metric")
        .annotate(
            measured=Count("id", filter=incident),
            breached=Count("id", filter=sla_reports.BREACHED_Q & incident),
        )
        .order_by("metric")
    )
    found: dict[str, Any] = {row["metric"]: row for row in rows}
    return {
        metric: SlaFigures(
            metric=metric,
            measured=found.get(metric, {}).get("measured", 0),
            breached=found.get(metric, {}).get("breached", 0),
        )
        for metric, _label in sla_reports.METRIC_CHOICES
    }


# --- top categories and CIs ---------------------------------------------------------------------


@dataclass(frozen=True)
class TopRow:
    key: int | None
    label: str
    count: int

    def as_dict(self) -> dict:
        return {"id": self.key, "label": self.label, "count": self.count}


def _incidents_opened(user, period: ReportPeriod, customer):
    return _tickets(user, customer).filter(
        kind=TicketKind.INCIDENT, opened_at__gte=period.start, opened_at__lt=period.end
    )


def top_categories(*, user, period: ReportPeriod, customer=None, limit: int = TOP) -> list[TopRow]:
    """The categories of the most incidents opened in the period (no category: one row)."""
    rows = (
        _incidents_opened(user, period, customer)
        .values("category_id", "category__code", "category__name")
        .annotate(n=Count("id"))
        .order_by("-n", "category__code")[:limit]
    )
    return [
        TopRow(
            key=row["category_id"],
            label=row["category__name"] if row["category_id"] else str(_("(no category)")),
            count=row["n"],
        )
        for row in rows
    ]


def top_cis(*, user, period: ReportPeriod, customer=None, limit: int = TOP) -> list[TopRow]:
    """The configuration items named on the most incidents opened in the period, among the CIs
    *user* may view (a customer: their own organisation's, never shared infrastructure)."""
    cis = cmdb_selectors.all_cis().model
    if not policy.can(user, cis, "view"):
        return []
    conditions: dict[str, Any] = {"cis__isnull": False}
    scope = policy.tenant_scope(user, cis)
    if scope is not None:
        # the CI's own tenancy as a condition of the same join (one filter() call): a
        # subquery of the user's CIs made the planner walk every ticket's CIs (2.4 s at 1 M)
        field, organisation = scope
        if not field or policy.policy_for(cis).external_filter is not None:
            conditions["cis__in"] = cmdb_selectors.cis_for(user).values("id")
        else:
            conditions[f"cis__{field}"] = organisation
    rows = (
        _incidents_opened(user, period, customer)
        .filter(**conditions)
        .values("cis", "cis__number", "cis__name")
        .annotate(n=Count("id"))
        .order_by("-n", "cis__number")[:limit]
    )
    return [
        TopRow(key=row["cis"], label=f"{row['cis__number']} {row['cis__name']}", count=row["n"])
        for row in rows
    ]


# --- first-time dispatch success ----------------------------------------------------------------


def shows_dispatch(user) -> bool:
    """Dispatches are the desk's internal working data (provider staff)."""
    return policy.can_reach(user, desk.assignments_for(user).model)


def first_time_dispatch(*, user, period: ReportPeriod, customer=None) -> Ratio:
    """一次派单成功率: of the tickets whose first dispatch happened in the period, those whose
    first dispatch was never returned and that were never reassigned to another group. One
    query; zero for a user who may not view dispatches."""
    assignments = desk.assignments_for(user)
    # Both tests read one row by index per dispatch of the period (correlated scalar
    # subqueries, which the planner keeps as such): the ticket's first dispatch
    # (``desk_assignment_ticket_at``) and, for the unreturned first dispatches only, the
    # ticket's reassignment count (its primary key). As ``NOT EXISTS`` an earlier dispatch
    # and a join to the tickets, the planner hashed every dispatch and every ticket ever made
    # for the month's few thousand (docs/desk-reports.md, "Cost").
    first = assignments.filter(ticket=OuterRef("ticket")).order_by("at", "id").values("id")
    reassigned = desk.all_tickets().filter(pk=OuterRef("ticket_id")).values("reassignment_count")
    firsts = (
        assignments.filter(at__gte=period.start, at__lt=period.end)
        .alias(first_id=Subquery(first[:1]))
        .filter(first_id=F("id"))
    )
    if customer is not None:
        firsts = firsts.filter(ticket__customer=customer)
    counts = firsts.alias(reassigned=Subquery(reassigned[:1])).aggregate(
        dispatched=Count("id"),
        first_time=Count("id", filter=Q(returned_at__isnull=True) & Q(reassigned=0)),
    )
    return Ratio(counts["first_time"], counts["dispatched"])


# --- incomplete incidents -----------------------------------------------------------------------


def incomplete_incidents(*, user, period: ReportPeriod, customer=None):
    """The incidents opened in the period whose record is incomplete, oldest first (a
    queryset of ``values()``: slice it for a page, iterate it for a file)."""
    return (
        _incidents_opened(user, period, customer)
        .filter(is_complete=False)
        .order_by("opened_at", "id")
        .values("id", "number", "title", "opened_at", "missing_fields", "customer__name")
    )


def missing_labels(names) -> list[str]:
    """The names of an incomplete incident's missing fields as the page shows them: the
    fields' verbose names in the active language (the stored names are codes)."""
    model = desk.all_tickets().model
    return [field_label(model, name) for name in names or ()]


# --- satisfaction -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Satisfaction:
    """Survey scores (1–5) answered in the period."""

    distribution: dict[int, int] = field(default_factory=dict)

    @property
    def count(self) -> int:
        return sum(self.distribution.values())

    @property
    def total(self) -> int:
        return sum(score * n for score, n in self.distribution.items())

    @property
    def mean(self) -> Decimal | None:
        """客户满意度: the mean score, two decimals (half up); ``None`` without answers."""
        if not self.count:
            return None
        return (Decimal(self.total) / Decimal(self.count)).quantize(_TWO_DECIMALS, ROUND_HALF_UP)

    def as_dict(self) -> dict:
        return {
            "mean": self.mean,
            "count": self.count,
            "distribution": {str(score): self.distribution.get(score, 0) for score in SCORES},
        }


def satisfaction(*, user, period: ReportPeriod, customer=None) -> Satisfaction:
    """Scores of the surveys *user* may view answered in the period. One query."""
    surveys = desk.surveys_for(user).filter(
        answered_at__gte=period.start, answered_at__lt=period.end, score__isnull=False
    )
    if customer is not None:
        surveys = surveys.filter(ticket__customer=customer)
    rows = surveys.values("score").annotate(n=Count("id")).order_by("score")
    found = {row["score"]: row["n"] for row in rows}
    return Satisfaction({score: found.get(score, 0) for score in SCORES})


# --- desk calls (R-DSK-06) ----------------------------------------------------------------------


@dataclass(frozen=True)
class CallFigures:
    calls: int
    answered: int
    logged: int
    #: answered calls with an end time, and their total length
    timed: int
    talk_seconds: int

    @property
    def answer_rate(self) -> Ratio:
        """接听率: answered / all calls."""
        return Ratio(self.answered, self.calls)

    @property
    def logging_rate(self) -> Ratio:
        """录单率: answered calls that became a new ticket / answered calls."""
        return Ratio(self.logged, self.answered)

    @property
    def average_seconds(self) -> int | None:
        """平均通话时间: total length / answered calls with an end, whole seconds (half up)."""
        if not self.timed:
            return None
        return int(
            (Decimal(self.talk_seconds) / Decimal(self.timed)).quantize(Decimal(1), ROUND_HALF_UP)
        )

    def as_dict(self) -> dict:
        return {
            "calls": self.calls,
            "answered": self.answered,
            "logged": self.logged,
            "timed": self.timed,
            "answer_rate": self.answer_rate.value,
            "logging_rate": self.logging_rate.value,
            "average_seconds": self.average_seconds,
        }


def shows_calls(user) -> bool:
    """Call measures are internal: provider staff who may view calls."""
    model = desk.calls_for(user).model
    return policy.can_reach(user, model) and policy.is_provider_staff(user)


def call_figures(*, user, period: ReportPeriod, customer=None) -> CallFigures:
    """The calls *user* may view that started in the period (of *customer*'s people). One
    query."""
    calls = desk.calls_for(user).filter(started_at__gte=period.start, started_at__lt=period.end)
    if customer is not None:
        calls = calls.filter(organisation=customer)
    answered = Q(answered=True)
    timed = answered & Q(ended_at__isnull=False)
    counts = calls.aggregate(
        n_calls=Count("id"),
        n_answered=Count("id", filter=answered),
        n_logged=Count("id", filter=answered & Q(outcome=CallOutcome.TICKET)),
        n_timed=Count("id", filter=timed),
        talk=Sum(
            ExpressionWrapper(F("ended_at") - F("started_at"), output_field=DurationField()),
            filter=timed,
        ),
    )
    talk = counts["talk"]
    return CallFigures(
        calls=counts["n_calls"],
        answered=counts["n_answered"],
        logged=counts["n_logged"],
        timed=counts["n_timed"],
        talk_seconds=int(talk.total_seconds()) if talk is not None else 0,
    )
