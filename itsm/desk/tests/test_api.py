"""Desk API: the shared endpoint tests for tickets, calls, categories and dispatch rules,
then the ticket actions a desk and a customer use."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone

from itsm.core.choices import Role
from itsm.core.testing.api import (
    APIEndpointTests,
    CreateDeleteAPIEndpointTests,
    assert_error,
    client_for,
)
from itsm.desk.models import Call, Category, DispatchRule, Ticket
from itsm.desk.services import config, contact
from itsm.desk.tests import factories

pytestmark = pytest.mark.django_db

TICKETS = "api:desk-api:ticket"


class TestTicketAPI(APIEndpointTests):
    model = Ticket
    url_name = TICKETS
    tenancy = "customer"
    required_fields = ("kind", "title")
    writer_roles = (Role.SERVICE_DESK,)
    limited_roles = (Role.QUALITY_MANAGER,)
    invalid_filters = ({"status": "bogus"}, {"view": "nope"}, {"priority": "p9"})

    def make_row(self, owner):
        return factories.ticket(owner, title=f"Printer of {owner.code}")

    def create_payload(self, env):
        return {"kind": "incident", "title": "Mail is down", "customer": env.customer_a.pk}

    def update_payload(self, env, row):
        return {"title": "Mail is down again", "description": "Since 9:00"}


class TestCallAPI(CreateDeleteAPIEndpointTests):
    model = Call
    url_name = "api:desk-api:call"
    tenancy = "staff"
    required_fields = ("started_at", "outcome")
    writer_roles = (Role.SERVICE_DESK,)
    limited_roles = (Role.QUALITY_MANAGER,)

    def make_row(self, owner):
        return contact.log_call(
            by=None,
            started_at=timezone.now(),
            outcome="no_record",
            organisation=owner,
            caller_name="Zhang Wei",
        )

    def create_payload(self, env):
        return {
            "started_at": "2026-11-30T09:00:00+08:00",
            "ended_at": "2026-11-30T09:04:30+08:00",
            "answered": True,
            "outcome": "no_record",
            "caller_name": "Li Na",
            "organisation": env.customer_a.pk,
        }

    def _assert_matches(self, data, payload):
        # times come back in the server's zone: compare the instants
        from datetime import datetime

        for key, value in payload.items():
            if key in ("started_at", "ended_at"):
                assert datetime.fromisoformat(data[key]) == datetime.fromisoformat(value)
            else:
                assert data[key] == value, (key, data[key], value)


class TestCategoryAPI(APIEndpointTests):
    model = Category
    url_name = "api:desk-api:category"
    tenancy = "staff"
    required_fields = ("code", "name")
    writer_roles = (Role.PROCESS_OWNER,)
    limited_roles = (Role.ENGINEER_L2,)
    deletable = True

    def make_row(self, owner):
        return factories.category(f"cat.{owner.code}")

    def create_payload(self, env):
        return {"code": "network.wifi", "name": "Wi-Fi"}

    def update_payload(self, env, row):
        return {"name": "Wireless network"}


class TestDispatchRuleAPI(APIEndpointTests):
    model = DispatchRule
    url_name = "api:desk-api:dispatch-rule"
    tenancy = "staff"
    required_fields = ("name", "team")
    writer_roles = (Role.GROUP_LEADER,)
    limited_roles = (Role.ENGINEER_L2,)
    deletable = True

    def make_row(self, owner):
        return config.create_dispatch_rule(
            by=None, name=f"{owner.code} to servers", customer=owner, team=factories.team()
        )

    def create_payload(self, env):
        return {
            "name": "Wi-Fi to network",
            "team": factories.team().pk,
            "weekdays": [1, 2, 3, 4, 5],
            "assign_mode": "round_robin",
        }

    def update_payload(self, env, row):
        return {"name": "Renamed rule", "order": 5}


# --- the actions --------------------------------------------------------------------------------


def _url(ticket, action=""):
    if action:
        return reverse(f"{TICKETS}-{action}", args=[ticket.pk])
    return reverse(f"{TICKETS}-detail", args=[ticket.pk])


def test_customer_logs_comments_confirms_and_rates(
    customer_a, customer_user, agent, engineers, group, service, matrix
):
    customer = client_for(customer_user)
    response = customer.post(
        reverse(f"{TICKETS}-list"),
        {"kind": "incident", "title": "VPN drops", "service": service.pk, "urgency": "1"},
        format="json",
    )
    assert response.status_code == 201, response.json()
    data = response.json()
    assert data["customer"] == customer_a.pk and data["contact"] == customer_user.pk
    assert data["channel"] == "api" and data["priority"] == "p2"
    assert "time_spent_minutes" not in data and "missing_fields" not in data
    ticket = Ticket.objects.get(pk=data["id"])

    desk = client_for(engineers[0])
    assert (
        desk.post(_url(ticket, "assign"), {"assignment_group": group.pk}, format="json").status_code
        == 200
    )
    ticket.refresh_from_db()
    response = desk.post(
        _url(ticket, "transition"), {"to": "in_progress", "version": ticket.version}, format="json"
    )
    assert response.status_code == 200, response.json()
    note = desk.post(
        _url(ticket, "entries"),
        {"kind": "note", "body": "Checking the concentrator", "time_spent_minutes": 15},
        format="json",
    )
    assert note.status_code == 201
    reply = desk.post(_url(ticket, "entries"), {"body": "Please retry now"}, format="json")
    assert reply.status_code == 201 and reply.json()["kind"] == "reply"

    entries = customer.get(_url(ticket, "entries")).json()
    assert [e["kind"] for e in entries] == ["reply"]  # never the internal note
    assert "time_spent_minutes" not in entries[0]

    ticket.refresh_from_db()
    response = desk.post(
        _url(ticket, "transition"),
        {
            "to": "resolved",
            "version": ticket.version,
            "resolution": "Firmware updated",
            "resolution_code": "solved",
        },
        format="json",
    )
    assert response.status_code == 200, response.json()
    assert customer.post(_url(ticket, "confirm"), {}, format="json").status_code == 200
    response = customer.post(_url(ticket, "rate"), {"score": 4, "comment": "ok"}, format="json")
    assert response.status_code == 200 and response.json()["satisfaction"] == 4
    again = customer.post(_url(ticket, "rate"), {"score": 5}, format="json")
    assert_error(again, 422, "invalid_transition")


def test_customer_cannot_work_a_ticket(customer_a, customer_user, agent, group, matrix):
    ticket = factories.ticket(customer_a, by=agent, assignment_group=group)
    customer = client_for(customer_user)
    assert_error(
        customer.post(_url(ticket, "assign"), {"assignment_group": group.pk}, format="json"),
        403,
        "permission_denied",
    )
    assert_error(
        customer.post(_url(ticket, "entries"), {"kind": "note", "body": "x"}, format="json"),
        403,
        "permission_denied",
    )
    assert_error(
        customer.post(_url(ticket, "confirm"), {}, format="json"), 422, "invalid_transition"
    )


def test_return_needs_a_reason_and_is_counted(customer_a, agent, engineers, group, matrix):
    ticket = factories.ticket(customer_a, by=agent, assignment_group=group)
    desk = client_for(engineers[0])
    assert_error(
        desk.post(_url(ticket, "return"), {"reason": ""}, format="json"),
        400,
        "validation",
        fields=("reason",),
    )
    response = desk.post(_url(ticket, "return"), {"reason": "Not a server issue"}, format="json")
    assert response.status_code == 200
    assert response.json()["return_count"] == 1 and response.json()["status"] == "new"


def test_idempotent_create_makes_one_ticket(customer_a, agent, matrix):
    client = client_for(agent)
    body = {"kind": "request", "title": "New laptop", "customer": customer_a.pk}
    first = client.post(
        reverse(f"{TICKETS}-list"), body, format="json", headers={"Idempotency-Key": "order-7"}
    )
    again = client.post(
        reverse(f"{TICKETS}-list"), body, format="json", headers={"Idempotency-Key": "order-7"}
    )
    assert first.status_code == 201 and again.json()["id"] == first.json()["id"]
    assert first.json()["number"].startswith("REQ-")
    assert Ticket.objects.filter(title="New laptop").count() == 1
