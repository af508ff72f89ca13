"""Sorted keyset paging: no OFFSET, no COUNT(*) of every matching row.

A list is ordered by (sort value, id) — the id breaks ties, in the same direction — with empty
values (NULL) last whichever the direction. The link to the next page carries a cursor, the
(sort value, id) of the last row shown, and the next page holds the rows strictly after it in
that order, so paging stays exact across equal values and NULLs, and rows added meanwhile do
not shift it.

How many rows match is counted up to a limit (:func:`capped_count`: ``SELECT count(*) FROM
(SELECT id … LIMIT limit + 1)``), so a list of a million rows costs the same as one of ten
thousand: past the limit it shows "more than 10 000". A list's count of a substring search
on PostgreSQL is the planner's estimate when that is above :data:`ESTIMATE_ABOVE` ("about
20 000"): counting even a few of its rows builds the text index's whole bitmap and reads the
heap pages of the rows counted (30 ms for a text 20 000 CIs share).

A search sorted by a column it searches sorts its matches (:func:`sort_matches`), but first
walks that column's index for a short stretch (:data:`WALK_ROWS` rows) from the cursor: when the
matches lie together in that order (``server-gz`` in the names, sorted by name), the page is
found there in a millisecond instead of sorting every match again (:func:`_walked_rows`).

A sort by a column of another table across a foreign key (a customer's name, a class's name)
cannot be served by an index of the list's table: :func:`keyset_page` builds such a page per
group — the related rows in order of the column, grouped by value, and for each group the
list's rows of those related rows by id, through the list's ``(foreign key, id)`` index — and
stops when the page is full, instead of sorting every matching row (:func:`joined_sort`).
"""

from __future__ import annotations

import base64
import binascii
import datetime
import json
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.db import connections
from django.db.models import F, Q, Subquery, Value
from django.db.models.fields.tuple_lookups import Tuple, TupleGreaterThan, TupleLessThan
from django.db.models.functions import Coalesce, Concat
from django.db.models.lookups import Exact, In, IsNull
from django.db.models.sql.where import WhereNode

from itsm.core.compiled import shaped, shaped_count

SORT_KEY = "_list_sort_key"
MAX_ID = 2**63 - 1


class BadCursor(ValueError):
    """The ``cursor`` parameter is not one this list produced."""


@dataclass(frozen=True)
class Sort:
    """A resolved ``?sort=``: the column name ("" for the id), its expression, the direction;
    ``walk``: the list's own column whose index a search sorted by it walks first
    (:func:`sort_matches`)."""

    name: str
    expression: object
    descending: bool
    walk: str | None = None

    @property
    def param(self) -> str:
        return ("-" if self.descending else "") + self.name


def _never_null(model, expression) -> bool:
    """Whether *expression* is a NOT NULL column of *model* itself (then NULLs need no
    ordering of their own, and an index on the column can serve the sort)."""
    if not isinstance(expression, str) or "__" in expression:
        return False
    try:
        field = model._meta.get_field(expression)
    except FieldDoesNotExist:
        return False
    return getattr(field, "concrete", False) and not field.null


def order(queryset, sort: Sort):
    """*queryset* in (sort value, id) order, NULLs last; the sort value annotated."""
    if sort.expression is None:  # by id alone
        return queryset.order_by("-id" if sort.descending else "id")
    expression = F(sort.expression) if isinstance(sort.expression, str) else sort.expression
    queryset = queryset.annotate(**{SORT_KEY: expression})
    nulls = None if _never_null(queryset.model, sort.expression) else True
    key = F(SORT_KEY)
    if sort.descending:
        return queryset.order_by(key.desc(nulls_last=nulls), "-id")
    return queryset.order_by(key.asc(nulls_last=nulls), "id")


def sort_matches(sort: Sort) -> Sort:
    """*sort* in the same order, by an expression no index serves: the database then sorts
    the rows its filter finds (e.g. through a text search index) instead of walking the
    column's index and rejecting every row the filter does not hold — which, when the matches
    lie together in that order (a search text found in the names, sorted by name), means
    walking past every row before them (issue 10: 0.8 s at 1 000 000 rows). A column of the
    list's own table is first walked for :data:`WALK_ROWS` rows from the cursor
    (:func:`keyset_page`): the matches found there, when they fill the page, are the page."""
    if not isinstance(sort.expression, str):
        return sort
    if "__" in sort.expression:  # another table's column: no index serves it anyway, and
        # as an expression it is not paged group by group (:func:`joined_sort`)
        return Sort(sort.name, F(sort.expression), sort.descending)
    expression = Concat(F(sort.expression), Value(""))
    return Sort(sort.name, expression, sort.descending, walk=sort.expression)


