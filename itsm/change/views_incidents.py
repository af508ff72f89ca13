"""Incidents linked to the change that caused or fixed them: two htmx fragments loaded by URL
name — on the change page (``change:change_incidents``) and on the desk's ticket page
(``change:ticket_changes?ticket=<id>``; the desk does not import change) — and the link and
unlink actions. Provider staff only; writes through ``itsm.change.services.incidents``."""

from __future__ import annotations

from django import forms
from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from itsm.change import selectors
from itsm.change.choices import ChangeStatus, IncidentRelation
from itsm.change.models import Change, IncidentLink
from itsm.change.services import incidents
from itsm.core import policy
from itsm.core.form_helpers import TablerFormMixin
from itsm.core.form_views import action_post
from itsm.core.generic_views import get_restricted_or_404, page
from itsm.core.pickers import PickerField, bind_pickers
from itsm.desk import selectors as desk_selectors


class LinkIncidentForm(TablerFormMixin, forms.Form):
    """On the change page: the incident, picked by number or summary."""

    ticket = PickerField("desk.ticket", label=gettext_lazy("incident"))
    relation = forms.ChoiceField(label=gettext_lazy("relation"), choices=IncidentRelation.choices)
    note = forms.CharField(label=gettext_lazy("note"), required=False, max_length=2000)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        bind_pickers(self, user)


class LinkChangeForm(TablerFormMixin, forms.Form):
    """On the ticket page: the change, picked by number or summary."""

    change = PickerField("change.change", label=gettext_lazy("change"))
    relation = forms.ChoiceField(label=gettext_lazy("relation"), choices=IncidentRelation.choices)
    note = forms.CharField(label=gettext_lazy("note"), required=False, max_length=2000)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        bind_pickers(self, user)


def _ticket_url(ticket_id: int) -> str:
    return reverse("desk:ticket_detail", args=[ticket_id])


def _change_url(change_id: int) -> str:
    return reverse("change:change_detail", args=[change_id])


@page(IncidentLink, staff_only=True)
def change_incidents(request, pk: int):
    """The fragment on the change page: incidents caused or fixed by the change."""
    change = get_restricted_or_404(request, Change, pk, "view")
    links = list(selectors.incident_links_of_change(change, request.user))
    return render(
        request,
        "change/_change_incidents.html",
        {
            "change": change,
            "links": links,
            "relation_choices": IncidentRelation,
            "may_link": change.status != ChangeStatus.DRAFT and _may(request.user, "add"),
            "may_unlink": _may(request.user, "delete"),
            "form": LinkIncidentForm(user=request.user),
        },
    )


def _may(user, action: str) -> bool:
    return policy.can(user, IncidentLink, action)


@page(IncidentLink, staff_only=True)
def ticket_changes(request):
    """The fragment on the ticket page: the changes that caused or fixed the incident
    ``?ticket=<id>``; a ticket the user may not see answers 404."""
    value = request.GET.get("ticket", "")
    if not value:  # no ticket named: nothing to list
        return render(request, "change/_ticket_changes.html", {"links": []})
    if not value.isdigit() or len(value) > 18:
        raise Http404
    ticket = get_object_or_404(
        desk_selectors.tickets_for(request.user).only("id", "kind"), pk=int(value)
    )
    links = list(selectors.incident_links_of_ticket(ticket, request.user))
    return render(
        request,
        "change/_ticket_changes.html",
        {
            "ticket": ticket,
            "is_incident": ticket.kind == "incident",
            "links": links,
            "relation_choices": IncidentRelation,
            "may_link": _may(request.user, "add"),
            "may_unlink": _may(request.user, "delete"),
            "form": LinkChangeForm(user=request.user),
        },
    )


@page(IncidentLink, action="add", staff_only=True)
@require_POST
def change_incident_link(request, pk: int):
    """Link an incident (picked on the change page) to change *pk*."""
    change = get_restricted_or_404(request, Change, pk, "view")
    form = LinkIncidentForm(request.POST, user=request.user)
    return action_post(
        request,
        lambda: incidents.link_incident(
            change,
            ticket=form.cleaned_data["ticket"],
            relation=form.cleaned_data["relation"],
            note=form.cleaned_data["note"],
            by=request.user,
        ),
        success=_("Incident linked."),
        next_url=_change_url(change.pk),
        model=IncidentLink,
        form=form,
    )


@page(IncidentLink, action="add", staff_only=True)
@require_POST
def ticket_change_link(request):
    """Link a change (picked on the ticket page) to the incident ``ticket`` of the form."""
    value = request.POST.get("ticket", "")
    if not value.isdigit() or len(value) > 18:
        raise Http404
    ticket = get_object_or_404(desk_selectors.tickets_for(request.user).only("id"), pk=int(value))
    form = LinkChangeForm(request.POST, user=request.user)
    return action_post(
        request,
        lambda: incidents.link_incident(
            form.cleaned_data["change"],
            ticket=ticket,
            relation=form.cleaned_data["relation"],
            note=form.cleaned_data["note"],
            by=request.user,
        ),
        success=_("Change linked."),
        next_url=_ticket_url(ticket.pk),
        model=IncidentLink,
        form=form,
    )


@page(IncidentLink, action="delete", staff_only=True)
@require_POST
def incident_unlink(request, pk: int):
    """Remove link *pk*; back to the ticket page when posted from there (``back=ticket``)."""
    link = get_object_or_404(
        selectors.incident_links_for(request.user, "delete").select_related("change", "ticket"),
        pk=pk,
    )
    back = (
        _ticket_url(link.ticket_id)
        if request.POST.get("back") == "ticket"
        else _change_url(link.change_id)
    )
    return action_post(
        request,
        lambda: incidents.unlink_incident(link, by=request.user),
        success=_("Link removed."),
        next_url=back,
        model=IncidentLink,
        confirm={
            "heading": _("Unlink {ticket} from {change}?").format(
                ticket=link.ticket.number, change=link.change.number
            ),
            "consequence": _("The link is removed; both histories keep a row saying so."),
            "button": _("Unlink"),
            "cancel_url": back,
            "record": link.change,
        },
    )
