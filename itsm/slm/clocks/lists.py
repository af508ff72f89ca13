"""List pages of SLA clocks (the provider's work queue) and SLA test tickets on the shared
record list (``itsm.core.lists``)."""

from __future__ import annotations

from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from itsm.core.choices import Priority
from itsm.core.lists import LIST_PARAMS, Column, RecordListView
from itsm.slm.clocks import selectors
from itsm.slm.clocks.choices import ClockState, TestTicketStatus, metric_label
from itsm.slm.clocks.filtersets import ClockFilterSet, SlaTestTicketFilterSet
from itsm.slm.clocks.models import Clock, SlaTestTicket


def _record_cell(clock):
    if clock.content_type.model == "slatestticket":
        url = reverse("clocks:testticket_detail", args=[clock.object_id])
        return format_html('<a href="{}">{}</a>', url, clock.record_label)
    return clock.record_label


def _elapsed_cell(clock):
    time = selectors.clock_time(clock)
    elapsed = format_html(
        "{} / {}",
        selectors.format_business(time.elapsed_seconds),
        selectors.format_business(clock.goal_seconds),
    )
    if clock.state == ClockState.STOPPED:
        return elapsed
    return format_html(
        '{}<div class="small {}" data-testid="clock-remaining">{}</div>',
        elapsed,
        "text-red" if time.overdue else "text-secondary",
        selectors.format_remaining(time.remaining_seconds),
    )


def _escalation(clock) -> tuple[str, str]:
    if clock.breached:
        return str(_("Breached")), "red"
    if clock.level == 1:
        return str(_("Warned")), "yellow"
    return str(_("On track")), "green"


class ClockList(RecordListView):
    """Running, paused and breached clocks (all clocks once a filter is applied)."""

    model = Clock
    staff_only = True  # provider work queue; customers see clocks on their records
    filterset_class = ClockFilterSet
    template_name = "clocks/clock_list.html"
    title = _("SLA clocks")
    empty_text = _("No clocks to show.")
    table_testid = "clock-table"
    default_sort = "-id"
    columns = (
        Column("record", _("Record"), html=_record_cell, value="record_label", sort="record_label"),
        Column("metric", _("Metric"), value=lambda c: metric_label(c.metric), sort="metric"),
        Column("priority", _("Priority"), value=lambda c: c.priority.upper(), sort="priority"),
        Column("customer", _("Customer"), sort="customer__name"),
        Column("agreement", _("Agreement"), value="agreement.number", sort="agreement__number"),
        Column("state", _("State"), choices=ClockState, sort="state"),
        Column(
            "elapsed",
            _("Elapsed / goal"),
            html=_elapsed_cell,
            export=lambda c: selectors.format_business(selectors.clock_time(c).elapsed_seconds),
        ),
        Column(
            "goal",
            _("Goal"),
            value=lambda c: selectors.format_business(c.goal_seconds),
            sort="goal_seconds",
            visible=False,
        ),
        Column("due_at", _("Due"), sort="due_at"),
        Column(
            "escalation",
            _("Escalation"),
            html=lambda c: format_html(
                '<span class="badge bg-{}-lt">{}</span>', *reversed(_escalation(c))
            ),
            export=lambda c: _escalation(c)[0],
            sort="level",
        ),
        Column("started_at", _("Started at"), sort="started_at", visible=False),
    )

    def get_queryset(self):
        queryset = selectors.clocks_for(self.request.user)
        filtering = any(v for k, v in self.request.GET.items() if k not in LIST_PARAMS)
        return queryset if filtering else selectors.open_or_breached(queryset)


class TestTicketList(RecordListView):
    model = SlaTestTicket
    filterset_class = SlaTestTicketFilterSet
    template_name = "clocks/testticket_list.html"
    title = _("SLA test tickets")
    empty_text = _("No SLA test tickets yet.")
    table_testid = "testticket-table"
    default_sort = "-id"
    columns = (
        Column("number", _("Number"), link="clocks:testticket_detail", sort="number"),
        Column("title", _("Title"), sort="title"),
        Column("agreement", _("Agreement"), value="agreement.number", sort="agreement__number"),
        Column("customer", _("Customer"), sort="customer__name"),
        Column("priority", _("Priority"), choices=Priority, sort="priority"),
        Column("status", _("Status"), choices=TestTicketStatus, sort="status"),
        Column("opened_at", _("Opened at"), sort="opened_at"),
        Column("service", _("Service"), value="service.code", sort="service__code", visible=False),
    )

    def base_queryset(self):
        return SlaTestTicket.objects.select_related("agreement", "customer", "service")
