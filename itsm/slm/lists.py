"""List pages of service level management (agreements, service requirements, review
meetings) on the shared record list (``itsm.core.lists``). Customers see their own rows and
never the internal columns (the party of an OLA/UC, underpinning warnings)."""

from __future__ import annotations

from django.db.models import Count
from django.http import QueryDict
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from itsm.core.lists import Column, RecordListView
from itsm.slm.choices import (
    AgreementKind,
    AgreementStatus,
    RequirementKind,
    RequirementStatus,
    ReviewKind,
    ReviewStatus,
)
from itsm.slm.filtersets import AgreementFilterSet, RequirementFilterSet, ReviewFilterSet
from itsm.slm.models import Agreement, Requirement, ReviewMeeting


def _party(agreement):
    return agreement.customer or agreement.team or agreement.supplier


def _warnings_cell(agreement):
    count = len(agreement.underpinning_warnings or ())
    if not count:
        return ""
    return format_html(
        '<span class="badge bg-red-lt" title="{}">{}</span>', _("Underpinning warnings"), count
    )


class AgreementList(RecordListView):
    model = Agreement
    filterset_class = AgreementFilterSet
    template_name = "slm/agreement_list.html"
    title = _("Agreements")
    empty_text = _("No agreements yet.")
    table_testid = "agreement-table"
    default_sort = "number"
    columns = (
        Column("number", _("Number"), link="slm:agreement_detail", sort="number"),
        Column("title", _("Title"), sort="title"),
        Column("kind", _("Kind"), choices=AgreementKind, sort="kind"),
        Column("party", _("Party"), value=_party, staff_only=True),
        Column("status", _("Status"), choices=AgreementStatus, sort="status"),
        Column("valid_from", _("Valid from"), sort="valid_from"),
        Column("valid_to", _("Valid until"), sort="valid_to"),
        Column("target_count", _("Targets"), css="text-end"),
        Column(
            "underpinning_warnings",
            _("Underpinning warnings"),
            html=_warnings_cell,
            export=lambda a: len(a.underpinning_warnings or ()),
        ),
        Column("signed_at", _("Signed at"), sort="signed_at", visible=False),
    )

    def base_queryset(self):
        return Agreement.objects.select_related("customer", "team", "supplier").annotate(
            target_count=Count("targets")
        )


class RequirementList(RecordListView):
    model = Requirement
    filterset_class = RequirementFilterSet
    template_name = "slm/requirement_list.html"
    title = _("Service requirements")
    empty_text = _("No requirements yet.")
    table_testid = "requirement-table"
    default_sort = "-id"
    columns = (
        Column("title", _("Title"), link="slm:requirement_detail", sort="title"),
        Column("customer", _("Customer"), sort="customer__name", staff_only=True),
        Column("kind", _("Kind"), choices=RequirementKind, sort="kind"),
        Column("service", _("Service"), value="service.code", sort="service__code"),
        Column("status", _("Status"), choices=RequirementStatus, sort="status"),
        Column("target_count", _("Targets"), css="text-end"),
        Column("reviewed_at", _("Reviewed at"), sort="reviewed_at", visible=False),
        Column("created_at", _("Created"), sort="created_at", visible=False),
    )

    def base_queryset(self):
        return Requirement.objects.select_related("customer", "service").annotate(
            target_count=Count("targets", distinct=True)
        )


class ReviewList(RecordListView):
    """Review meetings of a year (this year unless the filter names another), by due date;
    a planned meeting past its due date is highlighted."""

    model = ReviewMeeting
    filterset_class = ReviewFilterSet
    template_name = "slm/review_list.html"
    title = _("Review meetings")
    empty_text = _("No review meetings in this period.")
    table_testid = "review-calendar"
    default_sort = "due_date"
    columns = (
        Column("due_date", _("Due by"), sort="due_date"),
        Column("title", _("Title"), value="shown_title", link="slm:review_detail", sort="title"),
        Column("kind", _("Kind"), choices=ReviewKind, sort="kind"),
        Column("agreement", _("Agreement"), value="agreement.number", sort="agreement__number"),
        Column("customer", _("Customer"), sort="customer__name", staff_only=True),
        Column("status", _("Status"), choices=ReviewStatus, sort="status"),
        Column("held_on", _("Held on"), sort="held_on", visible=False),
    )

    def base_queryset(self):
        return ReviewMeeting.objects.select_related("agreement", "customer")

    def filter_data(self):
        data = super().filter_data() or QueryDict(mutable=True)  # the list's own left out
        if not data.get("year"):
            data["year"] = str(timezone.localdate().year)
        return data

    def row_attrs(self, row):
        today = timezone.localdate()
        if row.status == ReviewStatus.PLANNED and row.due_date < today:
            return {"class": "table-danger", "data-overdue": "yes"}
        return {}
