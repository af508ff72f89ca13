"""The queue's filter combinations are served by indexes (issue 11: 1 000 000 tickets).

PostgreSQL only. The ticket table is filled with :data:`ROWS` tickets shaped like the bench's
(``bench/ticketapi/data.py``: 88 % resolved, closed or cancelled with no due time, the open
ones due by their priority, pending ones paused without one; customers 55/30/15 %, nine
groups, P1–P4 2/13/55/30 %), then ``ANALYZE``d. For the HTML queue (``TicketList``: its own
``filtered_queryset``, sort and keyset order) and ``/api/desk/tickets/``, as provider staff
and as a customer user, each combination of status (open states, two of them, one), priority,
group and customer, sorted by due time and by opening time (and the API's default, newest
first), first page and the next page, runs under ``EXPLAIN (ANALYZE, TIMING OFF, FORMAT
JSON)``. It fails, naming the combination and the plan's nodes, when a plan scans the ticket
table sequentially, sorts more than :data:`SORT_MAX` rows (4 %: a sort under the page's
``LIMIT`` of the few rows a selective filter finds is how a rare value is served), or reads
more than :data:`READ_MAX` rows of the table (40 %, as the CI list's plan test: the rows an
index scan or a bitmap's heap scan fetches, returned or discarded by the filter; not the
entries of the bitmaps ANDed for a combination of common values) — row counts, never times.
"""

from __future__ import annotations

import itertools
import json

import pytest
from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIRequestFactory, force_authenticate

from itsm.core.choices import Role
from itsm.core.lists.paging import keyset_page
from itsm.desk.api.views import TicketViewSet
from itsm.desk.lists import TicketList
from itsm.desk.models import Ticket
from itsm.desk.tests import factories

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="query plans are checked on PostgreSQL"
    ),
]

ROWS = 60_000
SORT_MAX = ROWS // 25
READ_MAX = ROWS * 2 // 5
TABLE = Ticket._meta.db_table

#: (status, share per mille) as the bench loads them
STATUSES = [
    ("closed", 820),
    ("resolved", 40),
    ("cancelled", 20),
    ("new", 30),
    ("assigned", 30),
    ("in_progress", 30),
    ("pending_customer", 20),
    ("pending_supplier", 10),
]
PRIORITIES = [("p1", 2), ("p2", 13), ("p3", 55), ("p4", 30)]


def _case(expression: str, shares, total: int) -> str:
    parts, bound = [], 0
    for value, share in shares:
        bound += share
        parts.append(
            f"WHEN ({expression}) < {bound * total // sum(s for _v, s in shares)} THEN '{value}'"
        )
    return "CASE " + " ".join(parts) + " END"


