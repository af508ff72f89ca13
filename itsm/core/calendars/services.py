"""Services of business calendars: the only writers of calendars, intervals, days and years.

Every change of a calendar's rules replaces ``BusinessCalendar.rules_token`` (so cached
arithmetic engines are rebuilt in every process) and writes a timeline row on the calendar.
When a year's rows are entered, imported, seeded or confirmed, every registered deadline
recomputer is called inside the same transaction (``register_deadline_recomputer``).
"""

from __future__ import annotations

import csv
import io
import logging
import uuid
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import date, time
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from itsm.core import stamps, uploads
from itsm.core.calendars import businesstime
from itsm.core.calendars.choices import DayKind, YearSource
from itsm.core.calendars.models import (
    MAX_YEAR,
    MIN_YEAR,
    BusinessCalendar,
    CalendarDay,
    CalendarYear,
    WorkingInterval,
    interval_end_minutes,
)
from itsm.core.errors import ValidationFailed
from itsm.core.services import save_versioned
from itsm.core.timeline import record_event

if TYPE_CHECKING:
    from itsm.core.calendars.selectors import UnconfirmedYear

logger = logging.getLogger(__name__)

Recomputer = Callable[[BusinessCalendar, tuple[int, ...]], object]
_RECOMPUTERS: list[Recomputer] = []

#: chinese-calendar's English holiday names → the official Chinese names stored in rows
CHINESE_NAMES = {
    "New Year's Day": "元旦",
    "Spring Festival": "春节",
    "Tomb-sweeping Day": "清明节",
    "Labour Day": "劳动节",
    "Dragon Boat Festival": "端午节",
    "National Day": "国庆节",
    "Mid-autumn Festival": "中秋节",
    "Anti-Fascist 70th Day": "中国人民抗日战争暨世界反法西斯战争胜利70周年纪念日",
}

#: kinds accepted in import files, besides the codes themselves
KIND_ALIASES = {
    "holiday": DayKind.HOLIDAY,
    "休": DayKind.HOLIDAY,
    "假": DayKind.HOLIDAY,
    "节假日": DayKind.HOLIDAY,
    "workday": DayKind.WORKDAY,
    "班": DayKind.WORKDAY,
    "调休上班": DayKind.WORKDAY,
}


# --- recomputers ------------------------------------------------------------------------------


def register_deadline_recomputer(fn: Recomputer) -> Recomputer:
    """Register ``fn(calendar, years)``, called when *years* of *calendar* get new rules.

    It runs inside the service's transaction, after the engine cache was invalidated, so it
    sees the new rows; it should recompute the open deadlines computed on that calendar.
    Usable as a decorator; registering the same function twice has no effect.
    """
    if fn not in _RECOMPUTERS:
        _RECOMPUTERS.append(fn)
    return fn


def unregister_deadline_recomputer(fn: Recomputer) -> None:
    if fn in _RECOMPUTERS:
        _RECOMPUTERS.remove(fn)


def _recompute(calendar: BusinessCalendar, years: Iterable[int]) -> None:
    years = tuple(sorted(set(years)))
    if not years:
        return
    for fn in list(_RECOMPUTERS):
        fn(calendar, years)


# --- helpers ----------------------------------------------------------------------------------


def _touch(calendar: BusinessCalendar) -> None:
    """Give *calendar* a new rules token: every process rebuilds its engine on next use."""
    token = uuid.uuid4().hex
    BusinessCalendar.objects.filter(pk=calendar.pk).update(rules_token=token)
    calendar.rules_token = token
    businesstime.invalidate(calendar.pk)
    stamps.bump("calendars")  # memoised agreements and shifts carry the old token


def _validation(exc: ValidationError) -> ValidationFailed:
    if hasattr(exc, "error_dict"):
        fields = {
            name: [str(m) for e in errors for m in e.messages]
            for name, errors in exc.error_dict.items()
        }
    else:
        fields = {"non_field_errors": [str(m) for m in exc.messages]}
    return ValidationFailed(fields=fields)


def _full_clean(obj, **kwargs) -> None:
    try:
        obj.full_clean(**kwargs)
    except ValidationError as exc:
        raise _validation(exc)


