"""What customer users see of SLM: never the provider-internal underpinning contracts (UC)
and warnings, which provider staff still see; only their own organisation in filters."""

from __future__ import annotations

import pytest
from django.urls import reverse

from itsm.core.testing.factories import SupplierFactory
from itsm.slm.services import agreements as agreement_services
from itsm.slm.tests.factories import make_signed_sla

pytestmark = pytest.mark.django_db


@pytest.fixture
def weak_uc(manager, customer_a):
    """An active SLA of customer A underpinned by a UC with a weaker resolution target."""
    sla = make_signed_sla(customer_a, by=manager)
    uc = agreement_services.create_agreement(
        kind="uc", title="Hardware", by=manager, supplier=SupplierFactory(), underpins=[sla]
    )
    agreement_services.add_target(
        agreement=uc, by=manager, metric="resolution", priority="p1", target_value=480
    )
    sla.refresh_from_db()
    assert len(sla.underpinning_warnings) == 1
    return sla, uc


def test_customer_never_sees_underpinning_contracts(weak_uc, customer_user, signed_in):
    sla, uc = weak_uc
    client = signed_in(customer_user)
    page = client.get(reverse("slm:agreement_detail", args=[sla.pk]))
    assert page.status_code == 200
    html = page.content.decode()
    assert uc.number not in html
    assert 'data-testid="underpinning-warnings"' not in html
    assert 'data-testid="agreement-edit"' not in html  # read-only for customers
    data = client.get(f"/api/slm/agreements/{sla.pk}/").json()
    # internal fields of Agreement.policy: not in a customer's answer at all
    assert not {"underpins", "underpinned_by", "underpinning_warnings", "ci"} & set(data)
    assert uc.number not in str(data)
    assert client.get(f"/api/slm/agreements/{uc.pk}/").status_code == 404


def test_provider_still_sees_underpinning(weak_uc, manager, signed_in):
    sla, uc = weak_uc
    data = signed_in(manager).get(f"/api/slm/agreements/{sla.pk}/").json()
    assert data["underpinned_by"] == [uc.pk]
    assert [w["other"] for w in data["underpinning_warnings"]] == [uc.number]


def test_customer_filter_lists_only_the_users_own_organisation(client, customer_user, customer_b):
    client.force_login(customer_user)
    for url in ("slm:requirement_list", "slm:agreement_list", "slm:review_list"):
        response = client.get(reverse(url))
        assert response.status_code == 200
        html = response.content.decode()
        assert customer_b.name not in html, url
