"""Read queries of business calendars, used by views, the API, the worker and dashboards."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import NamedTuple

from django.db.models import Exists, OuterRef, QuerySet

from itsm.core.calendars.choices import YearStatus
from itsm.core.calendars.models import BusinessCalendar, CalendarDay, CalendarYear


def has_working_hours(calendar: BusinessCalendar) -> bool:
    """Whether *calendar* has at least one weekly working interval (a calendar without one
    cannot compute a deadline, so it cannot back an agreement or a clock)."""
    return calendar.intervals.exists()


def years_with_rows(calendar: BusinessCalendar) -> set[int]:
    return {d.year for d in CalendarDay.objects.filter(calendar=calendar).dates("date", "year")}


def unconfirmed_years(calendar: BusinessCalendar, years: Iterable[int]) -> list[int]:
    """Those of *years* that are unconfirmed: the calendar observes holidays, the year has
    no dated rows and nobody confirmed it (the arithmetic uses weekly hours there)."""
    years = sorted(set(years))
    if not calendar.holiday_region or not years:
        return []
    with_rows = {
        d.year
        for d in CalendarDay.objects.filter(
            calendar=calendar, date__year__gte=years[0], date__year__lte=years[-1]
        ).dates("date", "year")
    }
    confirmed = set(
        CalendarYear.objects.filter(calendar=calendar, year__in=years, confirmed=True).values_list(
            "year", flat=True
        )
    )
    return [y for y in years if y not in with_rows and y not in confirmed]


class UnconfirmedYear(NamedTuple):
    """One unconfirmed (calendar, year); prints as "China 5×8 2027" on dashboards."""

    calendar: BusinessCalendar
    year: int

    def __str__(self) -> str:
        return f"{self.calendar.name} {self.year}"


def unconfirmed_calendar_years(today: date) -> list[UnconfirmedYear]:
    """(calendar, year) for every active calendar whose this year or next year is
    unconfirmed, for dashboards and the periodic alert."""
    years = (today.year, today.year + 1)
    calendars = list(BusinessCalendar.objects.filter(is_active=True).exclude(holiday_region=""))
    if not calendars:
        return []
    with_rows = set(
        CalendarDay.objects.filter(calendar__in=calendars, date__year__in=years)
        .values_list("calendar_id", "date__year")
        .distinct()
    )
    confirmed = set(
        CalendarYear.objects.filter(
            calendar__in=calendars, year__in=years, confirmed=True
        ).values_list("calendar_id", "year")
    )
    return [
        UnconfirmedYear(calendar, year)
        for calendar in calendars
        for year in years
        if (calendar.pk, year) not in with_rows and (calendar.pk, year) not in confirmed
    ]


def year_statuses(calendar: BusinessCalendar, years: Iterable[int]) -> dict[int, str]:
    """``YearStatus`` of each of *years* for *calendar*."""
    years = sorted(set(years))
    if not calendar.holiday_region:
        return {y: YearStatus.NOT_APPLICABLE for y in years}
    with_rows = years_with_rows(calendar)
    confirmed = set(
        CalendarYear.objects.filter(calendar=calendar, confirmed=True).values_list(
            "year", flat=True
        )
    )
    out: dict[int, str] = {}
    for year in years:
        if year in confirmed:
            out[year] = YearStatus.CONFIRMED
        elif year in with_rows:
            out[year] = YearStatus.PROVISIONAL
        else:
            out[year] = YearStatus.UNCONFIRMED
    return out


def with_year_status(queryset: QuerySet[CalendarYear]) -> QuerySet[CalendarYear]:
    """Annotate ``has_rows`` so ``year_status`` needs no query per row."""
    return queryset.select_related("calendar", "confirmed_by").annotate(
        has_rows=Exists(
            CalendarDay.objects.filter(calendar=OuterRef("calendar"), date__year=OuterRef("year"))
        )
    )


def year_status(row: CalendarYear) -> str:
    """``YearStatus`` of a ``CalendarYear`` row (annotated by ``with_year_status``)."""
    if not row.calendar.holiday_region:
        return YearStatus.NOT_APPLICABLE
    if row.confirmed:
        return YearStatus.CONFIRMED
    has_rows = getattr(row, "has_rows", None)
    if has_rows is None:
        has_rows = CalendarDay.objects.filter(
            calendar=row.calendar_id, date__year=row.year
        ).exists()
    return YearStatus.PROVISIONAL if has_rows else YearStatus.UNCONFIRMED


def calendars_for(user, action: str = "view") -> QuerySet[BusinessCalendar]:
    return BusinessCalendar.objects.restrict(user, action)
