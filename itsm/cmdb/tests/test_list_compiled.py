"""The CI list's page and count statements compiled once per shape (``core.compiled.shaped``,
``shaped_count``) are the ORM's, for every filter combination of the list.

For each reader (provider staff, a customer user), each filter of ``CIFilterSet`` alone, every
pair and all of them together, several sorts, with and without a cursor: the page query is built
as ``keyset_page`` builds it, twice — with two sets of values of the same shape (another class,
status, customer, search text, cursor) — and its SQL and parameters, compiled through the kept
shape, must be exactly what the ORM compiles for that query; a second query whose SQL the ORM
writes the same must be served from the kept shape (no new shape); its rows and its count must
be the ORM's. Both engines (the CI run has SQLite and PostgreSQL).
"""

from __future__ import annotations

import itertools

import pytest
from django.contrib.sessions.backends.db import SessionStore
from django.core.exceptions import EmptyResultSet
from django.db import connection
from django.db.models.sql import Query
from django.test import Client, RequestFactory
from django.test.utils import CaptureQueriesContext

from itsm.cmdb import services
from itsm.cmdb.lists import CIList
from itsm.cmdb.models import ConfigurationItem
from itsm.cmdb.tests.factories import CIFactory
from itsm.core import compiled
from itsm.core.lists.paging import after, encode_cursor, order
from itsm.core.lists.rows import page_rows

pytestmark = pytest.mark.django_db

#: each filter's two values of one shape (a list: several values of a multiple choice)
VALUES = {
    "q": [("web", "zzz"), ("we", "db"), ("交换", "核心")],
    "ci_class": [
        ("server", "application"),
        (["server", "application"], ["network_device", "server"]),
    ],
    "status": [("in_use", "retired"), (["in_use", "planned"], ["retired", "in_use"])],
    "criticality": [("high", "low")],
    "customer": [("a", "b")],
    "shared": [("true", "true"), ("false", "false")],
    "identifier": [("tag-001", "tag-002")],
}
SORTS = ("", "name", "-number", "-location")
#: the sorts also tried after a cursor
CURSOR_SORTS = ("", "name")


@pytest.fixture
def cis(customer_a, customer_b):
    owners = [customer_a, customer_b, None]
    classes = ["application", "server", "network_device"]
    return [
        CIFactory(
            name=f"{'web' if index % 3 else 'db'}-{index:02d}",
            identifier=f"tag-{index:03d}",
            location="" if index % 4 else f"room {index}",
            customer=owners[index % 3],
            ci_class=services.get_class(classes[index % 3]),
        )
        for index in range(12)
    ]


def _view(user, params: dict):
    request = RequestFactory().get("/cmdb/", params)
    request.user = user
    request.session = SessionStore()
    view = CIList()
    view.setup(request)
    return view


def _page(view, cursor_row):
    """The page query of keyset_page's one-statement path, and its unpaged rows."""
    queryset = view.filtered_queryset()
    assert queryset is not None, view.filterset.errors
    sort = view.sort()
    ordered = order(queryset, sort)
    if cursor_row is not None:
        keyed = order(ConfigurationItem.objects.all(), sort).get(pk=cursor_row.pk)
        ordered = after(ordered, sort, encode_cursor(keyed, sort))
    return page_rows(ordered)[:51], queryset


def _combinations():
    names = list(VALUES)
    singles = [(name,) for name in names]
    pairs = list(itertools.combinations(names, 2))
    for combination in [*singles, *pairs]:
        choices = [VALUES[name] for name in combination]
        for values in itertools.product(*choices):
            yield dict(zip(combination, values, strict=True))
    yield {name: values[0] for name, values in VALUES.items()}


def _params(given: dict, variant: int, customers) -> dict:
    params = {}
    for name, pair in given.items():
        value = pair[variant]
        params[name] = customers[value] if name == "customer" else value
    return params


def _plain(queryset):
    """*queryset* compiled by the ORM alone (the list's FilterSet gives shaped rows)."""
    plain = queryset._chain()
    plain.query.__class__ = Query
    return plain


def _orm_sql(queryset):
    """The ORM's SQL and parameters, ``("empty", ())`` when it can match nothing."""
    try:
        sql, params = _plain(queryset).query.get_compiler(using=queryset.db).as_sql()
    except EmptyResultSet:
        return "empty", ()
    return sql, tuple(params)


def _shaped_sql(queryset):
    try:
        sql, params = queryset.query.get_compiler(using=queryset.db).as_sql()
    except EmptyResultSet:
        return "empty", ()
    return sql, tuple(params)


