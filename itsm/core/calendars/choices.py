"""Choices of business calendars: weekdays, kinds of calendar day, sources of a year's rows."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from itsm.core.choices import ChoiceSet, with_colours


class Weekday:
    """Weekday numbers as Python's ``date.weekday()`` counts them (0 = Monday)."""

    CHOICES = [
        (0, _("Monday")),
        (1, _("Tuesday")),
        (2, _("Wednesday")),
        (3, _("Thursday")),
        (4, _("Friday")),
        (5, _("Saturday")),
        (6, _("Sunday")),
    ]


class DayKind(ChoiceSet):
    """What a dated row does to the weekly pattern."""

    HOLIDAY = "holiday", _("Holiday")
    WORKDAY = "workday", _("Adjusted working day")


with_colours(DayKind, {"holiday": "red", "workday": "orange"})


class YearSource(ChoiceSet):
    """Where a year's dated rows came from."""

    CHINESE_CALENDAR = "chinese_calendar", _("Seeded from chinese-calendar")
    IMPORTED = "imported", _("Imported from a file")
    MANUAL = "manual", _("Entered by an administrator")


with_colours(YearSource, {"chinese_calendar": "blue", "imported": "cyan", "manual": "purple"})


class YearStatus(ChoiceSet):
    """State of one (calendar, year) for the arithmetic and the dashboards.

    - ``confirmed``: an administrator confirmed the year's rows (possibly none);
    - ``provisional``: the year has rows (seeded/imported/entered) not yet confirmed; the
      arithmetic uses them;
    - ``unconfirmed``: no rows and no confirmation; the arithmetic falls back to the weekly
      hours and flags the result;
    - ``not_applicable``: the calendar observes no holidays (e.g. 7×24).
    """

    CONFIRMED = "confirmed", _("Confirmed")
    PROVISIONAL = "provisional", _("Rows loaded, not yet confirmed")
    UNCONFIRMED = "unconfirmed", _("Unconfirmed: weekly hours only")
    NOT_APPLICABLE = "not_applicable", _("No holidays observed")


with_colours(
    YearStatus,
    {
        "confirmed": "green",
        "provisional": "yellow",
        "unconfirmed": "red",
        "not_applicable": "secondary",
    },
)
