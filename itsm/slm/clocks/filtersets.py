"""FilterSets of SLA clocks and SLA test tickets, shared by the UI lists and the API.

The clock filters ``month`` and ``breached`` follow the SLA reports' definitions
(``itsm.slm.reporting.selectors``), so a report's "all N breaches" link lists exactly the
clocks it counted: ``month=YYYY-MM`` keeps the clocks *measured* in that month (local time: a
stopped clock whose stop, or a running/paused clock whose breach, lies in the month) and
``breached=true`` the clocks with the breach flag or stopped with more business time than
their goal.
"""

import datetime

import django_filters
from django.core.validators import RegexValidator
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from itsm.core.choices import Priority
from itsm.core.filtersets import FilterSet
from itsm.slm.clocks.choices import ClockState, TestTicketStatus
from itsm.slm.clocks.models import Clock, SlaTestTicket

#: a clock counted as breached by the SLA reports: the flag, or a stop after its goal
BREACHED_Q = Q(breached=True) | Q(state=ClockState.STOPPED, elapsed_seconds__gt=F("goal_seconds"))

_MONTH = RegexValidator(
    r"^\d{4}-(0[1-9]|1[0-2])$", _("Enter a month as YYYY-MM, e.g. 2026-03."), "invalid_month"
)


def measured_in_q(start: datetime.datetime, end: datetime.datetime) -> Q:
    """Clocks with an outcome in [start, end): stopped there, or breached there while they
    still run (the SLA reports' "measured" clocks, before their metric filter)."""
    return Q(state=ClockState.STOPPED, stopped_at__gte=start, stopped_at__lt=end) | Q(
        state__in=(ClockState.RUNNING, ClockState.PAUSED),
        breached=True,
        breached_at__gte=start,
        breached_at__lt=end,
    )


def month_bounds(value: str) -> tuple[datetime.datetime, datetime.datetime]:
    """``"2026-03"`` → the first instants of March and April 2026 in the active time zone."""
    year, month = int(value[:4]), int(value[5:7])
    first = datetime.datetime(year, month, 1)
    following = datetime.datetime(year + month // 12, month % 12 + 1, 1)
    zone = timezone.get_current_timezone()
    return timezone.make_aware(first, zone), timezone.make_aware(following, zone)


class ClockFilterSet(FilterSet):
    state = django_filters.MultipleChoiceFilter(choices=ClockState.choices, label=_("state"))
    breached = django_filters.BooleanFilter(label=_("breached"), method="filter_breached")
    metric = django_filters.ChoiceFilter(
        choices=(("response", _("Response time")), ("resolution", _("Resolution time"))),
        label=_("metric"),
    )
    level = django_filters.ChoiceFilter(
        choices=((0, _("On track")), (1, _("Warned")), (2, _("Breached"))),
        label=_("escalation level"),
    )
    month = django_filters.CharFilter(
        label=_("measured in month"),
        method="filter_month",
        validators=[_MONTH],
        help_text=_("YYYY-MM: clocks stopped, or breached while running, in that month."),
    )

    class Meta:
        model = Clock
        fields = [
            "state",
            "breached",
            "metric",
            "level",
            "agreement",
            "customer",
            "priority",
            "month",
        ]

    def filter_breached(self, queryset, name, value):
        if value is None:
            return queryset
        return queryset.filter(BREACHED_Q) if value else queryset.exclude(BREACHED_Q)

    def filter_month(self, queryset, name, value):
        if not value:
            return queryset
        return queryset.filter(measured_in_q(*month_bounds(value)))


class SlaTestTicketFilterSet(FilterSet):
    status = django_filters.MultipleChoiceFilter(
        choices=TestTicketStatus.choices, label=_("status")
    )
    priority = django_filters.MultipleChoiceFilter(choices=Priority.choices, label=_("priority"))

    class Meta:
        model = SlaTestTicket
        fields = ["status", "priority", "agreement", "customer"]
