"""The SLA clock engine (R-SLM-05): the only writer of clocks and their segments.

Semantics (see ``docs/modules/sla-clocks.en.md``):

- a clock is a sequence of running and paused *segments*. When a segment closes, the business
  time it covered is measured on the clock's calendar *at that moment*
  (``business_time_between``), stored on the segment and, for running segments, added to
  ``elapsed_seconds``. Closed segments are never measured again;
- while running, ``due_at = add_business_time(segment_started_at, goal − elapsed)`` and
  ``warn_at`` likewise for ``goal × warning_percent / 100`` (while the warning is pending);
  paused or stopped clocks have no ``due_at``/``warn_at``/``next_event_at``;
- ``next_event_at`` is ``warn_at`` at level 0, ``due_at`` at level 1 and empty at level 2;
  the sweeper looks for running clocks whose ``next_event_at`` has passed;
- a recalculation (priority, target, goal, agreement or calendar change) closes the running
  segment at ``at`` on the *old* calendar, applies the new goal/calendar and reopens a running
  segment at ``at``: business time already elapsed and pauses already taken are kept
  (the bug class of GLPI #15605 / #24481). The escalation level never goes down: a clock that
  breached stays breached even if a larger goal is set later (like ServiceNow's
  "has breached"); a clock that was warned is not warned again;
- the sweeper moves a clock one level up with a conditional ``UPDATE … WHERE level = k AND
  state = 'running'`` and writes the timeline rows, outbox messages and escalation of that
  step in the same transaction, so each step happens exactly once whatever the number of
  workers and whenever one is killed.
"""

from __future__ import annotations

import logging
import os
import time as _time
from collections import defaultdict
from collections.abc import Callable, Iterable
from datetime import datetime, timedelta
from decimal import Decimal

from django.contrib.contenttypes.models import ContentType
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from itsm.core.calendars.businesstime import (
    NoWorkingTime,
    business_time_between,
    compute_deadline,
)
from itsm.core.errors import InvalidTransition, ValidationFailed
from itsm.core.models import TimelineEntry
from itsm.core.timeline import record_event
from itsm.kpi.choices import Unit
from itsm.slm.choices import TargetMetric
from itsm.slm.clocks.choices import ClockLevel, ClockState, SegmentKind
from itsm.slm.clocks.models import Clock, ClockSegment

logger = logging.getLogger(__name__)

SECOND = timedelta(seconds=1)
CLOCK_METRICS = ("response", "resolution")
#: tests only: seconds the sweeper sleeps between claiming clocks and committing (widens the
#: window a SIGKILL test aims at)
SWEEP_DELAY_ENV = "ITSM_CLOCKS_SWEEP_TEST_DELAY"

# --- escalation handlers ----------------------------------------------------------------------

#: model → handlers called with ``(clocks, *, level, at)`` inside the sweep transaction
EscalationHandler = Callable[..., object]
_HANDLERS: dict[type, list[EscalationHandler]] = defaultdict(list)


def register_escalation_handler(model: type, fn: EscalationHandler) -> EscalationHandler:
    """Register ``fn(clocks, *, level, at)`` for clocks of records of *model*.

    Called by the sweeper in the transaction that raises the clocks to *level*
    (``ClockLevel.WARNED`` or ``ClockLevel.BREACHED``), once per step, with every clock of that
    model raised in the batch. Ticket modules use it to raise priority, reassign or notify a
    group leader. Registering the same function twice has no effect.
    """
    if fn not in _HANDLERS[model]:
        _HANDLERS[model].append(fn)
    return fn


def unregister_escalation_handler(model: type, fn: EscalationHandler) -> None:
    if fn in _HANDLERS.get(model, []):
        _HANDLERS[model].remove(fn)


# --- helpers ----------------------------------------------------------------------------------


