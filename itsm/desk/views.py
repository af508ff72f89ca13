"""Pages of the service desk: the agent console (log a call), the ticket page with its
actions and conversation, the customer's report form, and the survey reached by its signed
e-mail link. Every write goes through ``itsm.desk.services`` via ``core.form_views``."""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from itsm.core import policy
from itsm.core.errors import DomainError
from itsm.core.form_views import (
    action_post,
    changed_values,
    error_texts,
    form_page,
    message_errors,
)
from itsm.core.formatting import field_label
from itsm.core.generic_views import get_restricted_or_404, page, record_context
from itsm.core.timeline import history_for
from itsm.core.uploads import read_upload_bytes
from itsm.desk import selectors
from itsm.desk.choices import (
    CUSTOMERS,
    CallOutcome,
    Channel,
    EntryKind,
    TicketStatus,
)
from itsm.desk.forms import (
    AssignForm,
    AttachmentForm,
    BulkForm,
    CallbackForm,
    ConsoleForm,
    DecisionForm,
    EscalateForm,
    MajorForm,
    MergeForm,
    ParentForm,
    PortalTicketForm,
    ReasonForm,
    ReplyForm,
    ResolveForm,
    ReviewForm,
    SplitForm,
    SurveyForm,
    TicketEditForm,
    UpdateForm,
    WaitForm,
)
from itsm.desk.models import Attachment, Survey, Ticket
from itsm.desk.services import contact, dispatch, entries, escalation, relations, tickets
from itsm.desk.views_files import attachment_response


def _detail_url(ticket) -> str:
    return reverse("desk:ticket_detail", args=[ticket.pk])


# --- the agent console ------------------------------------------------------------------------


@page(Ticket, action="add", staff_only=True)
def console(request):
    """Log a phone call: a ticket, or "no record needed"; the call's start (when the form
    opened), end (when it was saved) and whether it was answered are kept."""
    form = ConsoleForm(request.POST or None, user=request.user)
    no_record = "no_record" in request.POST

    def save():
        data = form.cleaned_data
        started = data.get("call_started_at") or timezone.now()
        caller = data.get("caller")
        if no_record or not data.get("answered", True):
            call = contact.log_call(
                by=request.user,
                started_at=started,
                ended_at=timezone.now(),
                answered=bool(data.get("answered", True)),
                outcome=CallOutcome.NO_RECORD if data.get("answered", True) else CallOutcome.MISSED,
                caller=caller,
                organisation=data.get("customer"),
                note=data.get("title") or data.get("description") or "",
            )
            return call
        ticket = tickets.create_ticket(
            by=request.user,
            kind=data["kind"],
            title=data.get("title") or "",
            description=data.get("description") or "",
            customer=data["customer"],
            contact=caller,
            channel=Channel.PHONE,
            category=data.get("category"),
            impact=data["impact"],
            urgency=data["urgency"],
            service=data.get("service"),
            cis=list(data.get("cis") or ()),
        )
        contact.log_call(
            by=request.user,
            started_at=started,
            ended_at=timezone.now(),
            outcome=CallOutcome.TICKET,
            caller=caller,
            organisation=data["customer"],
            ticket=ticket,
        )
        return ticket

    def done_url(result):
        if isinstance(result, Ticket):
            return _detail_url(result)
        return reverse("desk:console")

    def done_text(result):
        if isinstance(result, Ticket):
            return _("Ticket {number} logged.").format(number=result.number)
        return _("Call logged without a record.")

    return form_page(
        request,
        form,
        save,
        success=done_text,
        next_url=done_url,
        heading=_("Agent console: log a call"),
        cancel_url=reverse("desk:ticket_list"),
        template="desk/console.html",
    )


# --- the ticket page -------------------------------------------------------------------------


def _ticket(request, pk: int, action: str = "view") -> Ticket:
    return get_restricted_or_404(
        request,
        Ticket,
        pk,
        action,
        queryset=selectors.tickets_for(request.user, "view").select_related(
            "customer",
            "contact",
            "assignment_group",
            "assignee",
            "service",
            "category",
            "agreement",
            "parent",
            "merged_into",
            "major_manager",
        ),
        visible_first=True,
    )


