"""Escalation (R-INC-02) and major incidents (R-INC-03).

Functional escalation moves the ticket to its group's next line (``GroupSettings.next_line``);
hierarchical escalation tells the group leader, then the group's manager. The clock sweeper
calls :func:`on_clock_step` (registered in ``apps.ready``): a warning escalates
hierarchically to the group leader, a breach escalates functionally (when a next line is
configured) and hierarchically to the manager. Every escalation is an ``Escalation`` row.

A major incident (重大事件) is declared by hand, or by rule when a P1 incident is logged on a
service covered by an SLA; it has a manager, communication updates every N minutes (the
worker reminds the manager when one is due), and a post-incident review.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from itsm.core.errors import InvalidTransition, ValidationFailed
from itsm.core.services import save_versioned
from itsm.core.timeline import record_event
from itsm.desk.choices import (
    EntryKind,
    EscalationKind,
    EscalationTrigger,
    TicketKind,
    TicketStatus,
)
from itsm.desk.models import Escalation, GroupSettings, IncidentReview, Ticket
from itsm.desk.services import notifications

WARNED, BREACHED = 1, 2
DEFAULT_UPDATE_MINUTES = 30


def _settings(team_id: int | None) -> GroupSettings | None:
    if team_id is None:
        return None
    return (
        GroupSettings.objects.filter(team_id=team_id).select_related("next_line", "manager").first()
    )


def escalate(
    ticket: Ticket,
    *,
    kind: str,
    by,
    reason: str,
    trigger: str = EscalationTrigger.MANUAL,
    at: datetime | None = None,
    expected_version: int | None = None,
) -> Escalation:
    """Escalate *ticket*: ``functional`` to the next line's group, ``hierarchical`` to the
    group leader (then the manager on the next level)."""
    from itsm.desk.services import dispatch

    at = at or timezone.now()
    if kind not in EscalationKind.values:
        raise ValidationFailed(fields={"kind": [_("Choose how to escalate.")]})
    if trigger == EscalationTrigger.MANUAL and not (reason or "").strip():
        raise ValidationFailed(fields={"reason": [_("Say why the ticket is escalated.")]})
    if not ticket.is_open:
        raise InvalidTransition(_("A resolved or closed ticket is not escalated."))
    group = ticket.assignment_group
    config = _settings(ticket.assignment_group_id)
    to_team = to_user = None
    with transaction.atomic():
        if kind == EscalationKind.FUNCTIONAL:
            if config is None or config.next_line is None:
                raise ValidationFailed(
                    fields={"kind": [_("The group has no next-line group to escalate to.")]}
                )
            to_team = config.next_line
            dispatch.assign(
                ticket,
                by=by,
                group=to_team,
                note=reason,
                expected_version=expected_version,
            )
            told = list(to_team.members.filter(is_active=True))
        else:
            level = ticket.escalation_level + 1
            leader = getattr(group, "leader", None)
            manager = config.manager if config is not None else None
            to_user = leader if level <= 1 or manager is None else manager
            if to_user is None:
                to_user = manager
            if to_user is None:
                raise ValidationFailed(
                    fields={"kind": [_("The group has neither a leader nor a manager.")]}
                )
            told = [to_user]
        ticket.refresh_from_db()
        ticket.escalation_level += 1
        Ticket.objects.filter(pk=ticket.pk).update(escalation_level=ticket.escalation_level)
        row = Escalation.objects.create(
            ticket=ticket,
            kind=kind,
            trigger=trigger,
            level=ticket.escalation_level,
            from_team=group,
            to_team=to_team,
            to_user=to_user,
            reason=(reason or "").strip(),
            by=by if getattr(by, "pk", None) else None,
            at=at,
        )
        record_event(
            ticket,
            "escalated",
            by=by if getattr(by, "pk", None) else None,
            note=(reason or "").strip(),
            data={"escalation": row.pk, "kind": kind, "trigger": trigger},
            at=at,
        )
        notifications.escalated(
            ticket,
            key=f"desk:{ticket.pk}:escalation:{row.pk}",
            users=told,
            text=(reason or "").strip() or str(EscalationTrigger(trigger).label),
        )
    return row


def on_clock_step(clocks, *, level: int, at: datetime) -> None:
    """The sweeper raised *clocks* of tickets to *level*: escalate each open ticket once per
    step (a warning: hierarchical; a breach: functional when a next line exists, and
    hierarchical), and mark breaches on the ticket."""
    ids = sorted({c.object_id for c in clocks})
    if level == BREACHED:
        Ticket.objects.filter(pk__in=ids).update(breached=True)
    for ticket in Ticket.objects.filter(pk__in=ids).select_related("assignment_group"):
        if not ticket.is_open or ticket.assignment_group_id is None:
            continue
        trigger = EscalationTrigger.WARNING if level == WARNED else EscalationTrigger.BREACH
        reason = _("SLA warning") if level == WARNED else _("SLA breached")
        config = _settings(ticket.assignment_group_id)
        # management is told about the group that breached, then the next line takes over
        kinds = [EscalationKind.HIERARCHICAL]
        if level == BREACHED and config is not None and config.next_line_id:
            kinds.append(EscalationKind.FUNCTIONAL)
        for kind in kinds:
            try:
                escalate(ticket, kind=kind, by=None, reason=reason, trigger=trigger, at=at)
            except ValidationFailed:
                continue  # nobody to escalate to: the breach stays on the clock and ticket
            ticket.refresh_from_db()


# --- major incidents -------------------------------------------------------------------------


def declare_major(
    ticket: Ticket,
    *,
    by,
    manager,
    update_interval_minutes: int = DEFAULT_UPDATE_MINUTES,
    note: str = "",
    expected_version: int | None = None,
) -> Ticket:
    """Declare *ticket* a major incident with its manager and update rhythm."""
    if ticket.kind != TicketKind.INCIDENT:
        raise ValidationFailed(fields={"is_major": [_("Only incidents become major incidents.")]})
    if ticket.is_major:
        raise InvalidTransition(_("The ticket is already a major incident."))
    if not ticket.is_open:
        raise InvalidTransition(_("A resolved or closed ticket is not declared major."))
    if manager is None:
        raise ValidationFailed(fields={"major_manager": [_("Choose the major incident manager.")]})
    try:
        minutes = int(update_interval_minutes)
    except (TypeError, ValueError):
        minutes = 0
    if not 5 <= minutes <= 24 * 60:
        raise ValidationFailed(
            fields={"update_interval_minutes": [_("Enter minutes from 5 to 1440.")]}
        )
    now = timezone.now()
    with transaction.atomic():
        ticket.is_major = True
        ticket.major_manager = manager
        ticket.major_declared_at = now
        ticket.update_interval_minutes = minutes
        ticket.next_update_at = now + timedelta(minutes=minutes)
        save_versioned(ticket, expected_version=expected_version, by=by)
        record_event(ticket, "major_declared", by=by, note=note)
        notifications.escalated(
            ticket,
            key=f"desk:{ticket.pk}:major",
            users=[manager],
            text=_("Declared a major incident"),
        )
    return ticket


def mark_flapping(ticket: Ticket, *, by, note: str = "") -> Ticket:
    """Mark *ticket* flapping: the monitored condition behind it kept changing state (event
    management's flapping detection). Once; no notification — the alert's own work note says
    how often it changed."""
    if ticket.flapping:
        return ticket
    with transaction.atomic():
        ticket.flapping = True
        save_versioned(ticket, expected_version=None, by=by)
        record_event(ticket, "marked_flapping", by=by, note=note)
    return ticket


def declare_major_by_rule(ticket: Ticket) -> bool:
    """The rule: a P1 incident on a service covered by an SLA is a major incident at once,
    its manager the group's leader (or the manager of its group settings)."""
    if ticket.kind != TicketKind.INCIDENT or ticket.priority != "p1" or ticket.agreement_id is None:
        return False
    config = _settings(ticket.assignment_group_id)
    manager = (config.manager if config else None) or getattr(
        ticket.assignment_group, "leader", None
    )
    if manager is None:
        return False
    declare_major(ticket, by=None, manager=manager, note=_("P1 incident on a service with an SLA."))
    return True


def post_update(ticket: Ticket, *, by, body: str, public: bool = True):
    """A communication update of a major incident; the next one is due an interval later."""
    from itsm.desk.services import entries

    if not ticket.is_major:
        raise InvalidTransition(_("Only major incidents have communication updates."))
    with transaction.atomic():
        entry = entries.add_entry(
            ticket, by=by, kind=EntryKind.UPDATE, body=body, internal=not public, notify=False
        )
        minutes = ticket.update_interval_minutes or DEFAULT_UPDATE_MINUTES
        next_at = entry.at + timedelta(minutes=minutes)
        Ticket.objects.filter(pk=ticket.pk).update(next_update_at=next_at)
        ticket.next_update_at = next_at
        if public:
            notifications.replied(ticket, entry)
    return entry


def remind_due_updates(*, now: datetime | None = None) -> int:
    """Tell each major incident manager whose update is due (once per due time)."""
    now = now or timezone.now()
    due = Ticket.objects.filter(
        is_major=True,
        next_update_at__lte=now,
        status__in=(
            TicketStatus.NEW,
            TicketStatus.ASSIGNED,
            TicketStatus.IN_PROGRESS,
            TicketStatus.PENDING_CUSTOMER,
            TicketStatus.PENDING_SUPPLIER,
            TicketStatus.PENDING_CHANGE,
        ),
    ).select_related("major_manager")
    count = 0
    for ticket in due:
        stamp = int(ticket.next_update_at.timestamp()) if ticket.next_update_at else 0
        notifications.escalated(
            ticket,
            key=f"desk:{ticket.pk}:update-due:{stamp}",
            users=[ticket.major_manager],
            text=_("A communication update is due."),
        )
        count += 1
    return count


def record_review(
    ticket: Ticket,
    *,
    by,
    summary: str,
    root_cause: str = "",
    what_went_well: str = "",
    what_went_wrong: str = "",
    actions: str = "",
) -> IncidentReview:
    """Record (or revise) the post-incident review of a major incident."""
    if not ticket.is_major:
        raise InvalidTransition(_("Post-incident reviews are for major incidents."))
    if not (summary or "").strip():
        raise ValidationFailed(fields={"summary": [_("Say what happened.")]})
    values = {
        "summary": summary.strip(),
        "root_cause": root_cause or "",
        "what_went_well": what_went_well or "",
        "what_went_wrong": what_went_wrong or "",
        "actions": actions or "",
        "by": by,
        "at": timezone.now(),
    }
    with transaction.atomic():
        review, _created = IncidentReview.objects.update_or_create(ticket=ticket, defaults=values)
        record_event(ticket, "review_recorded", by=by)
    return review
