"""Live clock time (issue 8, item 4): the list, the clock panel and the API show the same
elapsed and remaining business time *now*, the running segment included; the panel refreshes
itself with htmx; the list costs no query per row."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from itsm.core.choices import Role
from itsm.core.testing.factories import UserFactory
from itsm.slm.clocks.tests.factories import open_test_ticket, signed_sla

TZ = ZoneInfo("Asia/Shanghai")
OPENED = datetime(2026, 3, 2, 9, 0, tzinfo=TZ)
#: 7 h 27 m of business time later on a 7×24 calendar (no sweep has run: stored elapsed is 0)
NOW = datetime(2026, 3, 2, 16, 27, tzinfo=TZ)
ELAPSED = 7 * 3600 + 27 * 60

pytestmark = pytest.mark.django_db


@pytest.fixture
def ticket(customer_a, all_day):
    return open_test_ticket(signed_sla(customer_a, calendar=all_day), opened_at=OPENED)


@pytest.fixture
def staff():
    return UserFactory(roles=[Role.ENGINEER_L1], language="en")


@pytest.fixture
def at_now(monkeypatch):
    monkeypatch.setattr(timezone, "now", lambda: NOW)


def test_the_list_shows_live_elapsed_and_remaining_time(client, ticket, staff, at_now):
    client.force_login(staff)
    response = client.get(reverse("clocks:clock_list"))
    assert response.status_code == 200
    html = response.content.decode()
    # response p2: 1 h goal, overdue; resolution p2: 8 h goal, 33 minutes left
    assert "7 h 27 m / 1 h 00 m" in html and "6 h 27 m overdue" in html
    assert "7 h 27 m / 8 h 00 m" in html and "0 h 33 m left" in html
    assert "0 h 00 m /" not in html


def test_the_panel_and_its_htmx_partial_show_the_same_time(client, ticket, staff, at_now):
    client.force_login(staff)
    detail = client.get(reverse("clocks:testticket_detail", args=[ticket.pk])).content.decode()
    partial_url = reverse("clocks:clock_panel", args=["clocks", "slatestticket", ticket.pk])
    assert f'hx-get="{partial_url}" hx-trigger="every 60s" hx-swap="outerHTML"' in detail
    partial = client.get(partial_url)
    assert partial.status_code == 200
    fragment = partial.content.decode()
    assert "<html" not in fragment
    for html in (detail, fragment):
        assert "7 h 27 m of 8 h 00 m (business time)" in html
        assert "0 h 33 m left" in html and "6 h 27 m overdue" in html


def test_the_panel_partial_applies_the_record_visibility(client, ticket, customer_b, all_day):
    other = open_test_ticket(signed_sla(customer_b, calendar=all_day), opened_at=OPENED)
    staff = UserFactory(roles=[Role.ENGINEER_L1])
    client.force_login(UserFactory(organisation=ticket.customer, roles=[Role.CUSTOMER_USER]))
    assert (
        client.get(
            reverse("clocks:clock_panel", args=["clocks", "slatestticket", other.pk])
        ).status_code
        == 404
    )
    assert (
        client.get(reverse("clocks:clock_panel", args=["slm", "nosuchmodel", 1])).status_code == 404
    )
    client.force_login(staff)
    assert (
        client.get(
            reverse("clocks:clock_panel", args=["clocks", "slatestticket", other.pk])
        ).status_code
        == 200
    )


def test_the_api_shows_the_same_live_time(client_for, ticket, staff, at_now):
    api = client_for(staff)
    clocks = {c["metric"]: c for c in api.get("/api/clocks/clocks/").json()["results"]}
    assert clocks["response"]["elapsed_seconds"] == 0  # closed segments only
    assert clocks["response"]["elapsed_now_seconds"] == ELAPSED
    assert clocks["response"]["remaining_now_seconds"] == 3600 - ELAPSED
    assert clocks["resolution"]["elapsed_now_seconds"] == ELAPSED
    assert clocks["resolution"]["remaining_now_seconds"] == 8 * 3600 - ELAPSED
    brief = api.get(f"/api/clocks/test-tickets/{ticket.pk}/").json()["clocks"]
    assert [(c["metric"], c["elapsed_now_seconds"]) for c in brief] == [
        ("response", ELAPSED),
        ("resolution", ELAPSED),
    ]


def test_the_list_measures_live_time_without_a_query_per_row(client, ticket, staff, all_day):
    client.force_login(staff)
    url = reverse("clocks:clock_list")
    client.get(url)  # warms the calendar's business-time engine (cached per process)
    with CaptureQueriesContext(connection) as one_ticket:
        client.get(url)
    for n in range(4):
        open_test_ticket(ticket.agreement, opened_at=OPENED, title=f"More {n}")
    with CaptureQueriesContext(connection) as five_tickets:
        html = client.get(url).content.decode()
    assert html.count("overdue") == 10  # every clock of the five tickets is measured
    assert len(five_tickets) == len(one_ticket)
