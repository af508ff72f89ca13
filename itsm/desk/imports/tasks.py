"""Worker job of historic ticket import: run the queued imports."""

from __future__ import annotations

from datetime import timedelta

from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop

from itsm.core.outbox.jobs import periodic
from itsm.core.stored_text import stored
from itsm.desk.imports import services


@periodic("deskimport.run", every=timedelta(seconds=5), label=_("Historic ticket import"))
def run_queued_imports(now) -> str:
    """Write the imports people queued (each in batches, with its progress)."""
    count = services.run_queued()
    return stored(gettext_noop("{count} imports run"), count=count) if count else ""