@pytest.fixture
def queue(customer_a, customer_b, provider, agent, customer_user):
    from itsm.core import services
    from itsm.core.choices import OrganisationKind

    small = services.create_organisation(
        code="cust-c", name="Customer C", kind=OrganisationKind.CUSTOMER
    )
    engineers = [
        factories.person(provider, Role.ENGINEER_L2, username=f"eng-{i}") for i in range(6)
    ]
    teams = [factories.team(engineers[i % 6], code=f"team-{i}") for i in range(9)]
    team_case = (
        "CASE "
        + " ".join(f"WHEN g % 9 = {i} THEN {team.pk}" for i, team in enumerate(teams))
        + " END"
    )
    user_case = (
        "CASE "
        + " ".join(f"WHEN g % 6 = {i} THEN {user.pk}" for i, user in enumerate(engineers))
        + " END"
    )
    customer_case = (
        f"CASE WHEN g % 100 < 55 THEN {customer_a.pk} WHEN g % 100 < 85 THEN {customer_b.pk} "
        f"ELSE {small.pk} END"
    )
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            INSERT INTO {TABLE} (created_at, updated_at, version, number, kind, title,
              description, status, impact, urgency, priority, form_data, customer_id,
              contact_email, channel, opened_at, due_at, breached, resolution_code,
              resolution, is_major, time_spent_minutes, return_count, reassignment_count,
              reopen_count, escalation_level, missing_fields, is_complete, flapping,
              assignment_group_id, assignee_id)
            SELECT o, o, 1, 'P-' || g, 'incident', 'Plan ticket ' || g, '', st, '2', '2', pr,
              '{{}}'::jsonb, {customer_case}, '', 'phone', o,
              CASE WHEN st IN ('new', 'assigned', 'in_progress')
                   THEN o + (g % 500) * INTERVAL '1 hour' END,
              g % 11 = 0, '', '', g % 997 = 0, 0, 0, 0, 0, 0, '[]'::jsonb, g % 5 <> 0, false,
              CASE WHEN st <> 'new' THEN {team_case} END,
              CASE WHEN st <> 'new' AND g % 4 <> 0 THEN {user_case} END
            FROM (SELECT g, now() - (({ROWS} - g) * INTERVAL '10 minutes') AS o,
                         {_case("(g * 7919) % 1000", STATUSES, 1000)} AS st,
                         {_case("(g * 31) % 100", PRIORITIES, 100)} AS pr
                  FROM generate_series(1, {ROWS}) AS s(g)) rows
            """
        )
        # a sample of every row: the same statistics, so the same plans, on every run
        cursor.execute("SET LOCAL default_statistics_target = 1000")
        cursor.execute(f"ANALYZE {TABLE}")
    return {
        "teams": teams,
        "customers": [customer_a, customer_b, small],
        "agent": agent,
        "customer_user": customer_user,
        "engineers": engineers,
    }


def _nodes(plan):
    yield plan
    for child in plan.get("Plans", ()):
        yield from _nodes(child)


def _problems(sql: str) -> list[str]:
    """What is wrong with the plan of *sql* (the statement as sent: its values bound)."""
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN (ANALYZE, TIMING OFF, FORMAT JSON) {sql}")
        (plan,) = cursor.fetchone()
    if isinstance(plan, str):
        plan = json.loads(plan)
    found, read = [], 0
    for node in _nodes(plan[0]["Plan"]):
        kind = node["Node Type"]
        loops = node.get("Actual Loops", 1)
        if kind == "Seq Scan" and node.get("Relation Name") == TABLE:
            found.append("sequential scan of the tickets")
        if kind in ("Sort", "Incremental Sort"):
            fed = node["Plans"][0]["Actual Rows"] * node["Plans"][0].get("Actual Loops", 1)
            if fed > SORT_MAX:
                found.append(f"sorts {fed} rows")
        # the ticket rows a scan fetches (an index scan's, a bitmap's heap rows): the entries
        # of a bitmap index scan are not rows read, and a combination of common values ANDs
        # bitmaps of thousands of them by design
        if node.get("Relation Name") == TABLE and kind != "Bitmap Index Scan":
            read += loops * (
                node.get("Actual Rows", 0)
                + node.get("Rows Removed by Filter", 0)
                + node.get("Rows Removed by Index Recheck", 0)
            )
    if read > READ_MAX:
        found.append(f"reads {read} rows")
    if found:  # the plan's nodes, to see which index it took
        found.append(
            " / ".join(
                f"{n['Node Type']} {n.get('Index Name', n.get('Relation Name', ''))} "
                f"{n.get('Actual Rows')}+{n.get('Rows Removed by Filter', 0)}"
                for n in _nodes(plan[0]["Plan"])
            )
        )
    return found


def _page_statements(get_page) -> tuple[list[str], object]:
    """The statements reading the tickets that one page sends, and the page."""
    with CaptureQueriesContext(connection) as captured:
        page = get_page()
    assert page is not None
    return [q["sql"] for q in captured.captured_queries if f'FROM "{TABLE}"' in q["sql"]], page


def _html(user, query: dict, cursor: str = ""):
    params = {**query, **({"cursor": cursor} if cursor else {})}
    request = RequestFactory().get("/desk/", params)
    request.user = user
    request.session = {}  # no chosen columns: the queue's default ones
    view = TicketList()
    view.setup(request)
    queryset = view.filtered_queryset()
    assert queryset is not None, (query, view.filter_errors())

    def page():
        from itsm.core.lists.rows import page_rows

        return keyset_page(page_rows(queryset), request, view.sort(), page_size=50)

    return page


def _api(user, query: dict, cursor: str = ""):
    params = {**query, **({"cursor": cursor} if cursor else {})}
    request = APIRequestFactory().get("/api/desk/tickets/", params)
    force_authenticate(request, user=user)
    view = TicketViewSet.as_view({"get": "list"})

    def page():
        response = view(request)
        assert response.status_code == 200, (query, response.data)
        return response.data

    return page


def _combinations(data, *, staff: bool):
    teams, customers = data["teams"], data["customers"]
    statuses = [None, ["assigned", "in_progress"], ["new"], ["pending_customer"]]
    priorities = [None, "p3", "p1"]
    groups = [None, teams[0].pk] if staff else [None]
    owners = [None, customers[0].pk, customers[2].pk] if staff else [None]
    for status, priority, group, customer in itertools.product(
        statuses, priorities, groups, owners
    ):
        query: dict = {}
        if status:
            query["status"] = status
        if priority:
            query["priority"] = priority
        if group:
            query["assignment_group"] = group
        if customer:
            query["customer"] = customer
        yield query


@pytest.mark.parametrize("surface", ["html", "api"])
@pytest.mark.parametrize("who", ["staff", "customer"])
def test_every_queue_filter_is_served_by_an_index(queue, surface, who):
    user = queue["agent"] if who == "staff" else queue["customer_user"]
    sorts = ["due_at", "-opened_at"] + (["", "-id"] if surface == "api" else [])
    failures = []
    checked = 0
    for query in _combinations(queue, staff=who == "staff"):
        for sort in sorts:
            full = {**query, **({"sort": sort} if sort else {})}
            make = _html if surface == "html" else _api
            statements, page = _page_statements(make(user, full))
            cursor = _cursor_of(page, surface)
            pages = [("first", statements)]
            if cursor:
                pages.append(("next", _page_statements(make(user, full, cursor))[0]))
            for name, sent in pages:
                for sql in sent:
                    checked += 1
                    for problem in _problems(sql):
                        failures.append(f"{surface} {who} {full} {name}: {problem}")
    assert checked > 20
    assert not failures, "\n".join(failures)


def _cursor_of(page, surface):
    if surface == "html":
        return page.next_cursor or ""
    link = page.get("next")
    if not link:
        return ""
    from urllib.parse import parse_qs, urlsplit

    return parse_qs(urlsplit(link).query)["cursor"][0]