def _check_year(year, field: str = "year") -> int:
    try:
        year = int(year)
    except (TypeError, ValueError):
        raise ValidationFailed(fields={field: [str(_("Enter a year such as 2026."))]})
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise ValidationFailed(
            fields={
                field: [
                    str(_("Enter a year between {low} and {high}.")).format(
                        low=MIN_YEAR, high=MAX_YEAR
                    )
                ]
            }
        )
    return year


def _year_row(calendar: BusinessCalendar, year: int, source: str) -> CalendarYear:
    row, created = CalendarYear.objects.get_or_create(
        calendar=calendar, year=year, defaults={"source": source}
    )
    if not created and (row.source != source or row.confirmed):
        # new rows replace what was confirmed: the year needs confirming again
        row.source = source
        row.confirmed = False
        row.confirmed_by = None
        row.confirmed_at = None
        save_versioned(row, expected_version=None)
    return row


# --- calendars --------------------------------------------------------------------------------


def create_calendar(
    *,
    by,
    code: str,
    name: str,
    time_zone: str = "Asia/Shanghai",
    holiday_region: str = "",
    is_active: bool = True,
    description: str = "",
    intervals: Sequence[Mapping] | None = None,
) -> BusinessCalendar:
    """Create a calendar, optionally with its weekly intervals."""
    with transaction.atomic():
        calendar = BusinessCalendar(
            code=code,
            name=name,
            time_zone=time_zone,
            holiday_region=holiday_region.upper(),
            is_active=is_active,
            description=description,
            rules_token=uuid.uuid4().hex,
        )
        _full_clean(calendar)
        calendar.save()
        record_event(calendar, "created", by=by)
        if intervals is not None:  # given, it must hold working time (set_weekly_intervals)
            set_weekly_intervals(calendar, intervals=intervals, by=by)
    return calendar


def update_calendar(
    calendar: BusinessCalendar, *, by, expected_version: int | None, **fields
) -> BusinessCalendar:
    """Change a calendar's fields (code, name, time zone, holiday region, active, description).

    A changed time zone or holiday region changes the arithmetic of every year, so the
    recomputers are called for this year and next year.
    """
    allowed = {"code", "name", "time_zone", "holiday_region", "is_active", "description"}
    unknown = set(fields) - allowed
    if unknown:
        raise ValidationFailed(
            fields={
                name: [str(_("This field cannot be changed here."))] for name in sorted(unknown)
            }
        )
    if "holiday_region" in fields:
        fields["holiday_region"] = (fields["holiday_region"] or "").upper()
    rules_changed = any(
        name in fields and fields[name] != getattr(calendar, name)
        for name in ("time_zone", "holiday_region")
    )
    with transaction.atomic():
        for name, value in fields.items():
            setattr(calendar, name, value)
        try:
            save_versioned(calendar, expected_version=expected_version, by=by)
        except ValidationError as exc:
            raise _validation(exc)
        record_event(calendar, "updated", by=by, data={"fields": sorted(fields)})
        if rules_changed:
            _touch(calendar)
            this_year = timezone.localdate().year
            _recompute(calendar, (this_year, this_year + 1))
    return calendar


