"""Pages of business calendars: list, detail (weekly hours, dated rows per year, year status)
and the forms that call the services (add/remove a day, import a year, confirm, seed)."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from django.contrib import messages
from django.db import transaction
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from itsm.core import policy
from itsm.core.calendars import selectors, services
from itsm.core.calendars.businesstime import NoWorkingTime, compute_deadline
from itsm.core.calendars.choices import Weekday, YearStatus
from itsm.core.calendars.filtersets import BusinessCalendarFilterSet
from itsm.core.calendars.forms import (
    CalendarForm,
    ComputeForm,
    DayForm,
    ImportForm,
    IntervalsForm,
    SeedForm,
    YearForm,
)
from itsm.core.calendars.models import BusinessCalendar, CalendarDay
from itsm.core.errors import DomainError
from itsm.core.form_views import action_post, save_form
from itsm.core.generic_views import get_restricted_or_404, page


@page(BusinessCalendar)  # provider-internal: customers get 403, not an empty list
def calendar_list(request):
    queryset = BusinessCalendar.objects.restrict(request.user, "view").order_by("name")
    filterset = BusinessCalendarFilterSet(request.GET or None, queryset=queryset)
    calendars = list(filterset.qs)
    today = timezone.localdate()
    unconfirmed: dict[int, list[int]] = {}
    for item in selectors.unconfirmed_calendar_years(today):
        unconfirmed.setdefault(item.calendar.pk, []).append(item.year)
    rows = [{"calendar": c, "unconfirmed": unconfirmed.get(c.pk, [])} for c in calendars]
    can_add = policy.can(request.user, BusinessCalendar, "add")
    return render(
        request,
        "calendars/calendar_list.html",
        {
            "rows": rows,
            "filterset": filterset,
            "can_add": can_add,
        },
    )


@page(BusinessCalendar)
def calendar_detail(request, pk: int):
    calendar = get_restricted_or_404(
        request,
        BusinessCalendar,
        pk,
        queryset=BusinessCalendar.objects.prefetch_related("intervals"),
        visible_first=True,
    )
    can_change = BusinessCalendar.objects.restrict(request.user, "change").filter(pk=pk).exists()
    today = timezone.localdate()
    with_rows = selectors.years_with_rows(calendar)
    try:
        year = int(request.GET.get("year", today.year))
    except ValueError:
        year = today.year
    shown_years = sorted(
        {today.year - 1, today.year, today.year + 1, year}
        | {y for y in with_rows if y >= today.year - 3}
    )
    statuses = selectors.year_statuses(calendar, shown_years)
    year_rows = {
        row.year: row
        for row in calendar.years.filter(year__in=shown_years).select_related("confirmed_by")
    }
    years = [
        {
            "year": y,
            "status": statuses[y],
            "label": YearStatus(statuses[y]).label,
            "colour": YearStatus.colour(statuses[y]),
            "row": year_rows.get(y),
        }
        for y in shown_years
    ]
    weekly = [
        {
            "weekday": label,
            "intervals": [i for i in calendar.intervals.all() if i.weekday == number],
        }
        for number, label in Weekday.CHOICES
    ]
    days = (
        CalendarDay.objects.restrict(request.user, "view")
        .filter(calendar=calendar, date__year=year)
        .order_by("date")
    )
    context = {
        "calendar": calendar,
        "can_change": can_change,
        "year": year,
        "years": years,
        "year_status": statuses[year],
        "year_status_label": YearStatus(statuses[year]).label,
        "weekly": weekly,
        "days": days,
        "day_form": DayForm(initial={"date": f"{year}-01-01"}),
        "import_form": ImportForm(initial={"year": year}),
        "seed_form": SeedForm(initial={"years": str(year)}),
        "compute_form": ComputeForm(request.GET if "start" in request.GET else None),
        "deadline": None,
    }
    form = context["compute_form"]
    if form.is_bound and form.is_valid():
        start = form.cleaned_data["start"]
        hours = form.cleaned_data["hours"]
        try:
            context["deadline"] = compute_deadline(
                start, timedelta(seconds=int(hours * Decimal(3600))), calendar
            )
        except (NoWorkingTime, OverflowError, ValueError):
            form.add_error(None, _("This calendar has no working hours in reach."))
    return render(request, "calendars/calendar_detail.html", context)


def _detail_url(calendar: BusinessCalendar, year: int | None = None) -> str:
    url = reverse("calendars:detail", args=[calendar.pk])
    return f"{url}?year={year}" if year else url


@page(BusinessCalendar, action="add")
def calendar_create(request):
    form = CalendarForm(request.POST or None)
    intervals_form = IntervalsForm(request.POST or None)
    if request.method == "POST" and intervals_form.is_valid():
        saved = save_form(
            request,
            form,
            lambda: services.create_calendar(
                by=request.user,
                intervals=intervals_form.cleaned_data["intervals"],
                **form.cleaned_data,
            ),
            success=_("Calendar created."),
            next_url=_detail_url,
        )
        if saved is not None:
            return saved
    return render(
        request,
        "calendars/calendar_form.html",
        {
            "form": form,
            "intervals_form": intervals_form,
            "calendar": None,
        },
    )


@page(BusinessCalendar, action="change")
def calendar_edit(request, pk: int):
    calendar = get_restricted_or_404(request, BusinessCalendar, pk, "change", visible_first=True)
    form = CalendarForm(request.POST or None, instance=calendar)
    intervals_form = IntervalsForm(request.POST or None, calendar=calendar)

    def save():
        fields = {name: form.cleaned_data[name] for name in form.changed_data}
        with transaction.atomic():  # fields and hours are saved together or not at all
            saved = BusinessCalendar.objects.get(pk=pk)
            services.update_calendar(
                saved,
                by=request.user,
                expected_version=_int(request.POST.get("version")),
                **fields,
            )
            services.set_weekly_intervals(
                saved, intervals=intervals_form.cleaned_data["intervals"], by=request.user
            )
        return saved

    if request.method == "POST" and intervals_form.is_valid():
        response = save_form(
            request, form, save, success=_("Calendar saved."), next_url=_detail_url
        )
        if response is not None:
            return response
    return render(
        request,
        "calendars/calendar_form.html",
        {
            "form": form,
            "intervals_form": intervals_form,
            "calendar": calendar,
        },
    )


def _int(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


@page(BusinessCalendar, action="change")
@require_POST
def day_add(request, pk: int):
    calendar = get_restricted_or_404(request, BusinessCalendar, pk, "change", visible_first=True)
    form = DayForm(request.POST)
    year = form.cleaned_data["date"].year if form.is_valid() else None
    return action_post(
        request,
        lambda: services.add_day(calendar, by=request.user, **form.cleaned_data),
        success=_("Day added."),
        next_url=_detail_url(calendar, year),
        model=CalendarDay,
        form=form,
    )


@page(BusinessCalendar, action="change")
@require_POST
def day_remove(request, pk: int, day_pk: int):
    calendar = get_restricted_or_404(request, BusinessCalendar, pk, "change", visible_first=True)
    days = CalendarDay.objects.filter(calendar=calendar)
    day = get_restricted_or_404(request, CalendarDay, day_pk, "delete", queryset=days)
    year = day.date.year
    return action_post(
        request,
        lambda: services.remove_day(day, by=request.user),
        success=_("Day removed."),
        next_url=_detail_url(calendar, year),
        model=CalendarDay,
        confirm={
            "heading": _("Remove {date} {name}?").format(date=day.date.isoformat(), name=day.name),
            "consequence": _(
                "{date} no longer counts as a holiday or adjusted working day: it follows the "
                "weekly working hours, {year} is no longer confirmed, and open deadlines on this "
                "calendar are recomputed."
            ).format(date=day.date.isoformat(), year=year),
            "button": _("Remove day"),
            "cancel_url": _detail_url(calendar, year),
            "record": calendar,
        },
    )


@page(BusinessCalendar, action="change")
def year_import(request, pk: int):
    calendar = get_restricted_or_404(request, BusinessCalendar, pk, "change", visible_first=True)
    form = ImportForm(
        request.POST or None, request.FILES or None, initial={"year": request.GET.get("year")}
    )
    row_errors: list[tuple[str, list[str]]] = []
    if request.method == "POST" and form.is_valid():
        year = form.cleaned_data["year"]
        try:
            rows = services.import_year(calendar, year, form.cleaned_data["file"], by=request.user)
        except DomainError as exc:
            messages.error(request, str(exc.detail))
            row_errors = sorted(exc.fields.items(), key=lambda item: _line_key(item[0]))
        else:
            messages.success(
                request, _("{count} rows imported for {year}.").format(count=len(rows), year=year)
            )
            return redirect(_detail_url(calendar, year))
    return render(
        request,
        "calendars/year_import.html",
        {
            "calendar": calendar,
            "form": form,
            "row_errors": [(_describe(name), errors) for name, errors in row_errors],
        },
    )


def _line_key(name: str):
    prefix, _sep, number = name.partition(".")
    return (prefix, int(number) if number.isdigit() else 0)


def _describe(name: str) -> str:
    prefix, _sep, number = name.partition(".")
    if prefix == "rows" and number.isdigit():
        return _("Line {line}").format(line=number)
    return _("File")


@page(BusinessCalendar, action="change")
@require_POST
def year_confirm(request, pk: int):
    calendar = get_restricted_or_404(request, BusinessCalendar, pk, "change", visible_first=True)
    form = YearForm(request.POST)
    year = form.cleaned_data["year"] if form.is_valid() else None
    confirm = None
    if year is not None:
        confirm = {
            "heading": _("Confirm {year} of {calendar}?").format(year=year, calendar=calendar.name),
            "consequence": _(
                "You confirm that the holidays and adjusted working days entered for {year} are "
                "complete and correct: deadlines in {year} are no longer marked unconfirmed, no "
                "more alerts are sent for it, and open deadlines on this calendar are recomputed."
            ).format(year=year),
            "button": _("Confirm {year}").format(year=year),
            "cancel_url": _detail_url(calendar, year),
            "record": calendar,
        }
    return action_post(
        request,
        lambda: services.confirm_year(calendar, year, by=request.user),
        success=_("{year} confirmed.").format(year=year),
        next_url=_detail_url(calendar, year),
        model=BusinessCalendar,
        form=form,
        confirm=confirm,
    )


@page(BusinessCalendar, action="change")
@require_POST
def seed(request, pk: int):
    calendar = get_restricted_or_404(request, BusinessCalendar, pk, "change", visible_first=True)
    form = SeedForm(request.POST)

    def loaded(years) -> str:
        if not years:
            return _("Nothing to load: every year chinese-calendar knows is already loaded.")
        return _("Loaded from chinese-calendar: {years}.").format(
            years=", ".join(str(y) for y in years)
        )

    return action_post(
        request,
        lambda: services.seed_from_chinese_calendar(
            calendar, form.cleaned_data["years"], by=request.user
        ),
        success=loaded,
        next_url=lambda years: _detail_url(calendar, years[-1] if years else None),
        error_url=_detail_url(calendar),
        model=BusinessCalendar,
        form=form,
    )