@pytest.mark.parametrize("who", ["staff", "customer"])
def test_shaped_pages_are_the_orm_statements(who, readers, cis, customer_a, customer_b):
    user = readers[who]
    customers = {"a": customer_a.pk, "b": customer_b.pk}
    compiled.forget_shapes()
    checked = hits = 0
    for given in _combinations():
        for sort in SORTS:
            cursors_tried = (
                [(None, None), (cis[1], cis[7])] if sort in CURSOR_SORTS else [(None, None)]
            )
            for cursors in cursors_tried:
                made = []
                for variant in (0, 1):
                    params = _params(given, variant, customers)
                    if sort:
                        params["sort"] = sort
                    view = _view(user, params)
                    if view.filtered_queryset() is None:
                        break  # a value the reader may not use: not a page
                    page, _rows = _page(view, cursors[variant])
                    expected = _orm_sql(page)
                    before = len(compiled._SHAPES)
                    shaped = compiled.shaped(page)
                    assert isinstance(shaped.query, compiled.ShapedQuery)
                    assert _shaped_sql(shaped) == expected, (given, sort, variant)
                    made.append((expected[0], len(compiled._SHAPES) - before))
                    checked += 1
                if len(made) == 2 and made[0][0] == made[1][0]:
                    assert made[1][1] == 0, ("the same SQL is one shape", given, sort)
                    hits += 1
    assert checked > 500 and hits > checked // 4
    compiled.forget_shapes()


@pytest.mark.parametrize("who", ["staff", "customer"])
def test_shaped_rows_and_counts_are_the_orms(who, readers, cis, customer_a, customer_b):
    user = readers[who]
    customers = {"a": customer_a.pk, "b": customer_b.pk}
    compiled.forget_shapes()
    for given in [{}, {"status": VALUES["status"][1]}, {"q": VALUES["q"][0]}, dict(VALUES)]:
        given = {
            name: value[0] if isinstance(value, list) else value for name, value in given.items()
        }
        for variant in (0, 1, 0):
            view = _view(user, _params(given, variant, customers))
            if view.filtered_queryset() is None:
                continue
            page, queryset = _page(view, None)
            expected = [row.pk for row in _plain(page)]
            assert [row.pk for row in compiled.shaped(page)] == expected
            counted = queryset.order_by().values("pk")[:11]
            with CaptureQueriesContext(connection) as orm:
                value = _plain(counted).count()
            with CaptureQueriesContext(connection) as kept:
                assert compiled.shaped_count(counted) == value
            assert _statements(kept) == _statements(orm)
    compiled.forget_shapes()


def test_an_empty_filter_is_left_to_the_orm(readers, cis):
    """``shared=true`` for a customer user answers ``none()``: no statement, no shape."""
    view = _view(readers["customer"], {"shared": "true"})
    page, queryset = _page(view, None)
    compiled.forget_shapes()
    assert list(compiled.shaped(page)) == []
    assert compiled.shaped_count(queryset) == 0
    assert not compiled._SHAPES


#: (path, first query, second query of the same shape): whole requests, HTML and API, the
#: pages built in several statements (a sort by another table's column, a search sorted by
#: name) among them
REQUESTS = [
    ("/cmdb/", {}, {}),
    (
        "/cmdb/",
        {"sort": "name", "cursor": "WyJkYi0wMCIsIDFd"},
        {"sort": "name", "cursor": "WyJ3ZWItMDUiLCAzXQ"},
    ),
    ("/api/cmdb/cis/", {}, {}),
    ("/cmdb/", {"status": "in_use"}, {"status": "retired"}),
    (
        "/cmdb/",
        {"ci_class": "server", "sort": "customer"},
        {"ci_class": "storage", "sort": "customer"},
    ),
    ("/cmdb/", {"q": "web", "sort": "name"}, {"q": "zzz", "sort": "name"}),
    (
        "/cmdb/",
        {"criticality": "high", "sort": "-ci_class"},
        {"criticality": "low", "sort": "-ci_class"},
    ),
    ("/api/cmdb/cis/", {"status": "in_use"}, {"status": "retired"}),
    ("/api/cmdb/cis/", {"q": "web", "count": "true"}, {"q": "zzz", "count": "true"}),
    ("/api/cmdb/cis/", {"identifier": "tag-001"}, {"identifier": "tag-002"}),
]


def _statements(captured) -> list[str]:
    """The statements sent, but the session's (its expiry is compared with the time)."""
    return [q["sql"] for q in captured.captured_queries if "django_session" not in q["sql"]]


@pytest.mark.parametrize("who", ["staff", "customer"])
def test_requests_send_the_orm_statements(who, readers, cis):
    """A request served from kept shapes sends the statements the ORM alone sends."""
    client = Client()
    client.force_login(readers[who])
    for path, first, second in REQUESTS:
        compiled.forget_shapes()
        client.get(path, first)
        with CaptureQueriesContext(connection) as kept:
            assert client.get(path, second).status_code == 200
        compiled.forget_shapes()
        with CaptureQueriesContext(connection) as orm:
            client.get(path, second)
        assert _statements(kept) == _statements(orm), (path, second)
    compiled.forget_shapes()
