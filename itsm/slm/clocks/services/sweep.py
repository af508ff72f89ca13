"""The sweep: apply the warnings and breaches that are due, each step exactly once.

Each batch is one transaction: claim up to *batch* running clocks whose ``next_event_at``
has passed (``FOR UPDATE SKIP LOCKED`` on PostgreSQL, so workers share the work), raise them
one level with a conditional ``UPDATE … WHERE level = k AND state = 'running' … RETURNING id``
— only the rows that update changed get the step's effects — then write the timeline rows
(``record_events``) and the administrators' e-mails (``enqueue_many``) and call the
escalation handlers. A crash anywhere rolls the whole batch back; another worker cannot
apply the same step twice.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from datetime import datetime
from typing import Any

from django.db import connection, transaction
from django.db.models import Model
from django.utils import timezone

from itsm.core.outbox.services import enqueue_many
from itsm.core.timeline import Event, record_events
from itsm.slm.clocks.choices import ClockLevel, ClockState
from itsm.slm.clocks.models import Clock
from itsm.slm.clocks.services import notifications

#: model → handlers called with ``(clocks, *, level, at)`` inside the sweep transaction
EscalationHandler = Callable[..., object]
_HANDLERS: dict[type, list[EscalationHandler]] = defaultdict(list)


def register_escalation_handler(model: type, fn: EscalationHandler) -> EscalationHandler:
    """Register ``fn(clocks, *, level, at)`` for clocks of records of *model*.

    Called by the sweeper in the transaction that raises the clocks to *level*
    (``ClockLevel.WARNED`` or ``ClockLevel.BREACHED``), once per step, with every clock of that
    model raised in the batch whose record still exists. Ticket modules use it to raise
    priority, reassign or notify a group leader. Registering the same function twice has no
    effect.
    """
    if fn not in _HANDLERS[model]:
        _HANDLERS[model].append(fn)
    return fn


def unregister_escalation_handler(model: type, fn: EscalationHandler) -> None:
    if fn in _HANDLERS.get(model, []):
        _HANDLERS[model].remove(fn)


def sweep(*, now: datetime | None = None, batch: int = 1000) -> int:
    """Apply every escalation step that is due at *now*; return how many were applied."""
    now = now or timezone.now()
    total = 0
    while True:
        applied, claimed = _sweep_batch(now, batch)
        total += applied
        if claimed < batch or not applied:  # nothing left, or nothing more this batch can do
            return total


def _sweep_batch(now: datetime, batch: int) -> tuple[int, int]:
    with transaction.atomic():
        queryset = Clock.objects.filter(state=ClockState.RUNNING, next_event_at__lte=now)
        if connection.features.has_select_for_update_skip_locked:
            queryset = queryset.select_for_update(skip_locked=True)
        ids = list(queryset.order_by("next_event_at").values_list("pk", flat=True)[:batch])
        if not ids:
            return 0, 0
        warned = _raise_level(ids, ClockLevel.NONE, now)
        breached = _raise_level(ids, ClockLevel.WARNED, now)
        if warned:
            _effects(warned, ClockLevel.WARNED, now)
        if breached:
            _effects(breached, ClockLevel.BREACHED, now)
        return len(warned) + len(breached), len(ids)


def _raise_level(ids: list[int], level: int, now: datetime) -> list[int]:
    """One conditional UPDATE … RETURNING id moving the due clocks among *ids* from *level*
    to *level* + 1; returns the ids it changed."""
    table = Clock._meta.db_table
    qn = connection.ops.quote_name
    if level == ClockLevel.NONE:
        assignments = (
            f"{qn('level')} = %s, {qn('warned_at')} = {qn('warn_at')}, "
            f"{qn('next_event_at')} = {qn('due_at')}, {qn('warn_at')} = NULL"
        )
    else:
        assignments = (
            f"{qn('level')} = %s, {qn('breached')} = %s, {qn('breached_at')} = {qn('due_at')}, "
            f"{qn('next_event_at')} = NULL"
        )
    params: list = [level + 1] + ([True] if level == ClockLevel.WARNED else [])
    placeholders = ", ".join(["%s"] * len(ids))
    sql = (
        f"UPDATE {qn(table)} SET {assignments}, {qn('updated_at')} = %s "
        f"WHERE {qn('id')} IN ({placeholders}) AND {qn('level')} = %s "
        f"AND {qn('state')} = %s AND {qn('next_event_at')} <= %s RETURNING {qn('id')}"
    )
    db_now = connection.ops.adapt_datetimefield_value(now)
    params += [db_now, *ids, level, str(ClockState.RUNNING), db_now]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return sorted(row[0] for row in cursor.fetchall())


def _effects(ids: list[int], level: int, now: datetime) -> None:
    """The step's timeline rows (on the record, or on the clock when the record is gone), the
    administrators' e-mails and the escalation handlers, for the clocks *ids* just raised."""
    clocks = list(
        Clock.objects.filter(pk__in=ids)
        .select_related("content_type", "agreement")
        .only(
            "pk",
            "content_type",
            "object_id",
            "record_label",
            "metric",
            "priority",
            "goal_seconds",
            "elapsed_seconds",
            "warned_at",
            "breached_at",
            "due_at",
            "level",
            "customer_id",
            "agreement__number",
            "agreement__title",
        )
        .order_by("pk")
    )
    verb = "sla_warning" if level == ClockLevel.WARNED else "sla_breached"
    by_type: dict[int, list[Clock]] = defaultdict(list)
    for clock in clocks:
        by_type[clock.content_type_id].append(clock)
    events: list[Event] = []
    handled: list[tuple[type, list[Clock]]] = []
    for group in by_type.values():
        model = group[0].content_type.model_class()
        records: dict[Any, Model] = {}
        if model is not None:  # the records that still exist (one query per model)
            records = model._base_manager.only("pk").in_bulk([c.object_id for c in group])
        for clock in group:
            when = clock.warned_at if level == ClockLevel.WARNED else clock.breached_at
            events.append(
                Event(
                    records.get(clock.object_id, clock),
                    verb,
                    note=notifications.event_note(clock, level),
                    data={"clock": clock.pk, "metric": clock.metric, "level": level},
                    at=when or now,
                )
            )
        if model is not None and _HANDLERS.get(model):
            handled.append((model, [c for c in group if c.object_id in records]))
    record_events(events)
    enqueue_many(notifications.messages(clocks, level, notifications.recipients()))
    for model, group in handled:
        for fn in list(_HANDLERS[model]):
            if group:
                fn(group, level=level, at=now)
