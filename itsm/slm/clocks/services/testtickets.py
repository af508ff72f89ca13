"""SLA test tickets (SLA 测试单): the only writer of ``clocks.SlaTestTicket``.

A test ticket tries an agreement's clocks before real ticket modules exist: it starts the
response and resolution clocks of its agreement × service × priority, and its actions
(pause, resume, respond, resolve, change priority, close) drive them like a real ticket would.
It may be opened in the past to see a warning and a breach at once. Its status moves only
along ``TEST_TICKET_MACHINE`` (``clocks.choices``): open → closed, checked by
``ensure_transition``.
"""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from itsm.core.calendars.models import MIN_YEAR
from itsm.core.choices import Priority
from itsm.core.errors import InvalidTransition, ValidationFailed
from itsm.core.numbering import next_number
from itsm.core.services import save_versioned, update_record
from itsm.core.statemachine import ensure_transition
from itsm.core.timeline import Event, record_event, record_events
from itsm.slm.choices import AgreementStatus
from itsm.slm.clocks.choices import TEST_TICKET_MACHINE, ClockLevel, ClockState, TestTicketStatus
from itsm.slm.clocks.models import SlaTestTicket
from itsm.slm.clocks.services import engine
from itsm.slm.clocks.services.sweep import register_escalation_handler

PREFIX = "SLT"
USABLE_AGREEMENT_STATES = (AgreementStatus.SIGNED, AgreementStatus.ACTIVE)
OPEN_CLOCK_STATES = (ClockState.RUNNING, ClockState.PAUSED)


def _now(at: datetime | None) -> datetime:
    return at or timezone.now()


def create_test_ticket(
    *,
    title: str,
    agreement,
    priority: str,
    service=None,
    opened_at: datetime | None = None,
    by=None,
) -> SlaTestTicket:
    """Open a test ticket on a signed or active *agreement* and start its clocks."""
    errors: dict[str, list[str]] = {}
    now = timezone.now()
    opened_at = opened_at or now
    if agreement is None:
        errors["agreement"] = [str(_("Choose an agreement."))]
    elif agreement.status not in USABLE_AGREEMENT_STATES:
        errors["agreement"] = [str(_("Only a signed or active agreement can be tested."))]
    if priority not in Priority.values:
        errors["priority"] = [str(_("Choose a priority from P1 to P4."))]
    if agreement is not None and service is not None:
        if not agreement.services.filter(pk=service.pk).exists():
            errors["service"] = [str(_("The agreement does not cover this service."))]
    if timezone.is_naive(opened_at):
        errors["opened_at"] = [str(_("An aware date and time is required."))]
    elif opened_at > now:
        errors["opened_at"] = [str(_("A test ticket cannot be opened in the future."))]
    elif opened_at.year < MIN_YEAR:  # business time is computed from 1971 on
        errors["opened_at"] = [
            str(_("Enter a date and time from {year} on.")).format(year=MIN_YEAR)
        ]
    if not (title or "").strip():
        errors["title"] = [str(_("This field is required."))]
    if errors:
        raise ValidationFailed(fields=errors)
    with transaction.atomic():
        ticket = SlaTestTicket(
            number=next_number(PREFIX),
            title=title.strip(),
            agreement=agreement,
            service=service,
            priority=priority,
            customer=agreement.customer,
            status=TEST_TICKET_MACHINE.initial,
            opened_at=opened_at,
        )
        ticket.full_clean()
        ticket.save()
        record_event(ticket, "created", by=by, at=opened_at)
        clocks = engine.start_clocks_for(
            record=ticket,
            agreement=agreement,
            service=service,
            priority=priority,
            customer=agreement.customer,
            at=opened_at,
            by=by,
        )
        if not clocks:
            raise ValidationFailed(
                fields={
                    "priority": [
                        str(
                            _(
                                "The agreement has no response or resolution target for this "
                                "service and priority."
                            )
                        )
                    ]
                }
            )
    return ticket


def update_test_ticket(
    ticket: SlaTestTicket, *, by, expected_version: int | None, **fields
) -> SlaTestTicket:
    """Change the title of a test ticket; every other field changes through its actions."""
    other = sorted(set(fields) - {"title"})
    if other:
        raise ValidationFailed(
            fields={
                name: [str(_("Use the ticket's actions to change this field."))] for name in other
            }
        )
    return update_record(ticket, by=by, expected_version=expected_version, **fields)


def _open(ticket: SlaTestTicket) -> None:
    if ticket.status != TestTicketStatus.OPEN:
        raise InvalidTransition(str(_("The test ticket is closed.")))


def _bump(ticket: SlaTestTicket, expected_version: int | None, *, by, **fields) -> SlaTestTicket:
    for name, value in fields.items():
        setattr(ticket, name, value)
    return save_versioned(
        ticket, expected_version=expected_version, update_fields=list(fields), by=by
    )


