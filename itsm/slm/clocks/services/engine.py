"""The SLA clock engine (R-SLM-05): the only writer of clocks and their segments outside
the sweep (``sweep.py``).

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
- the state moves only along ``choices.CLOCK_MACHINE`` (running ⇄ paused → stopped or
  cancelled), checked by ``ensure_transition``;
- a recalculation (priority, target, goal, agreement or calendar change) closes the running
  segment at ``at`` on the *old* calendar, applies the new goal/calendar and reopens a running
  segment at ``at``: business time already elapsed and pauses already taken are kept
  (the bug class of GLPI #15605 / #24481). The escalation level never goes down: a clock that
  breached stays breached even if a larger goal is set later (like ServiceNow's
  "has breached"); a clock that was warned is not warned again;
- a deadline reaching a calendar year without confirmed holidays is flagged on the clock
  (``unconfirmed_years``); the engine alerts the administrators when a clock's deadline
  first reaches such a year (once per calendar and year: the outbox key dedupes). The
  arithmetic itself (``compute_deadline``) has no side effects.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import datetime, timedelta
from decimal import Decimal

from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from itsm.core.calendars.businesstime import (
    NoWorkingTime,
    business_time_between,
    compute_deadline,
)
from itsm.core.calendars.services import alert_unconfirmed_year
from itsm.core.errors import InvalidTransition, ValidationFailed
from itsm.core.statemachine import ensure_transition
from itsm.core.timeline import record_event
from itsm.core.writes import Rows, insert_rows, new_row
from itsm.kpi.choices import Unit
from itsm.slm.clocks.choices import CLOCK_MACHINE, ClockLevel, ClockState, SegmentKind
from itsm.slm.clocks.models import Clock, ClockSegment

logger = logging.getLogger(__name__)

SECOND = timedelta(seconds=1)
CLOCK_METRICS = ("response", "resolution")

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
    covers) is a field error on ``calendar``, not a server error. Years the deadlines newly
    reach without confirmed holidays are reported to the administrators (``_alert``)."""
    known = set(clock.unconfirmed_years or ())
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
    _alert(clock, [year for year in clock.unconfirmed_years if year not in known])


def _alert(clock: Clock, years: list[int]) -> None:
    """Tell the administrators that *years* of the clock's calendar are unconfirmed (once per
    calendar and year: the outbox key dedupes). An alert never blocks the clock's change."""
    for year in years:
        try:
            with transaction.atomic():
                alert_unconfirmed_year(clock.calendar, year)
        except Exception:
            logger.exception(
                "could not alert about unconfirmed year %s of %s", year, clock.calendar
            )


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


def _new_clock(
    *,
    record,
    content_type,
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
) -> Clock:
    """A running clock for *record* × *metric* from *at*, validated, deadlines set, unsaved."""
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
    clock = new_row(
        Clock,
        content_type=content_type,
        object_id=record.pk,
        record_label=str(record)[:220] if record.pk is not None else "",
        customer=customer,
        agreement=agreement,
        target=target,
        service=service,
        metric=metric,
        priority=priority or "",
        calendar=calendar,
        goal_seconds=int(goal_seconds),
        warning_percent=int(warning_percent),
        state=CLOCK_MACHINE.initial,
        started_at=at,
        segment_started_at=at,
    )
    _apply_deadlines(clock)
    return clock


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
    content_type = ContentType.objects.get_for_model(type(record))
    clock = _new_clock(
        record=record,
        content_type=content_type,
        metric=metric,
        calendar=calendar,
        goal_seconds=goal_seconds,
        at=at,
        customer=customer,
        agreement=agreement,
        target=target,
        service=service,
        priority=priority,
        warning_percent=warning_percent,
    )
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
        clock.save()
        ClockSegment.objects.create(
            clock=clock, kind=SegmentKind.RUNNING, started_at=at, by=_user(by)
        )
    return clock


def _user(by):
    return by if getattr(by, "pk", None) else None


def _ensure_open(clock: Clock) -> None:
    """A recalculation keeps the state: allowed where the machine still allows a stop."""
    if CLOCK_MACHINE.find(clock.state, ClockState.STOPPED) is None:
        raise InvalidTransition(
            str(_("A {state} clock cannot be recalculated.")).format(
                state=ClockState(clock.state).label
            ),
            fields={"state": [str(_("Not allowed from the current status."))]},
        )


