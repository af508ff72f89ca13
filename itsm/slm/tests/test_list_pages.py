"""SLM list pages: status badges in the colours their state machines declare, and the same
number of queries whatever the number of rows (pages and API)."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from itsm.core import services as core_services
from itsm.core.choices import OrganisationKind
from itsm.slm.choices import AgreementStatus, ReviewStatus
from itsm.slm.services import requirements as requirement_services
from itsm.slm.services import reviews as review_services
from itsm.slm.tests.factories import make_signed_sla

pytestmark = pytest.mark.django_db


def test_status_badges_use_the_declared_colours(manager, customer_a, signed_in):
    sla = make_signed_sla(customer_a, by=manager)
    review_services.generate_review_schedule(sla, year=2026, by=manager)
    client = signed_in(manager)
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


def test_list_pages_do_not_query_per_row(manager, customer_a, signed_in):
    client = signed_in(manager)
    first = make_signed_sla(customer_a, by=manager)
    review_services.generate_review_schedule(first, year=2026, by=manager)
    requirement_services.create_requirement(
        customer=customer_a, kind="availability", title="R1", by=manager
    )
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
        review_services.generate_review_schedule(sla, year=2026, by=manager)
        requirement_services.create_requirement(
            customer=customer_a, kind="capacity", title=f"R{n + 2}", by=manager
        )
    after = [_count(client, url, params) for url, params in urls]
    assert after == before


def test_the_agreement_filters_offer_only_what_the_reader_may_see(
    manager, customer_a, customer_user, signed_in
):
    """Staff filter by internal team and by supplier (supplier organisations only); a customer
    gets no internal-team filter (teams are provider-internal) and no supplier to choose."""
    make_signed_sla(customer_a, by=manager)
    vendor = core_services.create_organisation(
        code="vendor", name="Vendor Ltd", kind=OrganisationKind.SUPPLIER
    )
    staff = signed_in(manager).get(reverse("slm:agreement_list")).content.decode()
    assert 'name="team"' in staff
    supplier_select = staff.split('name="supplier"', 1)[1].split("</select>", 1)[0]
    assert vendor.name in supplier_select
    assert customer_a.name not in supplier_select
    page = signed_in(customer_user).get(reverse("slm:agreement_list"))
    assert page.status_code == 200
    html = page.content.decode()
    assert 'name="team"' not in html
    customer_supplier_select = html.split('name="supplier"', 1)[1].split("</select>", 1)[0]
    assert vendor.name not in customer_supplier_select
    assert customer_a.name not in customer_supplier_select
