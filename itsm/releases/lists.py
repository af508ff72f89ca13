"""The release list on the shared record list (``itsm.core.lists``)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from itsm.core.lists import Column, RecordListView
from itsm.releases.choices import ReleaseKind, ReleaseStatus
from itsm.releases.filtersets import ReleaseFilterSet
from itsm.releases.models import Release


class ReleaseList(RecordListView):
    """Releases: provider staff see all, customers those of changes affecting them."""

    model = Release
    filterset_class = ReleaseFilterSet
    template_name = "releases/release_list.html"
    title = _("Releases")
    empty_text = _("No releases found.")
    table_testid = "release-table"
    default_sort = "-id"
    columns = (
        Column("number", _("Number"), link="releases:release_detail", sort="number"),
        Column("title", _("Title"), sort="title"),
        Column("version_label", _("Release version"), sort="version_label"),
        Column("kind", _("Kind"), choices=ReleaseKind, sort="kind"),
        Column("status", _("Status"), choices=ReleaseStatus, sort="status"),
        Column("planned_at", _("Planned deployment"), sort="planned_at"),
        Column("closed_at", _("Finished"), sort="closed_at", visible=False),
        Column("manager", _("Release manager"), value="manager", visible=False, staff_only=True),
        Column("updated_at", _("Updated"), sort="updated_at", visible=False),
    )

    def base_queryset(self):
        return Release.objects.select_related("manager")
