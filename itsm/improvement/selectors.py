"""Reads of the improvement register that pages, the API, KPIs and other apps may call."""

from __future__ import annotations

from datetime import datetime

from django.db.models import Count, F, Q, QuerySet

from itsm.improvement.choices import ItemStatus
from itsm.improvement.models import Item


def items_for(user, action: str = "view") -> QuerySet[Item]:
    """The improvement items *user* may *action* (``restrict``)."""
    return Item.objects.restrict(user, action)


def item_for_source(*, source: str, source_key: str) -> Item | None:
    """The item raised from ``(source, source_key)``, if any (unrestricted: for services of
    other apps that check whether they raised one already)."""
    return Item.objects.filter(source=source, source_key=source_key).first()


def on_time_counts(*, user, since: datetime, until: datetime, customer=None) -> tuple[int, int]:
    """(items closed by their due date, items closed) among the items *user* may view closed
    in [since, until), of *customer* when given: "improvement items closed on time"."""
    rows = items_for(user).filter(
        status=ItemStatus.CLOSED, closed_at__gte=since, closed_at__lt=until
    )
    if customer is not None:
        rows = rows.filter(customer=customer)
    totals = rows.aggregate(
        total=Count("pk"),
        on_time=Count("pk", filter=Q(due_date__isnull=False, closed_at__date__lte=F("due_date"))),
    )
    return totals["on_time"] or 0, totals["total"] or 0
