"""The report over tickets made and moved by the desk's own services (create, dispatch,
resolve, cancel, close), so the figures read what the services really write."""

from __future__ import annotations

import datetime

import pytest

from itsm.desk.models import Assignment
from itsm.desk.reporting import selectors as reports
from itsm.desk.reporting.tests.factories import local, make_team
from itsm.desk.services import create_ticket, move

MARCH = reports.month_period(datetime.date(2026, 3, 1))


@pytest.mark.django_db
def test_figures_of_service_made_tickets(provider, customer_a, agent, admin_user):
    team = make_team(provider)

    def ticket(kind, day):
        return create_ticket(
            by=agent,
            kind=kind,
            title=f"{kind} on {day}",
            customer=customer_a,
            channel="phone",
            opened_at=local(2026, 3, day, 9),
            assignment_group=team,
        )

    solved = ticket("incident", 2)
    move(solved, "in_progress", by=agent, at=local(2026, 3, 2, 10))
    move(
        solved,
        "resolved",
        by=agent,
        at=local(2026, 3, 3, 9),
        resolution="Replaced the cable.",
        resolution_code="solved",
    )
    dropped = ticket("incident", 4)
    move(dropped, "cancelled", by=agent, at=local(2026, 3, 5, 9))
    still_open = ticket("incident", 30)
    request = ticket("request", 10)
    move(request, "in_progress", by=agent, at=local(2026, 3, 10, 10))
    move(
        request,
        "resolved",
        by=agent,
        at=local(2026, 3, 20, 9),
        resolution="Delivered.",
        resolution_code="fulfilled",
    )
    move(request, "closed", by=agent, at=local(2026, 4, 2, 9))

    figures = reports.ticket_figures(user=admin_user, period=MARCH)
    incidents, requests = figures["incident"], figures["request"]
    assert (incidents.opened, incidents.resolved, incidents.closed) == (3, 1, 0)
    assert (incidents.finished, incidents.cancelled, incidents.backlog) == (1, 1, 1)
    assert (requests.opened, requests.resolved, requests.closed, requests.fulfilled) == (
        1,
        1,
        0,
        1,
    )
    assert requests.completion.value == 100
    assert str(incidents.resolution_rate.value) == "33.3"
    april = reports.month_period(datetime.date(2026, 4, 1))
    assert reports.ticket_figures(user=admin_user, period=april)["request"].closed == 1
    # the dispatches the services recorded: one per ticket, none returned
    first = reports.first_time_dispatch(user=admin_user, period=MARCH)
    dispatched = {
        a.ticket_id
        for a in Assignment.objects.filter(ticket__in=[solved, dropped, still_open, request])
    }
    assert (first.numerator, first.denominator) == (len(dispatched), len(dispatched))
    assert len(dispatched) == 4
