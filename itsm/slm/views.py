"""Pages of service level management: agreements (with targets, underpinning, lifecycle and
reviews), customer requirements, review meetings with minutes and action items.

Customer users open their own SLAs read-only; everything is written through the services.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from itsm.core import policy
from itsm.core.confirm import confirm_transition
from itsm.core.form_views import (
    TransitionView,
    action_post,
    form_page,
    save_form,
    transition_post,
)
from itsm.core.formatting import field_label
from itsm.core.generic_views import get_restricted_or_404, record_context, restricted
from itsm.slm.choices import (
    ACTION_MACHINE,
    SIGNED_STATES,
    ActionStatus,
    AgreementStatus,
    RequirementStatus,
    ReviewStatus,
)
from itsm.slm.forms import (
    ActionItemForm,
    ActionStatusForm,
    AgreementForm,
    ReferenceForm,
    RequirementForm,
    ReviewRecordForm,
    TargetForm,
    YearForm,
)
from itsm.slm.models import ActionItem, Agreement, Requirement, ReviewMeeting, Target
from itsm.slm.services import agreements as agreement_services
from itsm.slm.services import requirements as requirement_services
from itsm.slm.services import reviews as review_services

SECTIONS = (
    "authorisation",
    "contacts",
    "planned_interruptions",
    "customer_duties",
    "priority_guide",
    "escalation_rules",
    "complaint_procedure",
    "workload_limits",
    "charges",
    "procedures",
    "exceptions",
    "availability_review",
)


def _int(value):
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


# --- agreements -------------------------------------------------------------------------------


@login_required
def agreement_detail(request, pk: int):
    agreement = get_restricted_or_404(
        request,
        Agreement,
        pk,
        queryset=Agreement.objects.select_related(
            "customer", "team", "supplier", "calendar", "signed_by", "ci"
        ),
    )
    user = request.user
    record = record_context(request, agreement)
    targets = agreement.targets.select_related("service").order_by("metric", "priority", "id")
    reviews = agreement.reviews.restrict(user, "view").order_by("due_date")
    transitions = record["transitions"]
    four_eyes = (
        agreement.status == AgreementStatus.NEGOTIATING
        and agreement_services.drafted_by_id(agreement) == user.pk
    )
    if four_eyes:  # the drafter does not sign (services/agreements.py)
        transitions = [t for t in transitions if t.name != "sign"]
    context = {
        **record,
        "agreement": agreement,
        "is_staff": policy.sees_internal(user, Agreement),
        "signed": agreement.status in SIGNED_STATES,
        "targets": targets,
        "services_covered": agreement.services.order_by("code"),
        "underpins": agreement.underpins.restrict(user, "view").order_by("number"),
        "underpinned_by": agreement.underpinned_by.restrict(user, "view").order_by("number"),
        # the warnings name OLAs/UCs and their values: provider-internal
        "warnings": [
            {**w, "text": agreement_services.warning_message(w)}
            for w in agreement.underpinning_warnings
        ]
        if policy.sees_internal(user, Agreement)
        else [],
        "transitions": transitions,
        "four_eyes": four_eyes,
        "sections": [(field_label(Agreement, name), getattr(agreement, name)) for name in SECTIONS],
        "reviews": reviews,
        "requirements": Requirement.objects.restrict(user, "view")
        .filter(targets__agreement=agreement)
        .distinct(),
        "year": timezone.localdate().year,
        "reference_form": ReferenceForm(),
        "status_choices": AgreementStatus,
        "review_status_choices": ReviewStatus,
    }
    return render(request, "slm/agreement_detail.html", context)


def _agreement_fields(form) -> dict:
    data = dict(form.cleaned_data)
    data.pop("version", None)
    data.pop("kind", None)
    data.pop("change_reference", None)
    if "services" in data:
        data["services"] = list(data["services"])
    if "underpins" in data:
        data["underpins"] = list(data["underpins"])
    return data


def _agreement_url(agreement) -> str:
    return reverse("slm:agreement_detail", args=[agreement.pk])


@login_required
def agreement_create(request):
    restricted(request, Agreement, "add")
    form = AgreementForm(request.POST or None, user=request.user)
    return form_page(
        request,
        form,
        lambda: agreement_services.create_agreement(
            by=request.user, kind=form.cleaned_data["kind"], **_agreement_fields(form)
        ),
        success=_("Agreement created."),
        next_url=_agreement_url,
        heading=_("New agreement"),
        cancel_url=reverse("slm:agreement_list"),
    )


@login_required
def agreement_edit(request, pk: int):
    agreement = get_restricted_or_404(request, Agreement, pk, "change")
    form = AgreementForm(
        request.POST or None,
        user=request.user,
        instance=Agreement.objects.get(pk=pk),
        initial={"version": agreement.version},
    )
    return form_page(
        request,
        form,
        lambda: agreement_services.update_agreement(
            agreement,
            by=request.user,
            expected_version=form.cleaned_data.get("version"),
            change_reference=form.cleaned_data.get("change_reference", ""),
            **_agreement_fields(form),
        ),
        success=_("Agreement saved."),
        next_url=_agreement_url(agreement),
        heading=_("Edit {name}").format(name=agreement),
        cancel_url=_agreement_url(agreement),
    )


class AgreementTransition(TransitionView):
    """An agreement's lifecycle step (``AGREEMENT_MACHINE``)."""

    model = Agreement
    detail_url_name = "slm:agreement_detail"

    def perform(self, obj, data):
        agreement_services.transition_agreement(
            obj,
            to=data["to"],
            by=self.request.user,
            expected_version=data["version"],
            note=data["note"],
        )


