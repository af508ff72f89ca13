"""Worker jobs of the service desk: closing tickets the customer left resolved, and
reminding major incident managers of due communication updates."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop

from itsm.core.outbox.jobs import periodic
from itsm.core.stored_text import stored
from itsm.desk.services import escalation, tickets


@periodic("desk.auto_close", every=timedelta(minutes=15), label=_("Close resolved tickets"))
def auto_close(now) -> str:
    """Close tickets resolved more than ``ITSM_DESK_AUTO_CLOSE_DAYS`` ago without an answer."""
    closed = tickets.auto_close_resolved(days=settings.ITSM_DESK_AUTO_CLOSE_DAYS, now=now)
    return stored(gettext_noop("Tickets closed: {count}"), count=closed)


@periodic("desk.major_updates", every=timedelta(minutes=1), label=_("Major incident updates due"))
def major_updates(now) -> str:
    """Remind each major incident manager whose communication update is due."""
    count = escalation.remind_due_updates(now=now)
    return stored(gettext_noop("Reminders: {count}"), count=count)
