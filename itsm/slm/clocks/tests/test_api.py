"""API of clocks (read-only, tenancy by customer) and SLA test tickets (create, title edit,
actions)."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from itsm.core.choices import Role
from itsm.core.testing.api import (
    APIEndpointTests,
    ReadOnlyAPIEndpointTests,
    assert_error,
    client_for,
)
from itsm.slm.clocks.models import Clock, SlaTestTicket
from itsm.slm.clocks.tests.factories import open_test_ticket, signed_sla, slm_manager

TZ = ZoneInfo("Asia/Shanghai")
OPENED = datetime(2026, 3, 2, 9, 0, tzinfo=TZ)

pytestmark = pytest.mark.django_db

_agreements: dict[int, object] = {}


def _agreement(customer):
    if (
        customer.pk not in _agreements
        or not type(_agreements[customer.pk])
        .objects.filter(pk=_agreements[customer.pk].pk)
        .exists()
    ):
        _agreements[customer.pk] = signed_sla(customer)
    return _agreements[customer.pk]


class TestSlaTestTicketAPI(APIEndpointTests):
    model = SlaTestTicket
    url_name = "api:clocks-api:testticket"
    tenancy = "staff"  # test tickets are a provider tool: customers get 403, not a list
    required_fields = ("title", "agreement", "priority")
    limited_roles = (Role.ENGINEER_L2,)
    invalid_filters = ({"status": "bogus"}, {"priority": "p9"})

    def make_row(self, owner):
        return open_test_ticket(_agreement(owner), opened_at=OPENED)

    def create_payload(self, env):
        agreement = _agreement(env.customer_a)
        return {
            "title": "Cannot print",
            "agreement": agreement.pk,
            "service": agreement.services.first().pk,
            "priority": "p1",
            "opened_at": "2026-03-02T10:00:00+08:00",
        }

    def update_payload(self, env, row):
        return {"title": "Cannot print at all"}


class TestClockAPI(ReadOnlyAPIEndpointTests):
    model = Clock
    url_name = "api:clocks-api:clock"
    tenancy = "customer"
    viewer_roles = (Role.ENGINEER_L1,)
    invalid_filters = ({"state": "bogus"}, {"level": "7"})

    def make_row(self, owner):
        ticket = open_test_ticket(_agreement(owner), opened_at=OPENED)
        return Clock.objects.filter(object_id=ticket.pk, metric="resolution").first()

    def test_retrieve_with_segments(self, api_env):
        row = api_env.row_a
        response = client_for(api_env.staff).get(self.detail_url(row.pk))
        assert response.status_code == 200
        data = response.json()
        assert data["id"] == row.pk and data["record_type"] == "clocks.slatestticket"
        assert data["goal_seconds"] == 480 * 60 and data["state"] == "running"
        assert [s["kind"] for s in data["segments"]] == ["running"]

    def test_customer_reads_their_own_clock(self, api_env):
        response = client_for(api_env.customer).get(self.detail_url(api_env.row_a.pk))
        assert response.status_code == 200
        assert response.json()["id"] == api_env.row_a.pk


def test_actions_drive_the_clocks(customer_a, admin_user):
    manager = slm_manager()
    agreement = signed_sla(customer_a)
    ticket = open_test_ticket(agreement, priority="p2", opened_at=OPENED)
    client = client_for(manager)
    url = reverse("api:clocks-api:testticket-detail", kwargs={"pk": ticket.pk})

    response = client.post(url + "pause/", {"at": "2026-03-02T09:30:00+08:00"}, format="json")
    assert_error(response, 400, "validation", fields=("reason",))
    response = client.post(
        url + "pause/",
        {"at": "2026-03-02T09:30:00+08:00", "reason": "waiting for customer", "version": 1},
        format="json",
    )
    assert response.status_code == 200, response.json()
    data = response.json()
    assert data["version"] == 2
    assert {c["state"] for c in data["clocks"]} == {"paused"}
    assert {c["elapsed_seconds"] for c in data["clocks"]} == {1800}
    # stale version → 409
    assert_error(client.post(url + "resume/", {"version": 1}, format="json"), 409, "conflict")
    response = client.post(url + "resume/", {"at": "2026-03-02T10:30:00+08:00"}, format="json")
    assert response.status_code == 200
    # P2 → P1 at 11:00: response goal 30 min with 1 h elapsed → due at 11:00
    response = client.post(
        url + "set-priority/", {"priority": "p1", "at": "2026-03-02T11:00:00+08:00"}, format="json"
    )
    assert response.status_code == 200
    clocks = {c["metric"]: c for c in response.json()["clocks"]}
    assert clocks["response"]["goal_seconds"] == 1800
    assert clocks["response"]["elapsed_seconds"] == 3600
    assert clocks["resolution"]["goal_seconds"] == 240 * 60
    # resolution: 1 h elapsed, 3 h of the P1 goal remain from 11:00 (lunch 12–13) → 15:00
    assert clocks["resolution"]["due_at"] == "2026-03-02T15:00:00+08:00"
    response = client.post(url + "respond/", {"at": "2026-03-02T11:10:00+08:00"}, format="json")
    clocks = {c["metric"]: c for c in response.json()["clocks"]}
    assert (clocks["response"]["state"], clocks["response"]["breached"]) == ("stopped", True)
    response = client.post(url + "resolve/", {"at": "2026-03-02T13:30:00+08:00"}, format="json")
    clocks = {c["metric"]: c for c in response.json()["clocks"]}
    assert (clocks["resolution"]["state"], clocks["resolution"]["breached"]) == ("stopped", False)
    assert clocks["resolution"]["elapsed_seconds"] == (30 + 30 + 60 + 30) * 60
    response = client.post(url + "close/", {}, format="json")
    assert response.json()["status"] == "closed"
    assert_error(client.post(url + "close/", {}, format="json"), 422, "invalid_transition")
    # test tickets are provider-only: a customer user may neither read nor act (issue 8 #2)
    customer = client_for(
        __import__("itsm.core.testing.factories", fromlist=["UserFactory"]).UserFactory(
            organisation=customer_a, roles=[Role.CUSTOMER_USER]
        )
    )
    assert_error(customer.get(url), 403, "permission_denied")
    assert_error(customer.post(url + "resume/", {}, format="json"), 403, "permission_denied")


def test_create_refuses_a_draft_agreement_and_a_future_opening(customer_a):
    manager = slm_manager()
    agreement = signed_sla(customer_a)
    client = client_for(manager)
    url = reverse("api:clocks-api:testticket-list")
    future = (datetime.now(TZ) + timedelta(days=2)).isoformat()
    response = client.post(
        url,
        {"title": "x", "agreement": agreement.pk, "priority": "p1", "opened_at": future},
        format="json",
    )
    assert_error(response, 400, "validation", fields=("opened_at",))
    from itsm.slm.services import agreements

    draft = agreements.create_agreement(
        kind="sla", customer=customer_a, by=manager, title="Draft SLA"
    )
    response = client.post(
        url, {"title": "x", "agreement": draft.pk, "priority": "p1"}, format="json"
    )
    assert_error(response, 400, "validation", fields=("agreement",))
