"""Tickets: create, edit and move along the declared lifecycle (R-DSK-01/02/04, R-INC-01).

A ticket's create runs, in one transaction: validation, the priority from the impact ×
urgency matrix, the dispatch rules (``dispatch.match``), the completeness of the record
(``choices.REQUIRED_FIELDS``), the lean insert (``core.writes.insert_record``: the row, its
field history and its timeline row), the dispatch row, the SLA clocks of the customer's
agreement for the service (``slm.clocks.services.start_clocks_for``) and the notifications
through the outbox.

Clocks: the response clock stops at the first public reply or when work starts; the
resolution clock pauses while the ticket is in a state its agreement's pause rule names
(default: pending on the customer, ``ClockPolicy``), pauses at resolution (awaiting the
customer's confirmation), resumes on reopening, and stops when the ticket closes — so a
reopened ticket keeps the business time it had used. A cancelled ticket's clocks are
cancelled (they measure nothing). The ticket keeps its resolution clock's due time in
``due_at`` (empty while paused) so the queue sorts by it without reading the clocks.
"""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from itsm.catalog import selectors as catalog_selectors
from itsm.core import policy, stamps
from itsm.core.choices import OrganisationKind, Priority
from itsm.core.errors import InvalidTransition, ValidationFailed
from itsm.core.services import clean_record, save_versioned, set_actor
from itsm.core.statemachine import ensure_transition
from itsm.core.timeline import record_event
from itsm.core.writes import Rows, insert_record, known_related, new_row
from itsm.desk.choices import (
    CUSTOMERS,
    DEFAULT_PAUSE_STATES,
    NUMBER_PREFIX,
    OPEN_STATES,
    PENDING_STATES,
    REQUIRED_FIELDS,
    WORKERS,
    Channel,
    Impact,
    TicketKind,
    TicketStatus,
    Urgency,
)
from itsm.desk.models import Category, ClockPolicy, PriorityRule, Ticket
from itsm.desk.services import dispatch, notifications
from itsm.slm import selectors as slm_selectors
from itsm.slm.clocks import services as clocks

RESPONSE = "response"
RESOLUTION = "resolution"
OPEN_CLOCK_STATES = ("running", "paused")

#: fields an agent edits on the ticket form (status, group and assignee move through actions)
EDITABLE = frozenset(
    {
        "title",
        "description",
        "kind",
        "category",
        "impact",
        "urgency",
        "priority",
        "service",
        "contact",
        "contact_email",
        "cis",
        "resolution_code",
        "resolution",
    }
)


def _now(at: datetime | None) -> datetime:
    return at or timezone.now()


# --- priority and completeness ----------------------------------------------------------------


def priority_for(impact: str, urgency: str) -> str:
    """The priority of impact × urgency: the matrix's cell (``PriorityRule``), else P3."""
    if not impact or not urgency:
        return Priority.P3
    return _matrix().get((impact, urgency)) or Priority.P3


def _matrix() -> dict[tuple[str, str], str]:
    """The priority matrix, read once per process until it changes (``core.stamps``)."""
    return stamps.memo(
        ("desk.config",),
        "priority-matrix",
        lambda: {
            (impact, urgency): priority
            for impact, urgency, priority in PriorityRule.objects.values_list(
                "impact", "urgency", "priority"
            )
        },
    )


def missing_fields(ticket: Ticket, *, cis_count: int | None = None) -> list[str]:
    """The fields a complete record of the ticket's kind has filled in its state and lacks."""
    required = REQUIRED_FIELDS.get(ticket.kind, {}).get(ticket.status, ())
    missing = []
    for name in required:
        if name == "cis":
            if not cis_count:
                missing.append(name)
            continue
        field = Ticket._meta.get_field(name)
        value = getattr(ticket, getattr(field, "attname", name))
        if value in (None, "", [], {}):
            missing.append(name)
    return missing


