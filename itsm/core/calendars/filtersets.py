"""FilterSets of business calendars, shared by the UI lists and the API."""

import django_filters
from django.utils.translation import gettext_lazy as _

from itsm.core.calendars.choices import DayKind
from itsm.core.calendars.models import BusinessCalendar, CalendarDay, CalendarYear


class BusinessCalendarFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(field_name="name", lookup_expr="icontains", label=_("name"))

    class Meta:
        model = BusinessCalendar
        fields = ["code", "is_active", "holiday_region"]


class CalendarDayFilterSet(django_filters.FilterSet):
    year = django_filters.NumberFilter(field_name="date", lookup_expr="year", label=_("year"))
    kind = django_filters.ChoiceFilter(choices=DayKind.choices)

    class Meta:
        model = CalendarDay
        fields = ["calendar", "kind"]


class CalendarYearFilterSet(django_filters.FilterSet):
    class Meta:
        model = CalendarYear
        fields = ["calendar", "year", "confirmed"]
