"""Factories of the slm tests: calendars, published catalogue services, agreements, targets.

Everything is created through the services, the way the application does it.
"""

from __future__ import annotations

import datetime
import itertools

from itsm.catalog import services as catalog
from itsm.catalog.models import ServiceCategory
from itsm.core.calendars import services as calendars
from itsm.core.calendars.models import BusinessCalendar
from itsm.core.choices import Role
from itsm.core.testing.factories import UserFactory, get_provider
from itsm.slm.choices import AgreementStatus
from itsm.slm.services import agreements as agreement_services

_seq = itertools.count(1)


def calendar_7x24() -> BusinessCalendar:
    existing = BusinessCalendar.objects.filter(code="7x24").first()
    if existing:
        return existing
    return calendars.create_calendar(
        by=None,
        code="7x24",
        name="7x24",
        intervals=[{"weekday": d, "start": "00:00", "end": "00:00"} for d in range(7)],
    )


def calendar_cn() -> BusinessCalendar:
    """The China 5×8 calendar with the statutory holidays of 2026 seeded."""
    existing = BusinessCalendar.objects.filter(code="cn-5x8").first()
    if existing:
        return existing
    calendar = calendars.create_calendar(
        by=None,
        code="cn-5x8",
        name="China 5x8",
        holiday_region="CN",
        intervals=[
            {"weekday": d, "start": start, "end": end}
            for d in range(5)
            for start, end in (("09:00", "12:00"), ("13:00", "18:00"))
        ],
    )
    calendars.seed_from_chinese_calendar(calendar, [2026])
    return calendar


def slm_manager(**kwargs):
    kwargs.setdefault("username", f"slm{next(_seq)}")
    return UserFactory(
        organisation=get_provider(),
        roles=(Role.SERVICE_LEVEL_MANAGER, Role.AGREEMENT_MAINTAINER),
        **kwargs,
    )


def published_service(*, customers=(), business_ci=None, code=None):
    """A catalogue service in status published, offered to *customers*."""
    n = next(_seq)
    category = ServiceCategory.objects.filter(code="99").first() or catalog.create_category(
        code="99", name="Test services", by=None
    )
    owner = UserFactory(username=f"owner{n}", organisation=get_provider())
    service = catalog.create_service(
        code=code or f"SVC-T-{n}",
        name=f"Service {n}",
        category=category,
        by=None,
        description="A service",
        owner=owner,
        modes=["remote"],
        service_hours=calendar_7x24(),
        customers=list(customers),
        business_ci=business_ci,
    )
    catalog.submit_service(service, by=None)
    catalog.publish_service(service, by=None)
    return service


def draft_service(*, customers=()):
    n = next(_seq)
    category = ServiceCategory.objects.filter(code="99").first() or catalog.create_category(
        code="99", name="Test services", by=None
    )
    return catalog.create_service(
        code=f"SVC-D-{n}", name=f"Draft {n}", category=category, by=None, customers=customers
    )


def co_signer():
    """A second service level manager who signs what another person drafted (four eyes)."""
    from itsm.core.models import User

    existing = User.objects.filter(username="slm-signer").first()
    return existing or slm_manager(username="slm-signer")


def sign(agreement, *, by=None):
    """Negotiating → signed, by *by* or, when *by* drafted the agreement, by ``co_signer()``."""
    signer = by
    if by is None or agreement_services.drafted_by_id(agreement) == by.pk:
        signer = co_signer()
    return agreement_services.transition_agreement(agreement, to="signed", by=signer)


def make_sla(customer, *, services_=(), by=None, **fields):
    """A draft SLA of *customer* with both signatories on record (signing needs them)."""
    fields.setdefault("title", f"SLA {next(_seq)}")
    fields.setdefault("provider_signatory", "Provider signatory")
    fields.setdefault("customer_signatory", "Customer signatory")
    return agreement_services.create_agreement(
        kind="sla", customer=customer, by=by, services=services_, **fields
    )


def make_signed_sla(customer, *, by, status=AgreementStatus.ACTIVE, service=None, targets=None):
    """An SLA drafted by *by* with validity 2026, 7×24 hours, response/resolution targets;
    signed by a second manager (``co_signer()``, four eyes) and activated by *by*."""
    service = service or published_service(customers=[customer])
    agreement = make_sla(
        customer,
        services_=[service],
        by=by,
        calendar=calendar_7x24(),
        valid_from=datetime.date(2026, 1, 1),
        valid_to=datetime.date(2026, 12, 31),
    )
    for metric, priority, value in targets or (
        ("response", "p1", 15),
        ("resolution", "p1", 240),
    ):
        agreement_services.add_target(
            agreement=agreement, by=by, metric=metric, priority=priority, target_value=value
        )
    agreement_services.transition_agreement(agreement, to="negotiating", by=by)
    sign(agreement, by=by)
    if status == AgreementStatus.ACTIVE:
        agreement_services.transition_agreement(agreement, to="active", by=by)
    agreement.refresh_from_db()
    return agreement
