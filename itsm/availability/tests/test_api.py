"""Availability management API: the shared endpoint tests of the outages, and the figures
(hand-computed, tenancy, bad month)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse

from itsm.availability import services
from itsm.availability.models import Outage
from itsm.availability.tests.factories import march_outages, sla_8x5
from itsm.core.choices import Role
from itsm.core.testing.api import APIEndpointTests, assert_error, client_for
from itsm.slm.tests.factories_reports import local, make_service

pytestmark = pytest.mark.django_db

FIGURES = "api:availability-api:figures"


class TestOutageAPI(APIEndpointTests):
    model = Outage
    url_name = "api:availability-api:outage"
    tenancy = "customer"
    required_fields = ("service", "started_at")
    writer_roles = (Role.SERVICE_DESK,)
    limited_roles = (Role.QUALITY_MANAGER,)
    deletable = True
    invalid_filters = ({"kind": "sometimes"}, {"started_after": "soon"}, {"source": "rumour"})

    def make_row(self, owner):
        return services.record_outage(
            service=make_service(), customer=owner, started_at=local(2026, 3, 2, 10)
        )

    def create_payload(self, env):
        return {
            "service": make_service().pk,
            "customer": env.customer_a.pk,
            "kind": "unplanned",
            "started_at": "2026-03-02T10:00:00+08:00",
            "ended_at": "2026-03-02T11:30:00+08:00",
            "description": "Core switch failure",
        }

    def update_payload(self, env, row):
        return {"ended_at": "2026-03-02T12:00:00+08:00", "description": "Switch replaced"}


def test_bad_input_is_a_field_error(admin_user):
    client = client_for(admin_user)
    response = client.post(
        reverse("api:availability-api:outage-list"),
        {
            "service": make_service().pk,
            "started_at": "2026-03-02T10:00:00+08:00",
            "ended_at": "2026-03-02T09:00:00+08:00",
        },
        format="json",
    )
    body = assert_error(response, 400, "validation")
    assert set(body["fields"]) == {"ended_at"}


def test_figures(admin_user, customer_a, customer_user, customer_b):
    d = sla_8x5(customer_a)
    march_outages(d, customer_a)
    other = sla_8x5(customer_b)
    body = client_for(admin_user).get(reverse(FIGURES), {"month": "2026-03"}).json()
    assert body["month"] == "2026-03"
    mine = [r for r in body["rows"] if r["agreement_id"] == d.agreement.pk]
    assert [(r["availability"], r["target"], r["status"], r["downtime_seconds"]) for r in mine] == [
        ("98.276", "99.900", "not_met", 10800)
    ]
    assert {r["agreement_id"] for r in body["rows"]} == {d.agreement.pk, other.agreement.pk}
    assert [(r["mtbf_hours"], r["mtrs_hours"]) for r in body["reliability"]] == [
        ("338.00", "34.00")
    ]
    # a customer: their own SLAs only
    body = client_for(customer_user).get(reverse(FIGURES), {"month": "2026-03"}).json()
    assert [r["agreement_id"] for r in body["rows"]] == [d.agreement.pk]
    assert Decimal(body["rows"][0]["availability"]) == Decimal("98.276")


@pytest.mark.parametrize("month", ["2026-13", "March", "2026-3"])
def test_figures_bad_month(admin_user, month):
    response = client_for(admin_user).get(reverse(FIGURES), {"month": month})
    body = assert_error(response, 400, "validation")
    assert "month" in body["fields"]
