"""Pages of SLA clocks: the staff clock list, SLA test tickets (list, create, detail with
actions) and the clock panel every record page can include."""

from __future__ import annotations

from collections.abc import Callable

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from itsm.core.form_views import action_post, form_page
from itsm.core.generic_views import (
    get_restricted_or_404,
    record_context,
    require_can,
)
from itsm.core.timeline import history_for
from itsm.slm.clocks import services
from itsm.slm.clocks.choices import ClockState, TestTicketStatus
from itsm.slm.clocks.forms import PauseForm, PriorityForm, TestTicketForm
from itsm.slm.clocks.models import SlaTestTicket
from itsm.slm.clocks.services import testtickets
from itsm.slm.selectors import agreements_for


@login_required
def testticket_create(request):
    require_can(request.user, SlaTestTicket, "add")
    initial: dict[str, object] = {"priority": "p2"}
    agreement_id = request.GET.get("agreement", "")
    if agreement_id.isdigit():
        agreement = agreements_for(request.user).filter(pk=int(agreement_id)).first()
        if agreement is not None:
            initial["agreement"] = agreement.pk
            first_service = agreement.services.order_by("code").first()
            if first_service is not None:
                initial["service"] = first_service.pk
    form = TestTicketForm(request.POST or None, user=request.user, initial=initial)
    return form_page(
        request,
        form,
        lambda: testtickets.create_test_ticket(by=request.user, **form.cleaned_data),
        success=lambda ticket: _("Test ticket {number} opened.").format(number=ticket.number),
        next_url=lambda ticket: reverse("clocks:testticket_detail", args=[ticket.pk]),
        heading=_("New SLA test ticket"),
        cancel_url=reverse("clocks:testticket_list"),
    )


@login_required
def testticket_detail(request, pk: int):
    ticket = get_restricted_or_404(
        request,
        SlaTestTicket,
        pk,
        queryset=SlaTestTicket.objects.select_related("agreement", "customer", "service"),
    )
    record = record_context(request, ticket)
    clocks = {c.metric: c for c in services.clocks_of(ticket)}
    states = {c.state for c in clocks.values()}
    return render(
        request,
        "clocks/testticket_detail.html",
        {
            **record,
            "ticket": ticket,
            "can_change": record["can_change"] and ticket.status == TestTicketStatus.OPEN,
            "has_running": ClockState.RUNNING in states,
            "has_paused": ClockState.PAUSED in states,
            "response_open": clocks.get("response") is not None
            and clocks["response"].state in (ClockState.RUNNING, ClockState.PAUSED),
            "resolution_open": clocks.get("resolution") is not None
            and clocks["resolution"].state in (ClockState.RUNNING, ClockState.PAUSED),
            "pause_form": PauseForm(),
            "priority_form": PriorityForm(initial={"priority": ticket.priority}),
            "history": history_for(ticket),
            "status_choices": TestTicketStatus,
        },
    )


ACTIONS: dict[str, Callable[..., object]] = {
    "pause": testtickets.pause_test_ticket,
    "resume": testtickets.resume_test_ticket,
    "respond": testtickets.respond_test_ticket,
    "resolve": testtickets.resolve_test_ticket,
    "set-priority": testtickets.set_test_ticket_priority,
    "close": testtickets.close_test_ticket,
}


#: the form of an action that takes input (its cleaned data goes to the service)
ACTION_FORMS = {"pause": PauseForm, "set-priority": PriorityForm}


@login_required
@require_POST
def testticket_action(request, pk: int, action: str):
    ticket = get_restricted_or_404(request, SlaTestTicket, pk, "change")
    fn = ACTIONS.get(action)
    if fn is None:
        raise Http404
    form = ACTION_FORMS[action](request.POST) if action in ACTION_FORMS else None
    return action_post(
        request,
        lambda: fn(ticket, by=request.user, **(form.cleaned_data if form else {})),
        success=_("Done."),
        next_url=reverse("clocks:testticket_detail", args=[pk]),
        model=SlaTestTicket,
        form=form,
    )
