"""Factories of the change tests: rows are created through ``itsm.change.services``."""

from __future__ import annotations

import itertools
from datetime import datetime, timedelta

from django.utils import timezone

from itsm.change.choices import ChangeKind
from itsm.change.services import changes, config
from itsm.cmdb import services as cmdb
from itsm.cmdb.tests.factories import CIFactory

_codes = itertools.count(1)


def at(day: int, hour: int, minute: int = 0) -> datetime:
    """A fixed instant in the test month (Asia/Shanghai), far in the future."""
    return timezone.make_aware(datetime(2031, 3, day, hour, minute))


def ci(name: str, cls: str = "application", **fields):
    return CIFactory(name=name, ci_class=cmdb.get_class(cls), **fields)


def relate(source, target, type_code: str = "depends_on"):
    return cmdb.create_relation(
        source=source, target=target, type=cmdb.get_relation_type(type_code), by=None
    )


def make_change(by, *, cis=(), start=None, hours: int = 2, kind=ChangeKind.NORMAL, **fields):
    start = start if start is not None else at(10, 22)
    fields.setdefault("implementation_plan", "Apply the patch.")
    fields.setdefault("backout_plan", "Restore the snapshot.")
    return changes.create_change(
        by=by,
        kind=kind,
        title=fields.pop("title", f"Change {next(_codes)}"),
        planned_start=start,
        planned_end=start + timedelta(hours=hours) if start is not None else None,
        cis=cis,
        **fields,
    )


def make_template(by=None, **fields):
    n = next(_codes)
    fields.setdefault("code", f"std-{n}")
    fields.setdefault("name", f"Standard {n}")
    fields.setdefault("implementation_plan", "Follow the runbook.")
    fields.setdefault("backout_plan", "Revert per the runbook.")
    fields.setdefault("duration_minutes", 90)
    return config.create_template(by=by, **fields)
