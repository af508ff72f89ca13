"""An SLA test ticket's status moves only along its declared state machine (open → closed)."""

from __future__ import annotations

import pytest

from itsm.core.errors import InvalidTransition
from itsm.core.statemachine import ensure_transition
from itsm.slm.clocks.choices import TEST_TICKET_MACHINE
from itsm.slm.clocks.choices import (
    TestTicketStatus as Status,  # not "Test…": pytest would collect it
)
from itsm.slm.clocks.models import SlaTestTicket
from itsm.slm.clocks.services import testtickets
from itsm.slm.clocks.tests.factories import open_test_ticket, signed_sla

pytestmark = pytest.mark.django_db


def test_the_model_declares_its_machine():
    assert SlaTestTicket.state_machine is TEST_TICKET_MACHINE
    assert TEST_TICKET_MACHINE.initial == Status.OPEN
    moves = {(t.source, t.target) for t in TEST_TICKET_MACHINE.transitions}
    assert moves == {(Status.OPEN, Status.CLOSED)}


def test_closing_goes_through_the_machine_and_a_closed_ticket_stays_closed(customer_a):
    ticket = open_test_ticket(signed_sla(customer_a))
    assert ticket.status == Status.OPEN
    ticket = testtickets.close_test_ticket(ticket)
    assert SlaTestTicket.objects.get(pk=ticket.pk).status == Status.CLOSED
    with pytest.raises(InvalidTransition):
        ensure_transition(ticket, Status.OPEN, by=None)  # no way back
    with pytest.raises(InvalidTransition):
        testtickets.close_test_ticket(ticket)
