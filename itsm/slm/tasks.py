"""Worker jobs of service level management."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from itsm.core.outbox.jobs import periodic
from itsm.slm import services


@periodic("slm.review_schedule", every=timedelta(days=1))
def plan_reviews(now) -> str:
    """Plan the review meetings (seed 003 §5.2) of every signed or active agreement for this
    year and next year; meetings already planned are left alone."""
    year = timezone.localdate(now).year
    count = services.generate_all_review_schedules(years=(year, year + 1))
    return f"{count} meetings planned"