def _plain(value):
    if isinstance(value, datetime.datetime | datetime.date | datetime.time):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


def encode_cursor(row, sort: Sort) -> str:
    value = None if sort.expression is None else _plain(getattr(row, SORT_KEY))
    data = json.dumps([value, row.pk], separators=(",", ":"))
    return base64.urlsafe_b64encode(data.encode()).decode().rstrip("=")


def decode_cursor(text: str) -> tuple[object, int]:
    try:
        data = json.loads(base64.urlsafe_b64decode(text + "=" * (-len(text) % 4)))
    except (ValueError, binascii.Error) as error:
        raise BadCursor from error
    if not isinstance(data, list) or len(data) != 2:
        raise BadCursor
    value, pk = data
    if isinstance(pk, bool) or not isinstance(pk, int) or not 0 < pk <= MAX_ID:
        raise BadCursor
    if value is not None and not isinstance(value, str | int | float | bool):
        raise BadCursor
    return value, pk


def after(queryset, sort: Sort, cursor: str):
    """The rows of the ordered *queryset* after *cursor* (:func:`order` applied first)."""
    value, pk = decode_cursor(cursor)
    return _after(queryset, sort, _cursor_value(queryset, sort, value), pk)


def _cursor_value(queryset, sort: Sort, value):
    """The cursor's sort value as the ordered *queryset*'s sort key reads it."""
    if sort.expression is None or value is None:
        return value
    field = queryset.query.annotations[SORT_KEY].output_field
    try:
        value = field.to_python(value)
        field.get_prep_value(value)
    except (ValidationError, TypeError, ValueError) as error:
        raise BadCursor from error
    return value


def _after(queryset, sort: Sort, value, pk: int):
    if sort.expression is None:
        return queryset.filter(id__lt=pk) if sort.descending else queryset.filter(id__gt=pk)
    beyond = "lt" if sort.descending else "gt"
    if value is None:  # already among the NULLs (last): only the id moves on
        return queryset.filter(**{f"{SORT_KEY}__isnull": True, f"id__{beyond}": pk})
    if _never_null(queryset.model, sort.expression):
        # (key, id) > (v, pk) as one row comparison: an index on (key, id) starts its range
        # at the cursor. Written as (key > v OR key = v AND id > pk) it is no index condition,
        # and the database walks the index from its first entry (1.6 s in the middle of a
        # million rows)
        beyond_row = TupleLessThan if sort.descending else TupleGreaterThan
        return queryset.filter(beyond_row(Tuple(F(SORT_KEY), F("id")), (value, pk)))
    return queryset.filter(
        Q(**{f"{SORT_KEY}__{beyond}": value})
        | Q(**{SORT_KEY: value, f"id__{beyond}": pk})
        | Q(**{f"{SORT_KEY}__isnull": True})
    )


#: how many related rows a page sorted by their column reads to make its groups; when a page
#: is not full after them, the database sorts the rest (:func:`_joined_rows`)
GROUP_ROWS = 64


def joined_sort(model, sort: Sort):
    """``(foreign key, column)`` when *sort* is by a NOT NULL column of the row a many-to-one
    foreign key of *model* points to (``customer__name``): then NULL sort values are exactly
    the rows without that foreign key, and each value is held by a set of related rows whose
    rows of *model* a ``(foreign key, id)`` index gives in id order. ``None`` otherwise."""
    expression = sort.expression
    if not isinstance(expression, str) or expression.count("__") != 1:
        return None
    name, column = expression.split("__")
    try:
        key = model._meta.get_field(name)
        target = key.related_model._meta.get_field(column) if key.many_to_one else None
    except FieldDoesNotExist:
        return None
    if target is None or not target.concrete or target.null or target.is_relation:
        return None
    return key, column


def _conditions_on(queryset, key) -> list:
    """The conditions on the foreign key *key* that every row of *queryset* meets (those of
    its top-level ``AND``; none when its conditions are joined otherwise)."""
    where = queryset.query.where
    if where.connector != "AND" or where.negated:
        return []
    return [
        child
        for child in where.children
        if getattr(getattr(child, "lhs", None), "target", None) == key
    ]


