"""The customer's side of the portal on the ticket page, in both languages: report an
incident, follow it, comment, attach a file, reject and then confirm the resolution, rate —
and nothing of another organisation's or of the desk's internal work."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from itsm.desk.choices import EntryKind, TicketStatus
from itsm.desk.models import Attachment, Survey, Ticket, TicketEntry
from itsm.desk.services import dispatch, entries, tickets

pytestmark = pytest.mark.django_db

TEXTS = {
    "en": {
        "decide": "Is the problem solved?",
        "confirm": "Confirm and close",
        "rate": "Rate our service",
    },
    "zh-hans": {
        "decide": "问题解决了吗？",
        "confirm": "确认并关闭",
        "rate": "评价我们的服务",
    },
}


def browse(user, language) -> Client:
    type(user).objects.filter(pk=user.pk).update(language=language)
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    client.force_login(user)
    return client


def _resolve(ticket, engineer, category, group):
    # the desk classifies and dispatches what the customer reported before work starts
    tickets.update_ticket(ticket, by=engineer, expected_version=ticket.version, category=category)
    ticket.refresh_from_db()
    dispatch.assign(ticket, by=engineer, group=group, assignee=engineer)
    ticket.refresh_from_db()
    tickets.start_work(ticket, by=engineer)
    ticket.refresh_from_db()
    return tickets.resolve(
        ticket,
        by=engineer,
        resolution="Replaced the power supply.",
        resolution_code="solved",
        expected_version=ticket.version,
    )


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_a_customer_follows_a_ticket_to_its_end(
    language, provider, engineers, group, service, category, matrix, customer_user
):
    client = browse(customer_user, language)
    texts = TEXTS[language]
    # report an incident
    response = client.post(
        reverse("desk:report"),
        {
            "kind": "incident",
            "title": "Printer on floor 3 is down",
            "description": "It shows error E5.",
            "urgency": "2",
        },
    )
    ticket = Ticket.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("desk:ticket_detail", args=[ticket.pk])
    assert (ticket.customer, ticket.contact, ticket.channel) == (
        customer_user.organisation,
        customer_user,
        "portal",
    )
    # follow it: the list and the page
    assert ticket.number in client.get(reverse("desk:ticket_list")).content.decode()
    page = client.get(reverse("desk:ticket_detail", args=[ticket.pk]))
    assert page.status_code == 200
    html = page.content.decode()
    assert f'lang="{language}"' in html
    assert 'data-testid="ticket-actions"' not in html  # the desk's actions are not theirs
    # comment: always a comment, whatever kind the form claims
    client.post(
        reverse("desk:ticket_reply", args=[ticket.pk]),
        {"kind": EntryKind.NOTE, "body": "Still down this morning."},
    )
    entry = TicketEntry.objects.get(ticket=ticket)
    assert (entry.kind, entry.internal, entry.body) == (
        EntryKind.COMMENT,
        False,
        "Still down this morning.",
    )
    # attach a file: never internal, and downloadable by them
    upload = SimpleUploadedFile("error.txt", b"E5 paper jam", content_type="text/plain")
    client.post(reverse("desk:ticket_attach", args=[ticket.pk]), {"file": upload, "internal": "on"})
    attachment = Attachment.objects.get(ticket=ticket)
    assert (attachment.name, attachment.internal) == ("error.txt", False)
    html = client.get(reverse("desk:ticket_detail", args=[ticket.pk])).content.decode()
    assert "Still down this morning." in html and "error.txt" in html
    # an internal note of the desk stays hidden
    entries.add_entry(ticket, by=engineers[0], kind=EntryKind.NOTE, body="Supplier RMA 42")
    assert (
        "Supplier RMA 42"
        not in client.get(reverse("desk:ticket_detail", args=[ticket.pk])).content.decode()
    )
    # the desk resolves; the customer is asked and rejects with a reason
    ticket.refresh_from_db()
    _resolve(ticket, engineers[0], category, group)
    html = client.get(reverse("desk:ticket_detail", args=[ticket.pk])).content.decode()
    assert texts["decide"] in html
    ticket.refresh_from_db()
    client.post(
        reverse("desk:ticket_action", args=[ticket.pk, "reject"]),
        {"note": "It jams again.", "version": ticket.version},
    )
    ticket.refresh_from_db()
    assert ticket.status == TicketStatus.IN_PROGRESS
    assert ticket.reopen_count == 1
    # resolved again; confirming asks first, then closes
    ticket = tickets.resolve(
        ticket,
        by=engineers[0],
        resolution="Replaced the fuser.",
        resolution_code="solved",
        expected_version=ticket.version,
    )
    confirm = reverse("desk:ticket_action", args=[ticket.pk, "confirm"])
    asked = client.post(confirm, {"version": ticket.version})
    assert asked.status_code == 200
    assert texts["confirm"] in asked.content.decode()
    ticket.refresh_from_db()
    assert ticket.status == TicketStatus.RESOLVED
    client.post(confirm, {"version": ticket.version, "confirmed": "yes"})
    ticket.refresh_from_db()
    assert ticket.status == TicketStatus.CLOSED
    # rate
    html = client.get(reverse("desk:ticket_detail", args=[ticket.pk])).content.decode()
    assert texts["rate"] in html
    client.post(reverse("desk:ticket_rate", args=[ticket.pk]), {"score": "4", "comment": "Quick"})
    survey = Survey.objects.get(ticket=ticket)
    assert (survey.score, survey.comment) == (4, "Quick")
    html = client.get(reverse("desk:ticket_detail", args=[ticket.pk])).content.decode()
    assert 'data-testid="rating"' in html and "4/5" in html


def test_another_organisation_reaches_none_of_it(
    provider, engineers, group, service, matrix, customer_user, other_customer_user
):
    ticket = tickets.create_ticket(
        by=customer_user,
        kind="incident",
        title="Mine",
        customer=customer_user.organisation,
        channel="portal",
    )
    other = browse(other_customer_user, "en")
    assert other.get(reverse("desk:ticket_detail", args=[ticket.pk])).status_code == 404
    for name, data in [
        ("desk:ticket_reply", {"body": "hello"}),
        ("desk:ticket_rate", {"score": "1"}),
    ]:
        assert other.post(reverse(name, args=[ticket.pk]), data).status_code == 404
    assert (
        other.post(reverse("desk:ticket_action", args=[ticket.pk, "reject"]), {}).status_code == 404
    )
    assert not TicketEntry.objects.exists()
    assert "Mine" not in other.get(reverse("desk:ticket_list")).content.decode()
