"""Dispatch (派单, R-DSK-03): the ordered rules, the automatic choice of a person, manual
assignment, and the return (退回) of a ticket to the desk with its reason.

The first active rule (by ``order``) whose every set condition matches the ticket — kind,
category (or one of its subcategories), service, one of the affected CIs, customer, channel,
time of day and weekday in the server's time zone — gives the group; its mode may pick a
person: round-robin (the member after the rule's last pick) or least-loaded (fewest open
tickets), skipping inactive members, people marked away and people outside their shift
(``AgentPresence.shift``, a business calendar). Every dispatch is an ``Assignment`` row; a
return closes it with the reason and counts on the ticket (the first-time dispatch success
KPI reads them).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import connections, router, transaction
from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from itsm.core import stamps
from itsm.core.calendars.businesstime import business_time_between
from itsm.core.errors import InvalidTransition, ValidationFailed
from itsm.core.models import Team, User
from itsm.core.prepared import kept_cursor, prepared
from itsm.core.services import save_versioned
from itsm.core.statemachine import ensure_transition
from itsm.core.timeline import record_event
from itsm.core.writes import insert_rows, new_row
from itsm.desk.choices import OPEN_STATES, WORKERS, AssignMode, TicketStatus
from itsm.desk.models import AgentPresence, Assignment, Category, DispatchRule, Ticket


@dataclass(frozen=True)
class Chosen:
    team: Team
    assignee: User | None = None
    rule: DispatchRule | None = None


def _ancestors(category_id: int | None) -> set[int]:
    if category_id is None:
        return set()
    parents = stamps.memo(
        ("desk.config",),
        "category-parents",
        lambda: dict(Category.objects.values_list("pk", "parent_id")),
    )
    found: set[int] = set()
    current: int | None = category_id
    while current is not None and current not in found:
        found.add(current)
        current = parents.get(current)
    return found


def _local(at: datetime) -> datetime:
    return timezone.localtime(at, timezone.get_default_timezone())


def _time_matches(rule: DispatchRule, at: datetime) -> bool:
    local = _local(at)
    if rule.weekdays and local.isoweekday() not in {int(d) for d in rule.weekdays}:
        return False
    if rule.time_from is None and rule.time_to is None:
        return True
    now = local.time()
    start = rule.time_from or datetime.min.time()
    end = rule.time_to or datetime.max.time()
    if start <= end:
        return start <= now < end
    return now >= start or now < end  # across midnight, e.g. 18:00–08:30


def matching_rule(ticket: Ticket, *, cis=(), at: datetime) -> DispatchRule | None:
    """The first active rule whose conditions all match *ticket* at *at*."""
    rules = stamps.memo(("desk.config", "people"), "dispatch-rules", _active_rules)
    if not rules:
        return None
    categories = _ancestors(ticket.category_id)
    ci_ids = {ci.pk for ci in cis}
    for rule in rules:
        if rule.kind and rule.kind != ticket.kind:
            continue
        if rule.category_id and rule.category_id not in categories:
            continue
        if rule.service_id and rule.service_id != ticket.service_id:
            continue
        if rule.ci_id and rule.ci_id not in ci_ids:
            continue
        if rule.customer_id and rule.customer_id != ticket.customer_id:
            continue
        if rule.channel and rule.channel != ticket.channel:
            continue
        if not rule.team.is_active or not _time_matches(rule, at):
            continue
        return rule
    return None


def _active_rules() -> list[DispatchRule]:
    return list(
        DispatchRule.objects.filter(is_active=True).select_related("team").order_by("order", "id")
    )


def _workers(team_id: int) -> list[tuple[User, AgentPresence | None]]:
    members = list(
        User.objects.filter(teams=team_id, is_active=True, role_assignments__role__in=WORKERS)
        .distinct()
        .order_by("pk")
    )
    presence = {
        p.user_id: p for p in AgentPresence.objects.filter(user__in=members).select_related("shift")
    }
    return [(member, presence.get(member.pk)) for member in members]


def available_members(team, *, at: datetime) -> list:
    """The team's members who take work at *at*: active people who work tickets (the roles
    of ``choices.WORKERS``), not away, inside their shift. Members and presence are read once
    per process until people or the desk's configuration change (``core.stamps``)."""
    workers = stamps.memo(
        ("people", "desk.config", "calendars"), ("workers", team.pk), lambda: _workers(team.pk)
    )
    available = []
    for member, state in workers:
        if state is not None:
            if state.away:
                continue
            if state.shift is not None and not business_time_between(
                at, at + timedelta(minutes=1), state.shift
            ):
                continue
        available.append(member)
    return available


def _pick(rule: DispatchRule, *, at: datetime):
    if rule.assign_mode == AssignMode.GROUP:
        return None
    members = available_members(rule.team, at=at)
    if not members:
        return None
    if rule.assign_mode == AssignMode.ROUND_ROBIN:
        return _next_in_turn(rule, members)
    load = open_load(m.pk for m in members)
    return min(members, key=lambda m: (load.get(m.pk, 0), m.pk))


