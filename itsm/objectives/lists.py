"""The list page of management objectives on the shared record list (``itsm.core.lists``):
the objective plans (provider staff)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from itsm.core.lists import Column, RecordListView
from itsm.objectives.choices import PlanStatus
from itsm.objectives.filtersets import PlanFilterSet
from itsm.objectives.models import Plan


class PlanList(RecordListView):
    """Annual objective plans, newest year first."""

    model = Plan
    filterset_class = PlanFilterSet
    template_name = "objectives/plan_list.html"
    title = _("Objective plans")
    empty_text = _("No objective plans found.")
    table_testid = "plan-table"
    default_sort = "-year"
    columns = (
        Column("number", _("Number"), link="objectives:plan_detail", sort="number"),
        Column("year", _("Year"), sort="year"),
        Column("title", _("Title"), sort="title"),
        Column("status", _("Status"), choices=PlanStatus, sort="status"),
        Column("author", _("Author"), value="author"),
        Column("approved_by", _("Approved by"), value="approved_by"),
        Column("approved_at", _("Approved at"), sort="approved_at", visible=False),
    )

    def base_queryset(self):
        return Plan.objects.select_related("author", "approved_by")
