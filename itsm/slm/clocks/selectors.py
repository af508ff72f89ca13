"""Reads of SLA clocks: lists and the explained clock panel shown on a record's page."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from django.db.models import Q, QuerySet, prefetch_related_objects
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from itsm.slm.clocks.choices import ClockLevel, ClockState, SegmentKind
from itsm.slm.clocks.models import Clock
from itsm.slm.clocks.services import clocks_of, elapsed_at, metric_label


def clocks_for(user, action: str = "view") -> QuerySet[Clock]:
    """Clocks *user* may see, with what a list row shows."""
    return Clock.objects.restrict(user, action).select_related(
        "customer", "agreement", "calendar", "content_type"
    )


def open_or_breached(queryset: QuerySet[Clock]) -> QuerySet[Clock]:
    return queryset.filter(Q(state__in=(ClockState.RUNNING, ClockState.PAUSED)) | Q(breached=True))


def format_business(seconds: int) -> str:
    """A business duration as "1 h 05 m" (hours may exceed 24: business hours)."""
    seconds = max(0, int(seconds))
    hours, rest = divmod(seconds, 3600)
    minutes = rest // 60
    return _("{hours} h {minutes} m").format(hours=hours, minutes=f"{minutes:02d}")


def _when(value: datetime | None) -> str:
    if value is None:
        return "—"
    return formats.date_format(timezone.localtime(value), "Y-m-d H:i")


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
    percent: int
    bar_percent: int
    colour: str
    lines: list[ClockLine] = field(default_factory=list)


def explain(clock: Clock, *, now: datetime | None = None) -> ClockView:
    """The clock with its progress and one explained line per segment and escalation."""
    now = now or timezone.now()
    elapsed = elapsed_at(clock, now)
    percent = int(elapsed * 100 // clock.goal_seconds) if clock.goal_seconds else 0
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
        percent=percent,
        bar_percent=min(100, percent),
        colour=colour,
        lines=lines,
    )


def clock_panel(record, *, now: datetime | None = None) -> list[ClockView]:
    """The explained clocks of *record* (any model), oldest first (two queries)."""
    clocks = clocks_of(record)
    prefetch_related_objects(clocks, "segments")
    return [explain(clock, now=now) for clock in clocks]
