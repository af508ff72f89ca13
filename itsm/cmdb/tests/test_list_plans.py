"""Every filter combination of the CI list (page and API) is served by an index (issue 10 item 2).

PostgreSQL only (the SQLite run skips it; CI runs both engines). The CI table is filled with
:data:`ROWS` rows whose class, status, criticality, customer, supplier, name and identifier
follow skewed distributions (common values, rare ones, a class and a customer without rows),
then ``ANALYZE``d with a statistics target that samples every row, so the plans do not vary
from run to run. For each list — the HTML list (:class:`~itsm.cmdb.lists.CIList`) and
``/api/cmdb/cis/`` — and each kind of reader (provider staff, a customer user of a large and of
a tiny customer, a supplier contact), the test builds the page query the list really runs
(the view's own ``filtered_queryset``/``sort`` and the keyset ``order``, or the viewset's
``get_queryset``/``filter_queryset`` and its paginator's ordering) for:

* every filter of the FilterSet alone, with each of its values (choices: every choice;
  model choices: the most common, the rarest and an unused row; yes/no: both; text filters:
  the samples of :data:`TEXT_SAMPLES`), and for provider staff every pair of filters (their
  most common and their rarest values);
* single filters for provider staff with every sort the list offers: the default and each
  sortable column, ascending and descending; pairs, and the other readers, with
  :data:`PAIR_SORTS` (the API: its paginator's ordering) — about 1 100 plans, ~15–25 s.

It runs ``EXPLAIN (ANALYZE, TIMING OFF, FORMAT JSON)`` on the page query (the actual row
counts, not the planner's guesses; no timing is asserted) and fails, naming the list, the
reader, the filter and the sort, when the plan

* has a ``Seq Scan`` of the CI table (small tables — classes, organisations — may be scanned);
* **sorts all matching rows**: a ``Sort`` or ``Incremental Sort`` node whose input delivers
  more than :data:`SORT_MAX` rows. A sort under the page's ``LIMIT`` over the few rows a
  selective filter finds is fine (that is how a rare value is served); a sort of a large
  share of the table means no index delivered the order and the cost grows with the table.
  The bound is 4 % of the table (2 000 rows): at 50 000 rows the planner rightly prefers
  sorting the few hundred rows of a 1–3 % filter to walking an index, which at 1 000 000
  rows it no longer does;
* **reads too much of the table**: the rows its scans of the CI table and of its indexes
  return or discard (``Actual Rows`` + ``Rows Removed by Filter``/``by Index Recheck``, times
  the loops) exceed :data:`READ_MAX` — this catches an index walked in sort order while a
  filter rejects almost every row, which an ``EXPLAIN`` without ``ANALYZE`` cannot show. The
  bound (40 % of the table) lets a walk past the rows of a filter as rare as 0.5 % through
  (about 10 000 rows at any table size) and catches a walk through the whole table.

The API list's pages (``/api/cmdb/cis/``) are checked for every combination without a sort
(DRF's page) and with :data:`PAIR_SORTS`, and without a filter with every sort: ``?sort=``
takes the HTML list's keys and reads the HTML list's page (``keyset_page``, ``CIList.sort``)
on the API's own query (the class's code joined instead of the class row), so its plans are
checked the same way, the next page of its joined sorts and of a search sorted by name too.

The page after a cursor (``core.lists.paging.after``) is checked for provider staff without a
filter, for every sort, from a cursor in the middle of the table: its condition must let the
index start at the cursor rather than walk from the first entry; and for every reader, for
the sorts built in more than one statement (below) and the search sorted by name, from the
50th row. The capped count is the list's own query, not checked here.

Sorts on a column of another table (class, customer, supplier, owner names,
:data:`JOINED_SORTS`) cannot be served by an index of the CI table: ``keyset_page`` builds
those pages group by group (the related rows in name order, each group's CIs through the
``(customer, id)``-style index), in several statements; the test runs the page and checks
every statement it sends to the CI table. A search sorted by a column it searches or by
another table's column (``CIList.sort``: ``sort_matches``) sorts the rows the text index
finds: a walk in a searched column's order would pass every row before the matches (they lie
together in that order), and a group's probe would walk its rows looking for matches it may
not hold. Its sort may take up to :data:`SEARCH_SORT_MAX` rows (the common search text
:data:`COMMON_TEXT` finds one name in
eight) and read :data:`SEARCH_READ_MAX` (with a customer's rows) — except the next page of
that search sorted by name for provider staff: its matches lie together in name order, so the
page is found in the stretch of the name index after the cursor (``paging.WALK_ROWS`` rows),
and may sort no more than :data:`SORT_MAX` rows (the matches sorted again would be 6 000).
"""

