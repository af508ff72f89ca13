"""Business-calendar API: calendars (with weekly intervals), dated rows and years, plus the
``compute``, ``import``, ``seed`` and ``confirm-year`` actions. Writes go through services."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.decorators import action
from rest_framework.exceptions import MethodNotAllowed
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response

from itsm.core.api.base import DomainViewSet
from itsm.core.api.pagination import KeysetPagination
from itsm.core.api.parsers import JSONParser
from itsm.core.calendars import services
from itsm.core.calendars.api.serializers import (
    BusinessCalendarSerializer,
    CalendarDaySerializer,
    CalendarYearSerializer,
    ComputeSerializer,
    DeadlineSerializer,
    ImportResultSerializer,
    ImportSerializer,
    SeedResultSerializer,
    SeedSerializer,
    YearSerializer,
)
from itsm.core.calendars.businesstime import NoWorkingTime, compute_deadline
from itsm.core.calendars.filtersets import (
    BusinessCalendarFilterSet,
    CalendarDayFilterSet,
    CalendarYearFilterSet,
)
from itsm.core.calendars.models import BusinessCalendar, CalendarDay, CalendarYear
from itsm.core.calendars.selectors import with_year_status
from itsm.core.errors import Unprocessable


class DayPagination(KeysetPagination):
    ordering = ("date", "id")


class BusinessCalendarViewSet(DomainViewSet):
    """Business calendars with their weekly working intervals (replaced as a whole)."""

    queryset = BusinessCalendar.objects.prefetch_related("intervals")
    serializer_class = BusinessCalendarSerializer
    filterset_class = BusinessCalendarFilterSet

    def create_record(self, data, *, by):
        intervals = data.pop("intervals", [])  # a calendar needs working hours
        return services.create_calendar(by=by, intervals=intervals, **data)

    def update_fields(self, instance, data, *, expected_version):
        intervals = data.pop("intervals", None)
        with transaction.atomic():
            instance = services.update_calendar(
                instance, by=self.request.user, expected_version=expected_version, **data
            )
            if intervals is not None:
                services.set_weekly_intervals(instance, intervals=intervals, by=self.request.user)
        return BusinessCalendar.objects.prefetch_related("intervals").get(pk=instance.pk)

    @extend_schema(request=ComputeSerializer, responses=DeadlineSerializer)
    @action(detail=True, methods=["post"], policy_action="view", filterset_class=None)
    def compute(self, request, pk=None):
        """Due time of a working duration from a start, and the unconfirmed years crossed."""
        calendar = self.get_object()
        payload = ComputeSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        start = payload.validated_data["start"]
        duration = payload.validated_data["duration"]
        try:
            deadline = compute_deadline(start, duration, calendar)
        except NoWorkingTime:
            raise Unprocessable(
                _("This calendar has no working hours in reach."), code="no_working_time"
            )
        return Response(
            DeadlineSerializer(
                {
                    "start": start,
                    "duration": duration,
                    "due": deadline.due,
                    "unconfirmed_years": list(deadline.unconfirmed_years),
                }
            ).data
        )

    @extend_schema(
        request={"multipart/form-data": ImportSerializer}, responses=ImportResultSerializer
    )
    @action(
        detail=True,
        methods=["post"],
        url_path="import",
        policy_action="change",
        parser_classes=[MultiPartParser, FormParser],
        filterset_class=None,
    )
    def import_year(self, request, pk=None):
        """Replace a year's holidays and adjusted working days from a CSV (date,kind,name).
        All or nothing; errors name ``rows.<line>``."""
        calendar = self.get_object()
        payload = ImportSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        rows = services.import_year(
            calendar,
            payload.validated_data["year"],
            payload.validated_data["file"],
            by=request.user,
        )
        return Response({"year": payload.validated_data["year"], "rows": len(rows)})

    @extend_schema(request=SeedSerializer, responses=SeedResultSerializer)
    @action(detail=True, methods=["post"], policy_action="change", filterset_class=None)
    def seed(self, request, pk=None):
        """Load China's holidays from chinese-calendar (holiday region CN only)."""
        calendar = self.get_object()
        payload = SeedSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        years = services.seed_from_chinese_calendar(
            calendar, payload.validated_data.get("years"), by=request.user
        )
        return Response({"years": years})

    @extend_schema(request=YearSerializer, responses=CalendarYearSerializer)
    @action(
        detail=True,
        methods=["post"],
        url_path="confirm-year",
        policy_action="change",
        filterset_class=None,
    )
    def confirm_year(self, request, pk=None):
        """Confirm a year's rows (possibly none) as correct."""
        calendar = self.get_object()
        payload = YearSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        row = services.confirm_year(calendar, payload.validated_data["year"], by=request.user)
        row = with_year_status(CalendarYear.objects.filter(pk=row.pk)).get()
        return Response(CalendarYearSerializer(row).data)


class CalendarDayViewSet(DomainViewSet):
    """Holidays and adjusted working days. Created and deleted, never edited in place."""

    queryset = CalendarDay.objects.select_related("calendar")
    serializer_class = CalendarDaySerializer
    filterset_class = CalendarDayFilterSet
    pagination_class = DayPagination
    http_method_names = ["get", "post", "delete", "head", "options"]

    def create_record(self, data, *, by):
        calendar = data.pop("calendar")
        return services.add_day(calendar, by=by, **data)

    def delete_record(self, instance, *, by):
        services.remove_day(instance, by=by)


class CalendarYearViewSet(DomainViewSet):
    """Years of each calendar: where their rows came from and whether confirmed."""

    queryset = CalendarYear.objects.all()
    serializer_class = CalendarYearSerializer
    filterset_class = CalendarYearFilterSet
    http_method_names = ["get", "post", "head", "options"]

    def get_queryset(self):
        return with_year_status(super().get_queryset())

    def create(self, request, *args, **kwargs):
        raise MethodNotAllowed(request.method)

    @extend_schema(request=None, responses=CalendarYearSerializer)
    @action(
        detail=True,
        methods=["post"],
        policy_action="change",
        filterset_class=None,
        parser_classes=[JSONParser, FormParser, MultiPartParser],
    )
    def confirm(self, request, pk=None):
        """Confirm this year's rows as correct."""
        row = self.get_object()
        services.confirm_year(row.calendar, row.year, by=request.user)
        row = with_year_status(CalendarYear.objects.filter(pk=row.pk)).get()
        return Response(CalendarYearSerializer(row).data, status=status.HTTP_200_OK)
