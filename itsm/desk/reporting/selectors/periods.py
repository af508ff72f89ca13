"""The period of a desk report: a month (the default: the last full month) or a range of days.

A period is ``[start, end)`` in the reader's time zone (the active one): from local midnight
of its first day to local midnight after its last day, as the SLA reports count months.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass

from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from itsm.core.errors import ValidationFailed
from itsm.slm.reporting import selectors as sla_reports

#: the longest range of days a report accepts (a year, leap day included)
MAX_DAYS = 366
#: months of the trend chart (ending with the period's last month)
TREND_MONTHS = 12
_DATE_RE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")


@dataclass(frozen=True)
class ReportPeriod:
    """The days *first_day* … *last_day* (both included)."""

    first_day: datetime.date
    last_day: datetime.date

    @property
    def start(self) -> datetime.datetime:
        """Local midnight of the first day (aware)."""
        return _local_midnight(self.first_day)

    @property
    def end(self) -> datetime.datetime:
        """Local midnight after the last day (aware): the period is ``[start, end)``."""
        return _local_midnight(self.last_day + datetime.timedelta(days=1))

    @property
    def is_month(self) -> bool:
        return (
            self.first_day.day == 1
            and self.first_day.replace(day=1) == self.last_day.replace(day=1)
            and sla_reports.next_month(self.first_day) - datetime.timedelta(days=1) == self.last_day
        )

    @property
    def month(self) -> str:
        """``YYYY-MM`` of the last day's month."""
        return sla_reports.month_label(self.last_day)

    @property
    def label(self) -> str:
        if self.is_month:
            return sla_reports.month_label(self.first_day)
        return f"{self.first_day.isoformat()} – {self.last_day.isoformat()}"

    @property
    def trend_first_month(self) -> datetime.date:
        return sla_reports.add_months(self.last_day.replace(day=1), -(TREND_MONTHS - 1))

    @property
    def trend_last_month(self) -> datetime.date:
        return self.last_day.replace(day=1)

    def query(self) -> dict[str, str]:
        """The query string naming this period (``month=`` or ``start=&end=``)."""
        if self.is_month:
            return {"month": sla_reports.month_label(self.first_day)}
        return {"start": self.first_day.isoformat(), "end": self.last_day.isoformat()}


def _local_midnight(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(
        datetime.datetime.combine(day, datetime.time.min), timezone.get_current_timezone()
    )


def month_period(month: datetime.date) -> ReportPeriod:
    first = month.replace(day=1)
    return ReportPeriod(first, sla_reports.next_month(first) - datetime.timedelta(days=1))


def default_period() -> ReportPeriod:
    """The last full month (local time)."""
    return month_period(sla_reports.last_full_month())


def parse_day(value: str, *, field_name: str) -> datetime.date:
    """``"2026-03-15"`` → the date; anything else → ``ValidationFailed`` naming *field_name*."""
    match = _DATE_RE.match((value or "").strip())
    if match:
        try:
            day = datetime.date(int(match.group(1)), int(match.group(2)), int(match.group(3)))
        except ValueError:
            day = None
        if day is not None and 1900 <= day.year <= 9998:
            return day
    message = str(_("Enter a date as YYYY-MM-DD, e.g. 2026-03-15."))
    raise ValidationFailed(message, fields={field_name: [message]})


def resolve_period(
    *, month: str | None = None, start: str | None = None, end: str | None = None
) -> ReportPeriod:
    """The period a request names: ``month`` (``YYYY-MM``), or ``start`` and/or ``end`` days
    (``YYYY-MM-DD``, both included; one alone is a single day), or the last full month.
    Bad values raise ``ValidationFailed`` naming the field."""
    month, start, end = (v.strip() if v else "" for v in (month, start, end))
    if month and (start or end):
        message = gettext("Choose a month or a range of days, not both.")
        raise ValidationFailed(message, fields={"month": [message]})
    if month:
        return month_period(sla_reports.parse_month(month, field_name="month"))
    if not start and not end:
        return default_period()
    first = parse_day(start, field_name="start") if start else None
    last = parse_day(end, field_name="end") if end else None
    first = first or last
    last = last or first
    assert first is not None and last is not None
    if first > last:
        message = gettext("The first day must not be after the last.")
        raise ValidationFailed(message, fields={"start": [message]})
    if (last - first).days + 1 > MAX_DAYS:
        message = gettext("Choose at most %(count)d days.") % {"count": MAX_DAYS}
        raise ValidationFailed(message, fields={"end": [message]})
    return ReportPeriod(first, last)
