"""Pages of CAB meetings (R-CHG-03): the list, create and edit forms, the meeting's page with
its agenda (generated from the changes awaiting the board's approval, reordered while the
meeting is planned), the decisions taken there through the approval service, and its lifecycle.
Every write goes through ``itsm.change.services.meetings``."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_POST

from itsm.change.choices import (
    AGENDA_EDITABLE_STATES,
    DECIDING_STATES,
    ApprovalPath,
    ChangeStatus,
    MeetingStatus,
    RiskLevel,
    Vote,
)
from itsm.change.forms import (
    MEETING_FORM_FIELDS,
    DecisionForm,
    MeetingDecisionForm,
    MeetingEditForm,
    MeetingForm,
    MeetingTransitionForm,
)
from itsm.change.models import AdvisoryBoard, AgendaItem, Approval, CabMeeting, Change
from itsm.change.services import meetings
from itsm.core.errors import ValidationFailed
from itsm.core.form_views import (
    RecordCreateView,
    RecordEditView,
    TransitionView,
    action_post,
    changed_values,
)
from itsm.core.generic_views import get_restricted_or_404, page, record_context


def _url(meeting) -> str:
    return reverse("change:meeting_detail", args=[meeting.pk])


class MeetingCreate(RecordCreateView):
    model = CabMeeting
    form_class = MeetingForm
    staff_only = True
    list_url_name = "change:meeting_list"
    detail_url_name = "change:meeting_detail"
    success_message = gettext_lazy("Meeting planned.")

    def get_initial(self):
        """``?board=<code>`` preselects a CAB; ``?emergency=1`` the emergency CAB, with a
        title saying so."""
        board = self.request.GET.get("board", "")
        if self.request.GET.get("emergency") == "1":
            emergency = (
                AdvisoryBoard.objects.filter(is_emergency=True, is_active=True)
                .order_by("code")
                .first()
            )
            if emergency is not None:
                return {"board": emergency.code, "title": _("Emergency CAB meeting")}
        return {"board": board} if board else {}

    def perform(self, form):
        data = dict(form.cleaned_data)
        attendees = list(data.pop("attendees") or [])
        return meetings.create_meeting(by=self.request.user, attendees=attendees, **data)


class MeetingEdit(RecordEditView):
    model = CabMeeting
    form_class = MeetingEditForm
    staff_only = True
    detail_url_name = "change:meeting_detail"
    success_message = gettext_lazy("Meeting saved.")

    def perform(self, form):
        fields = changed_values(form, MEETING_FORM_FIELDS)
        attendees = fields.pop("attendees", None)
        if fields or attendees is not None:
            meetings.update_meeting(
                CabMeeting.objects.get(pk=self.object.pk),
                by=self.request.user,
                expected_version=form.cleaned_data["version"],
                attendees=list(attendees) if attendees is not None else None,
                **fields,
            )
        return self.object


def _may_vote(user, change: Change, voted: set[int], members: dict[int, set[int]]) -> bool:
    """Whether *user* is offered a decision on *change* at the meeting (the service decides)."""
    if change.status != ChangeStatus.APPROVAL or change.pk in voted:
        return False
    if user.pk in (change.requester_id, change.owner_id):
        return False
    if change.approval_path == ApprovalPath.CHANGE_MANAGER:
        return bool(user.is_superuser or "change_manager" in user.roles)
    return user.pk in members.get(change.board_id or 0, set())


@page(CabMeeting, staff_only=True)
def meeting_detail(request, pk: int):
    queryset = CabMeeting.objects.restrict(request.user, "view").select_related("board")
    meeting = get_object_or_404(queryset, pk=pk)
    record = record_context(request, meeting)
    items = list(
        meeting.items.select_related("change", "change__requester").order_by("position", "id")
    )
    members: dict[int, set[int]] = {}
    for board_id, user_id in AdvisoryBoard.members.through.objects.filter(
        advisoryboard_id__in={item.change.board_id for item in items}
    ).values_list("advisoryboard_id", "user_id"):
        members.setdefault(board_id, set()).add(user_id)
    rounds = {item.change_id: item.change.approval_round for item in items}
    voted = {
        approval.change_id
        for approval in Approval.objects.filter(
            approver=request.user, change__in=list(rounds)
        ).only("change_id", "round")
        if approval.round == rounds[approval.change_id]
    }
    deciding = meeting.status in DECIDING_STATES
    rows = [
        {
            "item": item,
            "change": item.change,
            "may_vote": deciding and _may_vote(request.user, item.change, voted, members),
            "voted": item.change_id in voted,
        }
        for item in items
    ]
    editable = record["can_change"] and meeting.status in AGENDA_EDITABLE_STATES
    transitions = [t for t in record["transitions"] if t.name != "close"]
    can_close = any(t.name == "close" for t in record["transitions"])
    decisions = meeting.decisions.select_related("approver", "change").order_by("id")
    return render(
        request,
        "change/meeting_detail.html",
        {
            "meeting": meeting,
            **record,
            "rows": rows,
            "attendees": list(meeting.attendees.all()),
            "awaiting": meetings.awaiting(meeting)
            .exclude(pk__in=[item.change_id for item in items])
            .count()
            if editable
            else 0,
            "editable": editable,
            "transitions": transitions,
            "can_close": can_close,
            "decisions": decisions,
            "decision_form": DecisionForm(),
            "status_choices": MeetingStatus,
            "change_status_choices": ChangeStatus,
            "risk_choices": RiskLevel,
            "vote_choices": Vote,
        },
    )


class MeetingTransition(TransitionView):
    """Hold, close (with the minutes) or cancel a meeting."""

    model = CabMeeting
    form_class = MeetingTransitionForm
    detail_url_name = "change:meeting_detail"
    staff_only = True

    def perform(self, obj, data):
        extra = {"minutes": data["minutes"]} if data["to"] == MeetingStatus.CLOSED else {}
        meetings.move_meeting(
            obj,
            data["to"],
            by=self.request.user,
            note=data["note"],
            expected_version=data["version"],
            **extra,
        )

    def success_text(self, obj) -> str:
        return _("Status is now “{status}”.").format(status=MeetingStatus(obj.status).label)


meeting_transition = MeetingTransition.as_view()


def _meeting(request, pk: int, action: str) -> CabMeeting:
    return get_restricted_or_404(request, CabMeeting, pk, action, visible_first=True)


@login_required
@require_POST
def agenda_generate(request, pk: int):
    meeting = _meeting(request, pk, "change")
    return action_post(
        request,
        lambda: meetings.generate_agenda(meeting, by=request.user),
        success=lambda added: (
            ngettext(
                "{n} change added to the agenda.", "{n} changes added to the agenda.", len(added)
            ).format(n=len(added))
            if added
            else _("No other change awaits this CAB's approval.")
        ),
        next_url=_url(meeting),
        model=CabMeeting,
    )


@login_required
@require_POST
def agenda_item(request, pk: int):
    """Move an agenda item up or down, or take it off the agenda (POST ``item``, ``action``)."""
    meeting = _meeting(request, pk, "change")
    action = request.POST.get("action", "")
    try:
        item_id = int(request.POST.get("item", ""))
    except ValueError:
        raise Http404 from None
    row = get_object_or_404(
        AgendaItem.objects.select_related("change"), pk=item_id, meeting=meeting
    )
    if action in ("up", "down"):
        return action_post(
            request,
            lambda: meetings.move_item(row, by=request.user, up=action == "up"),
            success="",
            next_url=_url(meeting),
            model=AgendaItem,
        )
    if action == "remove":
        return action_post(
            request,
            lambda: meetings.remove_item(row, by=request.user),
            success=_("{change} taken off the agenda.").format(change=row.change.number),
            next_url=_url(meeting),
            model=AgendaItem,
        )
    raise Http404


@login_required
@require_POST
def meeting_decide(request, pk: int):
    meeting = get_restricted_or_404(request, CabMeeting, pk, "view")
    form = MeetingDecisionForm(request.POST)
    change = None
    if form.is_valid():
        change = meeting.items.filter(change_id=form.cleaned_data["change"]).first()
    target = change.change if change is not None else None
    return action_post(
        request,
        lambda: (
            meetings.decide_at(
                meeting,
                target,
                by=request.user,
                vote=form.cleaned_data["vote"],
                comment=form.cleaned_data["comment"],
            )
            if target is not None
            else _not_on_agenda()
        ),
        success=_("Your decision is recorded."),
        next_url=_url(meeting),
        model=Change,
        form=form,
    )


def _not_on_agenda():
    raise ValidationFailed(
        fields={"change": [str(_("The change is not on this meeting's agenda."))]}
    )
