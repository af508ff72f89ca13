"""Factories of the capacity tests: rows are created through the services."""

from __future__ import annotations

import itertools
from datetime import datetime, timedelta

from django.utils import timezone

from itsm.capacity import services
from itsm.catalog.tests.factories import make_service
from itsm.change.tests.factories import ci

_codes = itertools.count(1)

__all__ = ["ci", "make_metric", "make_service", "daily", "start_day"]


def start_day() -> datetime:
    """Local noon 60 days ago: series end yesterday or today, never in the future."""
    now = timezone.localtime()
    return (now - timedelta(days=200)).replace(hour=12, minute=0, second=0, microsecond=0)


def make_metric(by, *, owner=None, ci_row=None, **fields):
    """A metric of a CI of customer *owner* (or of *ci_row*)."""
    if ci_row is None and "service" not in fields:
        ci_row = ci(f"db {next(_codes)}", customer=owner)
    fields.setdefault("name", f"Disk usage {next(_codes)}")
    fields.setdefault("unit", "%")
    fields.setdefault("warning_threshold", 80.0)
    fields.setdefault("critical_threshold", 90.0)
    return services.create_metric(by=by, ci=ci_row, **fields)


def daily(start: datetime, values) -> list[dict]:
    """One sample a day at *start*'s time of day."""
    return [{"at": start + timedelta(days=d), "value": v} for d, v in enumerate(values)]
