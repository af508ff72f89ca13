"""Reads of release management that pages, the API, the report, KPIs and other apps may call."""

from __future__ import annotations

from datetime import datetime

from django.db.models import Count, Q, QuerySet

from itsm.releases.choices import ReleaseStatus
from itsm.releases.models import Release


def releases_for(user, action: str = "view") -> QuerySet[Release]:
    """The releases *user* may *action* (``restrict``)."""
    return Release.objects.restrict(user, action)


def success_counts(*, user, since: datetime, until: datetime, customer=None) -> tuple[int, int]:
    """(releases deployed, releases finished — deployed or rolled back) among the releases
    *user* may view finished in [since, until), of *customer* when given: the release success
    rate is their ratio."""
    rows = releases_for(user).filter(
        status__in=(ReleaseStatus.DEPLOYED, ReleaseStatus.ROLLED_BACK),
        closed_at__gte=since,
        closed_at__lt=until,
    )
    if customer is not None:
        rows = rows.filter(customers=customer)
    totals = Release.objects.filter(pk__in=rows.values("pk")).aggregate(
        total=Count("pk"), deployed=Count("pk", filter=Q(status=ReleaseStatus.DEPLOYED))
    )
    return totals["deployed"] or 0, totals["total"] or 0


def releases_of_change(change, user) -> QuerySet[Release]:
    """The releases *user* may view that bundle *change*."""
    return releases_for(user).filter(changes=change)
