"""The agents' queue at scale (issue 11): the API list answers the queue's columns from the
ticket's own row, both lists page in (due time, id) order through the filters, and their
statements neither join nor grow with the page."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

import pytest
from django.db import connection
from django.template.loader import render_to_string
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from itsm.core.testing.api import assert_error, client_for
from itsm.desk.api.serializers import QUEUE_FIELDS
from itsm.desk.models import Ticket
from itsm.desk.tests import factories

pytestmark = pytest.mark.django_db

LIST = reverse("api:desk-api:ticket-list")


def _queue(customer_a, customer_b, group, engineers, agent):
    """Eight tickets: five open ones of customer A in *group* (two without a due time), one
    closed, one of another group, one of customer B; due times in a known order."""
    now = timezone.now()
    made = []
    for index, hours in enumerate((5, 1, None, 3, None)):
        ticket = factories.ticket(
            customer_a, by=agent, title=f"Queue {index}", assignment_group=group
        )
        Ticket.objects.filter(pk=ticket.pk).update(
            status="assigned",
            priority="p3",
            due_at=None if hours is None else now + timedelta(hours=hours),
            assignee=engineers[0],
        )
        made.append(ticket.pk)
    closed = factories.ticket(customer_a, by=agent, title="Done", assignment_group=group)
    Ticket.objects.filter(pk=closed.pk).update(status="closed", priority="p3", due_at=None)
    other = factories.ticket(customer_a, by=agent, title="Elsewhere")
    Ticket.objects.filter(pk=other.pk).update(status="assigned", priority="p3")
    foreign = factories.ticket(customer_b, by=agent, title="Theirs", assignment_group=group)
    Ticket.objects.filter(pk=foreign.pk).update(status="assigned", priority="p3")
    # the expected order: due 1 h, 3 h, 5 h, then the two without a due time by id
    return [made[1], made[3], made[0], made[2], made[4]]


def _query(group, customer):
    return {
        "status": ["assigned", "in_progress"],
        "priority": "p3",
        "assignment_group": group.pk,
        "customer": customer.pk,
        "sort": "due_at",
    }


def test_list_answers_the_queue_columns_and_the_detail_the_whole_ticket(
    customer_a, customer_b, group, engineers, agent, matrix
):
    expected = _queue(customer_a, customer_b, group, engineers, agent)
    client = client_for(agent)
    response = client.get(LIST, _query(group, customer_a))
    assert response.status_code == 200, response.json()
    rows = response.json()["results"]
    assert [row["id"] for row in rows] == expected
    assert [list(row) for row in rows] == [list(QUEUE_FIELDS)] * len(expected)
    first = Ticket.objects.get(pk=expected[0])
    assert rows[0] == {
        "id": first.pk,
        "display": f"{first.number} Queue 1",
        "number": first.number,
        "kind": "incident",
        "title": "Queue 1",
        "status": "assigned",
        "priority": "p3",
        "customer": customer_a.pk,
        "assignment_group": group.pk,
        "assignee": engineers[0].pk,
        "opened_at": rows[0]["opened_at"],
        "due_at": rows[0]["due_at"],
        "breached": False,
        "is_major": False,
        "version": first.version,
        "updated_at": rows[0]["updated_at"],
    }
    assert datetime.fromisoformat(rows[0]["due_at"]) == first.due_at
    assert rows[3]["due_at"] is None
    detail = client.get(reverse("api:desk-api:ticket-detail", args=[first.pk])).json()
    assert {"description", "cis", "transitions", "service", "form_data"} <= set(detail)
    assert detail["transitions"]  # the whole ticket, with what the agent may do next


@pytest.mark.parametrize("descending", [False, True])
def test_list_pages_the_queue_in_due_order(
    descending, customer_a, customer_b, group, engineers, agent, matrix
):
    """Pages of two: a page after a due time reads the due times after it, then the tickets
    without one (``paging._plain_rows``), in either direction, each ticket once."""
    expected = _queue(customer_a, customer_b, group, engineers, agent)
    if descending:  # latest due first, the tickets without a due time still last
        expected = expected[2::-1] + expected[:2:-1]
    client = client_for(agent)
    query = {**_query(group, customer_a), "page_size": 2}
    if descending:
        query["sort"] = "-due_at"
    seen, url, params = [], LIST, query
    while url:
        body = client.get(url, params).json()
        seen += [row["id"] for row in body["results"]]
        url, params = body["next"], None
        assert len(seen) <= len(expected)
    assert seen == expected


def test_list_page_is_one_statement_on_the_ticket_row_alone(
    customer_a, customer_b, group, engineers, agent, matrix
):
    _queue(customer_a, customer_b, group, engineers, agent)
    client = client_for(agent)
    client.get(LIST, _query(group, customer_a))  # warm the per-process caches
    with CaptureQueriesContext(connection) as captured:
        response = client.get(LIST, _query(group, customer_a))
    assert response.status_code == 200
    pages = [q["sql"] for q in captured.captured_queries if 'FROM "desk_ticket"' in q["sql"]]
    assert len(pages) == 1, pages
    assert " JOIN " not in pages[0]
    assert '"desk_ticket"."description"' not in pages[0]
    assert "desk_ticket_cis" not in " ".join(q["sql"] for q in captured.captured_queries)


def test_customer_lists_only_their_queue(
    customer_a, customer_b, customer_user, group, engineers, agent, matrix
):
    _queue(customer_a, customer_b, group, engineers, agent)
    rows = client_for(customer_user).get(LIST, {"sort": "due_at"}).json()["results"]
    assert rows and {row["customer"] for row in rows} == {customer_a.pk}
    assert all(list(row) == list(QUEUE_FIELDS) for row in rows)


def test_unknown_group_is_a_clear_error(customer_a, agent, matrix):
    response = client_for(agent).get(LIST, {"assignment_group": 987654})
    assert_error(response, 400, "validation", fields=("assignment_group",))


def test_html_queue_in_due_order_with_countdowns_and_the_bulk_form(
    client, customer_a, customer_b, group, engineers, agent, matrix
):
    expected = _queue(customer_a, customer_b, group, engineers, agent)
    numbers = dict(Ticket.objects.filter(pk__in=expected).values_list("pk", "number"))
    client.force_login(agent)
    response = client.get(reverse("desk:ticket_list"), _query(group, customer_a))
    assert response.status_code == 200
    page = response.content.decode()
    shown = [page.index(f'data-ticket="{numbers[pk]}"') for pk in expected]
    assert shown == sorted(shown) and page.count("data-ticket=") == len(expected)
    first = Ticket.objects.get(pk=expected[0])
    local = timezone.localtime(first.due_at)
    assert (
        f'<span class="" data-countdown="{first.due_at.isoformat()}">{local:%Y-%m-%d %H:%M}</span>'
    ) in page
    # the bulk form's group select: the active groups, by name
    assert f'<option value="{group.pk}">{group.name}</option>' in page
    assert 'id="bulk_assignment_group"' in page


def test_html_queue_overdue_ticket_is_red(client, customer_a, group, agent, matrix):
    ticket = factories.ticket(customer_a, by=agent, assignment_group=group)
    due = timezone.now() - timedelta(minutes=5)
    Ticket.objects.filter(pk=ticket.pk).update(status="assigned", due_at=due)
    client.force_login(agent)
    page = client.get(reverse("desk:ticket_list")).content.decode()
    assert f'<span class="text-red" data-countdown="{due.isoformat()}">' in page


def _squeezed(text: str) -> str:
    return re.sub(r">\s+<", "><", str(text).strip())


def test_bulk_fields_are_what_the_form_field_template_writes(agent, group, matrix):
    """The queue's bulk form written in Python (``lists._bulk_field``) is the markup of
    ``ui/_form_field.html`` for each of its fields, but for the whitespace between tags."""
    from itsm.core.lists.widgets import LIST_FORM_RENDERER
    from itsm.desk.forms import BulkForm
    from itsm.desk.lists import _BULK_FIELDS, _bulk_field

    form = BulkForm(user=agent, auto_id="bulk_%s")
    expected = {
        name: render_to_string("ui/_form_field.html", {"field": form[name]})
        for name in _BULK_FIELDS
    }
    assert group.name in expected["assignment_group"]
    written = BulkForm(user=agent, auto_id="bulk_%s")
    written.renderer = LIST_FORM_RENDERER
    for name in _BULK_FIELDS:
        assert _squeezed(_bulk_field(written[name])) == _squeezed(expected[name]), name


@pytest.mark.parametrize("zone", ["UTC", "Asia/Shanghai"])
def test_queue_rows_are_what_drf_writes(
    zone, customer_a, customer_b, group, engineers, agent, matrix
):
    """``TicketQueueSerializer.to_representation`` (the row's columns read at once) gives
    DRF's own field-by-field answer, key for key, for the list's rows and for a full ticket."""
    import zoneinfo

    from rest_framework import serializers
    from rest_framework.request import Request
    from rest_framework.test import APIRequestFactory

    from itsm.core.lists.rows import page_rows
    from itsm.desk.api.serializers import TicketQueueSerializer
    from itsm.desk.api.views import _QUEUE_COLUMNS

    _queue(customer_a, customer_b, group, engineers, agent)
    request = Request(APIRequestFactory().get("/api/desk/tickets/"))
    request.user = agent
    with timezone.override(zoneinfo.ZoneInfo(zone)):
        for rows in (
            list(page_rows(Ticket.objects.only(*_QUEUE_COLUMNS).order_by("id"))),
            list(Ticket.objects.order_by("id")),
        ):
            serializer = TicketQueueSerializer(rows, many=True, context={"request": request})
            fast = serializer.data
            child = TicketQueueSerializer(context={"request": request})
            drf = [serializers.Serializer.to_representation(child, row) for row in rows]
            assert [list(row.items()) for row in fast] == [list(row.items()) for row in drf]
            assert any(row["due_at"] for row in fast) and any(not row["due_at"] for row in fast)