def _mark_completeness(ticket: Ticket) -> None:
    ticket.missing_fields = missing_fields(ticket)
    ticket.is_complete = not ticket.missing_fields


# --- create -----------------------------------------------------------------------------------


def _check_new(
    *,
    by,
    kind,
    title,
    customer,
    contact,
    channel,
    category,
    impact,
    urgency,
    priority,
    service,
    cis,
    contact_email,
) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    if not TicketKind.has(kind):
        errors["kind"] = [str(_("Choose the kind of ticket."))]
    if not (title or "").strip():
        errors["title"] = [str(_("This field is required."))]
    if customer is None:
        errors["customer"] = [str(_("Choose the customer."))]
    elif customer.kind != OrganisationKind.CUSTOMER:
        errors["customer"] = [str(_("Tickets belong to a customer organisation."))]
    elif (
        by is not None
        and not policy.is_provider_staff(by)
        and customer.pk != getattr(by, "organisation_id", None)
    ):
        errors["customer"] = [str(_("You can log tickets only for your own organisation."))]
    if contact is not None and customer is not None and contact.organisation_id != customer.pk:
        errors["contact"] = [str(_("The contact belongs to another organisation."))]
    if not Channel.has(channel):
        errors["channel"] = [str(_("Choose the channel."))]
    if impact and not Impact.has(impact):
        errors["impact"] = [str(_("Choose an impact."))]
    if urgency and not Urgency.has(urgency):
        errors["urgency"] = [str(_("Choose an urgency."))]
    if priority and not Priority.has(priority):
        errors["priority"] = [str(_("Choose a priority from P1 to P4."))]
    if category is not None:
        if not category.is_active:
            errors["category"] = [str(_("This category is no longer used."))]
        elif category.kind and category.kind != kind:
            errors["category"] = [str(_("This category is for another kind of ticket."))]
    if service is not None and customer is not None:
        if not catalog_selectors.is_offered(service, customer):  # the portal's rule
            errors["service"] = [str(_("This service is not offered to the customer."))]
    if customer is not None:
        foreign = [ci for ci in cis if ci.customer_id not in (None, customer.pk)]
        if foreign:
            errors["cis"] = [str(_("A configuration item belongs to another customer."))]
    if not contact and not contact_email and channel == Channel.EMAIL:
        errors["contact_email"] = [str(_("An e-mail ticket needs the sender's address."))]
    return errors