@login_required
def ticket_detail(request, pk: int):
    ticket = _ticket(request, pk)
    record = record_context(request, ticket)
    staff = policy.is_provider_staff(request.user)
    conversation = (
        selectors.entries_for(request.user).filter(ticket=ticket).select_related("author")
    )
    attachments = selectors.attachments_for(request.user).filter(ticket=ticket)
    holder = entries.take_lock(ticket, by=request.user) if staff and ticket.is_open else None
    customer_may_decide = (
        not staff
        and ticket.status == TicketStatus.RESOLVED
        and bool(request.user.roles & CUSTOMERS)
    )
    survey = Survey.objects.filter(ticket=ticket).first()
    context = {
        **record,
        "ticket": ticket,
        "staff": staff,
        "status_choices": TicketStatus,
        "entry_kinds": EntryKind,
        "conversation": conversation,
        "attachments": attachments,
        "lock_holder": holder,
        "reply_form": ReplyForm(initial={"kind": EntryKind.REPLY if staff else EntryKind.COMMENT}),
        "attachment_form": AttachmentForm(auto_id="attach_%s"),
        "customer_may_decide": customer_may_decide,
        "decision_form": DecisionForm(auto_id="decision_%s", initial={"version": ticket.version}),
        "survey_open": survey is not None and survey.answered_at is None and not staff,
        "survey": survey,
        "survey_form": SurveyForm(auto_id="survey_%s"),
        "children": selectors.tickets_for(request.user).filter(parent=ticket).order_by("id"),
        "history": history_for(ticket) if staff else [],
        "missing_labels": [field_label(Ticket, name) for name in ticket.missing_fields],
    }
    if staff and record["can_change"]:
        context.update(
            {
                "assign_form": AssignForm(
                    auto_id="assign_%s",
                    user=request.user,
                    initial={
                        "assignment_group": ticket.assignment_group_id,
                        "version": ticket.version,
                    },
                ),
                "return_form": ReasonForm(auto_id="return_%s", initial={"version": ticket.version}),
                "wait_form": WaitForm(auto_id="wait_%s", initial={"version": ticket.version}),
                "resolve_form": ResolveForm(
                    auto_id="resolve_%s", initial={"version": ticket.version}
                ),
                "escalate_form": EscalateForm(
                    auto_id="escalate_%s", initial={"version": ticket.version}
                ),
                "canned": [
                    (response.title, entries.render_canned(response, ticket, agent=request.user))
                    for response in selectors.canned_responses_for(
                        request.user,
                        team_ids=[ticket.assignment_group_id] if ticket.assignment_group_id else [],
                    )
                ],
                "merge_form": MergeForm(auto_id="merge_%s", user=request.user),
                "split_form": SplitForm(auto_id="split_%s"),
                "parent_form": ParentForm(
                    auto_id="parent_%s",
                    user=request.user,
                    initial={"parent": ticket.parent, "version": ticket.version},
                ),
                "major_form": MajorForm(
                    auto_id="major_%s", user=request.user, initial={"version": ticket.version}
                ),
                "update_form": UpdateForm(auto_id="update_%s", initial={"public": True}),
                "review_form": ReviewForm(auto_id="review_%s", initial=_review_initial(ticket)),
                "callback_form": CallbackForm(auto_id="callback_%s"),
                "escalations": ticket.escalations.select_related("to_team", "to_user", "by"),
                "dispatches": ticket.assignments.select_related("team", "assignee", "by", "rule"),
            }
        )
    return render(request, "desk/ticket_detail.html", context)


def _review_initial(ticket) -> dict:
    review = getattr(ticket, "review", None) if ticket.is_major else None
    if review is None:
        return {}
    return {
        name: getattr(review, name)
        for name in ("summary", "root_cause", "what_went_well", "what_went_wrong", "actions")
    }


