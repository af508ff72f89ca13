"""An agreement's CI follows its lifecycle; agreements expire when their validity ends; a
customer change or a requirement cannot bring in services the customer is not offered."""

from __future__ import annotations

import datetime

import pytest

from itsm.core.errors import ValidationFailed
from itsm.core.outbox.jobs import discover
from itsm.slm.choices import AgreementStatus
from itsm.slm.models import Agreement
from itsm.slm.services import agreements as agreement_services
from itsm.slm.services import requirements
from itsm.slm.tests.factories import make_signed_sla, published_service, slm_manager

pytestmark = pytest.mark.django_db


@pytest.fixture
def manager(provider):
    return slm_manager(username="slm-expiry")


def test_ci_is_in_use_while_active_and_retired_when_terminated(manager, customer_a):
    signed = make_signed_sla(customer_a, by=manager, status=AgreementStatus.SIGNED)
    assert signed.ci.status == "planned"
    agreement_services.transition_agreement(signed, to="active", by=manager)
    signed.ci.refresh_from_db()
    assert signed.ci.status == "in_use"
    agreement_services.transition_agreement(signed, to="terminated", by=manager)
    signed.ci.refresh_from_db()
    assert signed.ci.status == "retired"
    assert signed.ci.change_reference == signed.number


def test_expiry_job_expires_only_ended_agreements(manager, customer_a, customer_b):
    ended = make_signed_sla(customer_a, by=manager)  # valid until 2026-12-31
    running = make_signed_sla(customer_b, by=manager)
    agreement_services.update_agreement(
        running,
        by=manager,
        valid_to=datetime.date(2027, 6, 30),
        change_reference="CHG-000009",
    )
    assert agreement_services.expire_agreements(today=datetime.date(2026, 12, 31)) == []
    expired = agreement_services.expire_agreements(today=datetime.date(2027, 1, 1))
    assert [a.pk for a in expired] == [ended.pk]
    ended = Agreement.objects.get(pk=ended.pk)
    assert ended.status == AgreementStatus.EXPIRED
    assert ended.ci.status == "retired"
    assert Agreement.objects.get(pk=running.pk).status == AgreementStatus.ACTIVE
    # a second run finds nothing more to do
    assert agreement_services.expire_agreements(today=datetime.date(2027, 1, 1)) == []
    assert "slm.expire_agreements" in discover()


def test_customer_change_rechecks_the_covered_services(manager, customer_a, customer_b):
    sla = agreement_services.create_agreement(
        kind="sla",
        title="Draft SLA",
        by=manager,
        customer=customer_a,
        services=[published_service(customers=[customer_a])],
    )
    with pytest.raises(ValidationFailed) as exc:
        agreement_services.update_agreement(sla, by=manager, customer=customer_b)
    assert set(exc.value.fields) == {"services"}
    assert Agreement.objects.get(pk=sla.pk).customer == customer_a


def test_requirement_service_must_be_offered_to_the_customer(manager, customer_a, customer_b):
    others = published_service(customers=[customer_b])
    with pytest.raises(ValidationFailed) as exc:
        requirements.create_requirement(
            customer=customer_a, kind="availability", title="99.9 %", by=manager, service=others
        )
    assert set(exc.value.fields) == {"service"}
    own = published_service(customers=[customer_a], code="SVC-OWN-01")
    requirement = requirements.create_requirement(
        customer=customer_a, kind="availability", title="99.9 %", by=manager, service=own
    )
    assert requirement.service == own
