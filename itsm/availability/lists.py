"""The outage list on the shared record list (``itsm.core.lists``)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from itsm.availability.choices import OutageKind, OutageSource
from itsm.availability.filtersets import OutageFilterSet
from itsm.availability.models import Outage
from itsm.core.lists import Column, RecordListView


class OutageList(RecordListView):
    """Outages: provider staff see all, customers their own organisation's."""

    model = Outage
    filterset_class = OutageFilterSet
    template_name = "availability/outage_list.html"
    title = _("Outages")
    empty_text = _("No outages found.")
    table_testid = "outage-table"
    default_sort = "-started_at"
    columns = (
        Column("number", _("Number"), link="availability:outage_detail", sort="number"),
        Column("service", _("Service"), value="service"),
        Column("customer", _("Customer"), value="customer"),
        Column("kind", _("Kind"), choices=OutageKind, sort="kind"),
        Column("source", _("Source"), choices=OutageSource, sort="source"),
        Column("started_at", _("Started at"), sort="started_at"),
        Column("ended_at", _("Ended at"), sort="ended_at"),
        Column("ticket", _("Incident"), value="ticket", visible=False),
        Column("description", _("Description"), visible=False),
        Column("updated_at", _("Updated"), sort="updated_at", visible=False),
    )

    def base_queryset(self):
        return Outage.objects.select_related("service", "customer", "ticket")
