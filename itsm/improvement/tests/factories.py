"""Factories of the improvement tests: rows are created through the services."""

from __future__ import annotations

import datetime
import itertools

from django.utils import timezone

from itsm.improvement import services
from itsm.improvement.choices import ItemSource, ItemStatus
from itsm.improvement.models import Item

_codes = itertools.count(1)


def make_item(by, **fields):
    """A proposed ad-hoc item with a complete plan (goal, owner *by*, plan, due date)."""
    fields.setdefault("source", ItemSource.AD_HOC)
    fields.setdefault("title", f"Improvement {next(_codes)}")
    fields.setdefault("goal", "Fewer repeat incidents.")
    fields.setdefault("owner", by)
    fields.setdefault("plan", "Write the runbook and train the desk.")
    fields.setdefault("due_date", datetime.date(2026, 12, 31))
    return services.create_item(by=by, **fields)


def approved_item(owner, approver, **fields):
    """An item planned by *owner* and approved by *approver*."""
    item = make_item(owner, **fields)
    services.move(item, ItemStatus.PLANNED, by=owner)
    return services.move(item, ItemStatus.APPROVED, by=approver)


def review_action(*, by, customer, owner=None, description="Shorten outage recovery"):
    """An open action of an ad-hoc half-yearly review meeting with *customer*."""
    from itsm.slm.choices import ReviewKind
    from itsm.slm.services import reviews

    meeting = reviews.create_review(
        kind=ReviewKind.HALF_YEARLY_CUSTOMER,
        title=f"Review {next(_codes)}",
        due_date=datetime.date(2026, 11, 2),
        by=by,
        customer=customer,
    )
    return reviews.add_action_item(
        meeting=meeting,
        description=description,
        owner=owner or by,
        due_date=datetime.date(2026, 12, 15),
        by=by,
    )


def aware(day: datetime.date, hour: int = 12) -> datetime.datetime:
    return datetime.datetime.combine(
        day, datetime.time(hour), tzinfo=timezone.get_current_timezone()
    )


def closed_item(owner, approver, *, customer, closed_on, due):
    """An item of *customer* closed on *closed_on* with due date *due* (no KPI)."""
    item = approved_item(owner, approver, customer=customer, due_date=due)
    services.move(item, ItemStatus.IMPLEMENTING, by=owner)
    services.move(item, ItemStatus.VERIFYING, by=owner, implementation_notes="Done.")
    services.record_effect(item, by=owner, effect_note="Works.")
    services.move(item, ItemStatus.CLOSED, by=owner)
    Item.objects.filter(pk=item.pk).update(closed_at=aware(closed_on))
    return item