def create_ticket(
    *,
    by,
    kind: str,
    title: str,
    customer,
    channel: str,
    description: str = "",
    contact=None,
    contact_email: str = "",
    category: Category | None = None,
    impact: str = "",
    urgency: str = "",
    priority: str = "",
    service=None,
    service_item=None,
    form_data: dict | None = None,
    cis=(),
    parent: Ticket | None = None,
    opened_at: datetime | None = None,
    assignment_group=None,
    assignee=None,
) -> Ticket:
    """Log a ticket: priority from the matrix (staff may set it outright), dispatched by the
    rules unless a group is given, clocks started from the customer's agreement."""
    cis = list(cis or ())
    impact = impact or Impact.MEDIUM
    urgency = urgency or Urgency.MEDIUM
    staff = policy.is_provider_staff(by)
    if contact is None and by is not None and not staff:
        contact = by
    errors = _check_new(
        by=by,
        kind=kind,
        title=title,
        customer=customer,
        contact=contact,
        channel=channel,
        category=category,
        impact=impact,
        urgency=urgency,
        priority=priority if staff else "",
        service=service,
        cis=cis,
        contact_email=contact_email,
    )
    if parent is not None and customer is not None and parent.customer_id != customer.pk:
        errors["parent"] = [str(_("The parent ticket belongs to another customer."))]
    if errors:
        raise ValidationFailed(fields=errors)
    now = timezone.now()
    opened_at = opened_at or now
    ticket = new_row(
        Ticket,
        kind=kind,
        title=title.strip(),
        description=description or "",
        customer=customer,
        contact=contact,
        contact_email=(contact_email or getattr(contact, "email", "") or "").strip(),
        channel=channel,
        category=category,
        impact=impact,
        urgency=urgency,
        priority=(priority if staff and priority else priority_for(impact, urgency)),
        service=service,
        service_item=service_item,
        form_data=form_data or {},
        parent=parent,
        opened_at=opened_at,
        status=TicketStatus.NEW,
    )
    ticket.agreement = slm_selectors.active_sla_for(customer=customer, service=service)
    chosen = dispatch.choose(
        ticket, cis=cis, at=opened_at, group=assignment_group, assignee=assignee
    )
    if chosen is not None:
        ticket.assignment_group = chosen.team
        ticket.assignee = chosen.assignee
        ticket.status = TicketStatus.ASSIGNED
    _mark_completeness(ticket)
    clean_record(ticket, checked=("number",))
    set_actor(ticket, by)
    # the clocks are planned before the insert, so the row carries its due time
    planned = _plan_clocks(ticket)
    # the dispatch row is written with the ticket (one statement on PostgreSQL)
    assignments = (
        [] if chosen is None else [dispatch.assignment_row(ticket, chosen, by=by, at=opened_at)]
    )
    with transaction.atomic():
        insert_record(
            ticket,
            by=_actor(by),
            number_prefix=NUMBER_PREFIX[TicketKind(kind)],
            at=opened_at if opened_at < now else None,
            savepoint=False,  # the create is all or nothing
            along=[Rows(assignments)],
        )
        if cis:
            ticket.cis.add(*cis)  # a new row: no links to read and compare first, as set() does
        known_related(ticket, "cis", cis)  # the answer lists them without reading them back
        clocks.insert_planned_clocks(ticket, planned, by=_actor(by))
        notifications.ticket_created(ticket)
        if ticket.kind == TicketKind.INCIDENT and ticket.priority == Priority.P1:
            from itsm.desk.services import escalation

            escalation.declare_major_by_rule(ticket)
    return ticket


def _actor(by):
    return by if getattr(by, "pk", None) else None


def _plan_clocks(ticket: Ticket) -> list:
    """The clocks of a new ticket's agreement, unsaved; sets the ticket's due time from the
    resolution clock's."""
    if ticket.agreement is None:
        return []
    planned = clocks.plan_clocks_for(
        record=ticket,
        agreement=ticket.agreement,
        service=ticket.service,
        priority=ticket.priority,
        customer=ticket.customer,
        at=ticket.opened_at,
    )
    ticket.due_at = next((c.due_at for c in planned if c.metric == RESOLUTION), None)
    return planned


# --- edit -------------------------------------------------------------------------------------


