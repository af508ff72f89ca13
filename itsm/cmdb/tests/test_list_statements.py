"""The exact SQL statements of one CI list request, HTML (``/cmdb/``) and API
(``/api/cmdb/cis/``), for provider staff and for a customer user, with 3 and with 60 CIs
(more than a page of 50): a per-row query, or any new statement, changes the number.

What the numbers are made of (PostgreSQL and SQLite alike):

* every request of a session: the session, and the user with its organisation and roles
  (one statement, ``core.sessions.SessionUserBackend``);
* the HTML page: its 51 rows, the capped count (``SELECT count(*) FROM (SELECT … LIMIT
  10 001)``) — not when the first page holds every matching row (``counted_by_page``) — and
  the filter form's choices (CI classes; the customer filter's organisations for staff — a
  customer's form offers no customer filter);
* the API: its 51 rows; with ``?count=true`` the capped count too.

A search (``?q=``) on PostgreSQL asks the planner for its estimate first (one ``EXPLAIN``,
``paging.capped_count``) when the page does not hold every match: a common text is then shown
as its estimate with no count; a text the planner expects at most ``ESTIMATE_ABOVE`` rows of is
counted too. The ``EXPLAIN`` is needed: only the planner tells a common text (whose count
would cost tens of milliseconds at 1 000 000 CIs) from a rare one without counting.
"""

import pytest
from django.db import connection
from django.test import Client

from itsm.cmdb.models import ConfigurationItem
from itsm.cmdb.tests.factories import CIFactory

pytestmark = pytest.mark.django_db

BASE = 2  # session; user with organisation and roles
HTML = {"staff": BASE + 1 + 1 + 2, "customer": BASE + 1 + 1 + 1}
API = {"staff": BASE + 1, "customer": BASE + 1}


def _grow(customer, to: int) -> None:
    for index in range(ConfigurationItem.objects.count(), to):
        CIFactory(customer=customer, identifier=f"stmt-{index}", name=f"CI {index}")


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.mark.parametrize("rows", [3, 60])
@pytest.mark.parametrize("who", ["staff", "customer"])
def test_list_page_statements(who, rows, readers, customer_a, django_assert_num_queries):
    _grow(customer_a, rows)
    client = _client(readers[who])
    client.get("/cmdb/")  # warm: content types, translations
    statements = HTML[who] - (rows <= 50)  # one page holds every row: no count
    with django_assert_num_queries(statements):
        response = client.get("/cmdb/")
    assert response.status_code == 200
    assert response.content.decode().count('<td data-column="number"') == min(rows, 50)
    with django_assert_num_queries(statements):  # a filtered page and the next page alike
        assert client.get("/cmdb/?status=planned&criticality=medium").status_code == 200


@pytest.mark.parametrize("rows", [3, 60])
@pytest.mark.parametrize("who", ["staff", "customer"])
def test_api_list_statements(who, rows, readers, customer_a, django_assert_num_queries):
    _grow(customer_a, rows)
    client = _client(readers[who])
    client.get("/api/cmdb/cis/")
    with django_assert_num_queries(API[who]):
        response = client.get("/api/cmdb/cis/")
    results = response.json()["results"]
    assert len(results) == min(rows, 50)
    # the class code comes from the page's own query (an annotation), not a query per row
    codes = dict(ConfigurationItem.objects.values_list("id", "ci_class__code"))
    assert [row["ci_class_code"] for row in results] == [codes[row["id"]] for row in results]
    with django_assert_num_queries(API[who] + 1):
        body = client.get("/api/cmdb/cis/", {"count": "true"}).json()
    assert (body["count"], body["count_capped"]) == (rows, False)


@pytest.mark.parametrize("rows", [3, 60])
@pytest.mark.parametrize("who", ["staff", "customer"])
def test_search_page_statements(who, rows, readers, customer_a, django_assert_num_queries):
    _grow(customer_a, rows)
    client = _client(readers[who])
    client.get("/cmdb/?q=stmt")
    statements = HTML[who]
    if rows <= 50:
        statements -= 1  # one page holds every match: no count, no estimate
    elif connection.vendor == "postgresql":
        statements += 1  # the planner's estimate (a few rows: counted as well)
    with django_assert_num_queries(statements):
        response = client.get("/cmdb/?q=stmt")
    assert response.content.decode().count('<td data-column="number"') == min(rows, 50)