from __future__ import annotations

import itertools
import json

import pytest
from django.core.exceptions import EmptyResultSet
from django.db import connection
from django.db.models import Count
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django_filters import filters as df
from rest_framework.test import APIRequestFactory, force_authenticate

from itsm.cmdb.api.views import ConfigurationItemViewSet
from itsm.cmdb.lists import CIList
from itsm.cmdb.models import CIClass, ConfigurationItem
from itsm.core import services
from itsm.core.choices import OrganisationKind, Role
from itsm.core.lists.paging import after, encode_cursor, joined_sort, keyset_page, order
from itsm.core.policy import is_provider_staff
from itsm.core.testing.factories import get_provider

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="query plans are checked on PostgreSQL"
    ),
]

ROWS = 50_000
SORT_MAX = ROWS // 25
READ_MAX = ROWS * 2 // 5
TABLE = ConfigurationItem._meta.db_table

#: values of the text filters (the test data's names are "<word>-<7 digits>")
TEXT_SAMPLES = {
    "q": ["web", "0012345", "CI-0004321", "ab", "zzzz"],
    "identifier": ["@identifier", "NO-SUCH-TAG"],
}

#: the sorts tried with pairs of filters and for customers and suppliers (provider staff's
#: single filters are tried with every sort)
PAIR_SORTS = ("", "name", "-updated_at")

#: sorts by another table's column: built group by group in several statements (module docstring)
JOINED_SORTS = {"ci_class", "customer", "supplier", "owner"}

#: a search text found in a large share of the rows (one name in eight): sorted by the column
#: it is found in, its matches lie together in that order (all after "proxy-…"), so the page
#: sorts the matches the text index finds instead of walking that column's index
COMMON_TEXT = {"web"}

#: the rows a search sorted by a searched column may sort (the common text's matches), and
#: read: a customer's page combines the text index's matches with the customer's rows
SEARCH_SORT_MAX = ROWS // 5
SEARCH_READ_MAX = ROWS * 3 // 5


def _bounds(params, sort: str) -> tuple[int, int]:
    """(rows it may sort, rows it may read) of a page: more when it sorts the search's
    matches (``CIList.sort``)."""
    if params.get("q") and sort.lstrip("-") in {*CIList.SEARCHED, *JOINED_SORTS}:
        return SEARCH_SORT_MAX, SEARCH_READ_MAX
    return SORT_MAX, READ_MAX