def set_weekly_intervals(
    calendar: BusinessCalendar, *, intervals: Sequence[Mapping], by
) -> list[WorkingInterval]:
    """Replace the calendar's weekly working intervals.

    *intervals* is a non-empty list of ``{"weekday": 0..6, "start": time, "end": time}``
    (times may be ``"HH:MM"`` strings): a calendar without working time is refused. Each must
    have start < end (end 00:00 = midnight) and intervals of the same weekday must not
    overlap. Errors name ``intervals.<index>.<field>``.
    """
    if not intervals:
        # no working time means no deadline can ever be computed (clocks, agreements)
        raise ValidationFailed(
            fields={"intervals": [str(_("Enter at least one working interval."))]}
        )
    errors: dict[str, list[str]] = {}
    rows: list[tuple[int, WorkingInterval]] = []
    for index, item in enumerate(intervals):
        # an unsaved row for full_clean(), which reports a missing value as a field error
        row = WorkingInterval(  # type: ignore[misc]
            calendar=calendar,
            weekday=item.get("weekday"),
            start=_parse_time(item.get("start"), f"intervals.{index}.start", errors),
            end=_parse_time(item.get("end"), f"intervals.{index}.end", errors),
        )
        try:
            row.full_clean(exclude=["calendar"])
        except ValidationError as exc:
            for name, messages in _validation(exc).fields.items():
                errors.setdefault(f"intervals.{index}.{name}", []).extend(messages)
            continue
        rows.append((index, row))
    # overlaps among the valid rows are reported together with the other errors
    by_day: dict[int, list[tuple[int, int, int]]] = {}
    for index, row in rows:
        by_day.setdefault(row.weekday, []).append(
            (row.start.hour * 60 + row.start.minute, interval_end_minutes(row.end), index)
        )
    for spans in by_day.values():
        spans.sort()
        reached = -1
        for start, end, index in spans:
            if start < reached:
                errors.setdefault(f"intervals.{index}.start", []).append(
                    str(_("Overlaps another interval of the same weekday."))
                )
            reached = max(reached, end)
    if errors:
        raise ValidationFailed(fields=errors)
    wanted = sorted((row.weekday, row.start, row.end) for _index, row in rows)
    if wanted == sorted(calendar.intervals.values_list("weekday", "start", "end")):
        # unchanged (e.g. a calendar form saved as it was): no new rules token, no recomputation
        return list(calendar.intervals.order_by("weekday", "start"))
    with transaction.atomic():
        WorkingInterval.objects.filter(calendar=calendar).delete()
        for _index, row in rows:
            row.save()
        _touch(calendar)
        record_event(
            calendar,
            "intervals_set",
            by=by,
            data={
                "intervals": [
                    [row.weekday, row.start.strftime("%H:%M"), row.end.strftime("%H:%M")]
                    for _index, row in rows
                ]
            },
        )
        this_year = timezone.localdate().year
        _recompute(calendar, (this_year, this_year + 1))
    return [row for _index, row in rows]


def _parse_time(value, field: str, errors: dict) -> time | None:
    if value is None or isinstance(value, time):
        return value
    try:
        return time.fromisoformat(str(value).strip())
    except ValueError:
        errors.setdefault(field, []).append(str(_("Enter a time such as 09:00.")))
        return None


# --- dated rows -------------------------------------------------------------------------------


def add_day(
    calendar: BusinessCalendar, *, date: date, kind: str, name: str = "", by
) -> CalendarDay:
    """Add one holiday or adjusted working day; the year becomes provisional again."""
    with transaction.atomic():
        if CalendarDay.objects.filter(calendar=calendar, date=date).exists():
            raise ValidationFailed(
                fields={
                    "date": [
                        str(_("This calendar already has a row for {date}.")).format(
                            date=date.isoformat()
                        )
                    ]
                }
            )
        day = CalendarDay(calendar=calendar, date=date, kind=kind, name=name)
        _full_clean(day, exclude=["calendar"], validate_unique=False)
        _check_year(date.year, "date")
        day.save()
        _year_row(calendar, date.year, YearSource.MANUAL)
        _touch(calendar)
        record_event(
            calendar,
            "day_added",
            by=by,
            data={"date": date.isoformat(), "kind": kind, "name": name},
        )
        _recompute(calendar, (date.year,))
    return day


def remove_day(day: CalendarDay, *, by) -> None:
    """Remove one dated row."""
    calendar = day.calendar
    year = day.date.year
    with transaction.atomic():
        data = {"date": day.date.isoformat(), "kind": day.kind, "name": day.name}
        day.delete()
        _year_row(calendar, year, YearSource.MANUAL)
        _touch(calendar)
        record_event(calendar, "day_removed", by=by, data=data)
        _recompute(calendar, (year,))


def _replace_year(
    calendar: BusinessCalendar, year: int, rows: list[CalendarDay], source: str
) -> None:
    CalendarDay.objects.filter(calendar=calendar, date__year=year).delete()
    for row in rows:
        row.save()  # DomainModel history needs save(); bulk_create would skip it
    _year_row(calendar, year, source)