agreement_transition = AgreementTransition.as_view()


@login_required
@require_POST
def agreement_generate_reviews(request, pk: int):
    agreement = get_restricted_or_404(request, Agreement, pk, "change")
    form = YearForm(request.POST)
    return action_post(
        request,
        lambda: review_services.generate_review_schedule(
            agreement, year=form.cleaned_data["year"], by=request.user
        ),
        success=lambda created: _("{count} review meetings planned.").format(count=len(created)),
        next_url=_agreement_url(agreement),
        form=form,
    )


# --- targets ----------------------------------------------------------------------------------


def _target_data(form) -> tuple[dict, str]:
    data = dict(form.cleaned_data)
    data.pop("version", None)
    reference = data.pop("change_reference", "") or ""
    return data, reference


@login_required
def target_add(request, pk: int):
    agreement = get_restricted_or_404(request, Agreement, pk, "change")
    restricted(request, Target, "add")
    form = TargetForm(request.POST or None, agreement=agreement)

    def save():
        data, reference = _target_data(form)
        agreement_services.add_target(
            agreement=agreement, by=request.user, change_reference=reference, **data
        )

    return form_page(
        request,
        form,
        save,
        success=_("Target added."),
        next_url=_agreement_url(agreement),
        heading=_("New target of {name}").format(name=agreement),
        cancel_url=_agreement_url(agreement),
    )


@login_required
def target_edit(request, pk: int):
    target = get_restricted_or_404(
        request, Target, pk, "change", queryset=Target.objects.select_related("agreement")
    )
    form = TargetForm(
        request.POST or None,
        agreement=target.agreement,
        instance=Target.objects.get(pk=pk),
        initial={"version": target.version},
    )

    def save():
        data, reference = _target_data(form)
        agreement_services.update_target(
            target,
            by=request.user,
            expected_version=form.cleaned_data.get("version"),
            change_reference=reference,
            **data,
        )

    return form_page(
        request,
        form,
        save,
        success=_("Target saved."),
        next_url=_agreement_url(target.agreement),
        heading=_("Edit target {name}").format(name=target),
        cancel_url=_agreement_url(target.agreement),
    )


@login_required
@require_POST
def target_delete(request, pk: int):
    target = get_restricted_or_404(
        request, Target, pk, "delete", queryset=Target.objects.select_related("agreement")
    )
    detail = _agreement_url(target.agreement)
    return action_post(
        request,
        lambda: agreement_services.delete_target(
            target, by=request.user, change_reference=request.POST.get("change_reference", "")
        ),
        success=_("Target deleted."),
        next_url=detail,
        model=Target,
        confirm={
            "heading": _("Delete the target “{target}”?").format(target=target),
            "consequence": _(
                "The target is deleted from the agreement for good; tickets are no longer "
                "measured against it. The agreement's timeline records the deletion."
            ),
            "button": _("Delete target"),
            "cancel_url": detail,
            "record": target.agreement,
        },
    )


# --- requirements -----------------------------------------------------------------------------


@login_required
def requirement_detail(request, pk: int):
    requirement = get_restricted_or_404(
        request,
        Requirement,
        pk,
        queryset=Requirement.objects.select_related("customer", "service", "reviewed_by"),
    )
    targets = (
        Target.objects.restrict(request.user, "view")
        .filter(requirements=requirement)
        .select_related("agreement", "service")
    )
    return render(
        request,
        "slm/requirement_detail.html",
        {
            **record_context(request, requirement),
            "requirement": requirement,
            "targets": targets,
            "status_choices": RequirementStatus,
        },
    )


def _requirement_data(form) -> dict:
    data = dict(form.cleaned_data)
    data.pop("version", None)
    data["targets"] = list(data.get("targets") or [])
    return data


def _requirement_url(requirement) -> str:
    return reverse("slm:requirement_detail", args=[requirement.pk])


