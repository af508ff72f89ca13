"""A record's lean insert with its history and timeline rows (``core.writes``, whose docstring
says what is written and when the ORM writes it instead)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import connections, models, router, transaction
from django.db.models import signals
from django.db.models.sql import InsertQuery
from django.utils import timezone
from simple_history import signals as history_signals
from simple_history.models import HistoricalRecords

from itsm.core.models import TimelineEntry
from itsm.core.numbering import NUMBER_SQL, next_number, number_params
from itsm.core.prepared import kept_cursor, prepared
from itsm.core.timeline import record_event
from itsm.core.writes.preparing import prepare, prepare_related, preparers, value_of
from itsm.core.writes.rows import Rows, _Together, _write_group

#: the columns simple-history writes beside the tracked ones (and its own ``history_id``)
_HISTORY_FIELDS = ("history_date", "history_change_reason", "history_type", "history_user")
#: the timeline row's fields in the order of the compiled INSERT
_TIMELINE_FIELDS = ("content_type", "object_id", "verb", "at", "actor", "note", "data")
#: the answer of ``_tracker`` when a receiver this path does not replace is connected
_RECEIVERS = object()
#: (the record's statement, its rows along's shape): the statement writing them all
_WITH_SQL: dict[tuple, str] = {}


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
    prepare_related(obj, "save")
    postgres = connection.vendor == "postgresql"
    together = None  # the rows along compiled into the record's statement, when they fit
    if postgres and along:
        together = _Together(along, connection, {id(obj): ("new", None)})
        together = together if together.fits else None
    one_statement = postgres and (not along or together is not None)
    write = _Write(obj, plan, tracker, connection, by, number_prefix, verb, note, data, at)
    write.along, write.together = along, together
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
    select: str  # PostgreSQL: what it reads back (``sql`` = ctes + SELECT select FROM "new")
    history_fields: tuple  # the history model's _HISTORY_FIELDS
    timeline_fields: tuple  # TimelineEntry's _TIMELINE_FIELDS
    sql: str  # PostgreSQL: the whole write; SQLite: the row's INSERT … RETURNING its id
    ctes: str  # PostgreSQL: the statement's WITH clause
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
        ctes = read = ""
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
        select=read,
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


# --- the write --------------------------------------------------------------------------------


class _Write:
    """One call of :func:`insert_record` on its fast path (values prepared when called)."""

    def __init__(self, obj, plan, tracker, connection, by, number_prefix, verb, note, data, at):
        self.obj, self.plan, self.tracker, self.connection = obj, plan, tracker, connection
        self.by, self.number_prefix = by, number_prefix
        self.verb, self.note, self.data, self.at = verb, note, data, at
        self.along: list[Rows] = []
        self.together: _Together | None = None  # PostgreSQL: *along*, compiled into the write

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
        together = self.together
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
        plan = self.plan
        key = (plan.sql, together.key)
        try:
            return _WITH_SQL[key]
        except KeyError:
            ctes, arrays, _alone = together.sql()
            statement = _WITH_SQL[key] = prepared(
                f'{plan.ctes}, {ctes} SELECT {plan.select}, {arrays} FROM "new"'
            )
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
