"""The desk's configuration: categories, the priority matrix, dispatch rules, presence,
group settings and the clock pause rule per agreement."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from itsm.core.errors import ValidationFailed
from itsm.core.services import clean_record, refuse_unknown_fields, set_actor, update_record
from itsm.core.timeline import record_event
from itsm.desk.choices import DEFAULT_PRIORITY_MATRIX, PENDING_STATES, TicketStatus
from itsm.desk.models import (
    AgentPresence,
    Category,
    ClockPolicy,
    DispatchRule,
    GroupSettings,
    PriorityRule,
)

CATEGORY_FIELDS = frozenset({"code", "name", "parent", "kind", "order", "is_active"})
RULE_FIELDS = frozenset(
    {
        "order",
        "name",
        "is_active",
        "kind",
        "category",
        "service",
        "ci",
        "customer",
        "channel",
        "time_from",
        "time_to",
        "weekdays",
        "team",
        "assign_mode",
    }
)


def _create(model, *, by, **fields):
    obj = model(**fields)
    try:
        clean_record(obj)
    except Exception as error:  # Django's ValidationError: the field errors, translated
        from django.core.exceptions import ValidationError

        if isinstance(error, ValidationError):
            raise ValidationFailed.from_django(error) from error
        raise
    set_actor(obj, by)
    with transaction.atomic():
        obj.save()
        record_event(obj, "created", by=by)
    return obj


def _unique_code(code: str, *, exclude_pk=None) -> None:
    clash = Category.objects.filter(code=code)
    if exclude_pk:
        clash = clash.exclude(pk=exclude_pk)
    if clash.exists():
        raise ValidationFailed(fields={"code": [_("Another category has this code.")]})


def create_category(
    *,
    by,
    code: str,
    name: str,
    parent=None,
    kind: str = "",
    order: int = 100,
    is_active: bool = True,
) -> Category:
    code = (code or "").strip()
    _unique_code(code)
    return _create(
        Category,
        by=by,
        code=code,
        name=(name or "").strip(),
        parent=parent,
        kind=kind or "",
        order=order,
        is_active=is_active,
    )


def update_category(category: Category, *, by, expected_version, **fields) -> Category:
    refuse_unknown_fields(fields, CATEGORY_FIELDS)
    if "code" in fields:
        fields["code"] = (fields["code"] or "").strip()
        _unique_code(fields["code"], exclude_pk=category.pk)
    parent = fields.get("parent")
    seen = {category.pk}
    while parent is not None:
        if parent.pk in seen:
            raise ValidationFailed(fields={"parent": [_("A category cannot be inside itself.")]})
        seen.add(parent.pk)
        parent = parent.parent
    return update_record(category, by=by, expected_version=expected_version, **fields)


def delete_category(category: Category, *, by) -> None:
    from itsm.desk.models import Ticket

    if Ticket.objects.filter(category=category).exists() or category.children.exists():
        raise ValidationFailed(
            fields={
                "code": [_("Tickets or subcategories use this category: deactivate it instead.")]
            }
        )
    with transaction.atomic():
        record_event(category, "deleted", by=by)
        category.delete()


def set_priority(*, by, impact: str, urgency: str, priority: str) -> PriorityRule:
    """Set one cell of the priority matrix."""
    from itsm.core.choices import Priority
    from itsm.desk.choices import Impact, Urgency

    errors = {}
    if impact not in Impact.values:
        errors["impact"] = [_("Choose an impact.")]
    if urgency not in Urgency.values:
        errors["urgency"] = [_("Choose an urgency.")]
    if priority not in Priority.values:
        errors["priority"] = [_("Choose a priority from P1 to P4.")]
    if errors:
        raise ValidationFailed(fields=errors)
    with transaction.atomic():
        cell = PriorityRule.objects.filter(impact=impact, urgency=urgency).first()
        if cell is None:
            return _create(PriorityRule, by=by, impact=impact, urgency=urgency, priority=priority)
        if cell.priority != priority:
            update_record(cell, by=by, expected_version=None, priority=priority)
    return cell


def ensure_default_matrix(*, by=None) -> int:
    """Fill the cells of the matrix that are missing with the shipped defaults."""
    have = set(PriorityRule.objects.values_list("impact", "urgency"))
    added = 0
    for (impact, urgency), priority in DEFAULT_PRIORITY_MATRIX.items():
        if (impact, urgency) not in have:
            set_priority(by=by, impact=impact, urgency=urgency, priority=priority)
            added += 1
    return added


def _check_rule(fields: dict) -> None:
    weekdays = fields.get("weekdays")
    if weekdays is not None:
        try:
            days = [int(d) for d in weekdays]
        except (TypeError, ValueError):
            days = [0]
        if any(d < 1 or d > 7 for d in days):
            raise ValidationFailed(
                fields={"weekdays": [_("Weekdays are 1 (Monday) to 7 (Sunday).")]}
            )
        fields["weekdays"] = sorted(set(days))
    if (fields.get("time_from") is None) != (fields.get("time_to") is None) and (
        "time_from" in fields or "time_to" in fields
    ):
        raise ValidationFailed(fields={"time_to": [_("Give both times of day, or neither.")]})


def create_dispatch_rule(*, by, **fields) -> DispatchRule:
    refuse_unknown_fields(fields, RULE_FIELDS)
    _check_rule(fields)
    return _create(DispatchRule, by=by, **fields)


def update_dispatch_rule(rule: DispatchRule, *, by, expected_version, **fields) -> DispatchRule:
    refuse_unknown_fields(fields, RULE_FIELDS)
    merged = {"time_from": rule.time_from, "time_to": rule.time_to, **fields}
    _check_rule(merged)
    if "weekdays" in fields:
        fields["weekdays"] = merged["weekdays"]
    return update_record(rule, by=by, expected_version=expected_version, **fields)


def delete_dispatch_rule(rule: DispatchRule, *, by) -> None:
    with transaction.atomic():
        record_event(rule, "deleted", by=by)
        rule.delete()


def set_presence(user, *, by, away: bool, away_note: str = "", shift=None) -> AgentPresence:
    """Mark *user* away or back, and their shift (working hours)."""
    with transaction.atomic():
        presence, created = AgentPresence.objects.get_or_create(user=user)
        presence.away = bool(away)
        presence.away_note = (away_note or "").strip()[:200]
        presence.shift = shift
        set_actor(presence, by)
        presence.version += 0 if created else 1
        presence.save()
        record_event(presence, "updated", by=by, data={"away": presence.away})
    return presence


def set_group_settings(
    team, *, by, next_line=None, manager=None, chat_channel: str = ""
) -> GroupSettings:
    if next_line is not None and next_line.pk == team.pk:
        raise ValidationFailed(fields={"next_line": [_("A group cannot be its own next line.")]})
    with transaction.atomic():
        row, _created = GroupSettings.objects.get_or_create(team=team)
        row.next_line = next_line
        row.manager = manager
        row.chat_channel = (chat_channel or "").strip()
        set_actor(row, by)
        row.save()
        record_event(row, "updated", by=by)
    return row


PAUSABLE = (*PENDING_STATES,)


def set_clock_pause_states(agreement, *, by, states) -> ClockPolicy:
    """Which ticket states pause the clocks of *agreement* (any of the pending states)."""
    states = sorted(set(states))
    wrong = [s for s in states if s not in PAUSABLE]
    if wrong:
        raise ValidationFailed(
            fields={"pause_states": [_("Only the pending states can pause the clocks.")]}
        )
    with transaction.atomic():
        row, _created = ClockPolicy.objects.get_or_create(agreement=agreement)
        row.pause_states = states
        set_actor(row, by)
        row.save()
        record_event(row, "updated", by=by, data={"pause_states": states})
    return row


__all__ = [
    "TicketStatus",
    "create_category",
    "create_dispatch_rule",
    "delete_category",
    "delete_dispatch_rule",
    "ensure_default_matrix",
    "set_clock_pause_states",
    "set_group_settings",
    "set_presence",
    "set_priority",
    "update_category",
    "update_dispatch_rule",
]
