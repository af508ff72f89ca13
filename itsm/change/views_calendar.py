"""The change calendar (R-CHG-04): a month or a week of scheduled and implementing changes,
with the maintenance windows (shaded) and blackout windows (marked) and the CAB meetings, in the
user's time zone, filtered by CI or service. Plain server-rendered HTML: each day a cell
listing what meets it."""

from __future__ import annotations

import calendar as month_calendar
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from urllib.parse import urlencode

from django import forms
from django.db.models import Q
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.dates import WEEKDAYS_ABBR
from django.utils.translation import gettext_lazy as _

from itsm.change import conflicts
from itsm.change.choices import ChangeStatus, MeetingStatus, WindowKind
from itsm.change.models import CabMeeting, Change, Window
from itsm.core import policy
from itsm.core.form_helpers import TablerFormMixin
from itsm.core.generic_views import page
from itsm.core.pickers import PickerField, bind_pickers

#: the changes a calendar shows: those whose window is booked and approved
CALENDAR_STATES = (ChangeStatus.SCHEDULED.value, ChangeStatus.IMPLEMENTING.value)
VIEWS = ("month", "week")
#: the CAB meetings a calendar shows (for those who may see them)
MEETING_SHOWN = (MeetingStatus.PLANNED.value, MeetingStatus.HELD.value, MeetingStatus.CLOSED.value)


