"""One FilterSet per model, shared by the HTML list and the API."""

from __future__ import annotations

from itsm.core.filtersets import FilterSet
from itsm.desk.imports.models import TicketImport


class TicketImportFilterSet(FilterSet):
    class Meta:
        model = TicketImport
        fields = ["status", "source"]
