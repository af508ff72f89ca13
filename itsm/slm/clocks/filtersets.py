"""FilterSets of SLA clocks and SLA test tickets, shared by the UI lists and the API."""

import django_filters
from django.utils.translation import gettext_lazy as _

from itsm.core.choices import Priority
from itsm.core.filtersets import FilterSet
from itsm.slm.clocks.choices import ClockState, TestTicketStatus
from itsm.slm.clocks.models import Clock, SlaTestTicket


class ClockFilterSet(FilterSet):
    state = django_filters.MultipleChoiceFilter(choices=ClockState.choices, label=_("state"))
    breached = django_filters.BooleanFilter(label=_("breached"))
    metric = django_filters.ChoiceFilter(
        choices=(("response", _("Response time")), ("resolution", _("Resolution time"))),
        label=_("metric"),
    )
    level = django_filters.ChoiceFilter(
        choices=((0, _("On track")), (1, _("Warned")), (2, _("Breached"))),
        label=_("escalation level"),
    )

    class Meta:
        model = Clock
        fields = ["state", "breached", "metric", "level", "agreement", "customer", "priority"]


class SlaTestTicketFilterSet(FilterSet):
    status = django_filters.MultipleChoiceFilter(
        choices=TestTicketStatus.choices, label=_("status")
    )
    priority = django_filters.MultipleChoiceFilter(choices=Priority.choices, label=_("priority"))

    class Meta:
        model = SlaTestTicket
        fields = ["status", "priority", "agreement", "customer"]