def _pinned(queryset, key) -> set | None:
    """The values *queryset*'s conditions allow the foreign key *key* (``key = v`` or
    ``key IN (…)`` among them, e.g. a customer user's tenancy), ``None`` when not pinned: the
    groups are then read among those related rows only, not probed one by one."""
    allowed: set | None = None
    for child in _conditions_on(queryset, key):
        if isinstance(child, Exact) and isinstance(child.rhs, int | str):
            values = {child.rhs}
        elif isinstance(child, In) and isinstance(child.rhs, list | tuple | set):
            if not all(isinstance(value, int | str) for value in child.rhs):
                continue
            values = set(child.rhs)
        else:
            continue
        allowed = values if allowed is None else allowed & values
    return allowed


def _groups(
    key, column: str, sort: Sort, start, pinned: set | None = None
) -> tuple[list[tuple[object, list]], bool]:
    """The related rows' values of *column* in the sort's order from *start* on (inclusive),
    each with the ids holding it, and whether they are all of them (at most
    :data:`GROUP_ROWS` related rows are read; an incomplete last value is left out); among
    the *pinned* foreign-key values only, when given."""
    related = key.related_model._base_manager.order_by(
        f"-{column}" if sort.descending else column, "pk"
    )
    if pinned is not None:
        related = related.filter(**{f"{key.target_field.attname}__in": sorted(pinned, key=str)})
    if start is not None:
        related = related.filter(**{f"{column}__{'lte' if sort.descending else 'gte'}": start})
    # the values the foreign key holds (its target field: the primary key unless ``to_field``)
    rows = list(related.values_list(column, key.target_field.attname)[: GROUP_ROWS + 1])
    complete = len(rows) <= GROUP_ROWS
    groups: list[tuple[object, list]] = []
    for value, target in rows[:GROUP_ROWS]:
        if groups and groups[-1][0] == value:
            groups[-1][1].append(target)
        else:
            groups.append((value, [target]))
    if not complete and groups and rows[GROUP_ROWS][0] == groups[-1][0]:
        groups.pop()  # its other related rows were not read
    return groups, complete


def _only_without(queryset, key) -> bool:
    """Whether *queryset* holds only rows without the foreign key *key* (``key IS NULL``
    among its conditions): then every group is empty — and the database, not seeing that
    ``key IN (…) AND key IS NULL`` is a contradiction, would walk the table to find out."""
    return any(
        isinstance(child, IsNull) and child.rhs is True for child in _conditions_on(queryset, key)
    )


def _joined_rows(queryset, sort: Sort, joined, cursor, limit: int) -> list:
    """Up to *limit* rows of *queryset* in the order of *sort* (a :func:`joined_sort`) after
    *cursor* (``(value, pk)`` or ``None``), group by group (module docstring)."""
    key, column = joined
    keyed = queryset.annotate(**{SORT_KEY: F(f"{key.name}__{column}")})
    by_id, beyond = ("-id", "lt") if sort.descending else ("id", "gt")
    rows: list = []
    value, pk = cursor if cursor is not None else (None, None)
    if (cursor is None or value is not None) and not _only_without(queryset, key):
        if value is not None:
            value = _cursor_value(keyed, sort, value)
        groups, complete = _groups(key, column, sort, value, _pinned(queryset, key))
        for group_value, ids in groups:
            group = keyed.filter(**{f"{key.name}__in": ids})
            if cursor is not None and group_value == value:
                group = group.filter(**{f"id__{beyond}": pk})
            rows += group.order_by(by_id)[: limit - len(rows)]
            if len(rows) >= limit:
                return rows
        if not complete:  # many related rows: the database sorts the rest
            rest = order(queryset, sort)
            if groups:  # after the last group read
                rest = _after(rest, sort, groups[-1][0], 0 if sort.descending else MAX_ID)
            elif pk is not None:  # no whole group read: after the cursor itself
                rest = _after(rest, sort, value, pk)
            return rows + list(rest[: limit - len(rows)])
        pk = None
    nulls = keyed.filter(**{f"{key.name}__isnull": True})
    if pk is not None:
        nulls = nulls.filter(**{f"id__{beyond}": pk})
    return rows + list(nulls.order_by(by_id)[: limit - len(rows)])


#: how many rows a search sorted by a column it searches walks in that column's order before
#: it sorts its matches instead (:func:`_walked_rows`)
WALK_ROWS = 1_000


