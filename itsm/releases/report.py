"""The release report (发布报告, R-REL; seed 000 §3.4 "生成发布报告"): releases finished per
month (deployed, rolled back, cancelled), by kind, the success rate, and the list of releases
finished in the period. One function, :func:`release_report`, serves the page and the API;
every figure is an aggregate in the database over ``restrict(user, "view")``.

A month is a calendar month in the server's time zone (the period is an
:class:`itsm.core.periods.MonthPeriod`, picked with ``resolve_months``); a release belongs to
the month its ``closed_at`` (deployment end, rollback or cancellation) falls in.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, Q
from django.db.models.functions import TruncMonth
from django.utils import timezone

from itsm.core.periods import MonthPeriod
from itsm.kpi.registry import percent_of
from itsm.releases import selectors
from itsm.releases.choices import FINAL_STATES, ReleaseKind, ReleaseStatus

#: at most this many releases listed (the counts cover them all)
MAX_LISTED = 200


@dataclass(frozen=True)
class MonthRow:
    month: str
    deployed: int
    rolled_back: int
    cancelled: int


@dataclass(frozen=True)
class KindRow:
    kind: str
    label: str
    deployed: int
    rolled_back: int
    cancelled: int


@dataclass(frozen=True)
class ReleaseReport:
    period: MonthPeriod
    months: list[MonthRow]
    kinds: list[KindRow]
    deployed: int
    rolled_back: int
    cancelled: int
    success_rate: Decimal | None
    releases: list  # the releases finished in the period, newest first (at most MAX_LISTED)


def _counts():
    return {
        "deployed": Count("pk", filter=Q(status=ReleaseStatus.DEPLOYED)),
        "rolled_back": Count("pk", filter=Q(status=ReleaseStatus.ROLLED_BACK)),
        "cancelled": Count("pk", filter=Q(status=ReleaseStatus.CANCELLED)),
    }


def _month_of(value: datetime.datetime) -> datetime.date:
    if timezone.is_aware(value):
        value = timezone.localtime(value)
    return value.date().replace(day=1)


def release_report(*, user, period: MonthPeriod) -> ReleaseReport:
    """The release report of *period* over the releases *user* may view."""
    finished = selectors.releases_for(user).filter(
        status__in=FINAL_STATES, closed_at__gte=period.start, closed_at__lt=period.end
    )
    by_month: dict[datetime.date, dict[str, int]] = {
        _month_of(row["month"]): dict(row)  # type: ignore[arg-type]  # the stubs miss annotate()
        for row in finished.order_by()
        .annotate(month=TruncMonth("closed_at"))
        .values("month")
        .annotate(**_counts())
    }
    months = [
        MonthRow(
            month=month.strftime("%Y-%m"),
            deployed=by_month.get(month, {}).get("deployed", 0),
            rolled_back=by_month.get(month, {}).get("rolled_back", 0),
            cancelled=by_month.get(month, {}).get("cancelled", 0),
        )
        for month in period.months()
    ]
    by_kind: dict[str, dict[str, int]] = {
        row["kind"]: dict(row)  # type: ignore[arg-type]  # the stubs miss annotate()
        for row in finished.order_by().values("kind").annotate(**_counts())
    }
    kinds = [
        KindRow(
            kind=kind.value,
            label=str(kind.label),
            deployed=by_kind.get(kind.value, {}).get("deployed", 0),
            rolled_back=by_kind.get(kind.value, {}).get("rolled_back", 0),
            cancelled=by_kind.get(kind.value, {}).get("cancelled", 0),
        )
        for kind in ReleaseKind
    ]
    deployed = sum(m.deployed for m in months)
    rolled_back = sum(m.rolled_back for m in months)
    cancelled = sum(m.cancelled for m in months)
    listed = list(finished.select_related("manager").order_by("-closed_at", "-id")[:MAX_LISTED])
    return ReleaseReport(
        period=period,
        months=months,
        kinds=kinds,
        deployed=deployed,
        rolled_back=rolled_back,
        cancelled=cancelled,
        success_rate=percent_of(deployed, deployed + rolled_back),
        releases=listed,
    )
