"""List pages of the desk's configuration on the shared record list (``itsm.core.lists``):
the canned responses (常用回复) of every group."""

from __future__ import annotations

import django_filters
from django.db.models import Q
from django.template.loader import render_to_string
from django.utils.translation import gettext_lazy as _

from itsm.core import policy
from itsm.core.filtersets import FilterSet
from itsm.core.lists import Column, RecordListView
from itsm.desk.forms_config import placeholders_text
from itsm.desk.models import CannedResponse


class CannedResponseFilterSet(FilterSet):
    q = django_filters.CharFilter(method="search", label=_("search"))

    class Meta:
        model = CannedResponse
        fields = ["q", "team", "is_active"]

    def search(self, queryset, name, value):
        return queryset.filter(Q(title__icontains=value) | Q(body__icontains=value))


class CannedResponseList(RecordListView):
    """Every group's canned responses (and those offered to all groups), for provider staff."""

    model = CannedResponse
    staff_only = True
    filterset_class = CannedResponseFilterSet
    template_name = "desk/config_canned_list.html"
    title = _("Canned responses")
    empty_text = _("No canned responses yet.")
    table_testid = "canned-table"
    default_sort = "title"
    columns = (
        Column("title", _("Title"), sort="title"),
        Column(
            "team",
            _("Group"),
            value=lambda row: row.team.name if row.team_id else _("Every group"),
            sort="team__name",
        ),
        Column("body", _("Text"), visible=False),
        Column("is_active", _("Active")),
        Column("updated_at", _("Updated"), sort="updated_at"),
    )

    def get_queryset(self):
        return CannedResponse.objects.restrict(self.request.user, "view").select_related("team")

    def row_attrs(self, row):
        return {"data-canned": row.pk}

    def row_actions(self, row):
        allowed = self.__dict__.get("_allowed")
        if allowed is None:
            user = self.request.user
            allowed = self._allowed = {
                f"can_{action}": policy.can(user, CannedResponse, action)
                for action in ("change", "delete")
            }
        return render_to_string(
            "desk/config_canned_actions.html", {"response": row, **allowed}, request=self.request
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["placeholders"] = placeholders_text()
        return context
