"""Hot read queries compiled once per process (issue 10): the ORM compiles a ``values_list()``
query to SQL once per database, and later calls run that SQL with their own parameters — the
compilation (building the query, resolving fields, quoting names) cost a CI create more than the
database's answer did."""

from __future__ import annotations

from collections.abc import Callable

from django.db import connections, router
from django.db.models.query import ValuesListIterable


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
        with connection.cursor() as cursor:
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
    connection = connections[alias]
    with connection.cursor() as cursor:
        cursor.execute(sql, (pk,))
        rows = cursor.fetchall()
    if not rows:
        raise model.DoesNotExist(f"{model._meta.object_name} matching query does not exist.")
    values = _converted(rows[0], converters, connection)  # one row: the primary key is unique
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
    return sql, attnames, converters
