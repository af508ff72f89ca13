"""The import log: every import with its status and figures (``itsm.core.lists``)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from itsm.core.lists import Column, RecordListView
from itsm.desk.imports.choices import ImportStatus
from itsm.desk.imports.filtersets import TicketImportFilterSet
from itsm.desk.imports.models import TicketImport


class ImportList(RecordListView):
    model = TicketImport
    filterset_class = TicketImportFilterSet
    template_name = "deskimport/import_list.html"
    title = _("Historic ticket imports")
    empty_text = _("No imports yet.")
    table_testid = "import-table"
    default_sort = "-id"
    columns = (
        Column("reference", _("Import"), link="deskimport:detail", sort="id"),
        Column("file_name", _("File"), sort="file_name", css="text-break"),
        Column("source", _("Source system"), sort="source"),
        Column("customer", _("Customer"), value=lambda i: i.customer.name, sort="customer__name"),
        Column("status", _("Status"), choices=ImportStatus, sort="status"),
        Column("total_rows", _("Rows"), sort="total_rows"),
        Column("incident_count", _("Incidents"), sort="incident_count"),
        Column("created_count", _("Tickets created"), sort="created_count"),
        Column("created_at", _("Uploaded"), sort="created_at"),
        Column("finished_at", _("Finished"), sort="finished_at", visible=False),
    )

    def base_queryset(self):
        return TicketImport.objects.select_related("customer")