@login_required
def ticket_edit(request, pk: int):
    ticket = _ticket(request, pk, "change")
    form = TicketEditForm(
        request.POST or None,
        instance=ticket,
        user=request.user,
        initial={"version": ticket.version},
    )
    names = (
        "title",
        "description",
        "category",
        "impact",
        "urgency",
        "priority",
        "service",
        "contact",
        "contact_email",
        "cis",
    )

    def save():
        changed = changed_values(form, names)
        # the form's instance holds the posted values: the service compares with the row
        row = Ticket.objects.get(pk=pk)
        if not changed:  # saved unchanged: nothing to write
            return row
        if "cis" in changed:
            changed["cis"] = list(changed["cis"] or ())
        return tickets.update_ticket(
            row, by=request.user, expected_version=form.cleaned_data["version"], **changed
        )

    return form_page(
        request,
        form,
        save,
        success=_("Ticket saved."),
        next_url=_detail_url(ticket),
        heading=_("Edit {number}").format(number=ticket.number),
        cancel_url=_detail_url(ticket),
    )


def _version(form) -> int | None:
    return form.cleaned_data.get("version") if form.is_valid() else None


ACTIONS: dict[str, tuple[type | None, Callable]] = {
    "start": (None, lambda t, u, d: tickets.start_work(t, by=u)),
    "assign": (
        AssignForm,
        lambda t, u, d: dispatch.assign(
            t,
            by=u,
            group=d["assignment_group"],
            assignee=d.get("assignee"),
            note=d.get("note", ""),
            expected_version=d.get("version"),
        ),
    ),
    "return": (
        ReasonForm,
        lambda t, u, d: dispatch.return_ticket(
            t, by=u, reason=d["reason"], expected_version=d.get("version")
        ),
    ),
    "wait": (
        WaitForm,
        lambda t, u, d: tickets.wait(
            t, on=d["on"], by=u, note=d["note"], expected_version=d.get("version")
        ),
    ),
    "resume": (None, lambda t, u, d: tickets.move(t, TicketStatus.IN_PROGRESS, by=u)),
    "resolve": (
        ResolveForm,
        lambda t, u, d: tickets.resolve(
            t,
            by=u,
            resolution=d["resolution"],
            resolution_code=d["resolution_code"],
            expected_version=d.get("version"),
            resolve_children=d.get("resolve_children", False),
        ),
    ),
    "escalate": (
        EscalateForm,
        lambda t, u, d: escalation.escalate(
            t, kind=d["kind"], by=u, reason=d["reason"], expected_version=d.get("version")
        ),
    ),
    "cancel": (DecisionForm, lambda t, u, d: tickets.cancel(t, by=u, note=d.get("note", ""))),
    "merge": (
        MergeForm,
        lambda t, u, d: relations.merge(t, into=d["into"], by=u, note=d.get("note", "")),
    ),
    "split": (
        SplitForm,
        lambda t, u, d: relations.split(
            t, by=u, title=d["title"], description=d.get("description", "")
        ),
    ),
    "parent": (
        ParentForm,
        lambda t, u, d: relations.set_parent(
            t, parent=d.get("parent"), by=u, expected_version=d.get("version")
        ),
    ),
    "major": (
        MajorForm,
        lambda t, u, d: escalation.declare_major(
            t,
            by=u,
            manager=d["manager"],
            update_interval_minutes=d["update_interval_minutes"],
            note=d.get("note", ""),
            expected_version=d.get("version"),
        ),
    ),
    "update": (
        UpdateForm,
        lambda t, u, d: escalation.post_update(
            t, by=u, body=d["message"], public=bool(d.get("public"))
        ),
    ),
    "review": (ReviewForm, lambda t, u, d: escalation.record_review(t, by=u, **d)),
    "callback": (
        CallbackForm,
        lambda t, u, d: contact.record_callback(
            t, by=u, outcome=d["outcome"], score=d.get("score"), note=d.get("note", "")
        ),
    ),
}
#: forms whose pickers need the user
_USER_FORMS = (AssignForm, MergeForm, ParentForm, MajorForm)
#: actions whose result is another ticket to show next
_GOES_TO_RESULT = ("merge", "split")

#: what a customer may do on their own ticket (the page checks ``view``)
CUSTOMER_ACTIONS: dict[str, tuple[type | None, Callable]] = {
    "confirm": (DecisionForm, lambda t, u, d: tickets.close(t, by=u, note=d.get("note", ""))),
    "reject": (DecisionForm, lambda t, u, d: tickets.reopen(t, by=u, note=d.get("note", ""))),
}


