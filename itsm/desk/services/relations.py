"""Tickets that belong together: merge (the duplicate is cancelled, its conversation's later
replies land on the target), split (a new ticket from part of one), parent and child (a parent
cannot close while a child is open; resolving a parent can resolve its children), and the
fulfilment tasks of a service request."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from itsm.core.errors import InvalidTransition, ValidationFailed
from itsm.core.services import save_versioned
from itsm.core.statemachine import ensure_transition
from itsm.core.timeline import record_event
from itsm.desk.choices import TaskStatus, TicketStatus
from itsm.desk.models import Task, Ticket, TicketMessage


def final_target(ticket: Ticket) -> Ticket:
    """Where a reply to *ticket* lands: the ticket it was merged into, followed to the end."""
    seen = {ticket.pk}
    current = ticket
    while current.merged_into_id is not None and current.merged_into_id not in seen:
        seen.add(current.merged_into_id)
        current = Ticket.objects.get(pk=current.merged_into_id)
    return current


def merge(ticket: Ticket, *, into: Ticket, by, note: str = "") -> Ticket:
    """Merge the duplicate *ticket* into *into*: it is cancelled and points at *into*; its
    e-mail thread moves with it, so replies to either land on *into*."""
    from itsm.desk.services import tickets

    if into.pk == ticket.pk:
        raise ValidationFailed(fields={"into": [_("A ticket cannot be merged into itself.")]})
    if into.customer_id != ticket.customer_id:
        raise ValidationFailed(fields={"into": [_("Both tickets must belong to one customer.")]})
    if not into.is_open:
        raise ValidationFailed(fields={"into": [_("Merge into an open ticket.")]})
    if final_target(into).pk == ticket.pk:
        raise ValidationFailed(fields={"into": [_("That ticket was merged into this one.")]})
    with transaction.atomic():
        ticket.merged_into = into
        tickets.move(
            ticket,
            TicketStatus.CANCELLED,
            by=by,
            verb="merged_into",
            note=note or into.number,
            resolution=_("Merged into {number}.").format(number=into.number),
            resolution_code="duplicate",
        )
        TicketMessage.objects.filter(ticket=ticket).update(ticket=into)
        record_event(into, "merged", by=by, note=ticket.number, data={"from": ticket.pk})
    return into


def split(
    ticket: Ticket, *, by, title: str, description: str = "", kind: str | None = None
) -> Ticket:
    """A new ticket of the same customer and contact from part of *ticket*."""
    from itsm.desk.services import tickets

    if not ticket.is_open:
        raise InvalidTransition(_("Split an open ticket."))
    with transaction.atomic():
        new = tickets.create_ticket(
            by=by,
            kind=kind or ticket.kind,
            title=title,
            description=description,
            customer=ticket.customer,
            contact=ticket.contact,
            contact_email=ticket.contact_email,
            channel=ticket.channel,
            category=ticket.category,
            impact=ticket.impact,
            urgency=ticket.urgency,
            service=ticket.service,
            cis=list(ticket.cis.all()),
        )
        record_event(new, "split_from", by=by, note=ticket.number, data={"from": ticket.pk})
        record_event(ticket, "split", by=by, note=new.number, data={"to": new.pk})
    return new


def set_parent(ticket: Ticket, *, parent: Ticket | None, by, expected_version=None) -> Ticket:
    """Make *parent* the parent of *ticket* (or none). No cycles; one customer."""
    if parent is not None:
        if parent.pk == ticket.pk:
            raise ValidationFailed(fields={"parent": [_("A ticket cannot be its own parent.")]})
        if parent.customer_id != ticket.customer_id:
            raise ValidationFailed(
                fields={"parent": [_("The parent ticket belongs to another customer.")]}
            )
        seen: set[int] = {ticket.pk}
        current: Ticket | None = parent
        while current is not None:
            if current.pk in seen:
                raise ValidationFailed(
                    fields={"parent": [_("This would make the ticket its own ancestor.")]}
                )
            seen.add(current.pk)
            current = current.parent
    with transaction.atomic():
        ticket.parent = parent
        save_versioned(ticket, expected_version=expected_version, by=by)
        record_event(
            ticket,
            "updated",
            by=by,
            note=parent.number if parent else "",
            data={"fields": ["parent"]},
        )
    return ticket


# --- fulfilment tasks -------------------------------------------------------------------------


def add_task(
    ticket: Ticket, *, by, title: str, description: str = "", team=None, assignee=None, order=None
) -> Task:
    if not (title or "").strip():
        raise ValidationFailed(fields={"title": [_("This field is required.")]})
    if not ticket.is_open:
        raise InvalidTransition(_("A resolved or closed ticket takes no new tasks."))
    with transaction.atomic():
        if order is None:
            order = Task.objects.filter(ticket=ticket).count() + 1
        task = Task(
            ticket=ticket,
            title=title.strip(),
            description=description or "",
            team=team,
            assignee=assignee,
            order=order,
        )
        task.full_clean()
        task.save()
        record_event(ticket, "task_added", by=by, note=task.title, data={"task": task.pk})
    return task


def move_task(task: Task, to: str, *, by, expected_version=None) -> Task:
    with transaction.atomic():
        ensure_transition(task, to, by=by)
        task.status = to
        task.done_at = timezone.now() if to == TaskStatus.DONE else None
        save_versioned(task, expected_version=expected_version, by=by)
        if to == TaskStatus.DONE:
            record_event(task.ticket, "task_done", by=by, note=task.title, data={"task": task.pk})
    return task


def open_tasks(ticket: Ticket) -> int:
    return Task.objects.filter(ticket=ticket, status=TaskStatus.OPEN).count()
