"""Pages of change management: a change's page (plans, window, impact and conflicts shown
before approval, the scheduling assistant's proposal, the decisions), its create and edit
forms, and its actions (transitions, assessment, decision, reschedule, conflict check,
failure, closing). Every write goes through ``itsm.change.services``."""

from __future__ import annotations

from datetime import timedelta

from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from itsm.change import conflicts
from itsm.change.choices import (
    RESCHEDULABLE_STATES,
    ApprovalPath,
    ChangeKind,
    ChangeStatus,
    ConflictKind,
    MeetingStatus,
    RiskLevel,
    Vote,
)
from itsm.change.forms import (
    CHANGE_FORM_FIELDS,
    AssessForm,
    ChangeCreateForm,
    ChangeEditForm,
    ChangeTransitionForm,
    CloseForm,
    DecisionForm,
    FailForm,
    RescheduleForm,
)
from itsm.change.models import AgendaItem, Change
from itsm.change.services import approval, assessment, changes
from itsm.core import policy
from itsm.core.form_views import (
    TransitionView,
    action_post,
    form_page,
    save_versioned_edit,
)
from itsm.core.generic_views import get_restricted_or_404, record_context, require_can

#: moves made through their own forms on the page, not the plain transition buttons
FORM_MOVES = frozenset({"approve", "reject", "fail", "close"})


def _url(change) -> str:
    return reverse("change:change_detail", args=[change.pk])


def _change(request, pk: int, action: str) -> Change:
    return get_restricted_or_404(request, Change, pk, action, visible_first=True)


@login_required
def change_detail(request, pk: int):
    queryset = Change.objects.restrict(request.user, "view").select_related(
        "requester", "owner", "implementer", "template", "board"
    )
    change = get_object_or_404(queryset, pk=pk)
    record = record_context(request, change)
    staff = policy.sees_internal(request.user, Change)
    own = getattr(request.user, "organisation_id", None)
    cis = list(change.cis.select_related("ci_class"))
    impact = change.impact or {}
    if not change.assessed_at and change.status in (ChangeStatus.DRAFT, ChangeStatus.ASSESSMENT):
        # raised but not assessed yet: the impact read from the CMDB now (the assessment keeps it)
        impact = assessment.compute_impact(change)
    if not staff:  # a customer sees what concerns their own organisation
        cis = [ci for ci in cis if ci.customer_id == own]
        impact = {
            "customers": [c for c in impact.get("customers", []) if c.get("id") == own],
            "agreements": [a for a in impact.get("agreements", []) if a.get("customer_id") == own],
        }
    conflict_rows = [
        {**item, "reason": conflicts.reason(item), "label": ConflictKind(item["kind"]).label}
        for item in (change.conflicts or [])
    ]
    proposal = None
    can_change = record["can_change"]
    if (
        staff
        and can_change
        and conflict_rows
        and change.status in RESCHEDULABLE_STATES
        and change.planned_start
        and change.planned_end
    ):
        duration = change.planned_end - change.planned_start
        proposal = conflicts.propose_window(conflicts.Subject.of(change), duration=duration)
    decisions = (
        change.approvals.select_related("approver", "meeting").order_by("round", "id")
        if staff
        else []
    )
    # the CAB meetings whose agenda holds the change (provider staff)
    agendas = (
        list(
            AgendaItem.objects.filter(change=change)
            .select_related("meeting")
            .order_by("meeting__starts_at", "meeting_id")
        )
        if staff
        else []
    )
    may_decide = (
        change.status == ChangeStatus.APPROVAL
        and request.user.pk not in (change.requester_id, change.owner_id)
        and (
            (
                change.approval_path in (ApprovalPath.CAB, ApprovalPath.EMERGENCY_CAB)
                and change.board is not None
                and change.board.members.filter(pk=request.user.pk).exists()
            )
            or (
                change.approval_path == ApprovalPath.CHANGE_MANAGER
                and policy.can(request.user, Change, "change")
                and bool(request.user.is_superuser or "change_manager" in request.user.roles)
            )
        )
    )
    transitions = [t for t in record["transitions"] if t.name not in FORM_MOVES]
    names = {t.name for t in record["transitions"]}
    return render(
        request,
        "change/change_detail.html",
        {
            "change": change,
            "staff": staff,
            "cis": cis,
            "services": list(change.services.all()),
            "impact": impact,
            "conflict_rows": conflict_rows,
            "proposal": proposal,
            "decisions": decisions,
            "agendas": agendas,
            "meeting_choices": MeetingStatus,
            "can_change": can_change,
            "can_edit": can_change and change.status in ("draft", "assessment"),
            "transitions": transitions,
            "can_assess": can_change and change.status == ChangeStatus.ASSESSMENT,
            "assess_form": AssessForm(
                initial={"version": change.version}, initial_answers=change.risk_answers
            ),
            "may_decide": may_decide,
            "decision_form": DecisionForm(),
            "can_fail": "fail" in names,
            "fail_form": FailForm(initial={"version": change.version}),
            "can_close": "close" in names,
            "close_form": CloseForm(initial={"version": change.version}),
            "status_choices": ChangeStatus,
            "kind_choices": ChangeKind,
            "risk_choices": RiskLevel,
            "vote_choices": Vote,
        },
    )


