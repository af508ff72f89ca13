"""New rows without history: the compiled ``bulk_create``, and rows written together
(``core.writes``)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import connections, models, router

from itsm.core.prepared import kept_cursor, prepared
from itsm.core.writes.preparing import _ASK_FIELD, prepare_related, preparers, value_of


@dataclass(frozen=True)
class Rows:
    """New rows of one model written beside a record (:func:`insert_record`'s *along*) or
    beside other rows (:func:`insert_rows`' *along*) — on PostgreSQL in the same statement.
    A row may point (a foreign key to a primary key) at that record or at a row of an earlier
    group, none of them saved yet: the row gets the new id. *ignore_conflicts* as
    ``bulk_create``'s (its rows get no ids, so no row may point at them)."""

    objs: list
    ignore_conflicts: bool = False


_ROWS_SQL: dict[tuple, str] = {}
#: per model and database vendor: the columns but the primary key with their
#: :func:`preparers`, or None when ``bulk_create`` writes the model instead
_ROWS_FIELDS: dict[tuple, tuple[tuple, tuple] | None] = {}
#: per model: (index among :func:`_rows_fields`, field, points at a primary key) of its
#: foreign keys
_LINKS: dict[Any, tuple] = {}


def _rows_fields(model, vendor: str) -> tuple[tuple, tuple] | None:
    """*model*'s fields :func:`insert_rows` writes (all concrete ones but an auto primary
    key) and their :func:`preparers`, or ``None`` for a model it leaves to ``bulk_create``
    (database defaults)."""
    try:
        return _ROWS_FIELDS[model, vendor]
    except KeyError:
        pk = model._meta.pk
        fields = tuple(f for f in model._meta.concrete_fields if f is not pk)
        fits = isinstance(pk, models.AutoField | models.BigAutoField) and not any(
            f.has_db_default() for f in fields
        )
        found = _ROWS_FIELDS[model, vendor] = (fields, preparers(fields, vendor)) if fits else None
        return found


def insert_rows(objs: list, *, ignore_conflicts: bool = False, along=()) -> list:
    """Insert the new rows *objs* (one model, auto primary keys, no field history) as
    ``bulk_create(objs)`` does — the same values, prepared by their fields, no signals — with
    the statement's text built once per model, row count and database instead of by the ORM
    at each call: ``INSERT … VALUES (…), (…) RETURNING id`` (the ids set on *objs*, in their
    order), or ``… ON CONFLICT DO NOTHING`` without ids for *ignore_conflicts*. Up to 100
    rows; more, or a model this does not fit (database defaults, a primary key given, an
    expression as a value), go through ``bulk_create``.

    *along*: more groups of new rows (:class:`Rows`), written after *objs* — on PostgreSQL
    in the same statement (``WITH "g0" AS (INSERT …), "g1" AS (INSERT …) SELECT`` their ids),
    a row pointing at an earlier one taking its id from the statement; elsewhere, or when a
    group does not fit, one group after the other."""
    groups = [group for group in (Rows(objs, ignore_conflicts), *along) if group.objs]
    if len(groups) > 1:
        first = groups[0].objs[0]
        connection = connections[router.db_for_write(type(first), instance=first)]
        if connection.vendor == "postgresql" and _write_together(groups, connection):
            return objs
    for group in groups:
        _write_group(group)
    return objs


def _write_group(group: Rows) -> None:
    """One group's rows: one compiled statement, or ``bulk_create``."""
    objs, ignore_conflicts = group.objs, group.ignore_conflicts
    model = type(objs[0])
    alias = router.db_for_write(model, instance=objs[0])
    connection = connections[alias]
    values = _group_values(group, connection, {}, [])
    if values is None:
        model._base_manager.using(alias).bulk_create(objs, ignore_conflicts=ignore_conflicts)
        return
    key = (model, alias, connection.vendor, len(objs), ignore_conflicts)
    sql = _ROWS_SQL.get(key)
    if sql is None:
        sql = _ROWS_SQL[key] = prepared(
            _group_insert(model, connection, len(objs), ignore_conflicts, ())
        )
    with kept_cursor(connection) as cursor:
        cursor.execute(sql, values)
        ids = [] if ignore_conflicts else [row[0] for row in cursor.fetchall()]
    _saved(group, ids, alias)


def _group_values(group: Rows, connection, linked: dict, refs: list) -> list | None:
    """The parameters of *group*'s rows, or ``None`` when ``bulk_create`` writes them (a
    model or row this does not fit). A row's foreign key to an unsaved object in *linked*
    (``id(obj)``: where the statement has its new id, as :func:`_group_insert` takes it)
    takes no parameter: ``(row, field index, where, field, object)`` is added to *refs*."""
    objs = group.objs
    model = type(objs[0])
    written = _rows_fields(model, connection.vendor)
    if (
        written is None
        or len(objs) > 100
        or connection.vendor not in ("postgresql", "sqlite")
        or any(type(obj) is not model or obj.pk is not None for obj in objs)
    ):
        return None
    fields, hows = written
    links = _links(model, fields) if linked else ()
    values: list = []
    for row, obj in enumerate(objs):
        pointing: dict[int, Any] = {}  # index: the unsaved object pointed at
        for index, field, to_pk in links:
            target = field.get_cached_value(obj) if field.is_cached(obj) else None
            if target is not None and id(target) in linked:
                if not to_pk:
                    return None
                pointing[index] = target
                refs.append((row, index, linked[id(target)], field, target))
        if pointing:
            # Django's check of the other relations: those pointers out of its sight
            for index in pointing:
                fields[index].delete_cached_value(obj)
            try:
                prepare_related(obj, "bulk_create")
            finally:
                for index, target in pointing.items():
                    fields[index].set_cached_value(obj, target)
        else:
            prepare_related(obj, "bulk_create")
        for index, (field, how) in enumerate(zip(fields, hows, strict=True)):
            if index in pointing:
                continue
            value = value_of(obj, field, how)
            prepared_value = _ASK_FIELD if how[1] is None else how[1](value)
            if prepared_value is _ASK_FIELD:
                if hasattr(value, "resolve_expression"):
                    return None
                prepared_value = field.get_db_prep_save(value, connection)
            values.append(prepared_value)
    return values


def _links(model, fields: tuple) -> tuple:
    """*model*'s foreign keys: (index among *fields*, field, whether it points at a primary
    key — the only kind a row written in the same statement can take the new id of)."""
    try:
        return _LINKS[model]
    except KeyError:
        found = _LINKS[model] = tuple(
            (index, field, field.target_field is field.related_model._meta.pk)
            for index, field in enumerate(fields)
            if isinstance(field, models.ForeignKey)
        )
        return found


def _group_insert(model, connection, count: int, ignore_conflicts: bool, refs: tuple) -> str:
    """``INSERT INTO … VALUES (…), …`` of *count* rows of *model*, then ``ON CONFLICT DO
    NOTHING`` or ``RETURNING`` the primary key. The *refs* cells (``(row, field index,
    link)``) read the id they point at from the statement: *link* is ``(CTE, row)`` — row
    None for the CTE's only row (the record's ``"new"``)."""
    quote = connection.ops.quote_name
    fields = _rows_fields(model, connection.vendor)[0]  # type: ignore[index]
    given = {}
    for row, index, (cte, at) in refs:
        pk = quote(fields[index].related_model._meta.pk.column)
        given[row, index] = f'(SELECT {pk} FROM "{cte}"' + (
            ")" if at is None else f" OFFSET {at} LIMIT 1)"
        )
    rows = ", ".join(
        "(" + ", ".join(given.get((row, index), "%s") for index in range(len(fields))) + ")"
        for row in range(count)
    )
    pk = model._meta.pk
    return (
        f"INSERT INTO {quote(model._meta.db_table)} "
        f"({', '.join(quote(f.column) for f in fields)}) VALUES {rows}"
        + (
            " ON CONFLICT DO NOTHING"
            if ignore_conflicts
            else f" RETURNING {quote(pk.column or pk.attname)}"
        )
    )


class _Together:
    """Groups of rows (:class:`Rows`) compiled as CTEs of one PostgreSQL statement: ``"g0" AS
    (INSERT …), "g1" AS (INSERT …)`` and the arrays of their new ids to select."""

    def __init__(self, groups: list, connection, linked: dict):
        self.groups, self.connection = groups, connection
        self.params: list = []
        self.refs: list = []  # (row, index, where, field, object) per group
        self.fits = True
        shape = []
        for number, group in enumerate(groups):
            refs: list = []
            values = _group_values(group, connection, linked, refs)
            first = group.objs[0]
            if values is None or router.db_for_write(type(first), instance=first) != (
                connection.alias
            ):
                self.fits = False
                return
            self.params += values
            self.refs.append(refs)
            shape.append(
                (type(first), len(group.objs), group.ignore_conflicts, tuple(r[:3] for r in refs))
            )
            if not group.ignore_conflicts:
                for row, obj in enumerate(group.objs):
                    linked[id(obj)] = (f"g{number}", row)
        self.key = (connection.alias, connection.vendor, tuple(shape))

    def sql(self) -> tuple[str, str, str]:
        """(the CTEs, the arrays of ids to select, the statement of the groups alone), built
        once per shape."""
        try:
            return _TOGETHER_SQL[self.key]
        except KeyError:
            ctes, arrays = [], []
            quote = self.connection.ops.quote_name
            for number, (model, count, ignore, refs) in enumerate(self.key[2]):
                insert = _group_insert(model, self.connection, count, ignore, refs)
                ctes.append(f'"g{number}" AS ({insert})')
                if not ignore:
                    pk = quote(model._meta.pk.column)
                    arrays.append(f'ARRAY(SELECT {pk} FROM "g{number}")')
            selected = ", ".join(arrays)
            statement = prepared(f"WITH {', '.join(ctes)} SELECT {selected or '1'}")
            built = _TOGETHER_SQL[self.key] = (", ".join(ctes), selected, statement)
            return built

    def saved(self, arrays: list) -> None:
        """Set the new ids (*arrays*: per group that returns them) and the pointers."""
        ids = iter(arrays)
        for group in self.groups:
            _saved(group, [] if group.ignore_conflicts else next(ids), self.connection.alias)
        for group, refs in zip(self.groups, self.refs, strict=True):
            for row, _index, _sql, field, target in refs:
                setattr(group.objs[row], field.name, target)  # its id, now set


_TOGETHER_SQL: dict[tuple, tuple[str, str, str]] = {}


def _write_together(groups: list, connection) -> bool:
    """*groups* in one PostgreSQL statement; ``False`` (nothing written) when one does not
    fit."""
    together = _Together(groups, connection, {})
    if not together.fits:
        return False
    _ctes, arrays, statement = together.sql()
    with kept_cursor(connection) as cursor:
        cursor.execute(statement, together.params)
        row = cursor.fetchone()
    together.saved(list(row) if arrays else [])
    return True


def _saved(group: Rows, ids: list, alias: str) -> None:
    """*group*'s rows written: their ids (none when conflicts were ignored) and state."""
    pk = group.objs[0]._meta.pk
    for obj, pk_value in zip(group.objs, ids or [None] * len(group.objs), strict=True):
        if pk_value is not None:
            setattr(obj, pk.attname, pk_value)
        obj._state.adding = False
        obj._state.db = alias


def known_related(obj, name: str, rows: list) -> None:
    """Tell *obj* that its many-to-many *name* holds *rows* (just written), as
    ``prefetch_related`` would: reading ``obj.<name>.all()`` then sends no statement (the API
    answer of a new record lists them)."""
    queryset = getattr(obj, name).all()
    queryset._result_cache = list(rows)
    queryset._prefetch_done = True
    cache = obj.__dict__.setdefault("_prefetched_objects_cache", {})
    cache[name] = queryset
