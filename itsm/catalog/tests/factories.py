"""Factories of the catalogue tests. Rows are created through ``itsm.catalog.services``."""

from __future__ import annotations

import itertools
from datetime import time

from itsm.catalog import services
from itsm.catalog.choices import ServiceMode
from itsm.catalog.models import Service, ServiceCategory
from itsm.core.calendars import services as calendar_services
from itsm.core.calendars.models import BusinessCalendar
from itsm.core.choices import Role
from itsm.core.testing.factories import UserFactory, get_provider

_codes = itertools.count(1)


def free_root_code() -> str:
    """A two-digit top-level code nobody uses yet."""
    used = set(ServiceCategory.objects.filter(parent=None).values_list("code", flat=True))
    return next(f"{n:02d}" for n in range(1, 100) if f"{n:02d}" not in used)


def make_category(*, code: str | None = None, name: str = "Infrastructure", parent=None, by=None):
    if code is None:
        code = free_root_code() if parent is None else _free_child_code(parent)
    return services.create_category(code=code, name=name, parent=parent, by=by)


def _free_child_code(parent) -> str:
    used = set(parent.children.values_list("code", flat=True))
    return next(
        f"{parent.code}.{n:02d}" for n in range(1, 100) if f"{parent.code}.{n:02d}" not in used
    )


def service_hours() -> BusinessCalendar:
    """A 5×8 calendar (created once per database)."""
    existing = BusinessCalendar.objects.filter(code="test-5x8").first()
    if existing is not None:
        return existing
    return calendar_services.create_calendar(
        by=None,
        code="test-5x8",
        name="5×8",
        time_zone="Asia/Shanghai",
        intervals=[{"weekday": d, "start": time(9), "end": time(18)} for d in range(5)],
    )


def service_owner():
    from itsm.core.models import User

    existing = User.objects.filter(username="svc-owner").first()
    if existing is not None:
        return existing
    return UserFactory(
        username="svc-owner", organisation=get_provider(), roles=[Role.SERVICE_LEVEL_MANAGER]
    )


def approver():
    from itsm.core.models import User

    existing = User.objects.filter(username="svc-approver").first()
    if existing is not None:
        return existing
    return UserFactory(
        username="svc-approver", organisation=get_provider(), roles=[Role.SERVICE_LEVEL_MANAGER]
    )


def submitter():
    """An agreement maintainer who submits services for review (four eyes: not the approver)."""
    from itsm.core.models import User

    existing = User.objects.filter(username="svc-submitter").first()
    if existing is not None:
        return existing
    return UserFactory(
        username="svc-submitter", organisation=get_provider(), roles=[Role.AGREEMENT_MAINTAINER]
    )


def make_service(*, customers=(), category=None, by=None, **fields) -> Service:
    """A complete draft service (everything publication needs), offered to *customers*."""
    n = next(_codes)
    values = {
        "code": f"SVC-T-{n:04d}",
        "name": f"Service {n}",
        "category": category or ServiceCategory.objects.order_by("id").first() or make_category(),
        "description": "What the service does.",
        "owner": service_owner(),
        "modes": [ServiceMode.REMOTE, ServiceMode.ON_SITE],
        "service_hours": service_hours(),
        "customers": list(customers),
    }
    values.update(fields)
    return services.create_service(by=by, **values)


def publish(service: Service, *, by=None, submitted_by=None) -> Service:
    """Submit *service* (as ``submitter()`` unless *submitted_by* is given) and publish it (as
    the approver unless *by* is given): two people, as the four-eyes rule requires."""
    services.submit_service(service, by=submitted_by or submitter())
    return services.publish_service(service, by=by or approver())


def make_published(*, customers=(), **fields) -> Service:
    return publish(make_service(customers=customers, **fields))
