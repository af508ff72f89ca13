"""FilterSets of business calendars, shared by the UI lists and the API."""

import django_filters
from django.utils.translation import gettext_lazy as _

from itsm.core.calendars.choices import DayKind
from itsm.core.calendars.models import BusinessCalendar, CalendarDay, CalendarYear
from itsm.core.filtersets import FilterSet, IntegerFilter


class BusinessCalendarFilterSet(FilterSet):
    q = django_filters.CharFilter(field_name="name", lookup_expr="icontains", label=_("name"))

    class Meta:
        model = BusinessCalendar
        fields = ["code", "is_active", "holiday_region"]


class YearFilter(IntegerFilter):
    """A calendar year: a whole number 1–9999 (anything else is a 400, not a database error)."""


class CalendarDayFilterSet(FilterSet):
    year = YearFilter(
        field_name="date", lookup_expr="year", label=_("year"), min_value=1, max_value=9999
    )
    kind = django_filters.ChoiceFilter(choices=DayKind.choices)

    class Meta:
        model = CalendarDay
        fields = ["calendar", "kind"]


class CalendarYearFilterSet(FilterSet):
    class Meta:
        model = CalendarYear
        fields = ["calendar", "year", "confirmed"]
