"""Services of SLA clocks (R-SLM-05), by responsibility:

- ``engine``: start, pause, resume, stop and recalculate a clock; its deadlines; the
  recomputation after a calendar edit;
- ``sweep``: the periodic sweep that applies due warnings and breaches exactly once, and the
  escalation handlers ticket modules register;
- ``notifications``: who is told about a step, and the text in each reader's language;
- ``testtickets``: SLA test tickets, which drive clocks like a ticket module would.

What other apps call is named here; the modules' other functions are theirs.
"""

from itsm.slm.clocks.services.engine import (
    clocks_of,
    elapsed_at,
    goal_seconds_for,
    insert_planned_clocks,
    pause_clock,
    plan_clocks_for,
    recalculate_clock,
    resume_clock,
    start_clock,
    start_clocks_for,
    stop_clock,
)
from itsm.slm.clocks.services.sweep import (
    register_escalation_handler,
    sweep,
    unregister_escalation_handler,
)

__all__ = [
    "clocks_of",
    "elapsed_at",
    "goal_seconds_for",
    "insert_planned_clocks",
    "pause_clock",
    "plan_clocks_for",
    "recalculate_clock",
    "register_escalation_handler",
    "resume_clock",
    "start_clock",
    "start_clocks_for",
    "stop_clock",
    "sweep",
    "unregister_escalation_handler",
]
