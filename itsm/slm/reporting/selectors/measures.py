"""Periods, the measured clocks and SLA achievement (see the package docstring for the
definitions)."""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import TYPE_CHECKING

from django.db.models import Case, Count, DateTimeField, F, Q, QuerySet, When
from django.db.models.functions import TruncMonth
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from itsm.core.errors import ValidationFailed
from itsm.slm import selectors as slm_selectors
from itsm.slm.choices import CLOCK_METRICS, TargetIndicator, TargetMetric
from itsm.slm.clocks import selectors as clock_selectors
from itsm.slm.clocks.choices import ClockState

if TYPE_CHECKING:
    from itsm.slm.clocks.models import Clock
    from itsm.slm.models import Target

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
AVAILABILITY_PENDING = _("measured on the SLAs (availability page)")
#: the availability a target's row shows (the availability module's figure vs the target)
AVAILABILITY_MEASURED = _("Measured {value} % against {target} %: {status}")
AVAILABILITY_NO_HOURS = _("No agreed service time in the month: not measured")
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
