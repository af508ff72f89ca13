"""List pages of change management on the shared record list (``itsm.core.lists``)."""

from __future__ import annotations

from dataclasses import replace

from django.utils.translation import gettext_lazy as _

from itsm.change.choices import (
    ApprovalPath,
    ChangeCategory,
    ChangeKind,
    ChangeStatus,
    MeetingStatus,
    RiskLevel,
    WindowKind,
)
from itsm.change.filtersets import (
    BoardFilterSet,
    ChangeFilterSet,
    MeetingFilterSet,
    QuestionFilterSet,
    TemplateFilterSet,
    ThresholdFilterSet,
    WindowFilterSet,
)
from itsm.change.models import (
    AdvisoryBoard,
    CabMeeting,
    Change,
    ChangeTemplate,
    RiskQuestion,
    RiskThreshold,
    Window,
)
from itsm.core import policy
from itsm.core.lists import Column, RecordListView


class _EditLinkList(RecordListView):
    """A configuration list whose first column links to the row's edit page for those who
    may change the rows (they have no page of their own); the others read the list."""

    def available_columns(self) -> list[Column]:
        columns = super().available_columns()
        if policy.can(self.request.user, self.model, "change"):
            return columns
        return [replace(c, link=None) if c.link else c for c in columns]


class ChangeList(RecordListView):
    """Requests for change: provider staff see all, customers those affecting them."""

    model = Change
    filterset_class = ChangeFilterSet
    template_name = "change/change_list.html"
    title = _("Changes")
    empty_text = _("No changes found.")
    table_testid = "change-table"
    default_sort = "-id"
    columns = (
        Column("number", _("Number"), link="change:change_detail", sort="number"),
        Column("title", _("Summary"), sort="title"),
        Column("kind", _("Kind"), choices=ChangeKind, sort="kind"),
        Column("status", _("Status"), choices=ChangeStatus, sort="status"),
        Column("risk_level", _("Risk"), choices=RiskLevel, sort="risk_level"),
        Column("planned_start", _("Planned start"), sort="planned_start"),
        Column("planned_end", _("Planned end"), sort="planned_end"),
        Column("category", _("Category"), choices=ChangeCategory, visible=False),
        Column("owner", _("Change owner"), value="owner", visible=False, staff_only=True),
        Column("updated_at", _("Updated"), sort="updated_at", visible=False),
    )

    def base_queryset(self):
        return Change.objects.select_related("owner")


class TemplateList(_EditLinkList):
    """The standard change catalogue (pre-approved templates)."""

    model = ChangeTemplate
    staff_only = True
    filterset_class = TemplateFilterSet
    template_name = "change/template_list.html"
    title = _("Standard change templates")
    empty_text = _("No templates yet.")
    table_testid = "template-table"
    default_sort = "code"
    columns = (
        Column("code", _("Code"), link="change:template_edit", sort="code"),
        Column("name", _("Name"), sort="name"),
        Column("category", _("Category"), choices=ChangeCategory, sort="category"),
        Column("duration_minutes", _("Usual duration (minutes)")),
        Column("is_active", _("Active")),
    )


class WindowList(_EditLinkList):
    """Maintenance and blackout windows."""

    model = Window
    staff_only = True
    filterset_class = WindowFilterSet
    template_name = "change/window_list.html"
    title = _("Maintenance and blackout windows")
    empty_text = _("No windows yet.")
    table_testid = "window-table"
    default_sort = "-id"
    columns = (
        Column("name", _("Name"), link="change:window_edit", sort="name"),
        Column("kind", _("Kind"), choices=WindowKind, sort="kind"),
        Column("applies_to", _("Applies to"), value=lambda w: w.applies_to),
        Column("starts_at", _("From"), sort="starts_at"),
        Column("ends_at", _("Until"), sort="ends_at"),
        Column("weekly", _("Weekly"), value=lambda w: w.weekly_text),
        Column("is_active", _("Active")),
    )

    def base_queryset(self):
        return Window.objects.select_related("ci", "service", "agreement")


class QuestionList(_EditLinkList):
    """The risk questionnaire: each question with its answers and their scores."""

    model = RiskQuestion
    staff_only = True
    filterset_class = QuestionFilterSet
    template_name = "change/question_list.html"
    title = _("Risk questionnaire")
    empty_text = _("No questions: every change is assessed with score 0.")
    table_testid = "question-table"
    default_sort = "order"
    columns = (
        Column("order", _("Order"), sort="order"),
        Column("text", _("Question"), link="change:question_edit", sort="text"),
        Column(
            "answers",
            _("Answers (score)"),
            value=lambda q: "; ".join(
                "{} ({})".format(a.get("label", ""), a.get("weight", 0)) for a in q.answers
            ),
        ),
        Column("is_active", _("Active")),
    )


class ThresholdList(_EditLinkList):
    """Risk thresholds: from which score a change has which risk level and approval path."""

    model = RiskThreshold
    staff_only = True
    filterset_class = ThresholdFilterSet
    template_name = "change/threshold_list.html"
    title = _("Risk thresholds")
    empty_text = _("No thresholds: every change is of low risk.")
    table_testid = "threshold-table"
    default_sort = "min_score"
    columns = (
        # a choice column shows a badge, never a link: the score opens the edit page
        Column("min_score", _("From score"), link="change:threshold_edit", sort="min_score"),
        Column("level", _("Risk level"), choices=RiskLevel),
        Column("approval_path", _("Approval path"), choices=ApprovalPath),
    )


class BoardList(_EditLinkList):
    """Change advisory boards (CAB and emergency CAB)."""

    model = AdvisoryBoard
    staff_only = True
    filterset_class = BoardFilterSet
    template_name = "change/board_list.html"
    title = _("Change advisory boards")
    empty_text = _("No CABs yet.")
    table_testid = "board-table"
    default_sort = "code"
    columns = (
        Column("code", _("Code"), link="change:board_edit", sort="code"),
        Column("name", _("Name"), sort="name"),
        Column("is_emergency", _("Emergency CAB")),
        Column(
            "members",
            _("Members"),
            value=lambda b: ", ".join(str(m) for m in b.members.all()),
        ),
        Column("quorum", _("Quorum")),
        Column("veto", _("One rejection rejects")),
        Column("is_active", _("Active")),
    )

    def base_queryset(self):
        return AdvisoryBoard.objects.prefetch_related("members")


class MeetingList(RecordListView):
    """CAB meetings, the next first."""

    model = CabMeeting
    staff_only = True
    filterset_class = MeetingFilterSet
    template_name = "change/meeting_list.html"
    title = _("CAB meetings")
    empty_text = _("No CAB meetings yet.")
    table_testid = "meeting-table"
    default_sort = "-starts_at"
    columns = (
        Column("title", _("Title"), link="change:meeting_detail", sort="title"),
        Column("board", _("CAB"), value="board.name"),
        Column("emergency", _("Emergency CAB"), value="board.is_emergency"),
        Column("starts_at", _("Starts at"), sort="starts_at"),
        Column("location", _("Location")),
        Column("status", _("Status"), choices=MeetingStatus, sort="status"),
    )

    def base_queryset(self):
        return CabMeeting.objects.select_related("board")