def _seconds(delta: timedelta) -> int:
    return max(0, delta // SECOND)


def goal_seconds_for(target) -> int:
    """Goal of a response/resolution *target* in business seconds (value in minutes, or hours
    when its unit says so)."""
    factor = 3600 if target.unit == Unit.HOURS else 60
    return int(Decimal(target.target_value) * factor)


def _warn_goal(clock: Clock) -> int:
    return clock.goal_seconds * clock.warning_percent // 100


def _apply_deadlines(clock: Clock) -> None:
    """Set ``due_at``, ``warn_at``, ``next_event_at`` and ``unconfirmed_years`` from the
    running segment, the elapsed time and the goal (empty unless running).

    A calendar without working time in reach (or a time outside the years business time
    covers) is a field error on ``calendar``, not a server error."""
    try:
        _compute_deadlines(clock)
    except NoWorkingTime:
        raise ValidationFailed(
            fields={
                "calendar": [
                    str(
                        _(
                            "No deadline can be computed on the calendar {calendar}: it has no "
                            "working hours in reach."
                        )
                    ).format(calendar=clock.calendar)
                ]
            }
        ) from None


def _compute_deadlines(clock: Clock) -> None:
    if clock.state != ClockState.RUNNING or clock.segment_started_at is None:
        clock.due_at = clock.warn_at = clock.next_event_at = None
        return
    start = clock.segment_started_at
    years: set[int] = set()
    due = compute_deadline(
        start, timedelta(seconds=max(0, clock.goal_seconds - clock.elapsed_seconds)), clock.calendar
    )
    years.update(due.unconfirmed_years)
    clock.due_at = due.due
    if clock.level == ClockLevel.NONE:
        warn = compute_deadline(
            start,
            timedelta(seconds=max(0, _warn_goal(clock) - clock.elapsed_seconds)),
            clock.calendar,
        )
        years.update(warn.unconfirmed_years)
        clock.warn_at = warn.due
        clock.next_event_at = clock.warn_at
    elif clock.level == ClockLevel.WARNED:
        clock.warn_at = None
        clock.next_event_at = clock.due_at
    else:
        clock.warn_at = None
        clock.next_event_at = None
    clock.unconfirmed_years = sorted(years)


def _locked(clock: Clock) -> Clock:
    """Reload *clock* under a row lock (PostgreSQL); SQLite's IMMEDIATE transaction already
    holds the write lock."""
    fresh = Clock.objects.select_for_update().select_related("calendar").get(pk=clock.pk)
    for field in Clock._meta.concrete_fields:
        setattr(clock, field.attname, getattr(fresh, field.attname))
    clock.calendar = fresh.calendar
    return clock


def _check_at(clock: Clock, at: datetime) -> None:
    if at is None or timezone.is_naive(at):
        raise ValidationFailed(fields={"at": [str(_("An aware date and time is required."))]})
    last = clock.segment_started_at or clock.started_at
    if clock.state == ClockState.PAUSED:
        open_segment = clock.segments.filter(ended_at__isnull=True).only("started_at").last()
        if open_segment is not None:
            last = max(last, open_segment.started_at)
    if at < last:
        raise ValidationFailed(
            fields={
                "at": [
                    str(_("The time is before the clock's last change ({when}).")).format(
                        when=timezone.localtime(last).strftime("%Y-%m-%d %H:%M")
                    )
                ]
            }
        )


def _close_open_segment(clock: Clock, at: datetime) -> ClockSegment | None:
    """Close the open segment at *at*, measuring it on the clock's current calendar."""
    segment = clock.segments.filter(ended_at__isnull=True).order_by("-started_at", "-id").first()
    if segment is None:
        return None
    seconds = _seconds(business_time_between(segment.started_at, at, clock.calendar))
    segment.ended_at = at
    segment.business_seconds = seconds
    segment.save(update_fields=["ended_at", "business_seconds"])
    if segment.kind == SegmentKind.RUNNING:
        clock.elapsed_seconds += seconds
    return segment


_STATE_FIELDS = [
    "state",
    "elapsed_seconds",
    "segment_started_at",
    "warn_at",
    "due_at",
    "next_event_at",
    "unconfirmed_years",
    "pause_reason",
    "level",
    "warned_at",
    "breached",
    "breached_at",
    "breach_cause",
    "stopped_at",
    "goal_seconds",
    "calendar",
    "priority",
    "target",
    "agreement",
    "updated_at",
]


def _save(clock: Clock) -> None:
    clock.save(update_fields=_STATE_FIELDS)


# --- lifecycle --------------------------------------------------------------------------------


def start_clock(
    *,
    record,
    metric: str,
    calendar,
    goal_seconds: int,
    at: datetime,
    customer=None,
    agreement=None,
    target=None,
    service=None,
    priority: str = "",
    warning_percent: int = 75,
    by=None,
) -> Clock:
    """Start a running clock for *record* × *metric* at *at* with a goal in business seconds."""
    errors: dict[str, list[str]] = {}
    if calendar is None:
        errors["calendar"] = [str(_("A business calendar is required."))]
    if goal_seconds is None or int(goal_seconds) <= 0:
        errors["goal_seconds"] = [str(_("The goal must be a positive number of seconds."))]
    if not 0 <= int(warning_percent) <= 100:
        errors["warning_percent"] = [str(_("Enter a percentage from 0 to 100."))]
    if at is None or timezone.is_naive(at):
        errors["at"] = [str(_("An aware date and time is required."))]
    if not metric:
        errors["metric"] = [str(_("A metric is required."))]
    if errors:
        raise ValidationFailed(fields=errors)
    content_type = ContentType.objects.get_for_model(type(record))
    with transaction.atomic():
        if Clock.objects.filter(
            content_type=content_type, object_id=record.pk, metric=metric
        ).exists():
            raise ValidationFailed(
                fields={
                    "metric": [
                        str(_("This record already has a {metric} clock.")).format(metric=metric)
                    ]
                }
            )
        clock = Clock(
            content_type=content_type,
            object_id=record.pk,
            record_label=str(record)[:220],
            customer=customer,
            agreement=agreement,
            target=target,
            service=service,
            metric=metric,
            priority=priority or "",
            calendar=calendar,
            goal_seconds=int(goal_seconds),
            warning_percent=int(warning_percent),
            state=ClockState.RUNNING,
            started_at=at,
            segment_started_at=at,
        )
        _apply_deadlines(clock)
        clock.save()
        ClockSegment.objects.create(
            clock=clock, kind=SegmentKind.RUNNING, started_at=at, by=_user(by)
        )
    return clock


def _user(by):
    return by if getattr(by, "pk", None) else None


def _refuse(clock: Clock, action: str) -> None:
    raise InvalidTransition(
        str(_("A {state} clock cannot be {action}.")).format(
            state=ClockState(clock.state).label, action=action
        )
    )


def pause_clock(clock: Clock, *, at: datetime, reason: str, by=None) -> Clock:
    """Pause a running clock at *at* (a reason such as "waiting for customer" is required)."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed(fields={"reason": [str(_("Say why the clock is paused."))]})
    with transaction.atomic():
        _locked(clock)
        if clock.state != ClockState.RUNNING:
            _refuse(clock, _("paused"))
        _check_at(clock, at)
        _close_open_segment(clock, at)
        ClockSegment.objects.create(
            clock=clock, kind=SegmentKind.PAUSED, started_at=at, reason=reason[:200], by=_user(by)
        )
        clock.state = ClockState.PAUSED
        clock.segment_started_at = None
        clock.pause_reason = reason[:200]
        _apply_deadlines(clock)
        _save(clock)
    return clock


def resume_clock(clock: Clock, *, at: datetime, by=None) -> Clock:
    """Resume a paused clock at *at*; deadlines are computed again from *at*."""
    with transaction.atomic():
        _locked(clock)
        if clock.state != ClockState.PAUSED:
            _refuse(clock, _("resumed"))
        _check_at(clock, at)
        _close_open_segment(clock, at)
        ClockSegment.objects.create(
            clock=clock, kind=SegmentKind.RUNNING, started_at=at, by=_user(by)
        )
        clock.state = ClockState.RUNNING
        clock.segment_started_at = at
        clock.pause_reason = ""
        _apply_deadlines(clock)
        _save(clock)
    return clock


def stop_clock(clock: Clock, *, at: datetime, by=None, cancel: bool = False) -> Clock:
    """Stop a running or paused clock at *at* (the target was met or missed).

    A clock whose elapsed business time exceeds its goal is recorded as breached even if the
    sweeper had not reached it yet (its breach time is the due time). ``cancel=True`` marks
    the clock cancelled instead (the measurement no longer applies).
    """
    with transaction.atomic():
        _locked(clock)
        if clock.state not in (ClockState.RUNNING, ClockState.PAUSED):
            _refuse(clock, _("stopped"))
        _check_at(clock, at)
        due_before = clock.due_at
        _close_open_segment(clock, at)
        if not cancel and clock.elapsed_seconds > clock.goal_seconds and not clock.breached:
            clock.breached = True
            clock.breached_at = due_before or at
            clock.breach_cause = clock.breach_cause or str(
                _("Stopped after the goal was exceeded.")
            )
        if clock.breached:
            clock.level = ClockLevel.BREACHED
        clock.state = ClockState.CANCELLED if cancel else ClockState.STOPPED
        clock.stopped_at = at
        clock.segment_started_at = None
        clock.pause_reason = ""
        _apply_deadlines(clock)
        _save(clock)
    return clock


def recalculate_clock(
    clock: Clock,
    *,
    at: datetime,
    goal_seconds: int | None = None,
    calendar=None,
    priority: str | None = None,
    target=None,
    agreement=None,
    by=None,
) -> Clock:
    """Apply a new goal / calendar / priority / target / agreement from *at*, keeping the
    business time already elapsed and the pauses already taken.

    A running clock's segment is closed at *at* on the old calendar and a new one opened at
    *at*; a paused clock stays paused. If the new goal is already exceeded the clock breaches
    on the next sweep (``next_event_at = at``). The level never goes down.
    """
    if goal_seconds is None and target is not None:
        goal_seconds = goal_seconds_for(target)
    if goal_seconds is not None and int(goal_seconds) <= 0:
        raise ValidationFailed(
            fields={"goal_seconds": [str(_("The goal must be a positive number of seconds."))]}
        )
    if calendar is None and agreement is not None and agreement.calendar_id:
        calendar = agreement.calendar
    with transaction.atomic():
        _locked(clock)
        if clock.state not in (ClockState.RUNNING, ClockState.PAUSED):
            _refuse(clock, _("recalculated"))
        _check_at(clock, at)
        before = {
            "goal_seconds": clock.goal_seconds,
            "calendar": clock.calendar_id,
            "priority": clock.priority,
            "elapsed_seconds": clock.elapsed_seconds,
        }
        if clock.state == ClockState.RUNNING:
            _close_open_segment(clock, at)  # measured on the OLD calendar
            ClockSegment.objects.create(
                clock=clock, kind=SegmentKind.RUNNING, started_at=at, by=_user(by)
            )
            clock.segment_started_at = at
        if goal_seconds is not None:
            clock.goal_seconds = int(goal_seconds)
        if calendar is not None:
            clock.calendar = calendar
        if priority is not None:
            clock.priority = priority
        if target is not None:
            clock.target = target
        if agreement is not None:
            clock.agreement = agreement
        _apply_deadlines(clock)
        _save(clock)
        record = _record_or_none(clock)
        record_event(
            record if record is not None else clock,
            "sla_recalculated",
            by=by,
            at=at,
            data={
                "clock": clock.pk,
                "metric": clock.metric,
                "before": before,
                "after": {
                    "goal_seconds": clock.goal_seconds,
                    "calendar": clock.calendar_id,
                    "priority": clock.priority,
                    "elapsed_seconds": clock.elapsed_seconds,
                },
            },
        )
    return clock


def _record_or_none(clock: Clock):
    model = clock.content_type.model_class()
    if model is None:
        return None
    return model._base_manager.filter(pk=clock.object_id).first()


def start_clocks_for(
    *, record, agreement, service, priority, customer, at: datetime, by=None
) -> list[Clock]:
    """Start one clock per response/resolution target of *agreement* that applies to
    *service* × *priority* (``slm.selectors.find_target``); the agreement's service hours
    (or the service's) are the calendar."""
    from itsm.slm.selectors import find_target

    calendar = getattr(agreement, "calendar", None) or getattr(service, "service_hours", None)
    clocks: list[Clock] = []
    with transaction.atomic():
        for metric in CLOCK_METRICS:
            target = find_target(
                agreement=agreement, service=service, priority=priority, metric=metric
            )
            if target is None:
                continue
            if calendar is None:
                raise ValidationFailed(
                    fields={
                        "agreement": [
                            str(_("The agreement has no service hours (business calendar)."))
                        ]
                    }
                )
            clocks.append(
                start_clock(
                    record=record,
                    metric=metric,
                    calendar=calendar,
                    goal_seconds=goal_seconds_for(target),
                    at=at,
                    customer=customer,
                    agreement=agreement,
                    target=target,
                    service=service,
                    priority=priority or "",
                    warning_percent=agreement.warning_percent,
                    by=by,
                )
            )
    return clocks


def elapsed_at(clock: Clock, at: datetime) -> int:
    """Business seconds elapsed by *at*: the closed running segments plus, while running, the
    open segment measured up to *at* on the clock's calendar."""
    if clock.state != ClockState.RUNNING or clock.segment_started_at is None:
        return clock.elapsed_seconds
    if at <= clock.segment_started_at:
        return clock.elapsed_seconds
    return clock.elapsed_seconds + _seconds(
        business_time_between(clock.segment_started_at, at, clock.calendar)
    )


def clocks_of(record, *states: str) -> list[Clock]:
    """The clocks of *record* (any model), oldest first; only those in *states* if given."""
    content_type = ContentType.objects.get_for_model(type(record))
    queryset = Clock.objects.filter(content_type=content_type, object_id=record.pk)
    if states:
        queryset = queryset.filter(state__in=states)
    return list(queryset.select_related("calendar").order_by("id"))


# --- calendar edits ---------------------------------------------------------------------------


def recompute_for_calendar(calendar, years: Iterable[int]) -> int:
    """Recompute ``due_at``/``warn_at`` of the running clocks on *calendar* whose deadline
    computation touches *years* (the calendar's rows for those years changed). Elapsed time
    and segments are kept; breached clocks keep their history. Returns the clocks changed."""
    years = sorted(set(years))
    if not years:
        return 0
    from zoneinfo import ZoneInfo

    tz = ZoneInfo(calendar.time_zone)
    first = datetime(years[0], 1, 1, tzinfo=tz)
    after = datetime(years[-1] + 1, 1, 1, tzinfo=tz)
    changed = 0
    with transaction.atomic():
        clocks = (
            Clock.objects.select_for_update()
            .filter(
                calendar_id=calendar.pk,
                state=ClockState.RUNNING,
                level__lt=ClockLevel.BREACHED,
                segment_started_at__lt=after,
                due_at__gte=first,
            )
            .order_by("pk")
        )
        for clock in clocks:
            clock.calendar = calendar  # carries the new rules token
            before = (clock.due_at, clock.warn_at)
            _apply_deadlines(clock)
            if (clock.due_at, clock.warn_at) != before:
                clock.save(
                    update_fields=[
                        "due_at",
                        "warn_at",
                        "next_event_at",
                        "unconfirmed_years",
                        "updated_at",
                    ]
                )
                changed += 1
    return changed


# --- the sweeper ------------------------------------------------------------------------------


def sweep(*, now: datetime | None = None, batch: int = 1000) -> int:
    """Apply every escalation step that is due at *now*; return how many were applied.

    Each batch is one transaction: claim up to *batch* running clocks whose ``next_event_at``
    has passed (``FOR UPDATE SKIP LOCKED`` on PostgreSQL, so workers share the work), raise
    them with conditional updates (``WHERE level = k AND state = 'running'``, ``RETURNING id``
    — only the rows that update changed get the step's side effects), then write the timeline
    rows, the outbox messages and call the escalation handlers. A crash anywhere rolls the
    whole batch back; another worker cannot apply the same step twice.
    """
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
        delay = os.environ.get(SWEEP_DELAY_ENV)
        if delay:
            _time.sleep(float(delay))
        warned = _raise_level(ids, ClockLevel.NONE, now)
        breached = _raise_level(ids, ClockLevel.WARNED, now)
        if warned:
            _side_effects(warned, ClockLevel.WARNED, now)
        if breached:
            _side_effects(breached, ClockLevel.BREACHED, now)
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


def _side_effects(ids: list[int], level: int, now: datetime) -> None:
    from itsm.core.outbox.choices import MessageChannel
    from itsm.core.outbox.models import OutboxMessage
    from itsm.core.outbox.services import wakeup

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
    # records that still exist, per model (one query per model)
    by_type: dict[int, list[Clock]] = defaultdict(list)
    for clock in clocks:
        by_type[clock.content_type_id].append(clock)
    clock_type = ContentType.objects.get_for_model(Clock)
    entries: list[TimelineEntry] = []
    handled: list[tuple[type, list[Clock]]] = []
    for _type_id, group in by_type.items():
        model = group[0].content_type.model_class()
        existing: set[int] = set()
        if model is not None:
            existing = set(
                model._base_manager.filter(pk__in=[c.object_id for c in group]).values_list(
                    "pk", flat=True
                )
            )
        for clock in group:
            when = clock.warned_at if level == ClockLevel.WARNED else clock.breached_at
            on_record = clock.object_id in existing
            entries.append(
                TimelineEntry(
                    content_type_id=clock.content_type_id if on_record else clock_type.pk,
                    object_id=str(clock.object_id if on_record else clock.pk),
                    verb=verb,
                    at=when or now,
                    note=_event_note(clock, level),
                    data={"clock": clock.pk, "metric": clock.metric, "level": level},
                )
            )
        if model is not None and _HANDLERS.get(model):
            handled.append((model, [c for c in group if c.object_id in existing]))
    TimelineEntry.objects.bulk_create(entries)
    # notifications: every active administrator with an e-mail, one message per clock × level
    admins = _notification_targets()
    messages = []
    for clock in clocks:
        subject, body = _message(clock, level)
        for user_id, email in admins:
            messages.append(
                OutboxMessage(
                    key=f"clock:{clock.pk}:level:{level}:admin:{user_id}",
                    channel=MessageChannel.EMAIL,
                    target=email,
                    payload={"subject": subject, "body": body},
                    next_attempt_at=now,
                )
            )
    if messages:
        OutboxMessage.objects.bulk_create(messages, ignore_conflicts=True, batch_size=500)
        transaction.on_commit(wakeup.set)
    for model, group in handled:
        for fn in list(_HANDLERS[model]):
            if group:
                fn(group, level=level, at=now)


def _notification_targets() -> list[tuple[int, str]]:
    from itsm.core.choices import Role
    from itsm.core.models import User

    return list(
        User.objects.filter(is_active=True, role_assignments__role=Role.ADMINISTRATOR)
        .exclude(email="")
        .distinct()
        .order_by("pk")
        .values_list("pk", "email")
    )


def _event_note(clock: Clock, level: int) -> str:
    if level == ClockLevel.WARNED:
        text = _("{metric} clock reached its warning level ({label}).")
    else:
        text = _("{metric} clock breached its goal ({label}).")
    return str(text).format(metric=metric_label(clock.metric), label=clock.record_label)


def _message(clock: Clock, level: int) -> tuple[str, str]:
    due = timezone.localtime(clock.due_at).strftime("%Y-%m-%d %H:%M") if clock.due_at else "—"
    agreement = str(clock.agreement) if clock.agreement_id else "—"
    values = {
        "record": clock.record_label,
        "metric": metric_label(clock.metric),
        "priority": clock.priority or "—",
        "due": due,
        "agreement": agreement,
    }
    if level == ClockLevel.WARNED:
        subject = str(_("SLA warning: {record} {metric}")).format(**values)
        body = str(
            _(
                "The {metric} clock of {record} (priority {priority}, agreement {agreement}) "
                "reached its warning level; it is due at {due}."
            )
        ).format(**values)
    else:
        subject = str(_("SLA breached: {record} {metric}")).format(**values)
        body = str(
            _(
                "The {metric} clock of {record} (priority {priority}, agreement {agreement}) "
                "breached its goal at {due}; the escalation process applies."
            )
        ).format(**values)
    return subject, body


def metric_label(metric: str) -> str:
    try:
        return str(TargetMetric(metric).label)
    except ValueError:
        return metric
