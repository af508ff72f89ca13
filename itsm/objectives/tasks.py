"""Periodic job of management objectives: the closed periods of approved plans evaluated, a
missed objective raised once per period as an improvement item."""

from __future__ import annotations

from datetime import timedelta

from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop

from itsm.core.outbox.jobs import periodic
from itsm.core.stored_text import stored
from itsm.objectives import services


@periodic(
    "objectives.misses",
    every=timedelta(hours=6),
    label=_("Missed objectives raised as improvements"),
)
def raise_misses(now) -> str:
    """Evaluate the closed periods of the approved plans and raise their misses."""
    count = services.raise_misses(now=now)
    return stored(gettext_noop("{count} missed objective periods"), count=count)
