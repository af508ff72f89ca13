"""The problem report (问题报告, R-PRB-02; seed 000 §3.4 "完成问题报告"): problems opened and
resolved per month, by cause category, mean time to known error and to resolution, incidents
per problem. One function, :func:`problem_report`, serves the page, the Excel file, the API
and the KPIs; every figure is an aggregate in the database over ``restrict(user, "view")``.

Definitions (a month is a calendar month in the server's time zone; the period is an
:class:`itsm.core.periods.MonthPeriod`, picked with ``resolve_months``):
- *opened*: problems created in the month; *resolved*: problems whose ``resolved_at`` is in
  the month (a reopened problem leaves the month it was resolved in until resolved again);
- *by cause category*: problems resolved in the period, by their cause category;
- *mean time to known error*: over problems that became a known error in the period, from
  creation to ``known_error_at``; *mean time to resolution*: over problems resolved in the
  period, from creation to ``resolved_at``; both in days;
- *incidents per problem*: links to incidents of the problems opened in the period / those
  problems;
- *completeness* (问题管理过程的完整性): problems resolved in the period whose analysis is
  recorded — method, root cause, cause category, and a workaround or a fix — / resolved;
- *effectiveness* (问题解决评估机制的有效性): problems resolved in the period never reopened /
  resolved.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Avg, Count, DurationField, ExpressionWrapper, F, Q
from django.db.models.functions import TruncMonth
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from itsm.core.periods import MonthPeriod
from itsm.kpi.registry import percent_of
from itsm.problems.choices import CauseCategory, ProblemStatus
from itsm.problems.models import Problem


def percent(numerator: int, denominator: int) -> Decimal | None:
    """The KPI catalogue's rounding (``kpi.registry.percent_of``), so report and KPI agree."""
    return percent_of(numerator, denominator)


def _days(value: datetime.timedelta | None) -> Decimal | None:
    if value is None:
        return None
    return (Decimal(value.total_seconds()) / Decimal(86400)).quantize(
        Decimal("0.1"), rounding=ROUND_HALF_UP
    )


@dataclass(frozen=True)
class MonthRow:
    month: str
    opened: int
    resolved: int


@dataclass(frozen=True)
class CauseRow:
    cause_category: str
    label: str
    count: int


@dataclass(frozen=True)
class Ratio:
    numerator: int
    denominator: int

    @property
    def value(self) -> Decimal | None:
        return percent(self.numerator, self.denominator)


@dataclass(frozen=True)
class ProblemReport:
    period: MonthPeriod
    opened: int
    resolved: int
    open_at_end: int
    months: list[MonthRow]
    causes: list[CauseRow]
    mean_days_to_known_error: Decimal | None
    known_errors: int
    mean_days_to_resolution: Decimal | None
    incident_links: int
    incidents_per_problem: Decimal | None
    completeness: Ratio
    effectiveness: Ratio


def _month_key(value) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime.datetime):
        value = timezone.localtime(value) if timezone.is_aware(value) else value
    return value.strftime("%Y-%m")


def _duration(start: str, end: str):
    return ExpressionWrapper(F(end) - F(start), output_field=DurationField())


def problem_report(*, user, period: MonthPeriod) -> ProblemReport:
    """Every figure of the report for *period*, counted over the problems *user* may see."""
    rows = Problem.objects.restrict(user, "view")
    start, end = period.start, period.end
    in_period = {"created_at__gte": start, "created_at__lt": end}
    resolved_in = {"resolved_at__gte": start, "resolved_at__lt": end}
    tz = timezone.get_current_timezone()
    opened_by_month = dict(
        rows.filter(**in_period)
        .annotate(m=TruncMonth("created_at", tzinfo=tz))
        .values_list("m")
        .annotate(n=Count("id"))
        .values_list("m", "n")
    )
    resolved_by_month = dict(
        rows.filter(**resolved_in)
        .annotate(m=TruncMonth("resolved_at", tzinfo=tz))
        .values_list("m")
        .annotate(n=Count("id"))
        .values_list("m", "n")
    )
    opened = {_month_key(k): v for k, v in opened_by_month.items()}
    resolved = {_month_key(k): v for k, v in resolved_by_month.items()}
    keys = [m.strftime("%Y-%m") for m in period.months()]
    months = [MonthRow(k, opened.get(k, 0), resolved.get(k, 0)) for k in keys]
    labels = dict(CauseCategory.choices)
    causes = [
        CauseRow(code or "", str(labels.get(code, _("Not recorded"))), n)
        for code, n in rows.filter(**resolved_in)
        .values_list("cause_category")
        .annotate(n=Count("id"))
        .order_by("-n", "cause_category")
        .values_list("cause_category", "n")
    ]
    resolved_rows = rows.filter(**resolved_in)
    figures = resolved_rows.aggregate(
        resolved=Count("id"),
        mean=Avg(_duration("created_at", "resolved_at")),
        complete=Count(
            "id",
            filter=~Q(rca_method="")
            & ~Q(root_cause="")
            & ~Q(cause_category="")
            & (~Q(workaround="") | ~Q(fix="")),
        ),
        not_reopened=Count("id", filter=Q(reopen_count=0)),
    )
    known = rows.filter(known_error_at__gte=start, known_error_at__lt=end).aggregate(
        n=Count("id"), mean=Avg(_duration("created_at", "known_error_at"))
    )
    opened_rows = rows.filter(**in_period)
    links = opened_rows.aggregate(problems=Count("id", distinct=True), links=Count("incidents"))
    open_at_end = (
        rows.filter(created_at__lt=end)
        .exclude(status=ProblemStatus.CANCELLED)
        .filter(Q(resolved_at__isnull=True) | Q(resolved_at__gte=end))
        .exclude(closed_at__lt=end)
        .count()
    )
    per_problem = (
        (Decimal(links["links"]) / Decimal(links["problems"])).quantize(Decimal("0.1"))
        if links["problems"]
        else None
    )
    return ProblemReport(
        period=period,
        opened=sum(opened.values()),
        resolved=figures["resolved"],
        open_at_end=open_at_end,
        months=months,
        causes=causes,
        mean_days_to_known_error=_days(known["mean"]),
        known_errors=known["n"],
        mean_days_to_resolution=_days(figures["mean"]),
        incident_links=links["links"],
        incidents_per_problem=per_problem,
        completeness=Ratio(figures["complete"], figures["resolved"]),
        effectiveness=Ratio(figures["not_reopened"], figures["resolved"]),
    )
