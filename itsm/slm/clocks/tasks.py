"""Worker jobs of SLA clocks: the sweeper that applies due warnings and breaches."""

from __future__ import annotations

from datetime import timedelta

from itsm.core.outbox.jobs import periodic
from itsm.slm.clocks import services


@periodic("clocks.sweep", every=timedelta(minutes=1))
def sweep_clocks(now) -> str:
    """Warn about and escalate the running SLA clocks whose next escalation time has passed
    (each step exactly once: conditional updates in one transaction per batch)."""
    applied = services.sweep(now=now)
    return f"escalations applied: {applied}"
