"""Confirmation before an action that cannot be undone (retire, terminate, delete, remove …).

One mechanism for every page:

* a state machine declares irreversibility as data: ``Transition(…, confirm=_("what will
  happen"))`` (``core.statemachine``);
* the button is the shared include ``core/_action_form.html``: a POST form carrying
  ``data-confirm`` (the consequence) when the action needs a confirmation;
* the view calls :func:`confirm_transition` (state-machine moves) or :func:`confirm_action`
  (deletions, removals, confirmations) before it calls the service. Without ``confirmed=yes``
  in the POST it answers a confirmation page (``core/confirm.html``) that says what will happen
  and posts the same fields again with ``confirmed=yes``, or goes back with "Cancel".

So the step holds without JavaScript, for a stale page and for a form posted by hand; nothing
is written until the user confirmed.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _

#: the POST field that says the user saw the confirmation
CONFIRM_FIELD = "confirmed"
CONFIRM_VALUE = "yes"
_NOT_REPOSTED = {"csrfmiddlewaretoken", CONFIRM_FIELD}


def is_confirmed(request: HttpRequest) -> bool:
    return request.POST.get(CONFIRM_FIELD) == CONFIRM_VALUE


def confirmation_page(
    request: HttpRequest,
    *,
    heading,
    consequence,
    button,
    cancel_url: str,
    record=None,
    record_url: str | None = None,
) -> HttpResponse:
    """The page that asks "really?": *heading*, what will happen (*consequence*), a button
    labelled *button* that posts the request's fields again with ``confirmed=yes``, and a
    "Cancel" link to *cancel_url*. The breadcrumb leads back through *record_url* (default:
    *cancel_url*, normally the record's page)."""
    fields = [
        (name, value)
        for name, values in request.POST.lists()
        if name not in _NOT_REPOSTED
        for value in values
    ]
    context = {
        "heading": heading,
        "consequence": consequence,
        "button": button,
        "cancel_url": cancel_url,
        "fields": fields,
        "action": request.path,
        "confirm_field": CONFIRM_FIELD,
        "confirm_value": CONFIRM_VALUE,
        "record": record,
        # the page the breadcrumb trail ends with (``ui/base.html`` block ``breadcrumbs``)
        "breadcrumb_parent": record_url or cancel_url,
    }
    return render(request, "core/confirm.html", context)


def confirm_action(
    request: HttpRequest, *, heading, consequence, button, cancel_url: str, record=None
) -> HttpResponse | None:
    """``None`` when the POST carries the confirmation, else the confirmation page."""
    if is_confirmed(request):
        return None
    return confirmation_page(
        request,
        heading=heading,
        consequence=consequence,
        button=button,
        cancel_url=cancel_url,
        record=record,
    )


def confirm_transition(
    request: HttpRequest, obj, target: str, *, cancel_url: str, machine=None
) -> HttpResponse | None:
    """The confirmation page when moving *obj* to *target* is a transition declared with
    ``confirm`` and the POST does not carry the confirmation yet; ``None`` otherwise (the
    service then checks the move as usual, so an illegal one still gets its typed error)."""
    machine = machine or type(obj).state_machine
    transition = machine.find(machine.state_of(obj), target)
    if transition is None or not transition.confirm or is_confirmed(request):
        return None
    return confirmation_page(
        request,
        heading=_("{action}: {record}?").format(action=transition.label, record=obj),
        consequence=transition.confirm,
        button=transition.label,
        cancel_url=cancel_url,
        record=obj,
    )
