"""Incidents linked to the change that caused or fixed them (issue 12): link and unlink, with a
timeline row on the change and on the ticket."""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy as _

from itsm.change.choices import IncidentRelation
from itsm.change.models import Change, IncidentLink
from itsm.core.errors import ValidationFailed
from itsm.core.services import set_actor
from itsm.core.timeline import Event, record_events
from itsm.desk import selectors as desk_selectors
from itsm.desk.choices import TicketKind


def _error(field: str, message) -> ValidationFailed:
    return ValidationFailed(fields={field: [str(message)]})


def link_incident(change: Change, *, ticket, relation: str, by, note: str = "") -> IncidentLink:
    """Link the incident *ticket* to *change* as caused (``caused``) or fixed (``fixed``) by it.
    The ticket must be an incident *by* may view; a link is made once."""
    if relation not in IncidentRelation.values:
        raise _error("relation", _("Choose caused or fixed."))
    ticket_id = getattr(ticket, "pk", ticket)
    found = (
        desk_selectors.tickets_for(by).filter(pk=ticket_id).only("id", "number", "kind").first()
        if by is not None
        else desk_selectors.all_tickets().filter(pk=ticket_id).only("id", "number", "kind").first()
    )
    if found is None:
        raise _error("ticket", _("Choose an incident you may view."))
    if found.kind != TicketKind.INCIDENT:
        raise _error("ticket", _("Only an incident can be linked to a change."))
    if IncidentLink.objects.filter(change=change, ticket=found, relation=relation).exists():
        raise _error("ticket", _("This incident is already linked to the change this way."))
    link = IncidentLink(change=change, ticket=found, relation=relation, note=note or "")
    set_actor(link, by)
    data = {
        "change": change.number,
        "change_id": change.pk,
        "ticket": found.number,
        "ticket_id": found.pk,
        "relation": relation,
    }
    try:
        with transaction.atomic():
            link.save()
            record_events(
                [
                    Event(change, "incident_linked", by=by, note=found.number, data=data),
                    Event(found, "incident_linked", by=by, note=change.number, data=data),
                ]
            )
    except IntegrityError:  # a concurrent identical link
        raise _error(
            "ticket", _("This incident is already linked to the change this way.")
        ) from None
    return link


def unlink_incident(link: IncidentLink, *, by) -> None:
    """Remove the link (a timeline row on both records keeps what was linked)."""
    change, ticket = link.change, link.ticket
    data = {
        "change": change.number,
        "change_id": change.pk,
        "ticket": ticket.number,
        "ticket_id": ticket.pk,
        "relation": link.relation,
    }
    with transaction.atomic():
        set_actor(link, by)
        link.delete()
        record_events(
            [
                Event(change, "incident_unlinked", by=by, note=ticket.number, data=data),
                Event(ticket, "incident_unlinked", by=by, note=change.number, data=data),
            ]
        )
