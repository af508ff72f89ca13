"""The change report (变更报告, R-CHG-05): per period (calendar months) and optionally per
customer. One function, :func:`change_report`, serves the page, the Excel file and the API;
every figure is counted in the database over ``restrict(user, "view")`` (a customer user:
the changes affecting their organisation, never drafts).

Definitions (a month is a calendar month in the server's time zone; the period is an
:class:`itsm.core.periods.MonthPeriod`):
- *raised*: changes created in the period; *by kind*, *by status* (their status now), *by
  risk level* and the *emergency share* (emergency / raised) are over them;
- *finished*: changes closed after their review or failed, ``closed_at`` in the period;
- *change success rate* = 1 − rolled back / finished — the KPI ``change_success_rate``
  (both read :func:`itsm.change.selectors.success_counts`: one definition);
- *failed or rolled back*: the finished changes that failed or were rolled back (listed);
- *average lead time*: from raising (``created_at``) to the end of the implementation
  (``actual_end``), over the changes implemented in the period (``actual_end`` in the period,
  now in review or closed), in days;
- *conflicts found before approval* (provider staff only): over the raised changes whose
  conflicts were checked (on submission and every reschedule), the changes with conflicts in
  their last check — the list the approvers decided on — and those conflicts by kind;
- *change-caused incidents* (provider staff only): incidents linked as caused by a finished
  change (:func:`itsm.change.selectors.caused_incident_count`), with the list.
"""

from __future__ import annotations

import datetime
from collections import Counter
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Avg, Count, DurationField, ExpressionWrapper, F, Q
from django.db.models.functions import TruncMonth
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from itsm.change import selectors
from itsm.change.choices import (
    ChangeKind,
    ChangeStatus,
    ConflictKind,
    IncidentRelation,
    RiskLevel,
)
from itsm.change.models import Change
from itsm.core import policy
from itsm.core.errors import ValidationFailed
from itsm.core.models import Organisation
from itsm.core.periods import MonthPeriod, parse_month, resolve_months
from itsm.kpi.registry import percent_of

#: at most this many rows in a list of the report (the counts cover them all)
MAX_LISTED = 200


def resolve_period(
    *, month: str | None = None, start: str | None = None, end: str | None = None
) -> MonthPeriod:
    """One ``month``, or the months ``start``…``end`` (``YYYY-MM``,
    :func:`itsm.core.periods.resolve_months`); default the twelve months up to this one."""
    if month and (start or end):
        raise ValidationFailed(
            fields={"month": [str(_("Give a month, or a start and an end month, not both."))]}
        )
    if month:
        one = parse_month("month", month)
        return MonthPeriod(one, one)
    return resolve_months(start=start, end=end)


def _days(value: datetime.timedelta | None) -> Decimal | None:
    if value is None:
        return None
    return (Decimal(value.total_seconds()) / Decimal(86400)).quantize(
        Decimal("0.1"), rounding=ROUND_HALF_UP
    )


@dataclass(frozen=True)
class Ratio:
    numerator: int
    denominator: int

    @property
    def value(self) -> Decimal | None:
        """The KPI catalogue's rounding (``kpi.registry.percent_of``), so report and KPI
        agree."""
        return percent_of(self.numerator, self.denominator)


@dataclass(frozen=True)
class CountRow:
    code: str
    label: str
    count: int


@dataclass(frozen=True)
class MonthRow:
    month: str
    raised: dict[str, int]  # by kind
    closed: int
    failed: int


@dataclass(frozen=True)
class ChangeRow:
    id: int
    number: str
    title: str
    kind: str
    kind_label: str
    risk_level: str
    risk_label: str
    closed_at: datetime.datetime | None
    rolled_back: bool
    outcome_note: str


@dataclass(frozen=True)
class IncidentRow:
    ticket_id: int
    ticket_number: str
    ticket_title: str
    change_id: int
    change_number: str


@dataclass(frozen=True)
class Conflicts:
    checked: int
    with_conflicts: int
    by_kind: list[CountRow]


@dataclass(frozen=True)
class ChangeReport:
    period: MonthPeriod
    customer: Organisation | None  # the customer the report is narrowed to
    internal: bool  # provider staff: the conflicts and the incidents are shown
    raised: int
    by_kind: list[CountRow]
    by_status: list[CountRow]
    by_risk: list[CountRow]
    months: list[MonthRow]
    finished: int
    closed: int
    failed: int
    rolled_back: int
    success: Ratio
    emergency: Ratio
    implemented: int
    mean_days_lead_time: Decimal | None
    failures: list[ChangeRow]
    failures_total: int
    conflicts: Conflicts | None
    caused_incidents: int | None
    incidents: list[IncidentRow] | None


def _month_key(value) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime.datetime):
        value = timezone.localtime(value) if timezone.is_aware(value) else value
    return value.strftime("%Y-%m")


def _per_month(rows, field: str) -> dict[str, int]:
    tz = timezone.get_current_timezone()
    counted = (
        rows.annotate(m=TruncMonth(field, tzinfo=tz))
        .values_list("m")
        .annotate(n=Count("id"))
        .values_list("m", "n")
    )
    totals: Counter[str] = Counter()
    for month, n in counted:
        totals[_month_key(month)] += n
    return dict(totals)


def _counts(rows, field: str, choices) -> list[CountRow]:
    """*rows* counted by *field*, every choice listed (zero too) in the choices' order, then a
    "Not recorded" row when some have none."""
    found = dict(rows.values_list(field).annotate(n=Count("id")).values_list(field, "n"))
    result = [CountRow(code, str(label), found.get(code, 0)) for code, label in choices]
    missing = sum(n for code, n in found.items() if code not in dict(choices))
    if missing:
        result.append(CountRow("", str(_("Not recorded")), missing))
    return result