def _walked_rows(queryset, sort: Sort, cursor, limit: int) -> list:
    """Up to *limit* rows of *queryset* in the order of *sort* (a :func:`sort_matches` with a
    ``walk`` column) after *cursor* (``(value, pk)`` or ``None``): after a cursor, those among
    the next :data:`WALK_ROWS` rows of the table in the column's order — one range of its
    ``(column, id)`` index, whatever the filter — and, when they do not fill the page (and on
    the first page, where the matches seldom start with the table), the matches after them
    sorted by the database."""
    rows: list = []
    rest = order(queryset, sort)
    if cursor is not None:
        rows = _stretch(queryset, sort, cursor, limit)
        if len(rows) >= limit:
            return rows
        last = (getattr(rows[-1], SORT_KEY), rows[-1].pk) if rows else cursor
        rest = _after(rest, sort, _cursor_value(rest, sort, last[0]), last[1])
    # the matches' ids sorted, then their rows: the database joins the page's related rows
    # (class, customer) to the page's rows only, not to every match before sorting them
    # (64 → 44 ms of database CPU for server-gz at 1 000 000 CIs)
    page = rest.values("pk")[: limit - len(rows)]
    return rows + list(order(queryset.filter(pk__in=page), sort))


def _stretch(queryset, sort: Sort, cursor, limit: int) -> list:
    """The first *limit* rows of *queryset* among the :data:`WALK_ROWS` rows of the table
    after *cursor* in the order of the ``walk`` column of *sort*."""
    column = sort.walk
    assert column is not None
    plain = Sort(sort.name, column, sort.descending)
    walked = order(queryset, plain)
    value = _cursor_value(walked, plain, cursor[0])
    walked = _after(walked, plain, value, cursor[1])
    table = _after(order(queryset.model._base_manager.all(), plain), plain, value, cursor[1])
    # the stretch ends at the WALK_ROWS-th row after the cursor, or at the table's last value
    end = Subquery(table.values(SORT_KEY)[WALK_ROWS - 1 : WALK_ROWS])
    last = queryset.model._base_manager.order_by(("" if sort.descending else "-") + column)
    within = "gte" if sort.descending else "lte"
    walked = walked.filter(
        **{f"{column}__{within}": Coalesce(end, Subquery(last.values(column)[:1]))}
    )
    return list(walked[:limit])


def _nullable_column(model, expression) -> bool:
    """Whether *expression* is a column of *model* itself that may be NULL."""
    if not isinstance(expression, str) or "__" in expression:
        return False
    try:
        field = model._meta.get_field(expression)
    except FieldDoesNotExist:
        return False
    return getattr(field, "concrete", False) and field.null and not field.is_relation


def _plain_rows(ordered, sort: Sort, cursor, limit: int) -> list:
    """Up to *limit* rows of the :func:`order`-ed queryset after *cursor* (``(value, pk)`` or
    ``None``). After a value of a column that may be NULL, the rows with a value after the
    cursor — ``(key, id) > (v, pk)``, one row comparison: the ``(…, key, id)`` index starts
    its range at the cursor — and then, when they do not fill the page, the NULLs (last in
    either direction): :func:`_after`'s one condition, ``key > v OR key = v AND id > pk OR
    key IS NULL``, is no index condition, so a page after a cursor walked the index from the
    first row of its range (the desk queue's page 6: every open ticket due before it)."""
    if cursor is None:
        return list(shaped(ordered)[:limit])
    value = _cursor_value(ordered, sort, cursor[0])
    pk = cursor[1]
    if value is None or not _nullable_column(ordered.model, sort.expression):
        return list(shaped(_after(ordered, sort, value, pk))[:limit])
    beyond_row = TupleLessThan if sort.descending else TupleGreaterThan
    valued = ordered.filter(beyond_row(Tuple(F(SORT_KEY), F("id")), (value, pk)))
    rows = list(shaped(valued)[:limit])
    if len(rows) < limit:
        nulls = ordered.filter(**{f"{SORT_KEY}__isnull": True})
        rows += list(shaped(nulls)[: limit - len(rows)])
    return rows


@dataclass(frozen=True)
class Count:
    """How many rows match: exactly, more than *value* (``capped``), or about *value* (the
    planner's ``estimated`` rows)."""

    value: int
    capped: bool
    estimated: bool = False


#: a list's count of a substring search is the planner's estimate above this many rows
#: (:func:`capped_count`)
ESTIMATE_ABOVE = 1_000

#: lookups no index answers in row order: a count of many of their rows costs the text
#: index's whole bitmap and the heap page of every row counted
_SEARCH_LOOKUPS = frozenset({"contains", "icontains", "regex", "iregex"})


