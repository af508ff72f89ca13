"""Business calendars (R-SLM-04): weekly working hours, dated holidays and adjusted working
days (调休上班), and the per-year confirmation state.

Rules the arithmetic (``businesstime``) applies:

- a day's working time is the list of ``WorkingInterval`` rows of its weekday, in the
  calendar's local wall-clock time; an interval ending at 00:00 ends at midnight (24:00);
- a ``CalendarDay`` of kind *holiday* has no working time;
- a ``CalendarDay`` of kind *workday* (调休上班) works the intervals of the calendar's
  **standard working day**: the lowest-numbered weekday that has intervals (Monday for a
  usual Monday–Friday calendar), whatever weekday the date falls on;
- a year of a calendar that observes holidays (``holiday_region`` set) with no dated rows and
  no confirmed ``CalendarYear`` is *unconfirmed*: the weekly hours apply and every result
  touching it says so.
"""

from __future__ import annotations

import re
import zoneinfo
from datetime import time

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from itsm.core.calendars.choices import DayKind, Weekday, YearSource
from itsm.core.choices import Role
from itsm.core.models import DomainModel
from itsm.core.policy import ModelPolicy

#: administrators and service level managers maintain calendars; every staff member sees them
CALENDAR_EDITORS = frozenset({Role.ADMINISTRATOR.value, Role.SERVICE_LEVEL_MANAGER.value})
CALENDAR_POLICY = ModelPolicy(
    add=CALENDAR_EDITORS, change=CALENDAR_EDITORS, delete=CALENDAR_EDITORS, tenant_field=None
)

#: years the arithmetic and the imports accept
MIN_YEAR = 1971
MAX_YEAR = 2200

_REGION_RE = re.compile(r"^[A-Z]{2}(-[A-Z0-9]{1,3})?$")


def validate_time_zone(value: str) -> None:
    """An IANA time zone name known to ``zoneinfo`` (e.g. ``Asia/Shanghai``)."""
    try:
        zoneinfo.ZoneInfo(value)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError, TypeError):
        raise ValidationError(
            _("“%(value)s” is not a known time zone (e.g. Asia/Shanghai)."),
            code="invalid_time_zone",
            params={"value": value},
        )


def validate_holiday_region(value: str) -> None:
    if value and not _REGION_RE.match(value):
        raise ValidationError(
            _("Use an ISO 3166 country code such as CN, or leave empty for none."),
            code="invalid_region",
        )


def interval_end_minutes(end: time) -> int:
    """Minutes since midnight of an interval end; 00:00 means the end of the day (1440)."""
    minutes = end.hour * 60 + end.minute
    return 1440 if minutes == 0 and end.second == 0 else minutes


class BusinessCalendar(DomainModel):
    """A named working-time calendar in one time zone (e.g. China 5×8, 7×24)."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=200)
    time_zone = models.CharField(
        _("time zone"),
        max_length=64,
        default="Asia/Shanghai",
        validators=[validate_time_zone],
        help_text=_("IANA name, e.g. Asia/Shanghai. Working hours are local times in it."),
    )
    holiday_region = models.CharField(
        _("holiday region"),
        max_length=10,
        blank=True,
        validators=[validate_holiday_region],
        help_text=_(
            "Country whose public holidays apply, e.g. CN; empty for a calendar without "
            "holidays (7×24)."
        ),
    )
    is_active = models.BooleanField(_("active"), default=True)
    description = models.TextField(_("description"), blank=True)
    #: changes whenever intervals, days or years change; keys the arithmetic engine cache
    rules_token = models.CharField(max_length=32, blank=True, editable=False)

    policy = CALENDAR_POLICY

    class Meta:
        verbose_name = _("business calendar")
        verbose_name_plural = _("business calendars")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def observes_holidays(self) -> bool:
        return bool(self.holiday_region)


class WorkingInterval(DomainModel):
    """One stretch of working time on a weekday, e.g. Monday 09:00–12:00."""

    calendar = models.ForeignKey(
        BusinessCalendar,
        verbose_name=_("calendar"),
        on_delete=models.CASCADE,
        related_name="intervals",
    )
    weekday = models.PositiveSmallIntegerField(_("weekday"), choices=Weekday.CHOICES)
    start = models.TimeField(_("start"))
    end = models.TimeField(_("end"), help_text=_("00:00 means midnight at the end of the day."))

    policy = CALENDAR_POLICY

    class Meta:
        verbose_name = _("working interval")
        verbose_name_plural = _("working intervals")
        ordering = ["calendar", "weekday", "start"]
        indexes = [models.Index(fields=["calendar", "weekday", "start"])]

    def __str__(self) -> str:
        return f"{self.get_weekday_display()} {self.start:%H:%M}–{self.end:%H:%M}"

    def clean(self) -> None:
        super().clean()
        if self.start is None or self.end is None:
            return
        if self.start.second or self.end.second or self.start.microsecond or self.end.microsecond:
            raise ValidationError({"end": _("Use whole minutes.")})
        if interval_end_minutes(self.end) <= self.start.hour * 60 + self.start.minute:
            raise ValidationError({"end": _("The end must be after the start.")})


class CalendarDay(DomainModel):
    """A dated exception: a holiday, or an adjusted working day (调休上班)."""

    calendar = models.ForeignKey(
        BusinessCalendar,
        verbose_name=_("calendar"),
        on_delete=models.CASCADE,
        related_name="days",
    )
    date = models.DateField(_("date"))
    kind = models.CharField(_("kind"), max_length=20, choices=DayKind.choices)
    name = models.CharField(
        _("name"), max_length=100, blank=True, help_text=_("e.g. 春节 (Spring Festival)")
    )

    policy = CALENDAR_POLICY

    class Meta:
        verbose_name = _("calendar day")
        verbose_name_plural = _("calendar days")
        ordering = ["calendar", "date"]
        constraints = [
            models.UniqueConstraint(fields=["calendar", "date"], name="calendars_unique_day")
        ]

    def __str__(self) -> str:
        return f"{self.date:%Y-%m-%d} {self.get_kind_display()} {self.name}".strip()


class CalendarYear(DomainModel):
    """The state of one calendar year: where its rows came from and whether confirmed."""

    calendar = models.ForeignKey(
        BusinessCalendar,
        verbose_name=_("calendar"),
        on_delete=models.CASCADE,
        related_name="years",
    )
    year = models.PositiveSmallIntegerField(
        _("year"), validators=[MinValueValidator(MIN_YEAR), MaxValueValidator(MAX_YEAR)]
    )
    confirmed = models.BooleanField(_("confirmed"), default=False)
    source = models.CharField(
        _("source"), max_length=20, choices=YearSource.choices, default=YearSource.MANUAL
    )
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("confirmed by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)

    policy = CALENDAR_POLICY

    class Meta:
        verbose_name = _("calendar year")
        verbose_name_plural = _("calendar years")
        ordering = ["calendar", "year"]
        constraints = [
            models.UniqueConstraint(fields=["calendar", "year"], name="calendars_unique_year")
        ]

    def __str__(self) -> str:
        return f"{self.calendar} {self.year}"