def pause_test_ticket(
    ticket: SlaTestTicket,
    *,
    reason: str,
    at: datetime | None = None,
    by=None,
    expected_version: int | None = None,
) -> SlaTestTicket:
    """Pause the ticket's running clocks (e.g. "waiting for customer")."""
    at = _now(at)
    with transaction.atomic():
        _open(ticket)
        running = engine.clocks_of(ticket, ClockState.RUNNING)
        if not running:
            raise InvalidTransition(str(_("No clock of this ticket is running.")))
        for clock in running:
            engine.pause_clock(clock, at=at, reason=reason, by=by)
        ticket = _bump(ticket, expected_version, by=by)
        record_event(ticket, "paused", by=by, note=reason.strip(), at=at)
    return ticket


def resume_test_ticket(
    ticket: SlaTestTicket, *, at: datetime | None = None, by=None, expected_version=None
) -> SlaTestTicket:
    """Resume the ticket's paused clocks."""
    at = _now(at)
    with transaction.atomic():
        _open(ticket)
        paused = engine.clocks_of(ticket, ClockState.PAUSED)
        if not paused:
            raise InvalidTransition(str(_("No clock of this ticket is paused.")))
        for clock in paused:
            engine.resume_clock(clock, at=at, by=by)
        ticket = _bump(ticket, expected_version, by=by)
        record_event(ticket, "resumed", by=by, at=at)
    return ticket


def _stop_metrics(ticket, metrics, *, at, by, verb, expected_version, missing_message):
    with transaction.atomic():
        _open(ticket)
        clocks = [c for c in engine.clocks_of(ticket, *OPEN_CLOCK_STATES) if c.metric in metrics]
        if not clocks:
            raise InvalidTransition(str(missing_message))
        for clock in clocks:
            engine.stop_clock(clock, at=at, by=by)
        ticket = _bump(ticket, expected_version, by=by)
        record_event(ticket, verb, by=by, at=at)
    return ticket


def respond_test_ticket(
    ticket: SlaTestTicket, *, at: datetime | None = None, by=None, expected_version=None
) -> SlaTestTicket:
    """The first response was given: stop the response clock."""
    return _stop_metrics(
        ticket,
        ("response",),
        at=_now(at),
        by=by,
        verb="responded",
        expected_version=expected_version,
        missing_message=_("The response clock is not open."),
    )


def resolve_test_ticket(
    ticket: SlaTestTicket, *, at: datetime | None = None, by=None, expected_version=None
) -> SlaTestTicket:
    """The ticket is resolved: stop the resolution clock (and a response clock still open)."""
    return _stop_metrics(
        ticket,
        ("response", "resolution"),
        at=_now(at),
        by=by,
        verb="resolved",
        expected_version=expected_version,
        missing_message=_("The resolution clock is not open."),
    )


def set_test_ticket_priority(
    ticket: SlaTestTicket,
    *,
    priority: str,
    at: datetime | None = None,
    by=None,
    expected_version: int | None = None,
) -> SlaTestTicket:
    """Change the priority: each open clock takes the new priority's target, keeping the
    business time already elapsed and the pauses already taken."""
    from itsm.slm.selectors import find_target

    at = _now(at)
    if priority not in Priority.values:
        raise ValidationFailed(fields={"priority": [str(_("Choose a priority from P1 to P4."))]})
    with transaction.atomic():
        _open(ticket)
        if priority == ticket.priority:
            raise ValidationFailed(
                fields={"priority": [str(_("The ticket already has this priority."))]}
            )
        old = ticket.priority
        for clock in engine.clocks_of(ticket, *OPEN_CLOCK_STATES):
            target = find_target(
                agreement=ticket.agreement_id,
                service=ticket.service_id,
                priority=priority,
                metric=clock.metric,
            )
            engine.recalculate_clock(clock, at=at, priority=priority, target=target, by=by)
        ticket = _bump(ticket, expected_version, by=by, priority=priority)
        record_event(ticket, "priority_changed", by=by, at=at, data={"from": old, "to": priority})
    return ticket


def close_test_ticket(
    ticket: SlaTestTicket, *, at: datetime | None = None, by=None, expected_version=None
) -> SlaTestTicket:
    """Close the ticket; clocks still open are stopped."""
    at = _now(at)
    with transaction.atomic():
        _open(ticket)
        ensure_transition(ticket, TestTicketStatus.CLOSED, by=by)
        for clock in engine.clocks_of(ticket, *OPEN_CLOCK_STATES):
            engine.stop_clock(clock, at=at, by=by)
        ticket = _bump(ticket, expected_version, by=by, status=TestTicketStatus.CLOSED)
        record_event(ticket, "closed", by=by, at=at)
    return ticket


# --- escalation -------------------------------------------------------------------------------


def escalate_test_tickets(clocks, *, level: int, at: datetime) -> None:
    """A test ticket's clock breached: record "escalated to the group leader" (what a real
    ticket module would do by notifying the group leader, raising priority or reassigning)."""
    if level != ClockLevel.BREACHED:
        return
    note = str(_("Escalated to the group leader."))
    record_events(
        Event(
            SlaTestTicket(pk=clock.object_id),  # the sweep passes only clocks of existing tickets
            "escalated",
            note=note,
            data={"clock": clock.pk, "metric": clock.metric},
            at=clock.breached_at or at,
        )
        for clock in clocks
    )


def register() -> None:
    register_escalation_handler(SlaTestTicket, escalate_test_tickets)
