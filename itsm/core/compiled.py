"""Hot read queries compiled once per process (issue 10): the ORM compiles a ``values_list()``
query to SQL once per database, and later calls run that SQL with their own parameters — the
compilation (building the query, resolving fields, quoting names) cost a CI create more than the
database's answer did."""

from __future__ import annotations

import copy
import re
import threading
from collections.abc import Callable
from typing import Any

from django.core.exceptions import EmptyResultSet, FullResultSet
from django.db import connections, router
from django.db.models.expressions import BaseExpression, Col
from django.db.models.query import ValuesListIterable
from django.db.models.sql import Query
from django.db.models.sql.compiler import SQLCompiler

from itsm.core import stamps
from itsm.core.prepared import kept_cursor, prepared


class CompiledValues:
    """The rows (tuples) of the ``values_list()`` query ``build(*params)`` of *model*, compiled
    by the ORM on the first call for each database and run afterwards with each call's
    *params* — the same rows, converted by the same field converters, as evaluating the
    queryset.

    Only the parameters may vary: each must be a non-empty ``int`` or ``str`` (e.g. a foreign
    key's id) that the query compares with ``=`` and passes unchanged as an SQL parameter.
    The first compilation checks it (its SQL parameters must be exactly *params*, in order);
    a query that does not qualify is evaluated by the ORM at every call, as before.
    """

    def __init__(self, model, build: Callable[..., object]):
        self.model = model
        self.build = build
        self._compiled: dict[str, tuple[str, dict] | None] = {}

    def __call__(self, *params) -> list[tuple]:
        if not all(type(p) in (int, str) and p != "" for p in params):
            return list(self.build(*params))  # type: ignore[call-overload]
        alias = router.db_for_read(self.model)
        try:
            compiled = self._compiled[alias]
        except KeyError:
            compiled, rows = self._compile(alias, params)
            self._compiled[alias] = compiled
            return rows
        if compiled is None:
            return list(self.build(*params).using(alias))  # type: ignore[attr-defined]
        sql, converters = compiled
        connection = connections[alias]
        with kept_cursor(connection) as cursor:
            cursor.execute(sql, params)
            rows = cursor.fetchall()
        return [tuple(_converted(row, converters, connection)) for row in rows]

    def _compile(self, alias: str, params: tuple):
        queryset = self.build(*params).using(alias)  # type: ignore[attr-defined]
        rows = list(queryset)
        query = queryset.query
        if (
            queryset._iterable_class is not ValuesListIterable
            or query.annotations
            or (query.extra_select)
        ):
            return None, rows
        compiler = query.get_compiler(using=alias)
        sql, sql_params = compiler.as_sql()
        if list(sql_params) != list(params) or query.select_related:
            return None, rows
        fields = [column for column, _sql, _alias in compiler.select[: compiler.col_count]]
        return (sql, compiler.get_converters(fields)), rows


def _converted(row, converters: dict, connection) -> list:
    """*row*'s values through the field converters of the compiler (``get_converters``), as the
    ORM's iterables apply them."""
    values = list(row)
    for position, (functions, expression) in converters.items():
        value = values[position]
        for function in functions:
            value = function(value, expression, connection)
        values[position] = value
    return values


# --- a record by its primary key -------------------------------------------------------------

#: (model, database) → (SQL, field attnames, converters), or None when the ORM's query does
#: not have the expected shape
_BY_PK: dict[tuple, tuple[str, list[str], dict] | None] = {}
#: per model: what a fresh ``Model._default_manager.all()`` holds (queryset and query)
_WHOLE_TABLE: dict[type, tuple[dict, dict]] = {}
#: attributes that do not change which rows and columns a queryset reads
_QUERYSET_STATE = ("_result_cache", "_query", "_prefetch_done")