def update_ticket(ticket: Ticket, *, by, expected_version: int | None, **fields) -> Ticket:
    """Edit a ticket's description fields; a new impact or urgency recomputes the priority
    (unless a priority is given), and a new priority recalculates the open clocks."""
    unknown = sorted(set(fields) - EDITABLE)
    if unknown:
        raise ValidationFailed(
            fields={
                name: [str(_("Use the ticket's actions to change this field."))] for name in unknown
            }
        )
    if not ticket.is_open and set(fields) - {"resolution", "resolution_code"}:
        raise InvalidTransition(str(_("A resolved or closed ticket cannot be edited.")))
    cis = fields.pop("cis", None)
    old_priority = ticket.priority
    errors = _check_new(
        by=by,
        kind=fields.get("kind", ticket.kind),
        title=fields.get("title", ticket.title),
        customer=ticket.customer,
        contact=fields.get("contact", ticket.contact),
        channel=ticket.channel,
        category=fields.get("category", ticket.category),
        impact=fields.get("impact", ticket.impact),
        urgency=fields.get("urgency", ticket.urgency),
        priority=fields.get("priority", ""),
        service=fields["service"]
        if fields.get("service") and fields["service"] != ticket.service
        else None,
        cis=list(cis) if cis is not None else [],
        contact_email=fields.get("contact_email", ticket.contact_email),
    )
    if "kind" in fields and fields["kind"] != ticket.kind:
        errors["kind"] = [str(_("The kind of a logged ticket does not change; log a new one."))]
    if errors:
        raise ValidationFailed(fields=errors)
    with transaction.atomic():
        for name, value in fields.items():
            setattr(ticket, name, value)
        if ("impact" in fields or "urgency" in fields) and not fields.get("priority"):
            ticket.priority = priority_for(ticket.impact, ticket.urgency)
        if "title" in fields:
            ticket.title = ticket.title.strip()
        _mark_completeness(ticket)
        save_versioned(ticket, expected_version=expected_version, by=by)
        if cis is not None:
            ticket.cis.set(list(cis))
        record_event(
            ticket,
            "updated",
            by=by,
            data={"fields": sorted({*fields, *(["cis"] if cis is not None else [])})},
        )
        if ticket.priority != old_priority:
            record_event(
                ticket,
                "priority_changed",
                by=by,
                data={"from": old_priority, "to": ticket.priority},
            )
            _recalculate(ticket, by=by)
            if ticket.kind == TicketKind.INCIDENT and ticket.priority == Priority.P1:
                from itsm.desk.services import escalation

                if not ticket.is_major:
                    escalation.declare_major_by_rule(ticket)
    return ticket


def _recalculate(ticket: Ticket, *, by) -> None:
    """The priority changed: each open clock takes the new priority's target, keeping the
    business time already elapsed and the pauses already taken."""
    now = timezone.now()
    for clock in clocks.clocks_of(ticket, *OPEN_CLOCK_STATES):
        target = slm_selectors.find_target(
            agreement=ticket.agreement_id,
            service=ticket.service_id,
            priority=ticket.priority,
            metric=clock.metric,
        )
        if target is None:
            continue
        clocks.recalculate_clock(
            clock, at=now, priority=ticket.priority, target=target, by=_actor(by)
        )
    _sync_due(ticket)


def _sync_due(ticket: Ticket) -> None:
    """Copy the resolution clock's due time (and breach) onto the ticket row."""
    due, breached = None, ticket.breached
    for clock in clocks.clocks_of(ticket):
        if clock.metric == RESOLUTION:
            due = clock.due_at if clock.state == "running" else None
        breached = breached or clock.breached
    if due != ticket.due_at or breached != ticket.breached:
        ticket.due_at, ticket.breached = due, breached
        Ticket.objects.filter(pk=ticket.pk).update(due_at=due, breached=breached)


# --- the lifecycle ----------------------------------------------------------------------------


def pause_states(ticket: Ticket) -> tuple[str, ...]:
    """The states that pause this ticket's clocks: its agreement's rule, else the default."""
    if ticket.agreement_id is None:
        return DEFAULT_PAUSE_STATES
    rule = ClockPolicy.objects.filter(agreement_id=ticket.agreement_id).first()
    return tuple(rule.pause_states) if rule is not None else DEFAULT_PAUSE_STATES


def _clock_effects(ticket: Ticket, source: str, target: str, *, at: datetime, by) -> None:
    """Pause, resume, stop or cancel the ticket's clocks for the move source → target."""
    open_clocks = clocks.clocks_of(ticket, *OPEN_CLOCK_STATES)
    if not open_clocks:
        return
    pausing = pause_states(ticket)
    actor = _actor(by)
    for clock in open_clocks:
        if target == TicketStatus.CANCELLED:
            clocks.stop_clock(clock, at=at, by=actor, cancel=True)
        elif target == TicketStatus.CLOSED:
            clocks.stop_clock(clock, at=at, by=actor)
        elif clock.metric == RESPONSE and target in (
            TicketStatus.IN_PROGRESS,
            TicketStatus.RESOLVED,
        ):
            clocks.stop_clock(clock, at=at, by=actor)
        elif target == TicketStatus.RESOLVED or target in pausing:
            if clock.state == "running":
                clocks.pause_clock(clock, at=at, reason=str(TicketStatus(target).label), by=actor)
        elif clock.state == "paused":
            clocks.resume_clock(clock, at=at, by=actor)
    _sync_due(ticket)