def _next_in_turn(rule: DispatchRule, members: list):
    """The member after the rule's last assignee (by id, the first after the last), moving the
    rule's pointer to them — read and moved in one statement, so that concurrent creates take
    turns (each its own member) and the rule's row is locked only for that statement, not
    until the create's transaction ends (``bench/ticket_api.py``: every create of 8 clients
    queued on that lock). Called before the create's transaction; a create refused after it
    leaves the turn taken (the next ticket goes to the member after)."""
    by_id = {member.pk: member for member in members}
    connection = connections[router.db_for_write(DispatchRule)]
    q = connection.ops.quote_name
    pk = DispatchRule._meta.pk
    table, key = q(DispatchRule._meta.db_table), q(pk.column or pk.attname)
    pointer = q(DispatchRule._meta.get_field("last_assignee").column)
    ids = ", ".join(["(%s)"] * len(by_id))
    with kept_cursor(connection) as cursor:
        cursor.execute(
            prepared(
                f"UPDATE {table} SET {pointer} = COALESCE("
                f"(SELECT min(column1) FROM (VALUES {ids}) AS m "
                f"WHERE column1 > {table}.{pointer}), "
                f"(SELECT min(column1) FROM (VALUES {ids}) AS m)) "
                f"WHERE {key} = %s RETURNING {pointer}"
            ),
            [*by_id, *by_id, rule.pk],
        )
        row = cursor.fetchone()
    return by_id[row[0]] if row is not None else min(members, key=lambda m: m.pk)


def choose(ticket: Ticket, *, cis=(), at: datetime, group=None, assignee=None) -> Chosen | None:
    """The group (and person) a new ticket goes to: the ones given, else the rules'."""
    if group is not None:
        _check_member(group, assignee)
        return Chosen(team=group, assignee=assignee)
    if assignee is not None:
        raise ValidationFailed(fields={"assignee": [str(_("Choose the group first."))]})
    rule = matching_rule(ticket, cis=cis, at=at)
    if rule is None:
        return None
    return Chosen(team=rule.team, assignee=_pick(rule, at=at), rule=rule)


def _check_member(group, assignee) -> None:
    if not group.is_active:
        raise ValidationFailed(fields={"assignment_group": [str(_("This group is not active."))]})
    if assignee is not None and not group.members.filter(pk=assignee.pk).exists():
        raise ValidationFailed(
            fields={"assignee": [str(_("The assignee is not a member of the group."))]}
        )


def assignment_row(ticket: Ticket, chosen: Chosen, *, by, at: datetime) -> Assignment:
    """The dispatch row, unsaved (a round-robin rule's pointer moved when it chose): a new
    ticket's create writes it with the ticket (``core.writes.insert_record``'s *along*)."""
    return new_row(
        Assignment,
        ticket=ticket,
        team=chosen.team,
        assignee=chosen.assignee,
        rule=chosen.rule,
        by=by if getattr(by, "pk", None) else None,
        at=at,
    )


def assign(
    ticket: Ticket,
    *,
    by,
    group,
    assignee=None,
    note: str = "",
    expected_version: int | None = None,
    at: datetime | None = None,
) -> Ticket:
    """Assign by hand (manual override): to *group* and maybe a member of it. A new group on a
    ticket that had one counts as a reassignment."""
    from itsm.desk.services import notifications, tickets

    if group is None:
        raise ValidationFailed(fields={"assignment_group": [str(_("Choose a group."))]})
    _check_member(group, assignee)
    if not ticket.is_open:
        raise InvalidTransition(str(_("A resolved or closed ticket cannot be reassigned.")))
    now = at or timezone.now()
    with transaction.atomic():
        changed_group = ticket.assignment_group_id != group.pk
        if changed_group and ticket.assignment_group_id is not None:
            ticket.reassignment_count += 1
        ticket.assignment_group = group
        ticket.assignee = assignee
        if ticket.status == TicketStatus.NEW:
            ensure_transition(ticket, TicketStatus.ASSIGNED, by=by)
            ticket.status = TicketStatus.ASSIGNED
        tickets._mark_completeness(ticket)
        save_versioned(ticket, expected_version=expected_version, by=by)
        insert_rows([assignment_row(ticket, Chosen(team=group, assignee=assignee), by=by, at=now)])
        record_event(
            ticket,
            "reassigned" if changed_group else "dispatched",
            by=by,
            note=note,
            data={"group": group.pk, "assignee": getattr(assignee, "pk", None)},
            at=now,
        )
        notifications.assigned(ticket, by=by)
    return ticket


def return_ticket(
    ticket: Ticket,
    *,
    by,
    reason: str,
    expected_version: int | None = None,
    at: datetime | None = None,
) -> Ticket:
    """Return (退回) the ticket to the desk: wrong group, not ours. The reason is required and
    recorded on the dispatch; the ticket goes back to new, without group or assignee."""
    from itsm.desk.services import tickets

    if not (reason or "").strip():
        raise ValidationFailed(fields={"reason": [str(_("Say why the ticket is returned."))]})
    now = at or timezone.now()
    with transaction.atomic():
        ensure_transition(ticket, TicketStatus.NEW, by=by)
        current = (
            Assignment.objects.filter(ticket=ticket, returned_at__isnull=True)
            .order_by("-at", "-id")
            .first()
        )
        if current is not None:
            Assignment.objects.filter(pk=current.pk).update(
                returned_at=now, returned_by=by, return_reason=reason.strip()
            )
        source = ticket.status
        ticket.return_count += 1
        ticket.status = TicketStatus.NEW
        ticket.assignment_group = None
        ticket.assignee = None
        tickets._mark_completeness(ticket)
        save_versioned(ticket, expected_version=expected_version, by=by)
        record_event(
            ticket,
            "returned",
            by=by,
            note=reason.strip(),
            data={"from": source, "to": TicketStatus.NEW},
            at=now,
        )
        tickets._clock_effects(ticket, source, TicketStatus.NEW, at=now, by=by)
    return ticket


def open_load(user_ids) -> dict[int, int]:
    """Open tickets per assignee (the least-loaded choice and the console's team view)."""
    return dict(
        Ticket.objects.filter(assignee__in=list(user_ids), status__in=OPEN_STATES)
        .values("assignee")
        .annotate(n=Count("pk"))
        .values_list("assignee", "n")
    )
