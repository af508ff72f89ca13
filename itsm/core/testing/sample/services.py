"""The only writer of sample tickets (shape of a domain app's services)."""

from __future__ import annotations

from django.db import transaction

from itsm.core.models import Organisation
from itsm.core.numbering import next_number
from itsm.core.services import refuse_unknown_fields, update_record
from itsm.core.testing.sample.models import SampleTicket
from itsm.core.timeline import record_event

PREFIX = "SMP"


def create_sample_ticket(*, title: str, customer: Organisation, by=None) -> SampleTicket:
    """Create a ticket in status ``new`` with the next ``SMP-`` number."""
    with transaction.atomic():
        ticket = SampleTicket(number=next_number(PREFIX), title=title, customer=customer)
        ticket.full_clean()
        ticket.save()
        record_event(ticket, "created", by=by)
    return ticket


def update_sample_ticket(
    ticket: SampleTicket, *, by, expected_version: int | None, **fields
) -> SampleTicket:
    """Change a ticket's title (the status changes only through transitions)."""
    refuse_unknown_fields(fields, {"title"})
    return update_record(ticket, by=by, expected_version=expected_version, **fields)


def delete_sample_ticket(ticket: SampleTicket, *, by=None) -> None:
    """Delete a ticket (real record kinds usually refuse deletion; this proves the path)."""
    with transaction.atomic():
        record_event(ticket, "deleted", by=by)
        ticket.delete()