@login_required
def requirement_create(request):
    restricted(request, Requirement, "add")
    form = RequirementForm(request.POST or None, user=request.user)
    return form_page(
        request,
        form,
        lambda: requirement_services.create_requirement(by=request.user, **_requirement_data(form)),
        success=_("Requirement recorded."),
        next_url=_requirement_url,
        heading=_("New service requirement"),
        cancel_url=reverse("slm:requirement_list"),
    )


@login_required
def requirement_edit(request, pk: int):
    requirement = get_restricted_or_404(request, Requirement, pk, "change")
    form = RequirementForm(
        request.POST or None,
        user=request.user,
        instance=Requirement.objects.get(pk=pk),
        initial={"version": requirement.version},
    )
    return form_page(
        request,
        form,
        lambda: requirement_services.update_requirement(
            requirement,
            by=request.user,
            expected_version=form.cleaned_data.get("version"),
            **_requirement_data(form),
        ),
        success=_("Requirement saved."),
        next_url=_requirement_url(requirement),
        heading=_("Edit {name}").format(name=requirement),
        cancel_url=_requirement_url(requirement),
    )


@login_required
@require_POST
def requirement_review(request, pk: int):
    requirement = get_restricted_or_404(request, Requirement, pk, "change")
    to = request.POST.get("to") or request.POST.get("status", "")
    return transition_post(
        request,
        requirement,
        to=to,
        perform=lambda: requirement_services.review_requirement(
            requirement,
            by=request.user,
            status=to,
            note=request.POST.get("note", ""),
            expected_version=_int(request.POST.get("version")),
        ),
        next_url=_requirement_url(requirement),
        success=_("Review recorded."),
    )


# --- review meetings --------------------------------------------------------------------------


@login_required
def review_detail(request, pk: int):
    meeting = get_restricted_or_404(
        request,
        ReviewMeeting,
        pk,
        queryset=ReviewMeeting.objects.select_related("agreement", "customer").prefetch_related(
            "attendees"
        ),
    )
    can_change = record_context(request, meeting)["can_change"]
    form = None
    if can_change:
        form = ReviewRecordForm(
            request.POST or None,
            instance=ReviewMeeting.objects.get(pk=pk),
            initial={"version": meeting.version},
        )
        detail = reverse("slm:review_detail", args=[pk])
        if request.method == "POST" and form.is_valid():
            # the minutes are saved with the meeting's status: holding or cancelling it is a
            # transition, confirmed first when it is declared with ``confirm``
            status = form.cleaned_data.get("status") or meeting.status
            if confirmation := confirm_transition(request, meeting, status, cancel_url=detail):
                return confirmation

        def save():
            data = dict(form.cleaned_data)
            expected = data.pop("version", None)
            attendees = list(data.pop("attendees", []))
            review_services.update_review(
                meeting, by=request.user, expected_version=expected, attendees=attendees, **data
            )

        if request.method == "POST":
            response = save_form(request, form, save, success=_("Meeting saved."), next_url=detail)
            if response is not None:
                return response
    elif request.method == "POST":
        raise PermissionDenied
    # (action item, status options): the select offers the current status and ACTION_MACHINE's
    # moves from it
    actions: list[tuple[ActionItem, list[tuple[str, str]]]] = []
    if policy.can(request.user, ActionItem, "view"):
        for item in ActionItem.objects.filter(meeting=meeting).select_related("owner"):
            options = [(item.status, str(item.get_status_display()))] + [
                (t.target, str(ActionStatus(t.target).label))
                for t in ACTION_MACHINE.available(item, request.user)
            ]
            actions.append((item, options))
    return render(
        request,
        "slm/review_detail.html",
        {
            "meeting": meeting,
            "form": form,
            "can_change": can_change,
            "actions": actions,
            "action_form": ActionItemForm() if can_change else None,
            "status_choices": ReviewStatus,
            "action_status_choices": ActionStatus,
        },
    )


@login_required
@require_POST
def action_add(request, pk: int):
    meeting = get_restricted_or_404(request, ReviewMeeting, pk, "change")
    restricted(request, ActionItem, "add")
    form = ActionItemForm(request.POST)
    return action_post(
        request,
        lambda: review_services.add_action_item(
            meeting=meeting, by=request.user, **form.cleaned_data
        ),
        success=_("Action item added."),
        next_url=reverse("slm:review_detail", args=[pk]),
        model=ActionItem,
        form=form,
    )


@login_required
@require_POST
def action_status(request, pk: int):
    item = get_restricted_or_404(request, ActionItem, pk, "change")
    form = ActionStatusForm(request.POST)
    return action_post(
        request,
        lambda: review_services.update_action_item(
            item, by=request.user, status=form.cleaned_data["status"]
        ),
        success=_("Action item saved."),
        next_url=reverse("slm:review_detail", args=[item.meeting_id]),
        model=ActionItem,
        form=form,
    )
