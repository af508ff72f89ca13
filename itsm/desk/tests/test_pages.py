"""Desk pages through the test client: the queue and its views, the console, the ticket page
and its actions, the customer's side, the survey link, attachments and the bulk actions."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from itsm.desk.choices import EntryKind, TicketStatus
from itsm.desk.models import Attachment, Call, Survey, Ticket
from itsm.desk.services import contact, entries, tickets
from itsm.desk.tests import factories

pytestmark = pytest.mark.django_db


def _client(user, language: str = "en") -> Client:
    """A client signed in as *user*, whose pages are in *language* (the user's setting)."""
    from itsm.core import services as core_services

    core_services.set_language(user, language=language)
    client = Client()
    client.force_login(user)
    return client


def _detail(ticket) -> str:
    return reverse("desk:ticket_detail", args=[ticket.pk])


def _action(ticket, name) -> str:
    return reverse("desk:ticket_action", args=[ticket.pk, name])


def test_queue_views_and_tenancy(
    customer_a, customer_b, agent, engineers, group, customer_user, matrix
):
    mine = factories.ticket(customer_a, by=agent, assignment_group=group, assignee=engineers[0])
    other = factories.ticket(customer_b, by=agent, title="Scanner broken")
    staff = _client(engineers[0])
    page = staff.get(reverse("desk:ticket_list")).content.decode()
    assert mine.number in page and other.number in page
    page = staff.get(reverse("desk:ticket_list") + "?view=mine").content.decode()
    assert mine.number in page and other.number not in page
    page = staff.get(reverse("desk:ticket_list") + "?view=unassigned").content.decode()
    assert other.number in page and mine.number not in page
    assert 'data-testid="bulk-form"' in page
    customer = _client(customer_user).get(reverse("desk:ticket_list")).content.decode()
    assert mine.number in customer and other.number not in customer
    assert 'data-testid="bulk-form"' not in customer
    assert "Assignment group" not in customer
    assert _client(customer_user).get(_detail(other)).status_code == 404


def test_console_logs_a_ticket_and_the_call(customer_a, customer_user, agent, service, matrix):
    started = timezone.now() - timezone.timedelta(minutes=3)
    response = _client(agent).post(
        reverse("desk:console"),
        {
            "caller": customer_user.username,
            "kind": "incident",
            "service": service.code,
            "title": "Outlook keeps asking for the password",
            "impact": "2",
            "urgency": "2",
            "answered": "on",
            "call_started_at": started.strftime("%Y-%m-%d %H:%M:%S"),
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    ticket = Ticket.objects.get(title="Outlook keeps asking for the password")
    assert ticket.customer == customer_a and ticket.contact == customer_user
    assert ticket.channel == "phone" and ticket.agreement is not None
    call = Call.objects.get(ticket=ticket)
    assert call.answered and call.outcome == "ticket" and call.ended_at >= call.started_at


def test_console_call_without_record_and_missing_customer(customer_user, agent, matrix):
    client = _client(agent)
    response = client.post(
        reverse("desk:console"),
        {
            "caller": customer_user.username,
            "kind": "incident",
            "impact": "2",
            "urgency": "2",
            "answered": "on",
            "title": "Asked for the opening hours",
            "no_record": "1",
        },
    )
    assert response.status_code == 302
    call = Call.objects.get()
    assert call.outcome == "no_record" and call.ticket is None and not Ticket.objects.exists()
    page = client.post(reverse("desk:console"), {"kind": "incident", "impact": "2", "urgency": "2"})
    assert page.status_code == 200
    assert "Choose the caller or the customer." in page.content.decode()


def test_customer_reports_comments_and_never_sees_notes(
    customer_a, customer_user, agent, engineers, group, matrix
):
    customer = _client(customer_user)
    response = customer.post(
        reverse("desk:report"),
        {"kind": "incident", "title": "Cannot print", "description": "Floor 3", "urgency": "2"},
    )
    assert response.status_code == 302
    ticket = Ticket.objects.get(title="Cannot print")
    assert ticket.channel == "portal" and ticket.contact == customer_user
    entries.add_entry(ticket, by=agent, kind=EntryKind.NOTE, body="Internal: printer is EOL")
    entries.add_entry(ticket, by=agent, kind=EntryKind.REPLY, body="Please restart it")
    page = customer.get(_detail(ticket)).content.decode()
    assert "Please restart it" in page and "printer is EOL" not in page
    assert "Timeline" not in page
    customer.post(reverse("desk:ticket_reply", args=[ticket.pk]), {"kind": "note", "body": "Done"})
    entry = ticket.entries.order_by("-id").first()
    assert entry.kind == EntryKind.COMMENT and not entry.internal  # a customer only comments


def test_actions_assign_start_wait_resolve_and_customer_confirms_and_rates(
    customer_a, customer_user, agent, engineers, group, matrix
):
    ticket = factories.ticket(customer_a, by=agent, contact=customer_user)
    staff = _client(engineers[0])
    staff.post(
        _action(ticket, "assign"), {"assignment_group": group.pk, "assignee": engineers[0].username}
    )
    ticket.refresh_from_db()
    assert ticket.assignment_group == group and ticket.status == TicketStatus.ASSIGNED
    staff.post(_action(ticket, "start"))
    staff.post(_action(ticket, "wait"), {"on": "pending_customer", "note": "Which floor?"})
    ticket.refresh_from_db()
    assert ticket.status == TicketStatus.PENDING_CUSTOMER
    staff.post(_action(ticket, "resume"))
    response = staff.post(
        _action(ticket, "resolve"), {"resolution_code": "solved", "resolution": ""}
    )
    ticket.refresh_from_db()
    assert ticket.status == TicketStatus.IN_PROGRESS  # the resolution is required
    staff.post(_action(ticket, "resolve"), {"resolution_code": "solved", "resolution": "Fixed"})
    ticket.refresh_from_db()
    assert ticket.status == TicketStatus.RESOLVED
    customer = _client(customer_user)
    page = customer.get(_detail(ticket)).content.decode()
    assert 'data-testid="customer-decision"' in page and 'data-testid="rate-card"' in page
    # closing asks first
    confirm = customer.post(_action(ticket, "confirm"), {"version": ticket.version})
    assert confirm.status_code == 200 and "confirmed" in confirm.content.decode()
    customer.post(_action(ticket, "confirm"), {"version": ticket.version, "confirmed": "yes"})
    ticket.refresh_from_db()
    assert ticket.status == TicketStatus.CLOSED
    customer.post(
        reverse("desk:ticket_rate", args=[ticket.pk]), {"score": "5", "comment": "Thanks"}
    )
    ticket.refresh_from_db()
    assert ticket.satisfaction == 5
    assert response.status_code == 302


def test_survey_link_answers_once_and_forged_links_are_404(
    customer_a, customer_user, agent, engineers, group, matrix
):
    ticket = factories.ticket(customer_a, by=agent, contact=customer_user, assignment_group=group)
    tickets.resolve(ticket, by=engineers[0], resolution="Fixed", resolution_code="solved")
    survey = Survey.objects.get(ticket=ticket)
    url = reverse("desk:survey_answer", args=[contact.survey_token(survey)])
    anonymous = Client()
    anonymous.cookies["django_language"] = "en"
    assert anonymous.get(url).status_code == 200
    assert anonymous.post(url, {"score": "4", "comment": "Good"}).status_code == 200
    survey.refresh_from_db()
    assert survey.score == 4 and survey.channel == "email"
    again = anonymous.post(url, {"score": "1"})
    assert "already been answered" in again.content.decode()
    survey.refresh_from_db()
    assert survey.score == 4
    forged = reverse("desk:survey_answer", args=[contact.survey_token(survey)[:-3] + "abc"])
    assert anonymous.get(forged).status_code == 404


def test_attachments_are_restricted(
    customer_a, customer_b, customer_user, other_customer_user, agent, matrix
):
    ticket = factories.ticket(customer_a, by=agent, contact=customer_user)
    from django.core.files.uploadedfile import SimpleUploadedFile

    customer = _client(customer_user)
    customer.post(
        reverse("desk:ticket_attach", args=[ticket.pk]),
        {"file": SimpleUploadedFile("<evil>.html", b"<script>alert(1)</script>", "text/html")},
    )
    attachment = Attachment.objects.get(ticket=ticket)
    internal = entries.add_attachment(
        ticket,
        by=agent,
        name="notes.txt",
        content_type="text/plain",
        content=b"internal",
        internal=True,
    )
    response = customer.get(reverse("desk:attachment_download", args=[attachment.pk]))
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["Content-Type"] == "application/octet-stream"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert customer.get(reverse("desk:attachment_download", args=[internal.pk])).status_code == 404
    other = _client(other_customer_user)
    assert other.get(reverse("desk:attachment_download", args=[attachment.pk])).status_code == 404


def test_bulk_assign_and_resolve(customer_a, agent, engineers, group, matrix):
    first = factories.ticket(customer_a, by=agent)
    second = factories.ticket(customer_a, by=agent)
    staff = _client(engineers[0])
    response = staff.post(
        reverse("desk:bulk"),
        {"ids": [first.pk, second.pk], "action": "assign", "assignment_group": group.pk},
    )
    assert response.status_code == 302
    assert set(Ticket.objects.values_list("assignment_group", flat=True)) == {group.pk}
    staff.post(
        reverse("desk:bulk"),
        {"ids": [first.pk], "action": "resolve", "resolution_code": "solved", "resolution": "Done"},
    )
    assert Ticket.objects.get(pk=first.pk).status == TicketStatus.RESOLVED
    # resolving without a resolution changes nothing and says why
    response = staff.post(
        reverse("desk:bulk"), {"ids": [second.pk], "action": "resolve"}, follow=True
    )
    assert Ticket.objects.get(pk=second.pk).status == TicketStatus.ASSIGNED
    assert "Describe the resolution." in response.content.decode()


def test_merge_asks_first_and_replies_thread_to_the_target(
    customer_a, agent, engineers, group, matrix
):
    keep = factories.ticket(customer_a, by=agent, assignment_group=group)
    duplicate = factories.ticket(customer_a, by=agent, assignment_group=group)
    entries.record_message_id(duplicate, message_id="<dup@example.cn>", outgoing=False)
    staff = _client(engineers[0])
    asked = staff.post(_action(duplicate, "merge"), {"into": keep.number})
    assert asked.status_code == 200
    staff.post(_action(duplicate, "merge"), {"into": keep.number, "confirmed": "yes"})
    duplicate.refresh_from_db()
    assert duplicate.status == TicketStatus.CANCELLED and duplicate.merged_into == keep
    from itsm.desk import selectors

    assert selectors.ticket_for_message_ids(["dup@example.cn"]) == keep


def test_major_incident_update_and_review(customer_a, agent, engineers, group, leader, matrix):
    ticket = factories.ticket(customer_a, by=agent, assignment_group=group)
    staff = _client(engineers[0])
    staff.post(
        _action(ticket, "major"), {"manager": leader.username, "update_interval_minutes": "30"}
    )
    ticket.refresh_from_db()
    assert ticket.is_major and ticket.major_manager == leader and ticket.next_update_at
    before = ticket.next_update_at
    staff.post(_action(ticket, "update"), {"message": "Engineers on site", "public": "on"})
    ticket.refresh_from_db()
    assert ticket.next_update_at > before
    assert ticket.entries.filter(kind=EntryKind.UPDATE).exists()
    staff.post(_action(ticket, "review"), {"summary": "Power cut in the server room"})
    assert ticket.review.summary == "Power cut in the server room"


def test_pages_render_in_both_languages(customer_a, customer_user, agent, engineers, group, matrix):
    ticket = factories.ticket(customer_a, by=agent, assignment_group=group, contact=customer_user)
    for user in (engineers[0], customer_user):
        for language in ("zh-hans", "en"):
            client = _client(user, language)
            for url in (reverse("desk:ticket_list"), _detail(ticket)):
                response = client.get(url)
                assert response.status_code == 200, (url, user, language)
                assert not re.search(
                    r"\bpending_customer\b|\bin_progress\b",
                    response.content.decode()
                    .split("<body")[1]
                    .replace('value="pending_customer"', "")
                    .replace('value="in_progress"', ""),
                ), url


def test_console_impact_preview(agent, customer_a, customer_user, matrix):
    from itsm.cmdb.tests.factories_impact import ci, ci_class, relate

    server = ci("db-server-01", customer=customer_a)
    app = ci(
        "网上银行 (Online banking)",
        cls=ci_class("t-bs", business_service=True),
        customer=customer_a,
    )
    relate(app, server)  # the banking service depends on the server
    staff = _client(agent)
    response = staff.get(reverse("desk:impact_preview") + f"?cis={server.number}")
    page = response.content.decode()
    assert response.status_code == 200 and "网上银行 (Online banking)" in page
    assert customer_a.name in page
    assert _client(customer_user).get(reverse("desk:impact_preview")).status_code == 403


def test_ticket_edit_round_trips_and_refuses_a_stale_version(
    customer_a, agent, group, service, matrix, customer_user
):
    ticket = factories.ticket(
        customer_a, by=agent, assignment_group=group, service=service, contact=customer_user
    )
    staff = _client(agent)
    page = staff.get(reverse("desk:ticket_edit", args=[ticket.pk])).content.decode()
    assert f'name="version" value="{ticket.version}"' in page
    data = {
        "version": ticket.version,
        "title": "Mail is down for all",
        "service": service.code,
        "contact": customer_user.username,
        "contact_email": customer_user.email,
        "cis": "",
        "category": "",
        "impact": "2",
        "urgency": "1",
        "priority": "",
        "description": "Since 9:00",
    }
    response = staff.post(reverse("desk:ticket_edit", args=[ticket.pk]), data)
    assert response.status_code == 302
    ticket.refresh_from_db()
    assert (ticket.title, ticket.priority, ticket.description) == (
        "Mail is down for all",
        "p2",
        "Since 9:00",
    )
    stale = staff.post(reverse("desk:ticket_edit", args=[ticket.pk]), {**data, "title": "Other"})
    assert stale.status_code == 200
    ticket.refresh_from_db()
    assert ticket.title == "Mail is down for all"


def test_ticket_edit_compares_with_the_stored_row(
    customer_a, customer_b, agent, group, service, matrix, customer_user
):
    """The edit form's instance holds the posted values: the service must see the row as
    stored, or a new priority would not reach the clocks and a service not offered to the
    customer would pass; a save that changes nothing writes nothing."""
    from itsm.slm.clocks import services as clocks
    from itsm.slm.clocks.tests.factories import published_service

    ticket = factories.ticket(
        customer_a, by=agent, assignment_group=group, service=service, contact=customer_user
    )
    url = reverse("desk:ticket_edit", args=[ticket.pk])
    data = {
        "version": ticket.version,
        "title": ticket.title,
        "service": service.code,
        "contact": customer_user.username,
        "contact_email": ticket.contact_email,
        "cis": "",
        "category": "",
        "impact": ticket.impact,
        "urgency": ticket.urgency,
        "priority": ticket.priority,
        "description": "",
    }
    staff = _client(agent)
    assert staff.post(url, data).status_code == 302
    ticket.refresh_from_db()
    assert ticket.version == data["version"]  # unchanged: nothing written
    assert staff.post(url, {**data, "priority": "p1"}).status_code == 302
    ticket.refresh_from_db()
    assert ticket.priority == "p1"
    assert {c.priority for c in clocks.clocks_of(ticket)} == {"p1"}
    other = published_service(customer_b)
    response = staff.post(url, {**data, "version": ticket.version, "service": other.code})
    assert response.status_code == 200
    ticket.refresh_from_db()
    assert ticket.service == service
