"""Worker jobs of service level management."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop

from itsm.core.outbox.jobs import periodic
from itsm.core.stored_text import stored
from itsm.slm.services import agreements as agreement_services
from itsm.slm.services import reviews


@periodic("slm.review_schedule", every=timedelta(days=1), label=_("Review meeting schedule"))
def plan_reviews(now) -> str:
    """Plan the review meetings (seed 003 §5.2) of every signed or active agreement for this
    year and next year; meetings already planned are left alone."""
    year = timezone.localdate(now).year
    count = reviews.generate_all_review_schedules(years=(year, year + 1))
    return stored(gettext_noop("{count} meetings planned"), count=count)


@periodic("slm.expire_agreements", every=timedelta(hours=6), label=_("Agreement expiry"))
def expire_agreements(now) -> str:
    """Expire active agreements whose validity has ended (their CIs are retired with them)."""
    expired = agreement_services.expire_agreements(today=timezone.localdate(now))
    if not expired:
        return stored(gettext_noop("No agreement expired"))
    return stored(gettext_noop("Expired: {numbers}"), numbers=", ".join(a.number for a in expired))
