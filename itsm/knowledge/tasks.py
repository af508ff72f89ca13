"""Worker jobs of the knowledge base: the ticket indexer. Tickets enter the search through
this job, not through the desk's services: a ticket's create path does no extra work, and the
desk does not know the knowledge base."""

from __future__ import annotations

from datetime import timedelta

from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop

from itsm.core.outbox.jobs import periodic
from itsm.core.stored_text import stored
from itsm.knowledge.services import index_changed_tickets

#: at most this many tickets per run (the rest waits for the next run, a minute later)
PER_RUN = 20_000


@periodic("knowledge.index_tickets", every=timedelta(minutes=1), label=_("Ticket search index"))
def index_tickets(now) -> str:
    """Index the tickets changed since the last run (by update time; the job's mark)."""
    count = index_changed_tickets(limit=PER_RUN)
    return stored(gettext_noop("Tickets indexed: {count}"), count=count)