def changes_of(*, user, customer=None):
    """The changes the report counts: those *user* may view, of *customer* when given."""
    rows = selectors.changes_for(user)
    if customer is not None:
        rows = rows.filter(customers=customer)
    return rows


def change_report(*, user, period: MonthPeriod, customer=None) -> ChangeReport:
    """Every figure of the report for *period* (and *customer*), over the changes *user* may
    see."""
    rows = changes_of(user=user, customer=customer)
    start, end = period.start, period.end
    raised_rows = rows.filter(created_at__gte=start, created_at__lt=end)
    finished_rows = rows.filter(
        status__in=(ChangeStatus.CLOSED, ChangeStatus.FAILED),
        closed_at__gte=start,
        closed_at__lt=end,
    )
    kinds = list(ChangeKind.choices)
    by_kind = _counts(raised_rows, "kind", kinds)
    raised = sum(row.count for row in by_kind)
    emergency = next(row.count for row in by_kind if row.code == ChangeKind.EMERGENCY)

    keys = [m.strftime("%Y-%m") for m in period.months()]
    raised_by_kind = {
        kind: _per_month(raised_rows.filter(kind=kind), "created_at") for kind, _label in kinds
    }
    closed_by_month = _per_month(finished_rows.filter(status=ChangeStatus.CLOSED), "closed_at")
    failed_by_month = _per_month(finished_rows.filter(status=ChangeStatus.FAILED), "closed_at")
    months = [
        MonthRow(
            key,
            {kind: raised_by_kind[kind].get(key, 0) for kind, _label in kinds},
            closed_by_month.get(key, 0),
            failed_by_month.get(key, 0),
        )
        for key in keys
    ]

    finished = finished_rows.aggregate(
        closed=Count("id", filter=Q(status=ChangeStatus.CLOSED)),
        failed=Count("id", filter=Q(status=ChangeStatus.FAILED)),
    )
    succeeded, total = selectors.success_counts(
        user=user, since=start, until=end, customer=customer
    )
    implemented = rows.filter(
        actual_end__gte=start,
        actual_end__lt=end,
        status__in=(ChangeStatus.REVIEW, ChangeStatus.CLOSED),
    ).aggregate(
        n=Count("id"),
        mean=Avg(
            ExpressionWrapper(F("actual_end") - F("created_at"), output_field=DurationField())
        ),
    )

    failure_rows = finished_rows.filter(Q(status=ChangeStatus.FAILED) | Q(rolled_back=True))
    kind_labels, risk_labels = dict(ChangeKind.choices), dict(RiskLevel.choices)
    failures = [
        ChangeRow(
            id=pk,
            number=number,
            title=title,
            kind=kind,
            kind_label=str(kind_labels.get(kind, kind)),
            risk_level=risk,
            risk_label=str(risk_labels.get(risk, "")) if risk else "",
            closed_at=closed_at,
            rolled_back=rolled_back,
            outcome_note=note,
        )
        for pk, number, title, kind, risk, closed_at, rolled_back, note in failure_rows.order_by(
            "closed_at", "id"
        ).values_list(
            "id",
            "number",
            "title",
            "kind",
            "risk_level",
            "closed_at",
            "rolled_back",
            "outcome_note",
        )[:MAX_LISTED]
    ]

    internal = policy.sees_internal(user, Change)
    conflicts = incidents = caused = None
    if internal:
        conflicts = _conflicts(raised_rows)
        caused = selectors.caused_incident_count(
            user=user, since=start, until=end, customer=customer
        )
        incidents = _incidents(user, finished_rows)
    return ChangeReport(
        period=period,
        customer=customer,
        internal=internal,
        raised=raised,
        by_kind=by_kind,
        by_status=_counts(raised_rows, "status", list(ChangeStatus.choices)),
        by_risk=_counts(raised_rows, "risk_level", list(RiskLevel.choices)),
        months=months,
        finished=finished["closed"] + finished["failed"],
        closed=finished["closed"],
        failed=finished["failed"],
        rolled_back=total - succeeded,
        success=Ratio(succeeded, total),
        emergency=Ratio(emergency, raised),
        implemented=implemented["n"],
        mean_days_lead_time=_days(implemented["mean"]),
        failures=failures,
        failures_total=failure_rows.count(),
        conflicts=conflicts,
        caused_incidents=caused,
        incidents=incidents,
    )


def _conflicts(raised_rows) -> Conflicts:
    checked = raised_rows.filter(conflicts_checked_at__isnull=False)
    with_conflicts = checked.exclude(conflicts=[])
    kinds: Counter[str] = Counter()
    for items in with_conflicts.values_list("conflicts", flat=True).iterator():
        for item in items or []:
            kinds[str(item.get("kind", ""))] += 1
    labels = dict(ConflictKind.choices)
    return Conflicts(
        checked=checked.count(),
        with_conflicts=with_conflicts.count(),
        by_kind=[CountRow(code, str(label), kinds.get(code, 0)) for code, label in labels.items()],
    )


def _incidents(user, finished_rows) -> list[IncidentRow]:
    links = (
        selectors.incident_links_for(user)
        .filter(relation=IncidentRelation.CAUSED, change__in=finished_rows.values("pk"))
        .order_by("ticket_id", "change_id")
        .values_list("ticket_id", "ticket__number", "ticket__title", "change_id", "change__number")
    )
    return [IncidentRow(*row) for row in links[:MAX_LISTED]]
