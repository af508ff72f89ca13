"""Worker jobs of business calendars."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop

from itsm.core.calendars import services
from itsm.core.outbox.jobs import periodic
from itsm.core.stored_text import stored


@periodic(
    "calendars.unconfirmed_years",
    every=timedelta(hours=6),
    label=_("Calendar years to confirm"),
)
def alert_unconfirmed_years(now) -> str:
    """Alert administrators (once per calendar and year) about active calendars whose this
    year or next year has no holidays entered and is not confirmed."""
    found = services.check_unconfirmed_years(today=timezone.localdate(now))
    if not found:
        return stored(gettext_noop("All calendar years confirmed"))
    return stored(
        gettext_noop("Unconfirmed: {years}"),
        years=", ".join(f"{calendar.code} {year}" for calendar, year in found),
    )
