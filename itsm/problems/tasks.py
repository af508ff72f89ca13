"""Worker jobs of problem management: the proactive detection of repeat incidents."""

from __future__ import annotations

from datetime import timedelta

from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop

from itsm.core.outbox.jobs import periodic
from itsm.core.stored_text import stored
from itsm.problems.services import detection


@periodic("problems.detect", every=timedelta(hours=1), label=_("Detect repeat incidents"))
def detect(now) -> str:
    """Propose problems from repeat incidents (``problems.services.detection``)."""
    result = detection.detect(now=now)
    return stored(
        gettext_noop("Proposals made: {made}, updated: {refreshed}"),
        made=result["made"],
        refreshed=result["refreshed"],
    )
