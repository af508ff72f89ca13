"""Regression tests of the review: bad filter values, provider-internal underpinning data
hidden from customers, status badges in their declared colours, list query counts."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from itsm.core.testing.factories import SupplierFactory
from itsm.slm import services
from itsm.slm.choices import AgreementStatus, ReviewStatus
from itsm.slm.tests.factories import make_signed_sla, slm_manager

pytestmark = pytest.mark.django_db


def _client(user) -> Client:
    client = Client(raise_request_exception=False)
    client.force_login(user)
    return client


@pytest.fixture
def manager(provider):
    return slm_manager(username="slm-review")


@pytest.fixture
def weak_uc(manager, customer_a):
    """An active SLA of customer A underpinned by a UC with a weaker resolution target."""
    sla = make_signed_sla(customer_a, by=manager)
    uc = services.create_agreement(
        kind="uc", title="Hardware", by=manager, supplier=SupplierFactory(), underpins=[sla]
    )
    services.add_target(
        agreement=uc, by=manager, metric="resolution", priority="p1", target_value=480
    )
    sla.refresh_from_db()
    assert len(sla.underpinning_warnings) == 1
    return sla, uc


def test_review_list_with_huge_year_is_not_a_server_error(manager, customer_a):
    sla = make_signed_sla(customer_a, by=manager)
    services.generate_review_schedule(sla, year=2026, by=manager)
    client = _client(manager)
    page = client.get(reverse("slm:review_list"), {"year": "99999999999"})
    assert page.status_code == 200
    api = client.get("/api/slm/reviews/", {"year": "99999999999"})
    assert api.status_code == 400
    assert list(api.json()["fields"]) == ["year"]


def test_customer_never_sees_underpinning_contracts(weak_uc, customer_user):
    sla, uc = weak_uc
    client = _client(customer_user)
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


def test_provider_still_sees_underpinning(weak_uc, manager):
    sla, uc = weak_uc
    data = _client(manager).get(f"/api/slm/agreements/{sla.pk}/").json()
    assert data["underpinned_by"] == [uc.pk]
    assert [w["other"] for w in data["underpinning_warnings"]] == [uc.number]


def test_status_badges_use_the_declared_colours(manager, customer_a):
    sla = make_signed_sla(customer_a, by=manager)
    services.generate_review_schedule(sla, year=2026, by=manager)
    client = _client(manager)
    active = f'<span class="badge bg-{AgreementStatus.colour("active")}-lt">'
    assert AgreementStatus.colour("active") == "green"
    listing = client.get(reverse("slm:agreement_list")).content.decode()
    assert active in listing
    detail = client.get(reverse("slm:agreement_detail", args=[sla.pk])).content.decode()
    assert active in detail
    planned = f'<span class="badge bg-{ReviewStatus.colour("planned")}-lt">'
    assert planned in detail
    reviews = client.get(reverse("slm:review_list"), {"year": 2026}).content.decode()
    assert planned in reviews


def _count(client, url, params=None) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url, params or {}).status_code == 200
    return len(queries)


def test_list_pages_do_not_query_per_row(manager, customer_a):
    client = _client(manager)
    first = make_signed_sla(customer_a, by=manager)
    services.generate_review_schedule(first, year=2026, by=manager)
    services.create_requirement(customer=customer_a, kind="availability", title="R1", by=manager)
    urls = [
        (reverse("slm:agreement_list"), None),
        (reverse("slm:requirement_list"), None),
        (reverse("slm:review_list"), {"year": 2026}),
        ("/api/slm/agreements/", None),
        ("/api/slm/targets/", None),
        ("/api/slm/requirements/", None),
        ("/api/slm/reviews/", {"year": 2026}),
    ]
    before = [_count(client, url, params) for url, params in urls]
    for n in range(3):
        sla = make_signed_sla(customer_a, by=manager)
        services.generate_review_schedule(sla, year=2026, by=manager)
        services.create_requirement(
            customer=customer_a, kind="capacity", title=f"R{n + 2}", by=manager
        )
    after = [_count(client, url, params) for url, params in urls]
    assert after == before


def test_sla_covers_only_services_offered_to_its_customer(manager, customer_a, customer_b):
    from itsm.core.errors import ValidationFailed
    from itsm.slm.tests.factories import make_sla, published_service

    theirs = published_service(customers=[customer_b])
    with pytest.raises(ValidationFailed) as caught:
        make_sla(customer_a, services_=[theirs], by=manager)
    assert list(caught.value.fields) == ["services"]
    sla = make_sla(customer_a, by=manager)
    with pytest.raises(ValidationFailed) as caught:
        services.update_agreement(sla, by=manager, services=[theirs])
    assert list(caught.value.fields) == ["services"]
    mine = published_service(customers=[customer_a, customer_b])
    services.update_agreement(sla, by=manager, services=[mine])
    assert list(sla.services.all()) == [mine]
    response = _client(manager).post(
        "/api/slm/agreements/",
        {"kind": "sla", "title": "X", "customer": customer_a.pk, "services": [theirs.pk]},
        content_type="application/json",
    )
    assert response.status_code == 400
    assert list(response.json()["fields"]) == ["services"]


def test_customer_filter_lists_only_the_users_own_organisation(client, customer_user, customer_b):
    client.force_login(customer_user)
    for url in ("slm:requirement_list", "slm:agreement_list", "slm:review_list"):
        response = client.get(reverse(url))
        assert response.status_code == 200
        html = response.content.decode()
        assert customer_b.name not in html, url