def get_by_pk(queryset, pk):
    """``queryset.get(pk=pk)`` — the same instance, or ``DoesNotExist`` — with the SQL compiled
    once per model and database when *queryset* reads the model's whole table as its default
    manager gives it (e.g. a serializer's related field for a user who may see every row), and
    *pk* is an ``int``. Any other queryset (filtered, restricted to a tenant, with related rows
    or prefetches) is asked ``get(pk=pk)`` itself."""
    model = queryset.model
    if type(pk) is not int or not _whole_table(queryset):
        return queryset.get(pk=pk)
    alias = queryset.db
    key = (model, alias)
    try:
        compiled = _BY_PK[key]
    except KeyError:
        compiled = _BY_PK[key] = _compile_by_pk(queryset, pk, alias)
    if compiled is None:
        return queryset.get(pk=pk)
    sql, attnames, converters = compiled

    def read() -> tuple:
        connection = connections[alias]
        with kept_cursor(connection) as cursor:
            cursor.execute(sql, (pk,))
            rows = cursor.fetchall()
        if not rows:
            raise model.DoesNotExist(f"{model._meta.object_name} matching query does not exist.")
        return tuple(_converted(rows[0], converters, connection))  # the key is unique: one row

    stamp = stamps.stamp_of(model)
    if stamp is None:
        values = read()
    else:
        # a configuration row (an organisation, a service, a category: what a ticket's create
        # names by id) is read once per process while its stamp stands; a missing row is
        # never kept; the values are copied, so an instance changed in place changes no memo
        values = stamps.memo((stamp,), ("by_pk", key, pk), read)
        if any(isinstance(value, dict | list) for value in values):
            values = tuple(
                copy.deepcopy(value) if isinstance(value, dict | list) else value
                for value in values
            )
    return model.from_db(alias, attnames, values)


def _whole_table(queryset) -> bool:
    model = queryset.model
    reference = _WHOLE_TABLE.get(model)
    if reference is None:
        fresh = model._default_manager.all()
        reference = _WHOLE_TABLE[model] = (_state(fresh), dict(vars(fresh.query)))
    state, query = reference
    return _state(queryset) == state and vars(queryset.query) == query


def _state(queryset) -> dict:
    state = {k: v for k, v in vars(queryset).items() if k not in _QUERYSET_STATE}
    state["classes"] = (type(queryset), type(queryset.query))
    return state


def _compile_by_pk(queryset, pk: int, alias: str):
    """The SQL ``get(pk=pk)`` sends, with the parts of ``ModelIterable`` that read its rows;
    None if its parameters are not just the key or it reads more than the model's columns."""
    from django.db.models.query import MAX_GET_RESULTS, ModelIterable

    if queryset._iterable_class is not ModelIterable:
        return None
    clone = queryset.filter(pk=pk).order_by()
    clone.query.set_limits(high=MAX_GET_RESULTS)
    compiler = clone.query.get_compiler(using=alias)
    sql, params = compiler.as_sql()
    info = compiler.klass_info
    if list(params) != [pk] or not info or info.get("related_klass_infos"):
        return None
    if compiler.annotation_col_map or info["model"] is not queryset.model:
        return None
    select = compiler.select
    fields = info["select_fields"]
    if fields != list(range(len(select))):
        return None
    attnames = [column[0].target.attname for column in select]
    converters = compiler.get_converters([column[0] for column in select[: compiler.col_count]])
    return prepared(sql), attnames, converters


# --- a list's queries compiled once per shape ------------------------------------------------

#: (compiler class, database, options, shape of the query, its WHERE clause) → what the
#: compiler made of it: its SQL, the parameters before and after the WHERE clause's, and the
#: compiler's state that reading the rows uses (``_STATE``)
_SHAPES: dict[tuple, tuple[str, tuple, tuple, dict]] = {}
#: kept shapes at most (a list's filters × sorts × columns × readers × languages)
SHAPES_LIMIT = 2048
_STATE = ("select", "klass_info", "annotation_col_map", "col_count", "has_extra_select")
#: query attributes outside the shape: the WHERE clause (compiled on every call), the joins
#: (in the shape as _joins gives them) and what only building the query uses
_OUTSIDE = frozenset(
    (
        *("where", "alias_map", "alias_refcount", "used_aliases", "filter_is_sticky"),
        *("_lookup_joins", "_annotation_select_cache", "_extra_select_cache"),
    )
)
_PLACEHOLDER = re.compile(r"%%|%s")
_ATOMIC = (str, int, float, type(None))
#: the equality of objects equal only to themselves
_IDENTITY: Any = object.__eq__


