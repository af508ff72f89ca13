"""An SLA covers only services offered to its customer: on create and update, through the
services and the API."""

from __future__ import annotations

import pytest

from itsm.core.errors import ValidationFailed
from itsm.slm.services import agreements as agreement_services
from itsm.slm.tests.factories import make_sla, published_service

pytestmark = pytest.mark.django_db


def test_sla_covers_only_services_offered_to_its_customer(
    manager, customer_a, customer_b, signed_in
):
    theirs = published_service(customers=[customer_b])
    with pytest.raises(ValidationFailed) as caught:
        make_sla(customer_a, services_=[theirs], by=manager)
    assert list(caught.value.fields) == ["services"]
    sla = make_sla(customer_a, by=manager)
    with pytest.raises(ValidationFailed) as caught:
        agreement_services.update_agreement(sla, by=manager, services=[theirs])
    assert list(caught.value.fields) == ["services"]
    mine = published_service(customers=[customer_a, customer_b])
    agreement_services.update_agreement(sla, by=manager, services=[mine])
    assert list(sla.services.all()) == [mine]
    response = signed_in(manager).post(
        "/api/slm/agreements/",
        {"kind": "sla", "title": "X", "customer": customer_a.pk, "services": [theirs.pk]},
        content_type="application/json",
    )
    assert response.status_code == 400
    assert list(response.json()["fields"]) == ["services"]