def pause_clock(clock: Clock, *, at: datetime, reason: str, by=None) -> Clock:
    """Pause a running clock at *at* (a reason such as "waiting for customer" is required)."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed(fields={"reason": [str(_("Say why the clock is paused."))]})
    with transaction.atomic():
        _locked(clock)
        ensure_transition(clock, ClockState.PAUSED, by=by, machine=CLOCK_MACHINE)
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
        ensure_transition(clock, ClockState.RUNNING, by=by, machine=CLOCK_MACHINE)
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
        end = ClockState.CANCELLED if cancel else ClockState.STOPPED
        ensure_transition(clock, end, by=by, machine=CLOCK_MACHINE)
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
        clock.state = end
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
        _ensure_open(clock)
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
    *, record, agreement, service, priority, customer, at: datetime, by=None, new_record=False
) -> list[Clock]:
    """Start one clock per response/resolution target of *agreement* that applies to
    *service* × *priority* (``slm.selectors.find_targets``, one query); the agreement's service
    hours (or the service's) are the calendar. *new_record*: the record was created in this
    transaction, so it has no clock yet — the clocks are planned and inserted as
    :func:`plan_clocks_for` and :func:`insert_planned_clocks` do."""
    if not new_record:
        with transaction.atomic():
            return [
                start_clock(**clock_of, by=by)
                for clock_of in _clocks_of(
                    record=record,
                    agreement=agreement,
                    service=service,
                    priority=priority,
                    customer=customer,
                    at=at,
                )
            ]
    planned = plan_clocks_for(
        record=record,
        agreement=agreement,
        service=service,
        priority=priority,
        customer=customer,
        at=at,
    )
    return insert_planned_clocks(record, planned, by=by)


def _clocks_of(*, record, agreement, service, priority, customer, at: datetime) -> list[dict]:
    from itsm.slm.selectors import find_targets

    calendar = getattr(agreement, "calendar", None) or getattr(service, "service_hours", None)
    targets = find_targets(
        agreement=agreement, service=service, priority=priority, metrics=CLOCK_METRICS
    )
    if targets and calendar is None:
        raise ValidationFailed(
            fields={
                "agreement": [str(_("The agreement has no service hours (business calendar)."))]
            }
        )
    return [
        {
            "record": record,
            "metric": metric,
            "calendar": calendar,
            "goal_seconds": goal_seconds_for(targets[metric]),
            "at": at,
            "customer": customer,
            "agreement": agreement,
            "target": targets[metric],
            "service": service,
            "priority": priority or "",
            "warning_percent": agreement.warning_percent,
        }
        for metric in CLOCK_METRICS
        if metric in targets
    ]


def plan_clocks_for(*, record, agreement, service, priority, customer, at: datetime) -> list[Clock]:
    """The clocks :func:`start_clocks_for` would start for a record not inserted yet: validated,
    their deadlines computed, unsaved — so the record can be inserted with its due time
    (no UPDATE after the clocks), then :func:`insert_planned_clocks`."""
    content_type = ContentType.objects.get_for_model(type(record))
    return [
        _new_clock(content_type=content_type, **clock_of)
        for clock_of in _clocks_of(
            record=record,
            agreement=agreement,
            service=service,
            priority=priority,
            customer=customer,
            at=at,
        )
    ]


def insert_planned_clocks(record, planned: list[Clock], *, by=None) -> list[Clock]:
    """Insert the clocks *planned* for *record* (now inserted, in the caller's transaction:
    it has no clock yet) and their first running segments — one statement on PostgreSQL,
    without looking for existing clocks (the unique constraint still guards)."""
    if not planned:
        return planned
    for clock in planned:
        clock.object_id = record.pk
        clock.record_label = str(record)[:220]
    segments = [
        new_row(
            ClockSegment,
            clock=clock,
            kind=SegmentKind.RUNNING,
            started_at=clock.started_at,
            by=_user(by),
        )
        for clock in planned
    ]
    # in the caller's transaction, which created the record: no savepoint
    with transaction.atomic(savepoint=False):
        insert_rows(planned, along=[Rows(segments)])
    return planned


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
