"""The desk's journey through the services: a call is logged, dispatched by a rule, worked,
paused while waiting for the customer (the clock pauses), resolved, confirmed and rated."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from itsm.core.errors import Forbidden, InvalidTransition, ValidationFailed
from itsm.desk.choices import CallOutcome, EntryKind, TicketStatus
from itsm.desk.models import Assignment, Survey, Ticket
from itsm.desk.services import config, contact, dispatch, entries, tickets
from itsm.desk.tests import factories
from itsm.slm.clocks import services as clocks

pytestmark = pytest.mark.django_db


def _clock(ticket, metric):
    return next(c for c in clocks.clocks_of(ticket) if c.metric == metric)


def test_journey_call_dispatch_pause_resolve_confirm_rate(
    customer_a, customer_user, agent, engineers, group, category, service, matrix
):
    rule = config.create_dispatch_rule(
        by=None,
        name="Hardware to server",
        category=category,
        team=group,
        assign_mode="round_robin",
    )
    started = timezone.now() - timedelta(minutes=4)
    ticket = tickets.create_ticket(
        by=agent,
        kind="incident",
        title="Printer on floor 3 does not print",
        customer=customer_a,
        contact=customer_user,
        channel="phone",
        category=category,
        service=service,
        impact="2",
        urgency="1",
    )
    call = contact.log_call(
        by=agent,
        started_at=started,
        ended_at=timezone.now(),
        outcome=CallOutcome.TICKET,
        caller=customer_user,
        ticket=ticket,
    )
    assert call.organisation == customer_a and call.duration_seconds >= 239
    assert ticket.number.startswith("INC-")
    assert ticket.priority == "p2"  # impact 2 × urgency 1
    assert ticket.status == TicketStatus.ASSIGNED
    assert ticket.assignment_group == group and ticket.assignee == engineers[0]
    dispatched = Assignment.objects.get(ticket=ticket)
    assert dispatched.rule == rule and dispatched.team == group
    assert {c.metric for c in clocks.clocks_of(ticket)} == {"response", "resolution"}
    assert ticket.due_at == _clock(ticket, "resolution").due_at

    engineer = engineers[0]
    tickets.start_work(ticket, by=engineer)
    assert _clock(ticket, "response").state == "stopped"
    tickets.wait(ticket, on=TicketStatus.PENDING_CUSTOMER, by=engineer, note="Which model?")
    ticket.refresh_from_db()
    assert _clock(ticket, "resolution").state == "paused"
    assert ticket.due_at is None  # the queue shows it as not running

    entries.add_entry(ticket, by=customer_user, kind=EntryKind.COMMENT, body="HP M404")
    ticket.refresh_from_db()
    assert ticket.status == TicketStatus.IN_PROGRESS  # the customer's answer resumes it
    assert _clock(ticket, "resolution").state == "running"
    entries.add_entry(ticket, by=engineer, kind=EntryKind.NOTE, body="Fuser", time_spent_minutes=25)

    tickets.resolve(ticket, by=engineer, resolution="Replaced the fuser.", resolution_code="solved")
    ticket.refresh_from_db()
    assert ticket.status == TicketStatus.RESOLVED and ticket.resolved_at
    assert _clock(ticket, "resolution").state == "paused"
    survey = Survey.objects.get(ticket=ticket)

    tickets.close(ticket, by=customer_user)
    ticket.refresh_from_db()
    assert ticket.status == TicketStatus.CLOSED
    assert _clock(ticket, "resolution").state == "stopped"
    contact.answer_survey(survey, score=5, comment="Fast", channel="portal", by=customer_user)
    ticket.refresh_from_db()
    assert ticket.satisfaction == 5
    assert ticket.time_spent_minutes == 25
    with pytest.raises(InvalidTransition):
        contact.answer_survey(survey, score=4, channel="email")


def test_a_create_writes_its_rows_together(
    customer_a, agent, engineers, group, category, service, matrix
):
    """A dispatched ticket with two clocks and an e-mail: on PostgreSQL the ticket, its
    history, timeline and dispatch rows are one statement, the clocks and their segments one,
    the Message-ID and the outbox message one (``core.writes``' rows *along*); on either
    engine each row points at its own."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from itsm.core.outbox.models import OutboxMessage
    from itsm.desk.models import TicketMessage
    from itsm.slm.clocks.models import ClockSegment

    config.create_dispatch_rule(
        by=None, name="rr", category=category, team=group, assign_mode="round_robin"
    )
    with CaptureQueriesContext(connection) as captured:
        ticket = factories.ticket(customer_a, by=agent, category=category, service=service)
    inserts = [
        sorted(set(re.findall(r'INSERT INTO "(\w+)"', q["sql"])))
        for q in captured.captured_queries
        if "INSERT INTO" in q["sql"]
    ]
    if connection.vendor == "postgresql":
        assert inserts == [
            ["core_timelineentry", "desk_assignment", "desk_historicalticket", "desk_ticket"],
            ["clocks_clock", "clocks_clocksegment"],
            ["desk_ticketmessage", "outbox_outboxmessage"],
        ]
    assignment = Assignment.objects.get(ticket=ticket)
    assert (assignment.team, assignment.assignee) == (group, engineers[0])
    segments = ClockSegment.objects.filter(clock__object_id=ticket.pk)
    assert sorted(segments.values_list("clock__metric", "kind")) == [
        ("resolution", "running"),
        ("response", "running"),
    ]
    assert {s.clock_id for s in segments} == {c.pk for c in clocks.clocks_of(ticket)}
    message = TicketMessage.objects.get(ticket=ticket)
    assert OutboxMessage.objects.filter(key__startswith=f"desk:{ticket.pk}:created").exists()
    assert message.outgoing


def test_round_robin_skips_people_away_and_least_loaded(
    customer_a, agent, engineers, group, category, matrix
):
    config.create_dispatch_rule(
        by=None, name="rr", category=category, team=group, assign_mode="round_robin"
    )
    first = factories.ticket(customer_a, by=agent, category=category)
    second = factories.ticket(customer_a, by=agent, category=category)
    assert (first.assignee, second.assignee) == (engineers[0], engineers[1])
    config.set_presence(engineers[0], by=None, away=True, away_note="leave")
    third = factories.ticket(customer_a, by=agent, category=category)
    assert third.assignee == engineers[1]


def test_least_loaded(customer_a, agent, engineers, group, category, matrix):
    config.create_dispatch_rule(
        by=None, name="ll", category=category, team=group, assign_mode="least_loaded"
    )
    tickets_ = [factories.ticket(customer_a, by=agent, category=category) for _ in range(3)]
    assert [t.assignee for t in tickets_] == [engineers[0], engineers[1], engineers[0]]


def test_return_is_recorded_and_counted(customer_a, agent, engineers, group, category, matrix):
    config.create_dispatch_rule(by=None, name="g", category=category, team=group)
    ticket = factories.ticket(customer_a, by=agent, category=category)
    with pytest.raises(ValidationFailed) as error:
        dispatch.return_ticket(ticket, by=engineers[0], reason=" ")
    assert set(error.value.fields) == {"reason"}
    dispatch.return_ticket(ticket, by=engineers[0], reason="Network, not servers")
    ticket.refresh_from_db()
    assert ticket.status == TicketStatus.NEW and ticket.assignment_group is None
    assert ticket.return_count == 1
    row = Assignment.objects.get(ticket=ticket)
    assert row.returned_by == engineers[0] and row.return_reason == "Network, not servers"


def test_customer_cannot_act_on_another_organisation(
    customer_a, customer_b, agent, other_customer_user, matrix
):
    ticket = factories.ticket(customer_a, by=agent)
    with pytest.raises(Forbidden):
        entries.add_entry(ticket, by=other_customer_user, kind=EntryKind.COMMENT, body="hi")
    with pytest.raises(ValidationFailed) as error:
        tickets.create_ticket(
            by=other_customer_user,
            kind="incident",
            title="x",
            customer=customer_a,
            channel="portal",
        )
    assert "customer" in error.value.fields


def test_parent_cannot_close_with_open_children(customer_a, agent, engineers, group, matrix):
    parent = factories.ticket(customer_a, by=agent, assignment_group=group)
    child = factories.ticket(customer_a, by=agent, parent=parent, assignment_group=group)
    tickets.resolve(parent, by=engineers[0], resolution="Fixed", resolution_code="solved")
    parent.refresh_from_db()
    with pytest.raises(InvalidTransition):
        tickets.close(parent, by=agent)
    tickets.resolve(child, by=engineers[0], resolution="Fixed", resolution_code="solved")
    child.refresh_from_db()
    tickets.close(child, by=agent)
    tickets.close(parent, by=agent)
    assert Ticket.objects.get(pk=parent.pk).status == TicketStatus.CLOSED


def test_p1_incident_on_an_sla_service_is_major_by_rule(
    customer_a, agent, engineers, group, leader, service, matrix
):
    ticket = factories.ticket(
        customer_a, by=agent, service=service, impact="1", urgency="1", assignment_group=group
    )
    ticket.refresh_from_db()
    assert ticket.priority == "p1" and ticket.is_major and ticket.major_manager == leader
    minor = factories.ticket(customer_a, by=agent, impact="1", urgency="1", assignment_group=group)
    minor.refresh_from_db()
    assert not minor.is_major  # no SLA covers a ticket without a service


def test_escalations_by_hand_and_from_the_clock_sweeper(
    customer_a, agent, engineers, group, leader, service, matrix, provider
):
    from datetime import timedelta

    from django.utils import timezone

    from itsm.core.choices import Role
    from itsm.desk.models import Escalation
    from itsm.desk.services import escalation
    from itsm.slm.clocks.services import sweep

    second = factories.team(engineers[1], code="second-line")
    manager = factories.person(provider, Role.PROCESS_OWNER, username="manager")
    config.set_group_settings(group, by=None, next_line=second, manager=manager)
    opened = timezone.now() - timedelta(hours=9)
    ticket = factories.ticket(
        customer_a,
        by=agent,
        service=service,
        impact="2",
        urgency="2",
        assignment_group=group,
        opened_at=opened,
    )
    with pytest.raises(ValidationFailed):
        escalation.escalate(ticket, kind="hierarchical", by=agent, reason="")
    escalation.escalate(ticket, kind="hierarchical", by=agent, reason="VIP customer")
    row = Escalation.objects.get()
    assert row.to_user == leader and row.trigger == "manual" and row.level == 1
    # P3 resolution goal: 24 h on the 7×24 calendar; 9 h in, nothing is due; at 23 h the
    # warning (75 %) is past; at 25 h the breach: functional to the next line + manager
    sweep(now=opened + timedelta(hours=19))
    assert Escalation.objects.filter(trigger="warning").count() == 1
    sweep(now=opened + timedelta(hours=25))
    breach = Escalation.objects.filter(trigger="breach")
    assert {e.kind for e in breach} == {"functional", "hierarchical"}
    ticket.refresh_from_db()
    assert ticket.breached and ticket.assignment_group == second
    assert breach.get(kind="hierarchical").to_user == manager


def test_a_ticket_logged_after_the_fact_is_created_at_its_opening(customer_a, agent, matrix):
    from datetime import timedelta

    from django.utils import timezone

    from itsm.core.timeline import timeline_for

    opened = timezone.now() - timedelta(days=3)
    ticket = factories.ticket(customer_a, by=agent, opened_at=opened)
    created = timeline_for(ticket).get(verb="created")
    assert created.at == opened and created.actor == agent


@pytest.mark.django_db(transaction=True)
def test_concurrent_creates_take_turns(customer_a, agent, provider, category, matrix):
    """Creates started at once by four threads, each with its own connection, go to four
    different members of a round-robin rule's group, and twelve go to each member three
    times: the pointer is read and moved in one statement, so two creates never take the same
    turn (reading it first and moving it later let concurrent creates pick the same person)."""
    import threading

    from django.db import connection

    from itsm.core.choices import Role

    members = [factories.person(provider, Role.ENGINEER_L2, username=f"rr-{n}") for n in range(4)]
    team = factories.team(*members, code="rr-team")
    config.create_dispatch_rule(
        by=None, name="rr", category=category, team=team, assign_mode="round_robin"
    )
    errors: list[BaseException] = []
    start = threading.Barrier(4)

    def create():
        try:
            start.wait(timeout=30)
            for _ in range(3):
                factories.ticket(customer_a, by=agent, category=category)
        except BaseException as exc:  # reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=create) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not errors, errors
    assigned = sorted(Ticket.objects.filter(category=category).values_list("assignee", flat=True))
    assert assigned == sorted([m.pk for m in members] * 3)


def test_flapping_mark_once_in_the_api_filter_and_page_for_staff_only(
    customer_a, agent, customer_user, matrix, client_for, client
):
    """Event management marks an incident flapping (``mark_flapping``): once, with a timeline
    row; staff see and filter it, customers see neither the field nor the badge."""
    from itsm.core.models import TimelineEntry
    from itsm.desk.services import mark_flapping

    ticket = factories.ticket(customer_a, by=agent)
    steady = factories.ticket(customer_a, by=agent)
    mark_flapping(ticket, by=agent, note="5 state changes in 10 minutes")
    mark_flapping(Ticket.objects.get(pk=ticket.pk), by=agent)
    ticket.refresh_from_db()
    assert ticket.flapping and ticket.version == 2
    events = TimelineEntry.objects.filter(object_id=str(ticket.pk), verb="marked_flapping")
    assert events.count() == 1
    staff = client_for(agent)
    listed = staff.get("/api/desk/tickets/", {"flapping": "true"}).json()["results"]
    assert [row["id"] for row in listed] == [ticket.pk]
    assert staff.get(f"/api/desk/tickets/{ticket.pk}/").json()["flapping"] is True
    assert staff.get(f"/api/desk/tickets/{steady.pk}/").json()["flapping"] is False
    customer = client_for(customer_user)
    assert "flapping" not in customer.get(f"/api/desk/tickets/{ticket.pk}/").json()
    # the customer's filter on the internal mark is ignored, on the API and the page: it
    # cannot tell which of its tickets are marked
    for value in ("true", "false"):
        rows = customer.get("/api/desk/tickets/", {"flapping": value}).json()["results"]
        assert sorted(row["id"] for row in rows) == sorted([ticket.pk, steady.pk])
    client.force_login(customer_user)
    for value in ("true", "false"):
        page = client.get("/desk/", {"flapping": value}).text
        assert ticket.number in page and steady.number in page
    client.force_login(agent)
    assert 'data-testid="ticket-flapping"' in client.get(f"/desk/tickets/{ticket.pk}/").text
    page = client.get("/desk/", {"flapping": "true"}).text
    assert ticket.number in page and steady.number not in page