def _fill(classes, customers, supplier) -> None:
    """ROWS CIs in one INSERT … SELECT: class 40/20/15/10/10/4/0.9/0.1 %, one class and one
    customer without rows; customer 20 % shared, 30 % the first, 0.1 % the last, the rest
    spread; status in use 70 %, retired 15 %, planned 14.5 %, maintenance 0.5 %."""
    cls = " ".join(
        f"WHEN h < {limit} THEN {pk}"
        for limit, pk in zip((400, 600, 750, 850, 950, 990, 999, 1000), classes, strict=False)
    )
    spread = ",".join(str(pk) for pk in customers[1:-2])
    customer = (
        f"CASE WHEN h2 < 200 THEN NULL WHEN h2 < 500 THEN {customers[0]} "
        f"WHEN h2 = 999 THEN {customers[-2]} "
        f"ELSE (ARRAY[{spread}])[1 + (h2 % {len(customers) - 3})] END"
    )
    status = (
        "CASE WHEN h3 < 700 THEN 'in_use' WHEN h3 < 850 THEN 'retired' "
        "WHEN h3 < 995 THEN 'planned' ELSE 'maintenance' END"
    )
    criticality = (
        "CASE WHEN h4 < 500 THEN 'medium' WHEN h4 < 800 THEN 'low' "
        "WHEN h4 < 980 THEN 'high' ELSE 'critical' END"
    )
    words = "ARRAY['web','db','cache','mail','erp','crm','proxy','backup']"
    with connection.cursor() as cursor:
        # the indexes are built once after the rows (much faster than row by row; all in the
        # test's transaction, so the table is as the migrations made it afterwards)
        cursor.execute(
            "SELECT indexname, indexdef FROM pg_indexes i WHERE tablename = %s AND NOT EXISTS "
            "(SELECT 1 FROM pg_constraint c WHERE c.conindid = "
            "(quote_ident(i.schemaname) || '.' || quote_ident(i.indexname))::regclass)",
            [TABLE],
        )
        indexes = cursor.fetchall()
        for name, _definition in indexes:
            cursor.execute(f'DROP INDEX "{name}"')
        # foreign keys checked at the INSERT, not at commit: no pending trigger events may be
        # left when an index is created
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute(
            f"INSERT INTO {TABLE} (created_at, updated_at, version, number, name, ci_class_id, "
            "identifier, status, criticality, owner_id, customer_id, supplier_id, location, "
            "description, attributes, change_reference) "
            "SELECT now() - (n || ' seconds')::interval, "
            "now() - (((n * 7919) % 1000003) || ' seconds')::interval, 1, "
            "'CI-' || lpad(n::text, 7, '0'), "
            f"({words})[1 + (h % 8)] || '-' || lpad(n::text, 7, '0'), CASE {cls} END, "
            "CASE WHEN h5 % 2 = 0 THEN 'SN' || upper(substr(md5(n::text), 1, 12)) ELSE '' END, "
            f"{status}, {criticality}, NULL, {customer}, "
            f"CASE WHEN h5 < 900 THEN NULL ELSE {supplier} END, "
            "'Room ' || (abs(hashint8extended(n, 6)) % 50), '', "
            "'{}'::jsonb, '' "
            "FROM (SELECT n, abs(hashint8extended(n, 1)) % 1000 AS h, "
            "abs(hashint8extended(n, 2)) % 1000 AS h2, abs(hashint8extended(n, 3)) % 1000 AS h3, "
            "abs(hashint8extended(n, 4)) % 1000 AS h4, abs(hashint8extended(n, 5)) % 1000 AS h5 "
            f"FROM generate_series(1000001::bigint, {1_000_000 + ROWS}) AS s(n)) AS g"
        )
        for _name, definition in indexes:
            cursor.execute(definition)
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")
        # a statistics target whose sample (300 × target rows) holds the whole table
        cursor.execute(f"SET LOCAL default_statistics_target = {ROWS // 300 + 1}")
        cursor.execute(f"ANALYZE {TABLE}")
        cursor.execute("RESET default_statistics_target")


@pytest.fixture
def readers():
    provider = get_provider()
    customers = [
        services.create_organisation(
            code=f"plan-c{i:02d}", name=f"Customer {i:02d}", kind=OrganisationKind.CUSTOMER
        )
        for i in range(12)
    ]
    supplier = services.create_organisation(
        code="plan-s", name="Supplier", kind=OrganisationKind.SUPPLIER
    )
    classes = list(CIClass.objects.order_by("id").values_list("id", flat=True))
    _fill(classes, [c.pk for c in customers], supplier.pk)

    def user(name, organisation, role):
        return services.create_user(username=name, organisation=organisation, roles=(role,))

    return {
        "staff": user("plan-staff", provider, Role.CONFIGURATION_MANAGER),
        "customer (large)": user("plan-big", customers[0], Role.CUSTOMER_USER),
        "customer (tiny)": user("plan-tiny", customers[-2], Role.CUSTOMER_USER),
        "supplier": user("plan-supplier", supplier, Role.SUPPLIER_CONTACT),
    }


# --- the combinations ------------------------------------------------------------------------


