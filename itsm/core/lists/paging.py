"""Sorted keyset paging: no OFFSET, no COUNT(*) of every matching row.

A list is ordered by (sort value, id) — the id breaks ties, in the same direction — with empty
values (NULL) last whichever the direction. The link to the next page carries a cursor, the
(sort value, id) of the last row shown, and the next page holds the rows strictly after it in
that order, so paging stays exact across equal values and NULLs, and rows added meanwhile do
not shift it.

How many rows match is counted up to a limit (:func:`capped_count`: ``SELECT count(*) FROM
(SELECT id … LIMIT limit + 1)``), so a list of a million rows costs the same as one of ten
thousand: past the limit it shows "more than 10 000".
"""

from __future__ import annotations

import base64
import binascii
import datetime
import json
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.db.models import F, Q
from django.db.models.fields.tuple_lookups import Tuple, TupleGreaterThan, TupleLessThan

SORT_KEY = "_list_sort_key"
MAX_ID = 2**63 - 1


class BadCursor(ValueError):
    """The ``cursor`` parameter is not one this list produced."""


@dataclass(frozen=True)
class Sort:
    """A resolved ``?sort=``: the column name ("" for the id), its expression, the direction."""

    name: str
    expression: object
    descending: bool

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
    if sort.expression is None:
        return queryset.filter(id__lt=pk) if sort.descending else queryset.filter(id__gt=pk)
    if value is not None:
        field = queryset.query.annotations[SORT_KEY].output_field
        try:
            value = field.to_python(value)
            field.get_prep_value(value)
        except (ValidationError, TypeError, ValueError) as error:
            raise BadCursor from error
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


@dataclass(frozen=True)
class Count:
    """How many rows match: exactly, or more than *limit* (``capped``)."""

    value: int
    capped: bool


def capped_count(queryset, limit: int) -> Count:
    """How many rows *queryset* holds, counting at most ``limit + 1`` of them."""
    value = queryset.order_by().values("pk")[: limit + 1].count()
    return Count(limit, True) if value > limit else Count(value, False)


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
    queryset = order(queryset, sort)
    cursor = request.GET.get("cursor", "")
    if cursor:
        queryset = after(queryset, sort, cursor)
    rows = list(queryset[: page_size + 1])
    next_cursor = encode_cursor(rows[page_size - 1], sort) if len(rows) > page_size else None
    query = request.GET.copy()
    query.pop("cursor", None)
    return KeysetPage(rows[:page_size], next_cursor, query.urlencode(), first=not cursor)
