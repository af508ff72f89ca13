"""The lean create of a record (issue 10): the row, its field-history row and its timeline row
written by statements compiled once per process, instead of the ORM compiling each of them
again for every create.

:func:`insert_record` writes what this writes::

    with transaction.atomic():
        if number_prefix:
            obj.number = next_number(number_prefix)
        obj.save()                                   # and django-simple-history's "+" row
        record_event(obj, verb, by=by, note=note, data=data)

— the same rows, column by column: the row's values are prepared by its fields, as
``Model.save`` prepares them (``pre_save(obj, add=True)``, then ``get_db_prep_save``); the
history row is a copy of the inserted row's tracked columns with the history columns
simple-history would write (through its own ``get_history_user`` and
``get_change_reason_for_object``); the timeline row is :func:`core.timeline.record_event`'s.
Only the SQL text is built once per model, numbered field and database (``_PLANS``).

- **PostgreSQL**: one statement — ``WITH new AS (INSERT … RETURNING …), history AS (INSERT …
  SELECT … FROM new), timeline AS (INSERT … SELECT … FROM new) SELECT …`` — with the number
  taken inside it (``core.numbering.NUMBER_SQL``). A statement is a transaction of its own:
  outside a transaction it needs no ``BEGIN``/``COMMIT``; inside one it runs in a savepoint, as
  the ``atomic`` block above does, so a refused row (a duplicate) leaves the caller's
  transaction usable — unless the caller passes ``savepoint=False`` because its transaction is
  all or nothing (a ticket's create): two statements fewer.
- **SQLite** (one writer at a time): the same statements one after the other in a transaction:
  the number, the row (``… RETURNING`` its id), the history row copied from it, the timeline row.

Whatever this path would not write as ``save()`` does takes the code above instead: a model
with ``pre_save``/``post_save`` receivers other than simple-history's own (signals other code
relies on), a history model with receivers, extra columns or many-to-many fields, multi-table
inheritance, database defaults, an expression as a value, a row that is not new.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import connections, models, router, transaction
from django.db.models import signals
from django.db.models.sql import InsertQuery
from django.utils import timezone
from psycopg import _queries as _psycopg_queries
from simple_history import signals as history_signals
from simple_history.models import HistoricalRecords

from itsm.core.models import TimelineEntry
from itsm.core.numbering import NUMBER_SQL, next_number, number_params
from itsm.core.prepared import kept_cursor, prepared
from itsm.core.timeline import record_event

# psycopg parses a statement's ``%s`` placeholders at every execute unless the statement has at
# most MAX_CACHED_STATEMENT_PARAMS (50) parameters, when it keeps the parse in an LRU cache. The
# statements compiled here have more: a ticket's row with its history and timeline (56), two
# clocks (58); each was parsed again at every create (0.5 ms of a create's 9 ms CPU). The cache
# is keyed by the statement's text and still bounded by its length and its 128 entries.
# ``core/tests/test_writes.py`` fails if a psycopg release drops the name.
_psycopg_queries.MAX_CACHED_STATEMENT_PARAMS = max(
    _psycopg_queries.MAX_CACHED_STATEMENT_PARAMS, 200
)

#: the columns simple-history writes beside the tracked ones (and its own ``history_id``)
_HISTORY_FIELDS = ("history_date", "history_change_reason", "history_type", "history_user")
#: the timeline row's fields in the order of the compiled INSERT
_TIMELINE_FIELDS = ("content_type", "object_id", "verb", "at", "actor", "note", "data")
#: the answer of ``_tracker`` when a receiver this path does not replace is connected
_RECEIVERS = object()


def insert_record(
    obj,
    *,
    by=None,
    number_prefix: str | None = None,
    number_field: str = "number",
    verb: str = "created",
    note: str = "",
    data: dict | None = None,
    at=None,
    savepoint: bool = True,
    along=(),
):
    """Insert the new record *obj* — with the next *number_prefix* number in *number_field*
    when a prefix is given — its field-history row and its *verb* timeline row by *by* (at
    *at*, default now: a record logged after the fact, e.g. a ticket opened earlier), and
    return *obj* saved. What is written, and when the ORM writes it instead: the module's
    docstring.

    *along*: groups of new rows (:class:`Rows`) written with it, in the same statement on
    PostgreSQL; a row pointing at *obj* (a ticket's dispatch row) gets its new id.

    As before ``save()``, validating *obj* is the caller's (``core.services.clean_record``), and
    so is naming the history row's author (``core.services.set_actor``)."""
    model = type(obj)
    alias = router.db_for_write(model, instance=obj)
    connection = connections[alias]
    along = [group for group in along if group.objs]
    plan = _plan(model, connection, number_field if number_prefix else None)
    tracker = _tracker(model, plan) if plan is not None else _RECEIVERS
    if plan is None or tracker is _RECEIVERS or not _plain(obj, plan, tracker):
        with transaction.atomic(using=alias):
            if number_prefix:
                setattr(obj, number_field, next_number(number_prefix))
            obj.save()
            record_event(obj, verb, by=by, note=note, data=data, at=at)
            for group in along:
                _write_group(group)
        return obj
    obj._prepare_related_fields_for_save(operation_name="save")
    write = _Write(obj, plan, tracker, connection, by, number_prefix, verb, note, data, at)
    write.along = along
    postgres = connection.vendor == "postgresql"
    if postgres and write.along:
        write.together = _Together(write.along, connection, {id(obj): ("new", None)})
    one_statement = postgres and (write.together is None or write.together.fits)
    if one_statement and not connection.in_atomic_block and connection.get_autocommit():
        return write()  # one statement: a transaction of its own
    if one_statement and not savepoint and connection.in_atomic_block:
        return write()  # one statement in the caller's all-or-nothing transaction
    with transaction.atomic(using=alias):
        return write()


# --- the plan: SQL text and fields, built once per model, numbered field and database ---------


@dataclass(frozen=True)
class _Plan:
    model: Any
    history_model: Any  # None: the model keeps no field history
    fields: tuple  # the row's fields, in the INSERT's order
    hows: tuple  # their preparers (``preparers``)
    number: Any  # the numbered field, or None
    converters: dict  # of the values read back: the primary key (and the number)
    read: int  # PostgreSQL: how many values the statement reads back
    history_fields: tuple  # the history model's _HISTORY_FIELDS
    timeline_fields: tuple  # TimelineEntry's _TIMELINE_FIELDS
    sql: str  # PostgreSQL: the whole write; SQLite: the row's INSERT … RETURNING its id
    ctes: str  # PostgreSQL: the statement's WITH clause (``sql`` = ctes + SELECT …)
    history_sql: str  # SQLite: the history row, copied from the new row
    timeline_sql: str  # SQLite: the timeline row


_PLANS: dict[tuple, _Plan | None] = {}


def _plan(model, connection, number_field: str | None) -> _Plan | None:
    key = (model, connection.alias, connection.vendor, number_field)
    try:
        return _PLANS[key]
    except KeyError:
        plan = _PLANS[key] = _build_plan(model, connection, number_field)
        return plan


def history_model_of(model):
    """*model*'s history model (django-simple-history), or None; read off its descriptor
    without building the manager that an attribute access builds."""
    name = getattr(model._meta, "simple_history_manager_attribute", None)
    return getattr(model.__dict__.get(name) if name else None, "model", None)


def _build_plan(model, connection, number_field: str | None) -> _Plan | None:
    meta = model._meta
    postgres = connection.vendor == "postgresql"
    if not (postgres or connection.vendor == "sqlite") or meta.proxy or meta.parents:
        return None
    if meta.order_with_respect_to or meta.pk is not meta.auto_field:
        return None
    if meta.db_returning_fields != [meta.pk]:
        return None
    if not connection.features.can_return_columns_from_insert:
        return None
    fields = tuple(f for f in meta.local_concrete_fields if f is not meta.auto_field)
    if any(f.generated or f.has_db_default() or hasattr(f, "get_placeholder") for f in fields):
        return None
    number = meta.get_field(number_field) if number_field else None
    if number is not None and number not in fields:
        return None
    history_model = history_model_of(model)
    copied: list[tuple[Any, Any]] = []  # (history column, row column)
    history_fields: tuple = ()
    if history_model is not None:
        hmeta = history_model._meta
        if history_model._history_m2m_fields or hasattr(history_model, "history_relation"):
            return None
        try:
            copied = [
                (_field(hmeta, f.name).column, f.column) for f in history_model.tracked_fields
            ]
            history_fields = tuple(_field(hmeta, name) for name in _HISTORY_FIELDS)
        except Exception:  # a layout this path does not know: the ORM writes it
            return None
        written = {column for column, _source in copied} | {f.column for f in history_fields}
        if hmeta.pk is not hmeta.auto_field or written != {
            f.column for f in hmeta.concrete_fields if f is not hmeta.pk
        }:
            return None
    tmeta = TimelineEntry._meta
    timeline_fields = tuple(_field(tmeta, name) for name in _TIMELINE_FIELDS)
    returning = (meta.pk, number) if postgres and number is not None else (meta.pk,)
    compiler = InsertQuery(model).get_compiler(connection=connection)
    converters = compiler.get_converters([f.get_col(meta.db_table) for f in returning])
    q = connection.ops.quote_name
    pk = q(meta.pk.column)
    row_sql = "INSERT INTO {table} ({columns}) VALUES ({values})".format(
        table=q(meta.db_table),
        columns=", ".join(q(f.column) for f in fields),
        values=", ".join(NUMBER_SQL if postgres and f is number else "%s" for f in fields),
    )
    history_sql = ""
    if history_model is not None:
        history_sql = "INSERT INTO {table} ({columns}) SELECT {sources}, %s, %s, %s, %s".format(
            table=q(history_model._meta.db_table),
            columns=", ".join(
                [q(column) for column, _source in copied] + [q(f.column) for f in history_fields]
            ),
            sources=", ".join(q(source) for _column, source in copied),
        )
    timeline_columns = ", ".join(q(f.column) for f in timeline_fields)
    if postgres:
        read = ", ".join(q(f.column) for f in returning)
        kept = ", ".join(
            dict.fromkeys(
                [pk, *(q(f.column) for f in returning), *(q(source) for _column, source in copied)]
            )
        )
        ctes = f'WITH "new" AS ({row_sql} RETURNING {kept})'
        if history_sql:
            ctes += f', "history" AS ({history_sql} FROM "new")'
        ctes += (
            f', "timeline" AS (INSERT INTO {q(tmeta.db_table)} ({timeline_columns}) '
            f'SELECT %s, CAST({pk} AS text), %s, %s, %s, %s, %s FROM "new")'
        )
        sql = f'{ctes} SELECT {read} FROM "new"'
        history_sql = timeline_sql = ""
    else:
        ctes = ""
        sql = f"{row_sql} RETURNING {pk}"
        if history_sql:
            history_sql += f" FROM {q(meta.db_table)} WHERE {pk} = %s"
        timeline_sql = "INSERT INTO {table} ({columns}) VALUES ({values})".format(
            table=q(tmeta.db_table),
            columns=timeline_columns,
            values=", ".join(["%s"] * len(timeline_fields)),
        )
    return _Plan(
        model=model,
        history_model=history_model,
        fields=fields,
        hows=preparers(fields, connection.vendor),
        number=number,
        converters=converters,
        read=len(returning),
        history_fields=history_fields,
        timeline_fields=timeline_fields,
        sql=prepared(sql),
        ctes=ctes,
        history_sql=prepared(history_sql),
        timeline_sql=prepared(timeline_sql),
    )


def _field(meta, name: str) -> models.Field:
    field = meta.get_field(name)
    if not isinstance(field, models.Field):
        raise LookupError(f"{meta.label}.{name} is not a concrete field")
    return field


# --- what may take this path, asked at each create (receivers may be connected any time) ----


def _tracker(model, plan: _Plan):
    """simple-history's tracker, whose ``post_save`` would write *model*'s history row (None:
    the model keeps no history), or ``_RECEIVERS`` when a receiver this path does not replace
    is connected (to the model, its history model or the timeline)."""
    if signals.pre_save.has_listeners(model):
        return _RECEIVERS
    sync, asynchronous = signals.post_save._live_receivers(model)
    tracker = None
    for receiver in [*sync, *asynchronous]:
        owner = getattr(receiver, "__self__", None)
        if not isinstance(owner, HistoricalRecords) or (
            getattr(receiver, "__func__", None) is not HistoricalRecords.post_save
        ):
            return _RECEIVERS
        tracker = owner
    history_model = plan.history_model
    if (tracker is None) != (history_model is None):
        return _RECEIVERS
    for quiet in (TimelineEntry, history_model):
        if quiet is not None and (
            signals.pre_save.has_listeners(quiet) or signals.post_save.has_listeners(quiet)
        ):
            return _RECEIVERS
    if tracker is not None and (
        tracker.use_base_model_db
        or history_signals.pre_create_historical_record.has_listeners(history_model)
        or history_signals.post_create_historical_record.has_listeners(history_model)
    ):
        return _RECEIVERS
    return tracker


def _plain(obj, plan: _Plan, tracker) -> bool:
    """*obj* is a new row, its values are values (no expressions), and its history row is the
    plain one simple-history writes — or none, as the ORM's ``save()`` would decide."""
    if not obj._state.adding or getattr(obj, plan.model._meta.pk.attname) is not None:
        return False
    if any(hasattr(getattr(obj, f.attname), "resolve_expression") for f in plan.fields):
        return False
    if tracker is not None:
        if not getattr(settings, "SIMPLE_HISTORY_ENABLED", True) or hasattr(
            obj, "skip_history_when_saving"
        ):
            return False
        user = tracker.get_history_user(obj)
        user_model = plan.history_fields[3].remote_field.model
        if user is not None and (not isinstance(user, user_model) or user.pk is None):
            return False  # the ORM refuses it, with its own error
    return True


# --- the values, prepared as their fields prepare them ----------------------------------------

#: a preparer's answer for a value it leaves to the field's own ``get_db_prep_save``
_ASK_FIELD = object()
#: the methods through which a stock field prepares a value to save
_PREP_METHODS = ("get_db_prep_save", "get_db_prep_value", "get_prep_value", "to_python")


def _stock(field, base) -> bool:
    """*field* is a *base* whose class prepares values with *base*'s own methods."""
    cls = type(field)
    return isinstance(field, base) and all(
        getattr(cls, name) is getattr(base, name) for name in _PREP_METHODS
    )


def _as_is(kind: type) -> Callable[[Any], Any]:
    """The preparer of a field that saves a *kind* (exactly) or ``None`` as it is."""
    return lambda value: value if value is None or type(value) is kind else _ASK_FIELD


def _preparer(field, vendor: str) -> Callable[[Any], Any] | None:
    """A function that gives what ``field.get_db_prep_save(value, connection)`` gives for the
    commonest values of a stock field — a text's ``str``, a flag's ``bool``, an integer or an
    id, an aware ``datetime`` on PostgreSQL, ``None`` — without the four calls through which
    the field gets there (about a microsecond a value, ~150 values a ticket's create), and
    ``_ASK_FIELD`` for any other value; ``None`` for a field it does not know.
    ``core/tests/test_writes.py`` checks each answer against the field's own."""
    if isinstance(field, models.ForeignKey):
        if type(field).get_db_prep_save is not models.ForeignKey.get_db_prep_save:
            return None
        return _preparer(field.target_field, vendor)  # None stays None; an id as its target's
    if _stock(field, models.CharField) or _stock(field, models.TextField):
        return _as_is(str)
    if _stock(field, models.BooleanField):
        return _as_is(bool)
    if _stock(field, models.AutoField):
        # AutoField's: int(value), then the backend's validate_autopk_value (as is, on both)
        return _as_is(int)
    if _stock(field, models.IntegerField):
        if vendor != "postgresql":
            return _as_is(int)
        from django.db.backends.postgresql.operations import DatabaseOperations

        # psycopg 3: the value wrapped in its integer type (adapt_integerfield_value)
        wrap = DatabaseOperations.integerfield_type_map.get(field.get_internal_type())
        if wrap is None:
            return None
        return lambda value: (
            None if value is None else wrap(value) if type(value) is int else _ASK_FIELD
        )
    if vendor == "postgresql" and _stock(field, models.DateTimeField):
        # an aware datetime passes as it is (adapt_datetimefield_value); a naive one is warned of
        return lambda value: (
            value
            if value is None or (type(value) is datetime and value.utcoffset() is not None)
            else _ASK_FIELD
        )
    return None


def _plain_read(field) -> str | None:
    """The attribute whose value ``field.pre_save(obj, add=True)`` returns as it is (the stock
    ``pre_save``, or a date's without ``auto_now``/``auto_now_add``), else ``None``."""
    pre_save = type(field).pre_save
    if pre_save is models.Field.pre_save:
        return field.attname
    for dated in (models.DateField, models.DateTimeField):
        if pre_save is dated.pre_save and not (field.auto_now or field.auto_now_add):
            return field.attname
    return None


def preparers(fields: tuple, vendor: str) -> tuple:
    """Per field of *fields*: (:func:`_plain_read`, :func:`_preparer`) for the database
    *vendor*, which :func:`value_of` and :func:`prepare` take (kept by their callers' plans)."""
    return tuple((_plain_read(field), _preparer(field, vendor)) for field in fields)


def value_of(obj, field, how: tuple):
    """``field.pre_save(obj, add=True)`` (*how*: the field's entry of :func:`preparers`)."""
    return getattr(obj, how[0]) if how[0] else field.pre_save(obj, True)


def prepare(field, how: tuple, value, connection):
    """*value* for the database, as ``field.get_db_prep_save(value, connection)`` gives it."""
    prepared_value = _ASK_FIELD if how[1] is None else how[1](value)
    if prepared_value is _ASK_FIELD:
        return field.get_db_prep_save(value, connection)
    return prepared_value


# --- the write --------------------------------------------------------------------------------


class _Write:
    """One call of :func:`insert_record` on its fast path (values prepared when called)."""

    def __init__(self, obj, plan, tracker, connection, by, number_prefix, verb, note, data, at):
        self.obj, self.plan, self.tracker, self.connection = obj, plan, tracker, connection
        self.by, self.number_prefix = by, number_prefix
        self.verb, self.note, self.data, self.at = verb, note, data, at
        self.along: list[Rows] = []
        self.together: _Together | None = None  # PostgreSQL: *along* compiled

    def __call__(self):
        obj, plan, connection = self.obj, self.plan, self.connection
        postgres = connection.vendor == "postgresql"
        if plan.number is not None and not postgres:
            setattr(obj, plan.number.attname, next_number(self.number_prefix))
        values: list = []
        for field, how in zip(plan.fields, plan.hows, strict=True):
            if postgres and field is plan.number:
                values += number_params(self.number_prefix)
                continue
            values.append(prepare(field, how, value_of(obj, field, how), connection))
        history = self._history_values()
        timeline = self._timeline_values()
        together = self.together if self.together is not None and self.together.fits else None
        with kept_cursor(connection) as cursor:
            if together is not None:
                cursor.execute(
                    self._sql_with(together), values + history + timeline + together.params
                )
                row = list(cursor.fetchone())
            elif postgres:
                cursor.execute(plan.sql, values + history + timeline)
                row = list(cursor.fetchone())
            else:
                cursor.execute(plan.sql, values)
                row = list(cursor.fetchone())
                if plan.history_sql:
                    cursor.execute(plan.history_sql, [*history, row[0]])
                timeline[1] = str(row[0])
                cursor.execute(plan.timeline_sql, timeline)
        for index, (converters, expression) in plan.converters.items():
            for converter in converters:
                row[index] = converter(row[index], expression, connection)
        setattr(obj, plan.model._meta.pk.attname, row[0])
        if postgres and plan.number is not None:
            setattr(obj, plan.number.attname, row[1])
        obj._state.db = connection.alias
        obj._state.adding = False
        if together is not None:
            together.saved(row[plan.read :])
        else:
            for group in self.along:
                _write_group(group)
        return obj

    def _sql_with(self, together) -> str:
        """The record's statement with *together*'s CTEs, reading their ids after its own."""
        key = (self.plan.sql, together.key)
        try:
            return _TOGETHER_SQL[key][2]
        except KeyError:
            ctes, arrays, _alone = together.sql()
            read = self.plan.sql[len(self.plan.ctes) :].removesuffix(' FROM "new"')
            statement = prepared(f'{self.plan.ctes}, {ctes}{read}, {arrays} FROM "new"')
            _TOGETHER_SQL[key] = (ctes, arrays, statement)
            return statement

    def _history_values(self) -> list:
        """simple-history's ``create_historical_record``: date, change reason, type, user."""
        if self.tracker is None:
            return []
        obj, connection = self.obj, self.connection
        date, reason, kind, user = self.plan.history_fields
        history_user = self.tracker.get_history_user(obj)
        return [
            date.get_db_prep_save(getattr(obj, "_history_date", timezone.now()), connection),
            reason.get_db_prep_save(
                self.tracker.get_change_reason_for_object(obj, "+", None), connection
            ),
            kind.get_db_prep_save("+", connection),
            user.get_db_prep_save(getattr(history_user, "pk", None), connection),
        ]

    def _timeline_values(self) -> list:
        """``record_event``'s row (the object id, on PostgreSQL, is read from the new row)."""
        connection = self.connection
        content_type, _object_id, verb, at, actor, note, data = self.plan.timeline_fields
        by = self.by
        return [
            content_type.get_db_prep_save(
                ContentType.objects.get_for_model(type(self.obj)).pk, connection
            ),
            *([] if connection.vendor == "postgresql" else [None]),
            verb.get_db_prep_save(self.verb, connection),
            at.get_db_prep_save(self.at or timezone.now(), connection),
            actor.get_db_prep_save(by.pk if getattr(by, "pk", None) else None, connection),
            note.get_db_prep_save(self.note, connection),
            data.get_db_prep_save(self.data or {}, connection),
        ]


# --- new rows without history: the compiled bulk_create --------------------------------------


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
        sql = _ROWS_SQL[key] = prepared(_group_insert(model, connection, len(objs), group, ()))
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
                obj._prepare_related_fields_for_save(operation_name="bulk_create")
            finally:
                for index, target in pointing.items():
                    fields[index].set_cached_value(obj, target)
        else:
            obj._prepare_related_fields_for_save(operation_name="bulk_create")
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


def _group_insert(model, connection, count: int, group: Rows, refs: tuple) -> str:
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
            if group.ignore_conflicts
            else f" RETURNING {quote(pk.column or pk.attname)}"
        )
    )


class _Together:
    """Groups of rows (:class:`Rows`) compiled as CTEs of one PostgreSQL statement: ``"g0" AS
    (INSERT …), "g1" AS (INSERT …)`` and the arrays of their new ids to select."""

    def __init__(self, groups: list, connection, linked: dict):
        self.groups, self.connection = groups, connection
        self.params: list = []
        self.refs: list = []  # (row, index, SQL, field, object) per group
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
            model = type(group.objs[0])
            shape.append(
                (model, len(group.objs), group.ignore_conflicts, tuple(r[:3] for r in refs))
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
                group = self.groups[number]
                insert = _group_insert(model, self.connection, count, group, refs)
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
    pk = None
    for obj, pk_value in zip(group.objs, ids or [None] * len(group.objs), strict=True):
        if pk_value is not None:
            pk = pk or obj._meta.pk
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