def _values(filterset, name, filter_) -> list[str]:
    """The values to try for one filter, most common first and rarest last."""
    field = filterset.form.fields[name]
    if name in TEXT_SAMPLES:
        return [_sample(text) for text in TEXT_SAMPLES[name]]
    if isinstance(filter_, df.BooleanFilter):
        return ["true", "false"]
    if isinstance(filter_, df.ModelChoiceFilter | df.ModelMultipleChoiceFilter):
        key = field.to_field_name or "pk"
        rows = list(field.queryset)
        counts = dict(
            ConfigurationItem.objects.values_list(filter_.field_name)
            .annotate(n=Count("id"))
            .values_list(filter_.field_name, "n")
        )
        rows.sort(key=lambda row: -counts.get(row.pk, 0))
        used = [row for row in rows if counts.get(row.pk)]
        unused = [row for row in rows if not counts.get(row.pk)]
        picked = used[:1] + used[len(used) // 2 : len(used) // 2 + 1] + used[-1:] + unused[:1]
        return list(dict.fromkeys(str(getattr(row, key)) for row in picked))
    if isinstance(filter_, df.ChoiceFilter | df.MultipleChoiceFilter):
        values = [str(value) for value, _label in field.choices if value != ""]
        counts = dict(
            ConfigurationItem.objects.values_list(filter_.field_name)
            .annotate(n=Count("id"))
            .values_list(filter_.field_name, "n")
        )
        return sorted(values, key=lambda value: -counts.get(value, 0))
    raise AssertionError(f"no sample values for the filter {name!r}: add them to TEXT_SAMPLES")


def _sample(text: str) -> str:
    if text == "@identifier":
        return ConfigurationItem.objects.exclude(identifier="").order_by("id")[0].identifier
    return text


def _filter_combinations(filterset, pairs: bool = True) -> list[tuple[dict[str, str], bool]]:
    """(filter values, whether to try every sort): every filter alone with each of its values,
    and (*pairs*) every pair of filters with their most common and with their rarest values."""
    values = {name: _values(filterset, name, f) for name, f in filterset.filters.items()}
    values = {name: options for name, options in values.items() if options}
    combos = [({}, True)]
    combos += [({name: value}, True) for name, options in values.items() for value in options]
    for (a, va), (b, vb) in itertools.combinations(values.items(), 2) if pairs else ():
        for x, y in dict.fromkeys(((va[0], vb[0]), (va[-1], vb[-1]))):
            combos.append(({a: x, b: y}, False))
    return combos


# --- the page queries ------------------------------------------------------------------------


def _html_request(user, params):
    request = RequestFactory().get("/cmdb/cis/", params)
    request.user = user
    request.session = {}
    return request


def html_pages(user):
    """(description, page, sort bound) of the HTML list for every combination and sort; the
    page is its queryset, or the statements ``keyset_page`` sent (a joined sort), then also
    those of the next page."""
    view = CIList()
    view.setup(_html_request(user, {}))
    filterset = view.filterset_class(None, queryset=view.get_queryset(), request=view.request)
    view.drop_unreachable_filters(filterset)
    sorts = [""] + [
        f"{direction}{column.name}"
        for column in view.available_columns()
        if column.sortable
        for direction in ("", "-")
    ]
    staff = is_provider_staff(user)
    for params, every_sort in _filter_combinations(filterset, pairs=staff):
        for sort in sorts if every_sort and staff else PAIR_SORTS:
            query = dict(params, **({"sort": sort} if sort else {}))
            bound = _bounds(params, sort)
            view = CIList()
            view.setup(_html_request(user, query))
            queryset = view.filtered_queryset()
            assert queryset is not None, f"invalid filter {params}: {view.filter_errors()}"
            if joined_sort(queryset.model, view.sort()) is None:
                yield f"page {query}", order(queryset, view.sort())[: view.page_size + 1], bound
                continue
            statements, cursor = _page_statements(user, query)
            yield f"page {query}", statements, bound
            if cursor:
                statements, _cursor = _page_statements(user, dict(query, cursor=cursor))
                yield f"next page {query}", statements, bound


def _page_statements(user, query) -> tuple[list[tuple[str, None]], str | None]:
    """The statements on the CI table of one page (``keyset_page``), and its next cursor."""
    view = CIList()
    view.setup(_html_request(user, query))
    queryset = view.filtered_queryset()
    with CaptureQueriesContext(connection) as captured:
        page = keyset_page(queryset, view.request, view.sort(), page_size=view.page_size)
    sent = [q["sql"] for q in captured.captured_queries]
    return [(sql, None) for sql in sent if f'FROM "{TABLE}"' in sql], page.next_cursor


def cursor_pages(user):
    """(description, page, sort bound) of the page after a cursor: in the middle of the table
    for every sort of one index walk (provider staff, no filter); after the first page for the
    joined sorts and a search sorted by name, with the filters of the bench's slow cases."""
    view = CIList()
    view.setup(_html_request(user, {}))
    columns = [c.name for c in view.available_columns() if c.sortable]
    staff = is_provider_staff(user)
    for sort in [""] + [f"{d}{name}" for name in columns for d in ("", "-")]:
        if sort.lstrip("-") in JOINED_SORTS or not staff:
            continue
        view = CIList()
        view.setup(_html_request(user, {"sort": sort} if sort else {}))
        queryset, key = view.filtered_queryset(), view.sort()
        middle = order(queryset, key)[ROWS // 2]
        page = after(order(queryset, key), key, encode_cursor(middle, key))
        description = f"page after a cursor, sort {sort or 'default'}"
        yield description, page[: view.page_size + 1], (SORT_MAX, READ_MAX)
    for params in ({"q": next(iter(COMMON_TEXT))}, {"status": "in_use", "criticality": "high"}):
        for sort in ("name", "-name", "identifier"):
            query = dict(params, sort=sort)
            _first, cursor = _page_statements(user, query)
            if cursor:
                statements, _next = _page_statements(user, dict(query, cursor=cursor))
                bound = _bounds(params, sort)
                if staff and "q" in params and sort.lstrip("-") == "name":
                    # its matches lie together in name order: the page is found in the
                    # stretch of the name index after the cursor, its matches not sorted again
                    bound = (SORT_MAX, SEARCH_READ_MAX)
                yield f"next page {query}", statements, bound


def api_pages(user):
    """(description, page, sort bound) of ``/api/cmdb/cis/`` for every filter combination:
    DRF's page without ``sort``; with :data:`PAIR_SORTS` (and every sort of the HTML list
    without a filter) the page ``?sort=`` reads — the HTML list's (``keyset_page``: its
    statements when it sends several), on the API's own query — and, for the sorts built in
    several statements and a search sorted by name, the next page through its cursor."""
    viewset = _viewset(user, {})
    filterset = viewset.filterset_class(
        None, queryset=viewset.get_queryset(), request=viewset.request
    )
    view = CIList()
    view.setup(_html_request(user, {}))
    every = ["", "id"] + [  # the keys this user may sort by
        f"{direction}{column.name}"
        for column in view.available_columns()
        if column.sortable
        for direction in ("", "-")
    ]
    for params, _every_sort in _filter_combinations(filterset, pairs=is_provider_staff(user)):
        for sort in every if not params else PAIR_SORTS:
            query = dict(params, **({"sort": sort} if sort else {}))
            viewset = _viewset(user, query)
            queryset = viewset.filter_queryset(viewset.get_queryset())
            paginator = viewset.paginator
            size = paginator.get_page_size(viewset.request)
            key = paginator.requested_sort(viewset.request, viewset)
            if key is None:
                ordering = paginator.get_ordering(viewset.request, queryset, viewset)
                yield f"api {query}", queryset.order_by(*ordering)[: size + 1], (SORT_MAX, READ_MAX)
                continue
            bound = _bounds(params, sort)
            if joined_sort(queryset.model, key) is None and key.walk is None:
                yield f"api {query}", order(queryset, key)[: size + 1], bound
                continue
            statements, cursor = _api_statements(user, query)
            yield f"api {query}", statements, bound
            if cursor:
                statements, _cursor = _api_statements(user, dict(query, cursor=cursor))
                if is_provider_staff(user) and "q" in params and sort.lstrip("-") == "name":
                    bound = (SORT_MAX, SEARCH_READ_MAX)  # as cursor_pages: the name index walked
                yield f"api next page {query}", statements, bound


def _api_statements(user, query) -> tuple[list[tuple[str, None]], str | None]:
    """The statements on the CI table of one sorted API page, and its next cursor."""
    viewset = _viewset(user, query)
    queryset = viewset.filter_queryset(viewset.get_queryset())
    paginator = viewset.paginator
    with CaptureQueriesContext(connection) as captured:
        paginator.paginate_queryset(queryset, viewset.request, viewset)
    page = paginator.sorted_page
    assert page is not None, query
    sent = [q["sql"] for q in captured.captured_queries]
    return [(sql, None) for sql in sent if f'FROM "{TABLE}"' in sql], page.next_cursor


def _viewset(user, params):
    request = APIRequestFactory().get("/api/cmdb/cis/", params)
    force_authenticate(request, user)
    viewset = ConfigurationItemViewSet(
        action="list", action_map={"get": "list"}, format_kwarg=None, args=(), kwargs={}
    )
    viewset.request = viewset.initialize_request(request)
    viewset.headers = {}
    return viewset


# --- the plan checks -------------------------------------------------------------------------


def _nodes(plan, parent=None):
    yield plan, parent
    for child in plan.get("Plans", ()):
        yield from _nodes(child, plan)


def _ci_indexes() -> set[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexname FROM pg_indexes WHERE tablename = %s", [TABLE])
        return {row[0] for row in cursor.fetchall()}


def plan_problems(page, indexes: set[str], bounds=(SORT_MAX, READ_MAX)) -> list[str]:
    """What is wrong with the plans of *page* (a queryset or the statements it sent)."""
    if isinstance(page, list):
        return [
            problem for sql, params in page for problem in _problems(sql, params, indexes, *bounds)
        ]
    try:
        sql, params = page.query.sql_with_params()
    except EmptyResultSet:  # answered without a query (e.g. a customer's shared CIs)
        return []
    return _problems(sql, params, indexes, *bounds)


def _problems(sql: str, params, indexes: set[str], sort_max: int, read_max: int) -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN (ANALYZE, TIMING OFF, FORMAT JSON) {sql}", params)
        (raw,) = cursor.fetchone()
    plan = (json.loads(raw) if isinstance(raw, str) else raw)[0]["Plan"]
    problems, read = [], 0
    for node, _parent in _nodes(plan):
        kind = node["Node Type"]
        loops = node.get("Actual Loops", 1)
        on_table = node.get("Relation Name") == TABLE
        on_index = kind == "Bitmap Index Scan" and node.get("Index Name") in indexes
        if on_table and kind == "Seq Scan":
            problems.append(f"Seq Scan of {TABLE}")
        if on_table or on_index:
            read += loops * (
                node.get("Actual Rows", 0)
                + node.get("Rows Removed by Filter", 0)
                + node.get("Rows Removed by Index Recheck", 0)
            )
        if kind in ("Sort", "Incremental Sort"):
            fed = sum(c.get("Actual Rows", 0) * c.get("Actual Loops", 1) for c in node["Plans"])
            if fed > sort_max:
                problems.append(f"{kind} of {fed} rows (at most {sort_max})")
    if read > read_max:
        problems.append(f"reads {read} rows of {TABLE} and its indexes (at most {read_max})")
    if problems:
        problems.append("plan: " + _outline(plan))
    return problems


def _outline(plan) -> str:
    def line(node):
        name = node["Node Type"]
        where = node.get("Index Name") or node.get("Relation Name") or ""
        inner = ", ".join(line(child) for child in node.get("Plans", ()))
        rows = node.get("Actual Rows")
        return f"{name}[{where} rows={rows}]" + (f"({inner})" if inner else "")

    return line(plan)


def _check(pages) -> tuple[list[str], int]:
    indexes = _ci_indexes()
    failures, count = [], 0
    for description, page, bounds in pages:
        count += 1
        problems = plan_problems(page, indexes, bounds)
        if problems:
            failures.append(f"{description}: {'; '.join(problems)}")
    return failures, count


def test_every_ci_list_query_is_served_by_an_index(readers):
    failures, count = [], 0
    for reader, user in readers.items():
        pages = [html_pages(user), api_pages(user), cursor_pages(user)]
        failed, checked = _check(itertools.chain(*pages))
        failures += [f"{reader}: {failure}" for failure in failed]
        count += checked
    assert count > 1300  # ~1 500: the HTML list, the API (DRF pages and sorted) and cursors
    assert not failures, (
        f"{len(failures)} of {count} CI list queries are not served by an index:\n"
        + "\n".join(failures[:30])
    )