class Unshaped(Exception):
    """A query whose shape is not worked out (then the ORM compiles it, as always)."""


def _frozen(value):
    """*value* hashable, with the columns an expression resolved to (an expression's own
    equality is that of its arguments before they were resolved)."""
    if isinstance(value, _ATOMIC):
        return value
    if isinstance(value, dict):
        return ("dict", tuple((key, _frozen(item)) for key, item in value.items()))
    if isinstance(value, list | tuple):
        return (type(value).__name__, tuple(_frozen(item) for item in value))
    if isinstance(value, set | frozenset):
        if all(type(item) is str for item in value):  # e.g. the loaded columns' names
            return ("set", frozenset(value))
        return ("set", frozenset(_frozen(item) for item in value))
    if isinstance(value, BaseExpression):
        nodes = list(value.flatten())
        if any(isinstance(node, Query) for node in nodes):
            # a query's own equality is that of its model alone (Query is an expression)
            raise Unshaped
        columns = tuple((node.alias, node.target) for node in nodes if isinstance(node, Col))
        value = (value, columns)
    try:
        hash(value)
    except TypeError as error:
        raise Unshaped from error
    if type(value).__eq__ is _IDENTITY and not (value is None or isinstance(value, type)):
        raise Unshaped  # equal only to itself (a class is: one per process)
    return value


def _joins(query) -> tuple:
    refcount = query.alias_refcount
    if any(join.filtered_relation is not None for join in query.alias_map.values()):
        raise Unshaped  # its condition may hold a query (equal to any other of its model)
    return tuple(
        (
            alias,
            type(join),
            join.table_name,
            join.table_alias,
            join.parent_alias,
            join.join_type,
            getattr(join, "join_field", None),
            getattr(join, "nullable", None),
            refcount.get(alias, 0),
        )
        for alias, join in query.alias_map.items()
    )


def _shape(query) -> tuple:
    """Everything of *query* its SQL depends on, except its WHERE clause."""
    rest = tuple(
        (name, _frozen(value))
        for name, value in sorted(vars(query).items())
        if name not in _OUTSIDE
    )
    return (type(query), _joins(query), rest)


def _placeholders(sql: str) -> int:
    return sum(1 for mark in _PLACEHOLDER.findall(sql) if mark == "%s")


class _ShapedCompiler(SQLCompiler):
    """Mixed into the database's ``SQLCompiler`` for a :class:`ShapedQuery`: the SQL of a
    query of a shape already seen is that shape's, with this query's WHERE parameters."""

    def as_sql(self, with_limits=True, with_col_aliases=False):
        # elide_empty: set by SQLCompiler.__init__ (django-stubs do not declare it)
        options = (getattr(self, "elide_empty", True), with_limits, with_col_aliases)
        try:
            key, where_sql, where_params = _key(self, type(self), options)
        except Unshaped:
            return super().as_sql(with_limits, with_col_aliases)
        shaped = _SHAPES.get(key)
        if shaped is not None:
            sql, before, after, state = shaped
            for name, value in state.items():
                setattr(self, name, value)
            self.where, self.having, self.qualify = self.query.where, None, None
            return sql, (*before, *where_params, *after)
        sql, params = super().as_sql(with_limits, with_col_aliases)
        if self.having is None and self.qualify is None:
            state = {name: getattr(self, name) for name in _STATE}
            _keep(key, sql, tuple(params), where_sql, tuple(where_params), state)
        return sql, params


def _key(compiler, kind, options: tuple) -> tuple[tuple, str, list]:
    """The key of *compiler*'s query's shape (with its WHERE clause's SQL), and the WHERE
    clause's SQL and parameters; :class:`Unshaped` when it has none."""
    query = compiler.query
    where = query.where
    if where.contains_aggregate or where.contains_over_clause:
        raise Unshaped
    try:
        where_sql, where_params = compiler.compile(where)
    except FullResultSet:  # no condition (as the ORM's own compilation reads it)
        where_sql, where_params = "", []
    except EmptyResultSet as error:
        raise Unshaped from error
    key = (kind, compiler.connection.alias, options, _shape(query), where_sql)
    return key, where_sql, where_params