def move(
    ticket: Ticket,
    to: str,
    *,
    by,
    note: str = "",
    expected_version: int | None = None,
    at: datetime | None = None,
    verb: str | None = None,
    **fields,
) -> Ticket:
    """Move *ticket* to *to* along ``TICKET_MACHINE`` with the clocks' effects; *fields* are
    set first (a resolution, a pending reason's note)."""
    at = _now(at)
    with transaction.atomic():
        source = ticket.status
        for name, value in fields.items():
            setattr(ticket, name, value)
        step = ensure_transition(ticket, to, by=by)
        if to == TicketStatus.CLOSED and source == TicketStatus.RESOLVED:
            _refuse_open_children(ticket)
        ticket.status = to
        _on_enter(ticket, source, to, at=at, by=by)
        _mark_completeness(ticket)
        save_versioned(ticket, expected_version=expected_version, by=by)
        record_event(
            ticket, verb or step.name, by=by, note=note, data={"from": source, "to": to}, at=at
        )
        _clock_effects(ticket, source, to, at=at, by=by)
        notifications.status_changed(ticket, source, to, note=note, by=by)
    return ticket


def _on_enter(ticket: Ticket, source: str, to: str, *, at: datetime, by) -> None:
    if to == TicketStatus.IN_PROGRESS:
        if ticket.assignee_id is None and by is not None and by.roles & WORKERS:
            ticket.assignee = by
        if ticket.responded_at is None:
            ticket.responded_at = at
        if source == TicketStatus.RESOLVED:
            ticket.reopen_count += 1
            ticket.resolved_at = None
    elif to == TicketStatus.RESOLVED:
        ticket.resolved_at = at
        if ticket.responded_at is None:
            ticket.responded_at = at
    elif to == TicketStatus.CLOSED:
        ticket.closed_at = at
    elif to == TicketStatus.CANCELLED:
        ticket.closed_at = at


def _refuse_open_children(ticket: Ticket) -> None:
    if Ticket.objects.filter(
        parent=ticket, status__in=(*OPEN_STATES, TicketStatus.RESOLVED)
    ).exists():
        raise InvalidTransition(
            str(_("Close or cancel the child tickets first.")),
            fields={"status": [str(_("This ticket has open child tickets."))]},
        )


def start_work(
    ticket: Ticket, *, by, expected_version: int | None = None, at: datetime | None = None
) -> Ticket:
    return move(ticket, TicketStatus.IN_PROGRESS, by=by, expected_version=expected_version, at=at)


def wait(
    ticket: Ticket,
    *,
    on: str,
    by,
    note: str = "",
    expected_version: int | None = None,
    at: datetime | None = None,
) -> Ticket:
    """Put the ticket on hold: *on* is ``pending_customer``, ``pending_supplier`` or
    ``pending_change``; a note saying what is awaited is required."""
    if on not in PENDING_STATES:
        raise ValidationFailed(fields={"to": [str(_("Choose what the ticket waits for."))]})
    if not (note or "").strip():
        raise ValidationFailed(fields={"note": [str(_("Say what the ticket is waiting for."))]})
    return move(ticket, on, by=by, note=note.strip(), expected_version=expected_version, at=at)


