"""Worker jobs of business calendars."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from itsm.core.calendars import services
from itsm.core.outbox.jobs import periodic


@periodic("calendars.unconfirmed_years", every=timedelta(hours=6))
def alert_unconfirmed_years(now) -> str:
    """Alert administrators (once per calendar and year) about active calendars whose this
    year or next year has no holidays entered and is not confirmed."""
    found = services.check_unconfirmed_years(today=timezone.localdate(now))
    if not found:
        return "all confirmed"
    return "unconfirmed: " + ", ".join(f"{calendar.code} {year}" for calendar, year in found)