@login_required
def change_create(request):
    require_can(request.user, Change, "add")
    form = ChangeCreateForm(request.POST or None, user=request.user)

    def save():
        data = form.cleaned_data
        fields = {name: data[name] for name in CHANGE_FORM_FIELDS}
        fields["cis"] = list(data["cis"] or [])
        fields["services"] = list(data["services"] or [])
        return changes.create_change(
            by=request.user, kind=data["kind"], template=data["template"], **fields
        )

    return form_page(
        request,
        form,
        save,
        success=_("Change raised as a draft."),
        next_url=_url,
        heading=_("New change"),
        cancel_url=reverse("change:change_list"),
        template="change/change_form.html",
        context={"change": None},
    )


@login_required
def change_edit(request, pk: int):
    change = _change(request, pk, "change")
    form = ChangeEditForm(
        request.POST or None,
        instance=change,
        user=request.user,
        initial={"version": change.version},
    )

    def save():
        save_versioned_edit(
            form,
            model=Change,
            pk=pk,
            update=changes.update_change,
            by=request.user,
            names=CHANGE_FORM_FIELDS,
            related={"cis": "cis", "services": "services"},
        )

    return form_page(
        request,
        form,
        save,
        success=_("Change saved."),
        next_url=_url(change),
        heading=_("Edit change: {change}").format(change=change),
        cancel_url=_url(change),
        template="change/change_form.html",
        context={"change": change},
    )


class ChangeTransition(TransitionView):
    """A lifecycle step of a change (submit, request approval, start, complete; failed with
    its outcome, closed with its review — the forms of the page post here too)."""

    model = Change
    form_class = ChangeTransitionForm
    detail_url_name = "change:change_detail"

    def base_queryset(self):
        return Change.objects.all()

    def perform(self, obj, data):
        changes.move(
            obj,
            data["to"],
            by=self.request.user,
            note=data["note"],
            expected_version=data["version"],
            **ChangeTransitionForm.outcome(data),
        )

    def success_text(self, obj) -> str:
        obj.refresh_from_db()
        return _("Status is now “{status}”.").format(status=ChangeStatus(obj.status).label)


change_transition = ChangeTransition.as_view()


@login_required
@require_POST
def change_assess(request, pk: int):
    change = _change(request, pk, "change")
    form = AssessForm(request.POST)
    return action_post(
        request,
        lambda: assessment.assess(
            change,
            by=request.user,
            answers=form.answers(),
            expected_version=form.cleaned_data["version"],
        ),
        success=lambda c: _("Assessed: risk “{level}”, approval by {path}.").format(
            level=RiskLevel(c.risk_level).label, path=ApprovalPath(c.approval_path).label
        ),
        next_url=_url(change),
        model=Change,
        form=form,
    )


@login_required
@require_POST
def change_decide(request, pk: int):
    change = get_restricted_or_404(request, Change, pk, "view")
    form = DecisionForm(request.POST)
    return action_post(
        request,
        lambda: approval.decide(change, by=request.user, **form.cleaned_data),
        success=_("Your decision is recorded."),
        next_url=_url(change),
        model=Change,
        form=form,
    )


@login_required
@require_POST
def change_reschedule(request, pk: int):
    change = _change(request, pk, "change")
    form = RescheduleForm(request.POST)
    return action_post(
        request,
        lambda: changes.reschedule(
            change,
            by=request.user,
            planned_start=form.cleaned_data["planned_start"],
            planned_end=form.cleaned_data["planned_end"],
            expected_version=form.cleaned_data["version"],
        ),
        success=lambda c: (
            _("Rescheduled; no conflicts.")
            if not c.conflicts
            else _("Rescheduled; {n} conflict(s) remain.").format(n=len(c.conflicts))
        ),
        next_url=_url(change),
        model=Change,
        form=form,
    )


@login_required
@require_POST
def change_check(request, pk: int):
    change = _change(request, pk, "change")
    return action_post(
        request,
        lambda: changes.check_conflicts(change, by=request.user),
        success=lambda found: _("Conflicts checked: {n} found.").format(n=len(found)),
        next_url=_url(change),
        model=Change,
    )


def default_duration() -> timedelta:
    return timedelta(hours=2)
