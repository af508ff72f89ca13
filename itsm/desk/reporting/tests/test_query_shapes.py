"""The edges of the figures whose queries read a row per dispatch or per clock (correlated
subqueries, ``docs/desk-reports.md`` "Cost"), on hand-made rows: which dispatch is a ticket's
first (earlier period, same instant, returned, reassigned) and which clocks are an incident's
(a request's clock, another customer's, a customer user's view)."""

from __future__ import annotations

import datetime

import pytest

from itsm.desk.reporting import selectors as reports
from itsm.desk.reporting.tests.factories import (
    local,
    make_assignment,
    make_team,
    make_ticket,
    ticket_clock,
)

MARCH = reports.month_period(datetime.date(2026, 3, 1))


@pytest.mark.django_db
def test_first_dispatch_is_the_earliest_by_time_then_id(provider, customer_a, admin_user):
    team = make_team(provider)
    opened = local(2026, 2, 20, 9)

    def ticket(**fields):
        return make_ticket(customer=customer_a, opened_at=opened, **fields)

    # first dispatched in February, again in March: not a March first dispatch
    earlier = ticket()
    make_assignment(earlier, team=team, at=local(2026, 2, 28, 23, 59))
    make_assignment(earlier, team=team, at=local(2026, 3, 2, 9))
    # two dispatches at the same instant: the lower id is the first, counted once
    tied = ticket()
    make_assignment(tied, team=team, at=local(2026, 3, 3, 9))
    make_assignment(tied, team=team, at=local(2026, 3, 3, 9), returned_at=local(2026, 3, 3, 10))
    # the first dispatch returned, the second kept: dispatched, not first-time
    returned = ticket()
    make_assignment(returned, team=team, at=local(2026, 3, 4, 9), returned_at=local(2026, 3, 4, 10))
    make_assignment(returned, team=team, at=local(2026, 3, 4, 11))
    # reassigned to another group later (counted by the services on the ticket)
    make_assignment(ticket(reassignment_count=1), team=team, at=local(2026, 3, 5, 9))
    # the last instant of March, and the first of April
    make_assignment(ticket(), team=team, at=local(2026, 4, 1) - datetime.timedelta(microseconds=1))
    make_assignment(ticket(), team=team, at=local(2026, 4, 1))

    got = reports.first_time_dispatch(user=admin_user, period=MARCH)
    # tied (first kept, not returned), the last instant's: first-time; returned, reassigned: not
    assert (got.numerator, got.denominator) == (2, 4)
    mine = reports.first_time_dispatch(user=admin_user, period=MARCH, customer=customer_a)
    assert (mine.numerator, mine.denominator) == (2, 4)


@pytest.mark.django_db
def test_sla_counts_the_clocks_of_incidents_only(
    provider, customer_a, customer_b, admin_user, customer_user
):
    opened = local(2026, 3, 1, 9)
    in_march = local(2026, 3, 10, 12)
    incident_a = make_ticket(customer=customer_a, opened_at=opened)
    incident_b = make_ticket(customer=customer_b, opened_at=opened)
    request_a = make_ticket(customer=customer_a, kind="request", opened_at=opened)
    ticket_clock(incident_a, metric="resolution", stopped_at=in_march)
    ticket_clock(
        incident_a, metric="response", state="running", breached=True, breached_at=in_march
    )
    ticket_clock(incident_b, metric="resolution", stopped_at=in_march, breached=True)
    ticket_clock(request_a, metric="resolution", stopped_at=in_march, breached=True)
    ticket_clock(request_a, metric="response", stopped_at=in_march)

    def figures(**scope):
        return {
            metric: (s.measured, s.breached)
            for metric, s in reports.incident_sla(period=MARCH, **scope).items()
        }

    assert figures(user=admin_user) == {"response": (1, 1), "resolution": (2, 1)}
    assert figures(user=admin_user, customer=customer_a) == {
        "response": (1, 1),
        "resolution": (1, 0),
    }
    # a customer user: their own organisation's incidents, never another's
    assert figures(user=customer_user) == {"response": (1, 1), "resolution": (1, 0)}
