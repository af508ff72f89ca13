"""List pages of problem management on the shared record list (``itsm.core.lists``): problems,
known errors, proposed problems and detection rules. Provider work pages (``staff_only``):
problems are internal, customers see none."""

from __future__ import annotations

from dataclasses import replace

from django.utils.translation import gettext_lazy as _

from itsm.core import policy
from itsm.core.choices import Priority
from itsm.core.lists import Column, RecordListView
from itsm.problems.choices import (
    CauseCategory,
    Dimension,
    KnownErrorStatus,
    ProblemSource,
    ProblemStatus,
    ProposalStatus,
)
from itsm.problems.filtersets import (
    DetectionRuleFilterSet,
    KnownErrorFilterSet,
    ProblemFilterSet,
    ProposalFilterSet,
)
from itsm.problems.models import DetectionRule, KnownError, Problem, ProblemProposal


class ProblemList(RecordListView):
    """Every problem, newest first."""

    model = Problem
    staff_only = True
    filterset_class = ProblemFilterSet
    template_name = "problems/problem_list.html"
    title = _("Problems")
    empty_text = _("No problems found.")
    table_testid = "problem-table"
    default_sort = "-id"
    columns = (
        Column("number", _("Number"), link="problems:problem_detail", sort="number"),
        Column("title", _("Summary"), sort="title"),
        Column("priority", _("Priority"), choices=Priority, sort="priority"),
        Column("status", _("Status"), choices=ProblemStatus, sort="status"),
        Column("manager", _("Problem manager"), sort="manager__username"),
        Column("cause_category", _("Cause category"), choices=CauseCategory, visible=False),
        Column("source", _("Source"), choices=ProblemSource, visible=False),
        Column("created_at", _("Opened"), sort="created_at"),
        Column("resolved_at", _("Resolved"), sort="resolved_at", visible=False),
    )

    def base_queryset(self):
        return Problem.objects.select_related("manager")

    def row_attrs(self, row):
        return {"data-number": row.number}


class KnownErrorList(RecordListView):
    model = KnownError
    staff_only = True
    filterset_class = KnownErrorFilterSet
    template_name = "problems/known_error_list.html"
    title = _("Known errors")
    empty_text = _("No known errors found.")
    table_testid = "known-error-table"
    default_sort = "-id"
    columns = (
        Column("number", _("Number"), link="problems:known_error_detail", sort="number"),
        Column("title", _("Title"), sort="title"),
        Column("status", _("Status"), choices=KnownErrorStatus, sort="status"),
        Column("problem", _("Problem"), value="problem.number"),
        Column("article_number", _("Article")),
        Column("updated_at", _("Updated"), sort="updated_at"),
    )

    def base_queryset(self):
        return KnownError.objects.select_related("problem")

    def row_attrs(self, row):
        return {"data-number": row.number}


class ProposalList(RecordListView):
    """Problems proposed by the detection; waiting ones first when filtered by status."""

    model = ProblemProposal
    staff_only = True
    filterset_class = ProposalFilterSet
    template_name = "problems/proposal_list.html"
    title = _("Proposed problems")
    empty_text = _("No proposed problems.")
    table_testid = "proposal-table"
    default_sort = "-id"
    columns = (
        Column("id", _("Proposal"), link="problems:proposal_detail", sort="id"),
        Column("label", _("On"), sort="label"),
        Column("dimension", _("Group by"), choices=Dimension, sort="dimension"),
        Column("incident_count", _("Incidents"), sort="incident_count"),
        Column("status", _("Status"), choices=ProposalStatus, sort="status"),
        Column("last_opened_at", _("Last incident"), sort="last_opened_at"),
        Column("problem", _("Problem"), value="problem.number"),
    )

    def base_queryset(self):
        return ProblemProposal.objects.select_related("problem")

    def row_attrs(self, row):
        return {"data-label": row.label}


class DetectionRuleList(RecordListView):
    model = DetectionRule
    staff_only = True
    filterset_class = DetectionRuleFilterSet
    template_name = "problems/rule_list.html"
    title = _("Detection rules")
    empty_text = _("No detection rules: nothing is proposed.")
    table_testid = "rule-table"
    default_sort = "name"
    columns = (
        Column("name", _("Name"), link="problems:rule_edit", sort="name"),
        Column("dimension", _("Group by"), choices=Dimension, sort="dimension"),
        Column("threshold", _("Threshold"), sort="threshold"),
        Column("window_days", _("Window (days)"), sort="window_days"),
        Column("is_active", _("Active"), sort="is_active"),
    )

    def available_columns(self) -> list[Column]:
        """The name links to the rule's edit page only for those who may change rules (the
        rules have no page of their own): the others read the list."""
        columns = super().available_columns()
        if policy.can(self.request.user, DetectionRule, "change"):
            return columns
        return [replace(c, link=None) if c.link else c for c in columns]