def _keep(key: tuple, sql: str, params: tuple, where_sql: str, where_params: tuple, state) -> None:
    split = _split(sql, params, where_sql, where_params)
    if split is None:
        return
    with _LOCK:
        if len(_SHAPES) >= SHAPES_LIMIT:
            _SHAPES.clear()
        _SHAPES[key] = (sql, *split, state)


def shaped_count(queryset) -> int:
    """``queryset.count()`` — the same statement — built by the ORM once per shape of
    *queryset* (:func:`shaped`) and afterwards sent with this query's WHERE parameters
    (counting builds an outer query around a copy of the query on every call: a third of a
    millisecond before its statement)."""
    connection = connections[queryset.db]
    compiler = queryset.query.get_compiler(connection=connection)
    try:
        key, where_sql, where_params = _key(compiler, "count", ())
    except Unshaped:
        return queryset.count()
    shaped = _SHAPES.get(key)
    if shaped is not None:
        sql, before, after, _state = shaped
        with connection.cursor() as cursor:
            cursor.execute(sql, (*before, *where_params, *after))
            row = cursor.fetchone()
        return (row[0] if row else None) or 0
    sent: list[tuple[str, tuple]] = []

    def capture(execute, sql, params, many, context):
        sent.append((sql, tuple(params or ())))
        return execute(sql, params, many, context)

    with connection.execute_wrapper(capture):
        value = queryset.count()
    if len(sent) == 1:
        _keep(key, *sent[0], where_sql, tuple(where_params), {})
    return value


def _split(sql: str, params: tuple, where_sql: str, where_params: tuple):
    """The parameters of *sql* before and after those of its WHERE clause *where_sql*, or
    ``None`` when that clause is not found once, at the place of its parameters."""
    if _placeholders(sql) != len(params):
        return None
    if not where_sql:
        return (params, ()) if not where_params else None
    marker = f" WHERE {where_sql}"
    if sql.count(marker) != 1:
        return None
    start = _placeholders(sql[: sql.index(marker)])
    end = start + len(where_params)
    if params[start:end] != where_params:
        return None
    return params[:start], params[end:]


_COMPILERS: dict[type, type] = {}
_LOCK = threading.Lock()


class ShapedQuery(Query):
    """A ``Query`` whose ``SELECT`` is compiled once per shape (:func:`shaped`)."""

    def get_compiler(self, using=None, connection=None, elide_empty=True):
        compiler = super().get_compiler(using, connection, elide_empty)
        base = type(compiler)
        if self.compiler != "SQLCompiler":
            return compiler
        made = _COMPILERS.get(base)
        if made is None:
            made = _COMPILERS[base] = type(f"Shaped{base.__name__}", (_ShapedCompiler, base), {})
        compiler.__class__ = made
        return compiler


def shaped(queryset):
    """*queryset*, its SQL compiled by the ORM once per *shape* — everything its SQL depends
    on but the values compared in its WHERE clause: model, joins, columns, annotations, order,
    limits, and the WHERE clause's own SQL (which filters, how many values each, the tenancy's
    conditions) — and afterwards only its WHERE clause compiled, its parameters bound into the
    shape's SQL: the same SQL and parameters as the ORM's (``cmdb/tests/test_list_compiled.py``
    compares them for every filter combination of the CI list). A query deriving from it
    (``values()``, ``count()``'s inner query, a slice) is shaped too. A query of another kind
    (a subclass of ``Query``) is left as it is."""
    if type(queryset.query) is not Query:
        return queryset
    clone = queryset._chain()
    clone.query.__class__ = ShapedQuery
    return clone


def forget_shapes() -> None:
    """Drop every kept shape (tests)."""
    with _LOCK:
        _SHAPES.clear()