def resolve(
    ticket: Ticket,
    *,
    by,
    resolution: str,
    resolution_code: str,
    expected_version: int | None = None,
    resolve_children: bool = False,
    at: datetime | None = None,
) -> Ticket:
    """Resolve the ticket (and, when asked, its open children with the same resolution)."""
    from itsm.desk.choices import ResolutionCode

    errors = {}
    if not (resolution or "").strip():
        errors["resolution"] = [str(_("Describe the resolution."))]
    if resolution_code not in ResolutionCode.values:
        errors["resolution_code"] = [str(_("Choose a resolution code."))]
    if errors:
        raise ValidationFailed(fields=errors)
    with transaction.atomic():
        ticket = move(
            ticket,
            TicketStatus.RESOLVED,
            by=by,
            expected_version=expected_version,
            at=at,
            resolution=resolution.strip(),
            resolution_code=resolution_code,
        )
        if resolve_children:
            for child in Ticket.objects.filter(parent=ticket, status__in=OPEN_STATES):
                move(
                    child,
                    TicketStatus.RESOLVED,
                    by=by,
                    note=str(_("Resolved with its parent ticket {number}.")).format(
                        number=ticket.number
                    ),
                    resolution=ticket.resolution,
                    resolution_code=resolution_code,
                    at=at,
                )
        from itsm.desk.services import contact

        contact.send_survey(ticket, by=by, at=at)
    return ticket


def close(
    ticket: Ticket,
    *,
    by,
    note: str = "",
    expected_version: int | None = None,
    at: datetime | None = None,
) -> Ticket:
    """Close a resolved ticket: the customer confirms the resolution, or the desk does."""
    _own_or_worker(ticket, by)
    return move(
        ticket, TicketStatus.CLOSED, by=by, note=note, expected_version=expected_version, at=at
    )


def reopen(
    ticket: Ticket,
    *,
    by,
    note: str,
    expected_version: int | None = None,
    at: datetime | None = None,
) -> Ticket:
    """Reopen a resolved ticket (the customer rejects the resolution): a reason is required."""
    _own_or_worker(ticket, by)
    if not (note or "").strip():
        raise ValidationFailed(fields={"note": [str(_("Say why the resolution is rejected."))]})
    return move(
        ticket,
        TicketStatus.IN_PROGRESS,
        by=by,
        note=note.strip(),
        expected_version=expected_version,
        at=at,
    )


def cancel(ticket: Ticket, *, by, note: str = "", expected_version: int | None = None) -> Ticket:
    return move(ticket, TicketStatus.CANCELLED, by=by, note=note, expected_version=expected_version)


def _own_or_worker(ticket: Ticket, by) -> None:
    """Customers act only on their own organisation's tickets (``restrict`` found the row;
    this keeps a service call from elsewhere honest too)."""
    if by is None or policy.is_provider_staff(by):
        return
    if not (by.roles & CUSTOMERS) or by.organisation_id != ticket.customer_id:
        from itsm.core.errors import Forbidden

        raise Forbidden(_("You may act only on your own organisation's tickets."))


def auto_close_resolved(*, days: int, now: datetime | None = None, limit: int = 500) -> int:
    """Close tickets resolved more than *days* ago that the customer neither confirmed nor
    rejected (the worker's periodic job); returns how many it closed."""
    from datetime import timedelta

    now = _now(now)
    due = now - timedelta(days=days)
    ids = list(
        Ticket.objects.filter(status=TicketStatus.RESOLVED, resolved_at__lte=due)
        .order_by("resolved_at", "id")
        .values_list("pk", flat=True)[:limit]
    )
    closed = 0
    for pk in ids:
        with transaction.atomic():
            ticket = (
                Ticket.objects.select_for_update()
                .filter(pk=pk, status=TicketStatus.RESOLVED)
                .first()
            )
            if ticket is None:
                continue
            try:
                _refuse_open_children(ticket)
            except InvalidTransition:
                continue
            move(
                ticket,
                TicketStatus.CLOSED,
                by=None,
                verb="auto_closed",
                note=str(_("No answer from the customer within {days} days.")).format(days=days),
                at=now,
            )
            closed += 1
    return closed