def _searches(node) -> bool:
    """Whether the WHERE tree *node* holds a substring or pattern search."""
    if isinstance(node, WhereNode):
        return any(_searches(child) for child in node.children)
    return getattr(node, "lookup_name", None) in _SEARCH_LOOKUPS


def _several_conditions(node) -> bool:
    """Whether the WHERE tree *node* filters on more than one column: no single index answers
    it, and counting even 10 001 of its rows ANDs one bitmap per column over every matching
    row (the desk queue by status, priority, group and customer at 1 000 000 tickets: 43 ms
    of database CPU, the estimate 2 801 for 2 778 rows)."""
    columns = set()

    def walk(child) -> None:
        if isinstance(child, WhereNode):
            for grandchild in child.children:
                walk(grandchild)
            return
        target = getattr(getattr(child, "lhs", None), "target", None)
        columns.add(getattr(target, "column", id(child)))

    walk(node)
    return len(columns) > 1


def _estimate(queryset) -> int:
    """The planner's estimate of *queryset*'s rows (PostgreSQL: one ``EXPLAIN``, no rows)."""
    sql, params = queryset.order_by().values("pk").query.sql_with_params()
    with connections[queryset.db].cursor() as cursor:
        cursor.execute(f"EXPLAIN (FORMAT JSON) {sql}", params)
        (plan,) = cursor.fetchone()
    if isinstance(plan, str | bytes):
        plan = json.loads(plan)
    return int(plan[0]["Plan"]["Plan Rows"])


def _rounded(value: int) -> int:
    """*value* to two significant digits (20 283 → 20 000): an estimate, not a count."""
    step = 10 ** max(len(str(value)) - 2, 0)
    return round(value / step) * step


def capped_count(
    queryset, limit: int, *, estimate: bool = False, estimate_filters: bool = False
) -> Count:
    """How many rows *queryset* holds, counting at most ``limit + 1`` of them. With
    *estimate* (a list page), a substring search on PostgreSQL — and with *estimate_filters*
    also a filter on several columns (a big work queue's) — is first estimated by the
    planner, and its estimate is the answer when above :data:`ESTIMATE_ABOVE` (module
    docstring)."""
    if estimate and connections[queryset.db].vendor == "postgresql":
        where = queryset.query.where
        if _searches(where) or (estimate_filters and _several_conditions(where)):
            guess = _estimate(queryset)
            if guess > ESTIMATE_ABOVE:
                return Count(_rounded(guess), False, estimated=True)
    value = shaped_count(queryset.order_by().values("pk")[: limit + 1])
    return Count(limit, True) if value > limit else Count(value, False)


def counted_by_page(page: KeysetPage) -> Count | None:
    """How many rows match when *page* shows it — the first page, with no page after it: its
    rows are all of them — else ``None`` (then :func:`capped_count`). A selective filter (a
    search finding a few rows) then costs one statement, not the page and its count."""
    if page.first and page.next_cursor is None:
        return Count(len(page.rows), False)
    return None


@dataclass(frozen=True)
class KeysetPage:
    """One page of a list: its rows, the cursor of the next page (``None`` on the last) and
    the query string without ``cursor`` (for the pager links, ``ui/_keyset_pager.html``)."""

    rows: list
    next_cursor: str | None
    query: str
    first: bool = True


def keyset_page(queryset, request, sort: Sort, *, page_size: int = 50) -> KeysetPage:
    """One page of *queryset* sorted by *sort*, starting after ``?cursor=`` (raises
    :class:`BadCursor` for a cursor this list did not produce)."""
    cursor = request.GET.get("cursor", "")
    joined = joined_sort(queryset.model, sort)
    if joined is not None:
        position = decode_cursor(cursor) if cursor else None
        rows = _joined_rows(queryset, sort, joined, position, page_size + 1)
    elif sort.walk is not None and _never_null(queryset.model, sort.walk):
        position = decode_cursor(cursor) if cursor else None
        rows = _walked_rows(queryset, sort, position, page_size + 1)
    else:
        position = decode_cursor(cursor) if cursor else None
        rows = _plain_rows(order(queryset, sort), sort, position, page_size + 1)
    next_cursor = encode_cursor(rows[page_size - 1], sort) if len(rows) > page_size else None
    query = request.GET.copy()
    query.pop("cursor", None)
    return KeysetPage(rows[:page_size], next_cursor, query.urlencode(), first=not cursor)