def import_year(calendar: BusinessCalendar, year, rows_or_file, *, by) -> list[CalendarDay]:
    """Replace *year*'s dated rows with those of a CSV file (``date,kind,name``).

    All or nothing: any bad row rejects the whole file with one message per bad row, named
    ``rows.<line>`` (the line number in the file, the header being line 1). *rows_or_file*
    is a file (bytes or text, UTF-8 with or without BOM), a string, or a list of rows
    (sequences or mappings with ``date``, ``kind``, ``name``). A header line is optional.
    Kinds: ``holiday`` / ``workday`` (also 休, 假, 班, 调休上班).
    """
    year = _check_year(year)
    parsed = _read_rows(rows_or_file)
    errors: dict[str, list[str]] = {}
    seen: dict[date, int] = {}
    days: list[CalendarDay] = []
    for line, cells in parsed:
        problems: list[str] = []
        raw_date, raw_kind, name = (list(cells) + ["", "", ""])[:3]
        raw_date, raw_kind, name = raw_date.strip(), raw_kind.strip(), name.strip()
        try:
            day = date.fromisoformat(raw_date)
        except ValueError:
            day = None
            problems.append(str(_("“{value}” is not a date (YYYY-MM-DD).")).format(value=raw_date))
        if day is not None and day.year != year:
            problems.append(str(_("{date} is not in {year}.")).format(date=raw_date, year=year))
        kind = KIND_ALIASES.get(raw_kind.lower())
        if kind is None:
            problems.append(
                str(_("Unknown kind “{value}” (use holiday or workday).")).format(value=raw_kind)
            )
        if len(name) > 100:
            problems.append(str(_("The name is longer than 100 characters.")))
        if day is not None and day in seen:
            problems.append(
                str(_("{date} is already on line {line}.")).format(date=raw_date, line=seen[day])
            )
        if problems or day is None or kind is None:  # each None is one of the problems
            errors[f"rows.{line}"] = problems
            continue
        seen[day] = line
        days.append(CalendarDay(calendar=calendar, date=day, kind=kind, name=name))
    if not parsed:
        errors["file"] = [str(_("The file contains no rows."))]
    if errors:
        raise ValidationFailed(
            _("The file was not imported; correct the rows listed."),
            fields=uploads.cap_errors(errors),
        )
    with transaction.atomic():
        _replace_year(calendar, year, days, YearSource.IMPORTED)
        _touch(calendar)
        record_event(calendar, "year_imported", by=by, data={"year": year, "rows": len(days)})
        _recompute(calendar, (year,))
    return days


def _read_rows(rows_or_file) -> list[tuple[int, list[str]]]:
    """(line number, cells) of each non-empty row; a header line is skipped."""
    if isinstance(rows_or_file, (list, tuple)):
        lines = []
        for index, row in enumerate(rows_or_file, start=1):
            if isinstance(row, Mapping):
                row = [row.get("date", ""), row.get("kind", ""), row.get("name", "")]
            lines.append((index, ["" if c is None else str(c) for c in row]))
        return [item for item in lines if any(c.strip() for c in item[1])]
    content = rows_or_file
    if hasattr(content, "read") or isinstance(content, bytes | bytearray):
        # the shared upload guard: size refused before reading, UTF-8 only, NUL = binary
        content = uploads.decode_text(uploads.read_upload_bytes(content), encodings=("utf-8-sig",))
    if not isinstance(content, str):
        raise ValidationFailed(fields={"file": [str(_("Upload a CSV file."))]})
    if len(content) > uploads.max_bytes():
        raise uploads.too_large()
    content = content.lstrip("\ufeff")
    try:
        rows = []
        for reader_line, row in _csv_lines(content):
            rows.append((reader_line, row))
            uploads.check_row_count(len(rows) - 1)  # a header line may come first
    except csv.Error as exc:
        raise ValidationFailed(
            fields={"file": [str(_("The file is not valid CSV: {error}")).format(error=exc)]}
        )
    out = [(line, row) for line, row in rows if any(c.strip() for c in row)]
    if out and out[0][1] and out[0][1][0].strip().lower() in ("date", "日期"):
        out = out[1:]
    return out


def _csv_lines(content: str):
    reader = csv.reader(io.StringIO(content))
    for row in reader:
        yield reader.line_num, row


