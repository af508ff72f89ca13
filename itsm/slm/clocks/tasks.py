"""Worker jobs of SLA clocks: the sweeper that applies due warnings and breaches."""

from __future__ import annotations

from datetime import timedelta

from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop

from itsm.core.outbox.jobs import periodic
from itsm.core.stored_text import stored
from itsm.slm.clocks.services.sweep import sweep


@periodic("clocks.sweep", every=timedelta(minutes=1), label=_("SLA clock sweep"))
def sweep_clocks(now) -> str:
    """Warn about and escalate the running SLA clocks whose next escalation time has passed
    (each step exactly once: conditional updates in one transaction per batch)."""
    applied = sweep(now=now)
    return stored(gettext_noop("Escalations applied: {count}"), count=applied)
