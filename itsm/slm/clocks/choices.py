"""Choices of SLA clocks: clock state and its state machine, escalation level and segment
kinds (R-SLM-05); the SLA test ticket's status and its state machine."""

from django.utils.translation import gettext_lazy as _

from itsm.core.choices import ChoiceSet, with_colours
from itsm.core.statemachine import StateMachine, Transition
from itsm.slm.choices import TargetMetric


class ClockState(ChoiceSet):
    RUNNING = "running", _("Running")
    PAUSED = "paused", _("Paused")
    STOPPED = "stopped", _("Stopped")
    CANCELLED = "cancelled", _("Cancelled")


with_colours(
    ClockState,
    {"running": "green", "paused": "yellow", "stopped": "secondary", "cancelled": "dark"},
)


#: running ⇄ paused; either ends as stopped (measured) or cancelled (no longer applies).
#: The engine moves a clock only through these transitions (``ensure_transition``); a
#: recalculation keeps the state and is allowed wherever a stop is (an open clock).
CLOCK_MACHINE = StateMachine(
    field="state",
    initial=ClockState.RUNNING,
    transitions=[
        Transition(ClockState.RUNNING, ClockState.PAUSED, "pause", _("Pause")),
        Transition(ClockState.PAUSED, ClockState.RUNNING, "resume", _("Resume")),
        Transition((ClockState.RUNNING, ClockState.PAUSED), ClockState.STOPPED, "stop", _("Stop")),
        Transition(
            (ClockState.RUNNING, ClockState.PAUSED), ClockState.CANCELLED, "cancel", _("Cancel")
        ),
    ],
)


class ClockLevel:
    """Escalation level reached; the sweeper moves a clock up one level with a conditional
    update (``WHERE level = k``) so each step is applied exactly once."""

    NONE = 0
    WARNED = 1
    BREACHED = 2


class SegmentKind(ChoiceSet):
    RUNNING = "running", _("Running")
    PAUSED = "paused", _("Paused")


class TestTicketStatus(ChoiceSet):
    OPEN = "open", _("Open")
    CLOSED = "closed", _("Closed")


with_colours(TestTicketStatus, {"open": "blue", "closed": "secondary"})

#: an SLA test ticket is open until closed; its other actions (pause, respond…) drive its
#: clocks, not its status. Whoever may change the ticket may close it.
TEST_TICKET_MACHINE = StateMachine(
    field="status",
    initial=TestTicketStatus.OPEN,
    transitions=[
        Transition(TestTicketStatus.OPEN, TestTicketStatus.CLOSED, "close", _("Close")),
    ],
)


#: labels of the timeline verbs written by the clock engine and SLA test tickets
VERB_LABELS = {
    "sla_warning": _("SLA warning"),
    "sla_breached": _("SLA breached"),
    "sla_recalculated": _("SLA clock recalculated"),
    "escalated": _("Escalated"),
    "paused": _("Paused"),
    "resumed": _("Resumed"),
    "responded": _("Responded"),
    "resolved": _("Resolved"),
    "priority_changed": _("Priority changed"),
    "closed": _("Closed"),
}


def metric_label(metric: str) -> str:
    """The translated label of a clock's *metric* (a ``TargetMetric``), else the code."""
    try:
        return str(TargetMetric(metric).label)
    except ValueError:
        return metric