@login_required
@require_POST
def ticket_action(request, pk: int, action: str):
    if action in CUSTOMER_ACTIONS:
        ticket = _ticket(request, pk, "view")
        form_class, perform = CUSTOMER_ACTIONS[action]
    elif action in ACTIONS:
        ticket = _ticket(request, pk, "change")
        form_class, perform = ACTIONS[action]
    else:
        raise Http404
    form = None
    if form_class in _USER_FORMS:
        form = form_class(request.POST, user=request.user)
    elif form_class is not None:
        form = form_class(request.POST)
    confirm = None
    if action in ("cancel", "confirm", "merge"):
        confirm = {
            "heading": _CONFIRM_HEADINGS[action].format(number=ticket.number),
            "consequence": _consequence(action),
            "button": _CONFIRM_BUTTONS[action],
            "cancel_url": _detail_url(ticket),
            "record": ticket,
        }
    return action_post(
        request,
        lambda: perform(ticket, request.user, form.cleaned_data if form is not None else {}),
        success=_("Done."),
        next_url=(lambda result: _detail_url(result))
        if action in _GOES_TO_RESULT
        else _detail_url(ticket),
        error_url=_detail_url(ticket),
        model=Ticket,
        form=form,
        confirm=confirm,
    )


def _consequence(action: str) -> str:
    """What an irreversible move does, as the confirmation page says it."""
    if action == "cancel":
        return _("The ticket is cancelled for good; its clocks stop and it cannot reopen.")
    if action == "merge":
        return _(
            "The ticket is cancelled as a duplicate; its e-mail thread and later replies go "
            "to the ticket it is merged into."
        )
    return _("A closed ticket cannot be reopened; a new ticket is needed.")


_CONFIRM_HEADINGS = {
    "cancel": gettext_lazy("Cancel {number}?"),
    "confirm": gettext_lazy("Close {number}?"),
    "merge": gettext_lazy("Merge {number}?"),
}
_CONFIRM_BUTTONS = {
    "cancel": gettext_lazy("Cancel the ticket"),
    "confirm": gettext_lazy("Confirm and close"),
    "merge": gettext_lazy("Merge"),
}


@login_required
@require_POST
def ticket_reply(request, pk: int):
    ticket = _ticket(request, pk, "view")
    form = ReplyForm(request.POST)
    staff = policy.is_provider_staff(request.user)

    def perform():
        data = form.cleaned_data
        kind = data["kind"] if staff else EntryKind.COMMENT
        return entries.add_entry(
            ticket,
            by=request.user,
            kind=kind,
            body=data["body"],
            time_spent_minutes=data.get("time_spent_minutes") or 0,
        )

    return action_post(
        request, perform, success=_("Added."), next_url=_detail_url(ticket), model=Ticket, form=form
    )


@login_required
@require_POST
def ticket_attach(request, pk: int):
    ticket = _ticket(request, pk, "view")
    form = AttachmentForm(request.POST, request.FILES)

    def perform():
        upload = form.cleaned_data["file"]
        content = read_upload_bytes(upload, field="file")
        return entries.add_attachment(
            ticket,
            by=request.user,
            name=upload.name,
            content_type=upload.content_type or "",
            content=content,
            internal=bool(form.cleaned_data.get("internal")),
        )

    return action_post(
        request,
        perform,
        success=_("File attached."),
        next_url=_detail_url(ticket),
        model=Ticket,
        form=form,
    )


@page(Attachment)
def attachment_download(request, pk: int):
    """A ticket's file, as a download (through the user's restriction: 404 otherwise)."""
    return attachment_response(request, pk)


@login_required
@require_POST
def ticket_rate(request, pk: int):
    ticket = _ticket(request, pk, "view")
    form = SurveyForm(request.POST)
    survey = Survey.objects.filter(ticket=ticket).first()
    if survey is None:
        raise Http404
    return action_post(
        request,
        lambda: contact.answer_survey(
            survey,
            score=form.cleaned_data["score"],
            comment=form.cleaned_data.get("comment", ""),
            channel="portal",
            by=request.user,
        ),
        success=_("Thank you for your rating."),
        next_url=_detail_url(ticket),
        model=Ticket,
        form=form,
    )


