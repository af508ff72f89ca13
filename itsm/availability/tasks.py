"""Periodic job of availability management: outages kept in line with incidents and changes."""

from __future__ import annotations

from datetime import timedelta

from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop

from itsm.availability import services
from itsm.core.outbox.jobs import periodic
from itsm.core.stored_text import stored


@periodic(
    "availability.sync", every=timedelta(minutes=5), label=_("Outages from incidents and changes")
)
def sync_outages(now) -> str:
    """Create and end the outages of qualifying incidents and implemented changes."""
    counts = services.sync_outages()
    return stored(
        gettext_noop("{incidents} outages from incidents, {changes} from changes"), **counts
    )
