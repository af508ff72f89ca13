"""Choices of SLA clocks: clock state, escalation level and segment kinds (R-SLM-05)."""

from django.utils.translation import gettext_lazy as _

from itsm.core.choices import ChoiceSet, with_colours


class ClockState(ChoiceSet):
    RUNNING = "running", _("Running")
    PAUSED = "paused", _("Paused")
    STOPPED = "stopped", _("Stopped")
    CANCELLED = "cancelled", _("Cancelled")


with_colours(
    ClockState,
    {"running": "green", "paused": "yellow", "stopped": "secondary", "cancelled": "dark"},
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
