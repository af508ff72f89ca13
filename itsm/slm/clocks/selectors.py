"""Reads of SLA clocks: lists and the explained clock panel shown on a record's page."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from django.contrib.contenttypes.models import ContentType
from django.db.models import Q, QuerySet, prefetch_related_objects
from django.utils import timezone
from django.utils.translation import gettext as _

from itsm.core.formatting import datetime_text
from itsm.slm.clocks.choices import ClockLevel, ClockState, SegmentKind, metric_label
from itsm.slm.clocks.models import Clock
from itsm.slm.clocks.services import clocks_of, elapsed_at


def clocks_for(user, action: str = "view") -> QuerySet[Clock]:
    """Clocks *user* may see, with what a list row shows (the calendar too: the live time of
    a running clock is measured on it, see :func:`clock_time`)."""
    return Clock.objects.restrict(user, action).select_related(
        "customer", "agreement", "calendar", "content_type"
    )


def all_clocks() -> QuerySet[Clock]:
    """Every clock, unrestricted: for a policy question about the model (``.model``)."""
    return Clock.objects.all()


def visible_clocks(user, action: str = "view") -> QuerySet[Clock]:
    """Clocks *user* may *action*, without joins (for aggregates such as the SLA reports)."""
    return Clock.objects.restrict(user, action)


@dataclass(frozen=True)
class ClockTime:
    """A clock's business time *now*: what every page and the API show."""

    elapsed_seconds: int  # closed running segments + the open one measured up to now
    remaining_seconds: int  # goal − elapsed; negative once overdue
    percent: int  # elapsed / goal, may exceed 100

    @property
    def overdue(self) -> bool:
        return self.remaining_seconds < 0


def clock_time(clock: Clock, *, now: datetime | None = None) -> ClockTime:
    """Elapsed and remaining business time of *clock* at *now* (default: now).

    The stored ``elapsed_seconds`` only counts closed segments; while the clock runs, the open
    segment is measured on the clock's calendar (``services.elapsed_at``). With the calendar
    loaded (``select_related("calendar")``) this costs no query: the calendar's business-time
    engine is cached per process.
    """
    elapsed = elapsed_at(clock, now or timezone.now())
    goal = clock.goal_seconds
    return ClockTime(
        elapsed_seconds=elapsed,
        remaining_seconds=goal - elapsed,
        percent=int(elapsed * 100 // goal) if goal else 0,
    )


def open_or_breached(queryset: QuerySet[Clock]) -> QuerySet[Clock]:
    return queryset.filter(Q(state__in=(ClockState.RUNNING, ClockState.PAUSED)) | Q(breached=True))


def format_business(seconds: int) -> str:
    """A business duration as "1 h 05 m" (hours may exceed 24: business hours)."""
    seconds = max(0, int(seconds))
    hours, rest = divmod(seconds, 3600)
    minutes = rest // 60
    return _("{hours} h {minutes} m").format(hours=hours, minutes=f"{minutes:02d}")


def format_remaining(seconds: int) -> str:
    """What is left of a goal ("1 h 05 m left"), or by how much it is overdue."""
    if seconds < 0:
        return _("{duration} overdue").format(duration=format_business(-seconds))
    return _("{duration} left").format(duration=format_business(seconds))


_when = datetime_text


@dataclass
class ClockLine:
    at: datetime
    kind: str  # running, paused, warning, breached, stopped
    text: str


@dataclass
class ClockView:
    clock: Clock
    metric: str
    goal: str
    elapsed: str
    remaining: str
    remaining_overdue: bool
    percent: int
    bar_percent: int
    colour: str
    lines: list[ClockLine] = field(default_factory=list)


def explain(clock: Clock, *, now: datetime | None = None) -> ClockView:
    """The clock with its progress and one explained line per segment and escalation."""
    now = now or timezone.now()
    time = clock_time(clock, now=now)
    elapsed, percent = time.elapsed_seconds, time.percent
    if clock.breached or clock.level >= ClockLevel.BREACHED:
        colour = "red"
    elif clock.level == ClockLevel.WARNED or percent >= clock.warning_percent:
        colour = "yellow"
    else:
        colour = "green"
    lines: list[ClockLine] = []
    for segment in clock.segments.all():
        if segment.kind == SegmentKind.RUNNING:
            if segment.ended_at is None:
                so_far = elapsed - clock.elapsed_seconds
                text = _("running since {start}: {duration} so far (business time)").format(
                    start=_when(segment.started_at), duration=format_business(so_far)
                )
            else:
                text = _("running {start} – {end}: {duration} (business time)").format(
                    start=_when(segment.started_at),
                    end=_when(segment.ended_at),
                    duration=format_business(segment.business_seconds),
                )
            lines.append(ClockLine(segment.started_at, "running", text))
        else:
            if segment.ended_at is None:
                text = _("paused since {start}: {reason}").format(
                    start=_when(segment.started_at), reason=segment.reason
                )
            else:
                text = _("paused {start} – {end}, {duration}: {reason}").format(
                    start=_when(segment.started_at),
                    end=_when(segment.ended_at),
                    duration=format_business(segment.business_seconds),
                    reason=segment.reason,
                )
            lines.append(ClockLine(segment.started_at, "paused", text))
    if clock.warned_at:
        lines.append(
            ClockLine(
                clock.warned_at,
                "warning",
                _("warning at {when} (at {percent}%)").format(
                    when=_when(clock.warned_at), percent=clock.warning_percent
                ),
            )
        )
    if clock.breached_at:
        lines.append(
            ClockLine(
                clock.breached_at,
                "breached",
                _("breached at {when}").format(when=_when(clock.breached_at)),
            )
        )
    if clock.stopped_at:
        lines.append(
            ClockLine(
                clock.stopped_at,
                "stopped",
                _("stopped at {when}").format(when=_when(clock.stopped_at)),
            )
        )
    order = {"running": 0, "paused": 0, "warning": 1, "breached": 2, "stopped": 3}
    lines.sort(key=lambda line: (line.at, order[line.kind]))
    return ClockView(
        clock=clock,
        metric=metric_label(clock.metric),
        goal=format_business(clock.goal_seconds),
        elapsed=format_business(elapsed),
        remaining=format_remaining(time.remaining_seconds),
        remaining_overdue=time.overdue,
        percent=percent,
        bar_percent=min(100, percent),
        colour=colour,
        lines=lines,
    )


def clock_panel(record, *, user=None, now: datetime | None = None) -> list[ClockView]:
    """The explained clocks of *record* (any model) that *user* may see (all without a user),
    oldest first (two queries)."""
    if user is None:
        clocks = clocks_of(record)
    else:
        content_type = ContentType.objects.get_for_model(type(record))
        clocks = list(
            Clock.objects.restrict(user, "view")
            .filter(content_type=content_type, object_id=record.pk)
            .select_related("calendar")
            .order_by("id")
        )
    prefetch_related_objects(clocks, "segments")
    return [explain(clock, now=now) for clock in clocks]