class CalendarForm(TablerFormMixin, forms.Form):
    """The calendar's filter: a CI or a service, picked by type-ahead."""

    ci = PickerField("cmdb.ci", label=_("configuration item"), required=False)
    service = PickerField("catalog.service", label=_("service"), required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        bind_pickers(self, user)


@dataclass
class Entry:
    """A change or a window interval as a day of the calendar shows it."""

    kind: str  # "change", "maintenance", "blackout"
    label: str
    starts: datetime
    ends: datetime
    url: str = ""
    status: str = ""
    continues_before: bool = False
    continues_after: bool = False


@dataclass
class Day:
    date: date
    in_period: bool
    is_today: bool
    changes: list[Entry] = field(default_factory=list)
    windows: list[Entry] = field(default_factory=list)
    meetings: list[Entry] = field(default_factory=list)

    @property
    def maintenance(self) -> bool:
        return any(w.kind == WindowKind.MAINTENANCE for w in self.windows)

    @property
    def blackout(self) -> bool:
        return any(w.kind == WindowKind.BLACKOUT for w in self.windows)


#: the years a calendar shows (a date outside them shows today's period)
YEARS = range(1900, 2201)


def _day_of(value: str, today: date) -> date:
    try:
        day = date.fromisoformat(value)
    except ValueError:
        return today
    return day if day.year in YEARS else today


def _period(view: str, day: date) -> tuple[date, date, date, date]:
    """(first shown day, day after the last shown, previous period's day, next period's)."""
    if view == "week":
        first = day - timedelta(days=day.weekday())
        return first, first + timedelta(days=7), day - timedelta(days=7), day + timedelta(days=7)
    month_start = day.replace(day=1)
    days_in_month = month_calendar.monthrange(day.year, day.month)[1]
    month_end = month_start + timedelta(days=days_in_month)
    first = month_start - timedelta(days=month_start.weekday())
    last = month_end + timedelta(days=(7 - month_end.weekday()) % 7)
    previous = (month_start - timedelta(days=1)).replace(day=1)
    return first, last, previous, month_end


def _windows(user, *, ci, service, start: datetime, end: datetime):
    """The active windows the user may see that apply to the filter (global ones always)."""
    if not policy.can(user, Window, "view"):
        return []
    rows = (
        Window.objects.restrict(user, "view")
        .filter(is_active=True)
        .filter(Q(starts_at__isnull=True) | Q(starts_at__lt=end))
        .filter(Q(ends_at__isnull=True) | Q(ends_at__gt=start))
        .select_related("ci", "service", "agreement")
    )
    if ci is not None or service is not None:
        scope = Q(ci__isnull=True, service__isnull=True, agreement__isnull=True)
        if ci is not None:
            scope |= Q(ci=ci)
        if service is not None:
            scope |= Q(service=service)
        rows = rows.filter(scope)
    return list(rows)


@page(Change)
def calendar(request):
    zone = timezone.get_current_timezone()
    today = timezone.localdate()
    view = request.GET.get("view", "month")
    if view not in VIEWS:
        view = "month"
    day = _day_of(request.GET.get("date", ""), today)
    form = CalendarForm(request.GET or None, user=request.user)
    ci = service = None
    if form.is_bound and form.is_valid():
        ci, service = form.cleaned_data["ci"], form.cleaned_data["service"]
    first, after, previous, following = _period(view, day)
    start = datetime.combine(first, time.min, zone)
    end = datetime.combine(after, time.min, zone)

    days = [
        Day(
            date=first + timedelta(days=n),
            in_period=view == "week" or (first + timedelta(days=n)).month == day.month,
            is_today=first + timedelta(days=n) == today,
        )
        for n in range((after - first).days)
    ]

    def place(entry: Entry, bucket: str) -> None:
        for cell in days:
            opens = datetime.combine(cell.date, time.min, zone)
            closes = opens + timedelta(days=1)
            if entry.starts < closes and opens < entry.ends:
                shown = Entry(
                    **{
                        **entry.__dict__,
                        "continues_before": entry.starts < opens,
                        "continues_after": entry.ends > closes,
                    }
                )
                getattr(cell, bucket).append(shown)

    changes = Change.objects.restrict(request.user, "view").filter(
        status__in=CALENDAR_STATES, planned_start__lt=end, planned_end__gt=start
    )
    if form.errors:
        changes = changes.none()
    if ci is not None:
        changes = changes.filter(cis=ci)
    if service is not None:
        changes = changes.filter(services=service)
    for change in changes.order_by("planned_start", "id").only(
        "id", "number", "title", "status", "planned_start", "planned_end"
    ):
        place(
            Entry(
                kind="change",
                label=f"{change.number} {change.title}",
                starts=change.planned_start or start,
                ends=change.planned_end or end,
                url=reverse("change:change_detail", args=[change.pk]),
                status=change.status,
            ),
            "changes",
        )
    windows = (
        [] if form.errors else _windows(request.user, ci=ci, service=service, start=start, end=end)
    )
    for window in windows:
        for opens, closes in conflicts.occurrences(window, start, end):
            if opens < end and start < closes:
                place(
                    Entry(kind=window.kind, label=window.name, starts=opens, ends=closes),
                    "windows",
                )
    for cell in days:
        cell.windows.sort(key=lambda entry: (entry.kind, entry.starts))
    shows_meetings = policy.can(request.user, CabMeeting, "view")
    if shows_meetings and not form.errors:
        for meeting in (
            CabMeeting.objects.restrict(request.user, "view")
            .filter(status__in=MEETING_SHOWN, starts_at__lt=end, ends_at__gt=start)
            .order_by("starts_at", "id")
        ):
            place(
                Entry(
                    kind="meeting",
                    label=meeting.title,
                    starts=meeting.starts_at,
                    ends=meeting.ends_at,
                    url=reverse("change:meeting_detail", args=[meeting.pk]),
                    status=meeting.status,
                ),
                "meetings",
            )

    def link(**changes) -> str:
        params = {"view": view, "date": day.isoformat()}
        for name in ("ci", "service"):
            if request.GET.get(name):
                params[name] = request.GET[name]
        params.update(changes)
        return "?" + urlencode(params)

    weeks = [days[n : n + 7] for n in range(0, len(days), 7)]
    return render(
        request,
        "change/calendar.html",
        {
            "view": view,
            "day": day,
            "first": first,
            "last": after - timedelta(days=1),
            "weeks": weeks,
            "weekdays": [WEEKDAYS_ABBR[n] for n in range(7)],
            "form": form,
            "previous_url": link(date=previous.isoformat()),
            "next_url": link(date=following.isoformat()),
            "today_url": link(date=today.isoformat()),
            "month_url": link(view="month"),
            "week_url": link(view="week"),
            "shows_windows": policy.can(request.user, Window, "view"),
            "shows_meetings": shows_meetings,
            "time_zone": str(zone),
        },
    )
