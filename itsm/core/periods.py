"""Report periods of whole calendar months (the problem, change and release reports): the
months ``first`` … ``last`` a user picks as ``?start=YYYY-MM&end=YYYY-MM``, their instants in
the server's time zone, their label and the query that names them again.

    period = resolve_months(start=request.GET.get("start"), end=request.GET.get("end"))
    Problem.objects.filter(created_at__gte=period.start, created_at__lt=period.end)

A bad month, a start after the end or more than ``MAX_MONTHS`` months is refused with a
translated error naming the field (``start`` or ``end``): the page shows it, the API answers
400. The desk and SLA reports keep their own periods (days, an agreement's month).
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from itsm.core.errors import ValidationFailed

MONTH = re.compile(r"^(\d{4})-(\d{2})$")
#: at most this many months in one report
MAX_MONTHS = 36


@dataclass(frozen=True)
class MonthPeriod:
    """Calendar months ``first`` … ``last`` (first days of month), both included."""

    first: datetime.date
    last: datetime.date

    @property
    def start(self) -> datetime.datetime:
        return _aware(self.first)

    @property
    def end(self) -> datetime.datetime:
        """The first instant after the period."""
        return _aware(next_month(self.last))

    @property
    def label(self) -> str:
        first, last = self.first.strftime("%Y-%m"), self.last.strftime("%Y-%m")
        return first if first == last else f"{first} – {last}"

    def months(self) -> list[datetime.date]:
        months, month = [], self.first
        while month <= self.last:
            months.append(month)
            month = next_month(month)
        return months

    def query(self) -> dict[str, str]:
        return {"start": self.first.strftime("%Y-%m"), "end": self.last.strftime("%Y-%m")}


def _aware(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def next_month(day: datetime.date) -> datetime.date:
    """The first day of the month after *day*'s."""
    return (day.replace(day=28) + datetime.timedelta(days=4)).replace(day=1)


def parse_month(name: str, value: str | None) -> datetime.date:
    """The first day of the month *value* (``YYYY-MM``), or a translated error on field *name*."""
    match = MONTH.match((value or "").strip())
    if (
        match is None
        or not 1 <= int(match.group(2)) <= 12
        or not 1900 <= int(match.group(1)) <= 2200
    ):
        raise ValidationFailed(fields={name: [str(_("Enter a month as YYYY-MM."))]})
    return datetime.date(int(match.group(1)), int(match.group(2)), 1)


def resolve_months(
    *, start: str | None = None, end: str | None = None, default_months: int = 12
) -> MonthPeriod:
    """The months ``start``…``end`` (``YYYY-MM``); by default the *default_months* months up to
    this one (or from *start* to this month)."""
    this_month = timezone.localdate().replace(day=1)
    last = parse_month("end", end) if end else this_month
    if start:
        first = parse_month("start", start)
    else:
        first = last
        for _step in range(default_months - 1):
            first = (first - datetime.timedelta(days=1)).replace(day=1)
    if first > last:
        raise ValidationFailed(fields={"start": [str(_("The start is after the end."))]})
    if len(MonthPeriod(first, last).months()) > MAX_MONTHS:
        raise ValidationFailed(
            fields={"start": [str(_("At most {n} months.").format(n=MAX_MONTHS))]}
        )
    return MonthPeriod(first, last)
