"""The CI list's pages in the orders that are not one index walk of the CI table
(``core.lists.paging``): sorted by another table's column (customer, class) — built group by
group — and ``?q=`` sorted by a searched column (a stretch of the column's index walked, then
the matches sorted). Every page, walked through its cursors, must hold exactly the rows of the
one ordered query (``order``) in its order: ties between groups with the same name, shared CIs
(no customer) last in both directions, a customer user's rows only, the database sorting the
rest when there are more related rows than a page reads (``GROUP_ROWS``), and a page whose
matches the walked stretch (``WALK_ROWS``) holds in full, in part or not at all."""

from __future__ import annotations

import re

import pytest
from django.contrib.sessions.backends.db import SessionStore
from django.test import RequestFactory
from django.utils import translation

from itsm.cmdb import services
from itsm.cmdb.choices import CIStatus
from itsm.cmdb.lists import CIList
from itsm.cmdb.tests.factories import CIFactory
from itsm.core import services as core_services
from itsm.core.choices import OrganisationKind
from itsm.core.lists import paging

pytestmark = pytest.mark.django_db

PAGE = 3


@pytest.fixture
def cis(customer_a, customer_b):
    twin = core_services.create_organisation(
        code="cust-a2", name=customer_a.name, kind=OrganisationKind.CUSTOMER
    )  # the same name as customer_a: one group of two organisations
    owners = [customer_a, customer_b, twin, None, customer_a, None, customer_b]
    classes = ["application", "server", "virtual_machine", "application"]
    rows = []
    for index in range(17):
        rows.append(
            CIFactory(
                name=f"{'web' if index % 3 else 'db'}-{index % 5:02d}",
                identifier=f"tag-{index:03d}",
                customer=owners[index % len(owners)],
                ci_class=services.get_class(classes[index % len(classes)]),
            )
        )
    return rows


def _call(user, query: str):
    request = RequestFactory().get("/cmdb/" + (f"?{query}" if query else ""))
    request.user = user
    request.session = SessionStore()
    response = CIList.as_view(page_size=PAGE)(request)
    if hasattr(response, "render"):
        response.render()
    return response


def _walk(user, query: str) -> list[int]:
    ids: list[int] = []
    response = _call(user, query)
    for _page in range(30):
        assert response.status_code == 200
        ids += [row.pk for row in response.context_data["page"].rows]
        cursor = response.context_data["page"].next_cursor
        if cursor is None:
            return ids
        response = _call(user, f"{query}&cursor={cursor}" if query else f"cursor={cursor}")
    raise AssertionError("the pages never end")


def _expected(user, query: str) -> list[int]:
    """The ids of the one ordered query: the order the pages must keep."""
    view = CIList()
    view.setup(RequestFactory().get("/cmdb/?" + query))
    view.request.user = user
    view.request.session = SessionStore()
    return [row.pk for row in paging.order(view.filtered_queryset(), view.sort())]


@pytest.mark.parametrize("group_rows", [paging.GROUP_ROWS, 1])
@pytest.mark.parametrize("sort", ["customer", "-customer", "ci_class", "-ci_class"])
@pytest.mark.parametrize("filters", ["", f"status={CIStatus.PLANNED}&q=web"])
@pytest.mark.parametrize("who", ["staff", "customer"])
def test_a_joined_sort_pages_group_by_group_in_the_order_of_one_query(
    who, filters, sort, group_rows, readers, cis, monkeypatch
):
    monkeypatch.setattr(paging, "GROUP_ROWS", group_rows)
    user = readers[who]
    query = f"{filters}&sort={sort}" if filters else f"sort={sort}"
    expected = _expected(user, query)
    if who == "staff" and not filters:
        assert len(expected) == len(cis)
    assert _walk(user, query) == expected


def test_shared_cis_come_last_in_both_directions(readers, cis):
    for sort in ("customer", "-customer"):
        ids = _walk(readers["staff"], f"sort={sort}")
        shared = {ci.pk for ci in cis if ci.customer_id is None}
        assert set(ids[-len(shared) :]) == shared
        assert ids[-len(shared) :] == sorted(shared, reverse=sort.startswith("-"))


@pytest.mark.parametrize("walk_rows", [paging.WALK_ROWS, 1, 5])
@pytest.mark.parametrize("sort", ["name", "-name", "identifier", "-identifier"])
@pytest.mark.parametrize("who", ["staff", "customer"])
def test_a_search_sorted_by_a_searched_column_sorts_its_matches(
    who, sort, walk_rows, readers, cis, monkeypatch
):
    monkeypatch.setattr(paging, "WALK_ROWS", walk_rows)
    user = readers[who]
    query = f"q=web&sort={sort}"
    expected = _expected(user, query)
    assert expected  # the search finds rows
    visible = [ci for ci in cis if who == "staff" or ci.customer_id == user.organisation_id]
    column = sort.lstrip("-")
    matches = sorted(
        (ci for ci in visible if "web" in ci.name),
        key=lambda ci: (getattr(ci, column), ci.pk),
        reverse=sort.startswith("-"),
    )
    assert expected == [ci.pk for ci in matches]
    assert _walk(user, query) == expected


def test_a_cursor_of_a_joined_sort_the_list_did_not_make_answers_400(readers, cis):
    import base64
    import json

    for data in (["x", -1], [["x"], 1], ["x", "1"]):
        cursor = base64.urlsafe_b64encode(json.dumps(data).encode()).decode().rstrip("=")
        response = _call(readers["staff"], f"sort=customer&cursor={cursor}")
        assert response.status_code == 400


@pytest.mark.parametrize("estimate_above", [0, 1_000_000])
def test_a_search_with_many_matches_shows_the_planners_estimate(
    estimate_above, readers, cis, monkeypatch
):
    """On PostgreSQL a search whose estimate is above ``ESTIMATE_ABOVE`` is not counted: one
    ``EXPLAIN`` instead, shown as "About N rows"; below it (and on SQLite) the count is
    exact."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    monkeypatch.setattr(paging, "ESTIMATE_ABOVE", estimate_above)
    with CaptureQueriesContext(connection) as captured, translation.override("en"):
        response = _call(readers["staff"], "q=web")
    count = response.context_data["list"]["count"]
    statements = [
        q["sql"] for q in captured.captured_queries if "cmdb_configurationitem" in q["sql"]
    ]
    estimated = connection.vendor == "postgresql" and estimate_above == 0
    assert count.estimated is estimated
    assert any(sql.startswith("EXPLAIN") for sql in statements) is (
        connection.vendor == "postgresql"
    )
    assert any(sql.startswith("SELECT COUNT(*)") for sql in statements) is not estimated
    if estimated:
        assert count.value > 0
        assert "About " in response.content.decode()
        with translation.override("zh-hans"):
            assert re.search(r"约 \d", _call(readers["staff"], "q=web").content.decode())
    else:
        assert count == paging.Count(sum("web" in ci.name for ci in cis), False)
