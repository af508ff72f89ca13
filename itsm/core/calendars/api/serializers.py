"""Serializers of the business-calendar API."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from itsm.core.api.base import DomainSerializer
from itsm.core.calendars.choices import Weekday
from itsm.core.calendars.models import (
    MAX_YEAR,
    MIN_YEAR,
    BusinessCalendar,
    CalendarDay,
    CalendarYear,
)
from itsm.core.calendars.selectors import year_status
from itsm.core.models import User

MAX_DURATION = timedelta(days=3660)


class IntervalSerializer(serializers.Serializer):
    """One weekly working interval (end 00:00 = midnight)."""

    weekday = serializers.ChoiceField(choices=Weekday.CHOICES)
    start = serializers.TimeField(format="%H:%M")
    end = serializers.TimeField(format="%H:%M")


class BusinessCalendarSerializer(DomainSerializer):
    intervals = IntervalSerializer(many=True, required=False)

    class Meta:
        model = BusinessCalendar
        fields = [
            "id",
            "display",
            "code",
            "name",
            "time_zone",
            "holiday_region",
            "is_active",
            "description",
            "intervals",
            "version",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["created_at", "updated_at"]


class CalendarDaySerializer(DomainSerializer):
    calendar = serializers.PrimaryKeyRelatedField(queryset=BusinessCalendar.objects.none())

    class Meta:
        model = CalendarDay
        fields = ["id", "display", "calendar", "date", "kind", "name", "version", "created_at"]
        read_only_fields = ["created_at"]
        validators: list = []  # the service reports a duplicate date, naming the field

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        if request is not None:
            # the model's foreign key, a PrimaryKeyRelatedField (Any: DRF's stubs declare its
            # queryset as possibly a Manager, which mypy then treats as a descriptor)
            calendar: Any = self.fields["calendar"]
            calendar.queryset = BusinessCalendar.objects.restrict(request.user, "change")

    def validate_date(self, value):
        if not MIN_YEAR <= value.year <= MAX_YEAR:
            raise serializers.ValidationError(
                _("Enter a year between {low} and {high}.").format(low=MIN_YEAR, high=MAX_YEAR)
            )
        return value


class CalendarYearSerializer(DomainSerializer):
    status = serializers.SerializerMethodField()
    confirmed_by: serializers.StringRelatedField[User] = serializers.StringRelatedField()

    class Meta:
        model = CalendarYear
        fields = [
            "id",
            "display",
            "calendar",
            "year",
            "confirmed",
            "source",
            "confirmed_by",
            "confirmed_at",
            "status",
            "version",
        ]
        read_only_fields = fields

    def get_status(self, obj) -> str:
        return year_status(obj)


class ComputeSerializer(serializers.Serializer):
    """Input of ``compute``: a start (naive = server time zone) and a working duration."""

    start = serializers.DateTimeField()
    duration = serializers.DurationField(
        min_value=timedelta(0),
        max_value=MAX_DURATION,
        help_text=_('Working time, e.g. "04:00:00" or "2 00:00:00" (days hours:minutes).'),
    )

    def validate_start(self, value):
        if not MIN_YEAR < value.year < MAX_YEAR - 20:
            raise serializers.ValidationError(
                _("Enter a date between {low} and {high}.").format(
                    low=MIN_YEAR + 1, high=MAX_YEAR - 21
                )
            )
        return value


class DeadlineSerializer(serializers.Serializer):
    start = serializers.DateTimeField()
    duration = serializers.DurationField()
    due = serializers.DateTimeField()
    unconfirmed_years = serializers.ListField(child=serializers.IntegerField())


class YearSerializer(serializers.Serializer):
    year = serializers.IntegerField(min_value=MIN_YEAR, max_value=MAX_YEAR)


class ImportSerializer(YearSerializer):
    file = serializers.FileField(help_text=_("CSV with columns date,kind,name (UTF-8)."))


class SeedSerializer(serializers.Serializer):
    years = serializers.ListField(
        child=serializers.IntegerField(min_value=MIN_YEAR, max_value=MAX_YEAR),
        required=False,
        allow_empty=False,
        help_text=_("Years to (re)load; omit to load every year not loaded yet."),
    )


class SeedResultSerializer(serializers.Serializer):
    years = serializers.ListField(child=serializers.IntegerField())


class ImportResultSerializer(serializers.Serializer):
    year = serializers.IntegerField()
    rows = serializers.IntegerField()