# --- the customer's report form --------------------------------------------------------------


@page(Ticket, action="add")
def report(request):
    """A customer reports an incident or asks a question (their organisation's ticket)."""
    if policy.is_provider_staff(request.user):
        return redirect("desk:console")
    form = PortalTicketForm(request.POST or None)

    def save():
        data = form.cleaned_data
        return tickets.create_ticket(
            by=request.user,
            kind=data["kind"],
            title=data["title"],
            description=data["description"],
            customer=request.user.organisation,
            contact=request.user,
            channel=Channel.PORTAL,
            urgency=data["urgency"],
        )

    return form_page(
        request,
        form,
        save,
        success=lambda t: _("Ticket {number} logged.").format(number=t.number),
        next_url=_detail_url,
        heading=_("Report an issue"),
        cancel_url=reverse("desk:ticket_list"),
        template="desk/report.html",  # with the knowledge base's suggestions
    )


# --- the survey link -------------------------------------------------------------------------


def survey_answer(request, token: str):
    """The satisfaction survey reached by its signed one-time e-mail link (no sign-in)."""
    try:
        survey = contact.survey_from_token(token)
    except DomainError:
        return render(request, "desk/survey.html", {"invalid": True}, status=404)
    form = SurveyForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            contact.answer_survey(
                survey,
                score=form.cleaned_data["score"],
                comment=form.cleaned_data.get("comment", ""),
                channel="email",
            )
        except DomainError as error:
            message_errors(request, error, model=Survey)
        else:
            return render(request, "desk/survey.html", {"thanks": True, "survey": survey})
    return render(
        request,
        "desk/survey.html",
        {"survey": survey, "form": form, "answered": survey.answered_at is not None},
    )


# --- the queue's bulk actions ------------------------------------------------------------------


@page(Ticket, action="change", staff_only=True)
@require_POST
def bulk(request):
    """Assign or resolve the tickets ticked in the queue, each through its service; a ticket
    that cannot move is named in a message and the others go on."""
    form = BulkForm(request.POST, user=request.user)
    back = request.POST.get("next") or reverse("desk:ticket_list")
    if not url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}):
        back = reverse("desk:ticket_list")
    if not form.is_valid():
        message_errors(request, form, model=Ticket)
        return redirect(back)
    data = form.cleaned_data
    done = 0
    for ticket in data["ids"]:
        try:
            if data["action"] == "assign":
                dispatch.assign(ticket, by=request.user, group=data["assignment_group"])
            else:
                tickets.resolve(
                    ticket,
                    by=request.user,
                    resolution=data["resolution"],
                    resolution_code=data["resolution_code"],
                )
        except (DomainError, DjangoValidationError) as error:
            for text in error_texts(error, model=Ticket):
                messages.error(request, f"{ticket.number}: {text}")
        else:
            done += 1
    if done:
        messages.success(request, _("{count} tickets updated.").format(count=done))
    return redirect(back)


# --- the impact preview of the console -----------------------------------------------------------


@page(Ticket, action="add", staff_only=True)
def impact_preview(request):
    """What the CIs picked on the console affect, before the ticket is saved (htmx fragment):
    each CI's business services and customers from the CMDB's impact analysis (dependents,
    three relations deep), as the user may see them."""
    from itsm.cmdb import selectors as cmdb_selectors

    # the picker's input holds the picked CIs' numbers, comma-separated
    numbers = [n.strip() for n in request.GET.get("cis", "").split(",") if n.strip()][:5]
    cis = list(cmdb_selectors.cis_for(request.user).filter(number__in=numbers))
    rows = []
    for ci in cis:
        result = cmdb_selectors.impact(ci, direction="dependents", max_depth=3, user=request.user)
        rows.append(
            {
                "ci": ci,
                "services": [n for n in result.business_services if not n.masked],
                "customers": result.customers,
                "count": len(result.impacted),
                "truncated": result.truncated,
            }
        )
    return render(request, "desk/_impact_preview.html", {"rows": rows})