def seed_from_chinese_calendar(
    calendar: BusinessCalendar, years: Iterable[int] | None = None, *, by=None
) -> list[int]:
    """Load China's holidays and adjusted working days from the ``chinese_calendar`` package.

    ``years=None`` seeds every year the package knows that the calendar has no rows for yet;
    explicit *years* replace those years' rows. A year the package does not know (it knows
    2004 up to its release year) is refused. Seeded years are provisional until confirmed.
    Returns the years seeded.
    """
    import chinese_calendar

    if calendar.holiday_region != "CN":
        raise ValidationFailed(
            fields={
                "holiday_region": [
                    str(
                        _(
                            "Only a calendar with holiday region CN can be seeded from "
                            "chinese-calendar."
                        )
                    )
                ]
            }
        )
    by_year: dict[int, list[tuple[date, str, str]]] = {}
    for day, name in chinese_calendar.holidays.items():
        by_year.setdefault(day.year, []).append((day, DayKind.HOLIDAY, name))
    for day, name in chinese_calendar.workdays.items():
        by_year.setdefault(day.year, []).append((day, DayKind.WORKDAY, name))
    if years is None:
        have = {d.year for d in CalendarDay.objects.filter(calendar=calendar).dates("date", "year")}
        chosen = sorted(set(by_year) - have)
    else:
        chosen = sorted({_check_year(y, "years") for y in years})
        missing = [y for y in chosen if y not in by_year]
        if missing:
            raise ValidationFailed(
                fields={
                    "years": [
                        str(
                            _(
                                "chinese-calendar has no data for {years}; import or enter "
                                "those years."
                            )
                        ).format(years=", ".join(str(y) for y in missing))
                    ]
                }
            )
    if not chosen:
        return []
    with transaction.atomic():
        for year in chosen:
            rows = [
                CalendarDay(
                    calendar=calendar, date=day, kind=kind, name=CHINESE_NAMES.get(name, name or "")
                )
                for day, kind, name in sorted(by_year[year])
            ]
            _replace_year(calendar, year, rows, YearSource.CHINESE_CALENDAR)
        _touch(calendar)
        record_event(calendar, "seeded", by=by, data={"years": chosen})
        _recompute(calendar, chosen)
    return chosen


def confirm_year(calendar: BusinessCalendar, year, *, by) -> CalendarYear:
    """Confirm *year*'s holidays and adjusted working days as correct.

    A year without any row is refused (``ValidationFailed`` on ``year``, code
    ``year_without_rows``): confirming it would silently switch off the "unconfirmed" flag of
    deadlines computed on weekly hours only; enter, import or load its rows first.
    """
    year = _check_year(year)
    if not CalendarDay.objects.filter(calendar=calendar, date__year=year).exists():
        message = _(
            "{year} has no holidays or adjusted working days yet; enter, import or load them "
            "before confirming the year."
        ).format(year=year)
        raise ValidationFailed(message, fields={"year": [message]}, code="year_without_rows")
    with transaction.atomic():
        row, _created = CalendarYear.objects.get_or_create(
            calendar=calendar, year=year, defaults={"source": YearSource.MANUAL}
        )
        row.confirmed = True
        row.confirmed_by = by if getattr(by, "pk", None) else None
        row.confirmed_at = timezone.now()
        save_versioned(row, expected_version=None, by=by)
        _touch(calendar)
        record_event(calendar, "year_confirmed", by=by, data={"year": year})
        _recompute(calendar, (year,))
    return row


# --- alerts -----------------------------------------------------------------------------------


def alert_key(calendar: BusinessCalendar, year: int) -> str:
    return f"calendars:unconfirmed:{calendar.pk}:{year}"


def alert_unconfirmed_year(calendar: BusinessCalendar, year: int) -> int:
    """Tell the administrators (once per calendar and year: the outbox key dedupes) that
    *year* of *calendar* has no confirmed holidays, so deadlines use weekly hours only; each
    reads it in their language. Returns how many messages were newly enqueued."""
    from itsm.core.outbox.services import notify_administrators

    def compose() -> tuple[str, str]:
        subject = str(_("Business calendar “{calendar}” has no holidays for {year}")).format(
            calendar=calendar.name, year=year
        )
        body = str(
            _(
                "Deadlines computed on the business calendar “{calendar}” ({code}) reach {year}, "
                "for which no holidays or adjusted working days are entered and the year is not "
                "confirmed. They use the weekly working hours only until the year's rows are "
                "imported, entered or confirmed; open deadlines are then recomputed."
            )
        ).format(calendar=calendar.name, code=calendar.code, year=year)
        return subject, body

    return notify_administrators(key=alert_key(calendar, year), compose=compose)


def check_unconfirmed_years(*, today: date | None = None) -> list[UnconfirmedYear]:
    """Alert about every active calendar whose this year or next year is unconfirmed."""
    from itsm.core.calendars.selectors import unconfirmed_calendar_years

    found = unconfirmed_calendar_years(today or timezone.localdate())
    for calendar, year in found:
        alert_unconfirmed_year(calendar, year)
    return found
