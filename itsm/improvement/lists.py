"""The improvement register on the shared record list (``itsm.core.lists``)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from itsm.core.lists import Column, RecordListView
from itsm.improvement.choices import ItemSource, ItemStatus
from itsm.improvement.filtersets import ItemFilterSet
from itsm.improvement.models import Item


class ItemList(RecordListView):
    """Improvement items: provider staff see all, customers those of their organisation."""

    model = Item
    filterset_class = ItemFilterSet
    template_name = "improvement/item_list.html"
    title = _("Improvement register")
    empty_text = _("No improvement items found.")
    table_testid = "item-table"
    default_sort = "-id"
    columns = (
        Column("number", _("Number"), link="improvement:item_detail", sort="number"),
        Column("title", _("Title"), sort="title"),
        Column("source", _("Source"), choices=ItemSource, sort="source"),
        Column("status", _("Status"), choices=ItemStatus, sort="status"),
        Column("customer", _("Customer"), value="customer", sort="customer__name"),
        Column("owner", _("Owner"), value="owner", staff_only=True),
        Column("due_date", _("Due date"), sort="due_date"),
        Column("closed_at", _("Closed"), sort="closed_at", visible=False),
        Column("updated_at", _("Updated"), sort="updated_at", visible=False),
    )

    def base_queryset(self):
        return Item.objects.select_related("owner", "customer")
