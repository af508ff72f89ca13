"""The rows of a list page as model instances made without ``Model.__init__``.

A page of 50 CIs with their class and customer (``select_related``) is 150 instances; Django
makes each through ``Model.__init__`` (a ``setattr`` per field, the ``pre_init``/``post_init``
signals), about a millisecond of every list page (issue 10). :func:`page_rows` gives a queryset
whose rows are made the way ``Model.from_db`` leaves them — the loaded columns in the
instance's ``__dict__``, the others deferred, ``_state`` not adding and of the database read —
by setting the dictionary at once. They are the same instances for the page: properties,
methods, related objects read by ``select_related`` (cached on the instance as Django caches
them), ``pk``, deferred loading.

A model some receiver watches being made (``pre_init``/``post_init``) is made by
``Model.from_db``; a queryset with related objects known to it (a related manager's) is read
the way Django reads it. The page's rows are read, never saved.

On PostgreSQL in a UTC session the page's date-times are read by psycopg's C ``timestamptz``
loader instead of Django's own (a Python subclass of psycopg's, ~4 µs a value: 0.45 ms of a
50-row page with two date-times): both give aware date-times in UTC with the same ``tzinfo``
(:func:`_fast_timestamps`), so the rows — and the HTML pages and API answers made of them —
are the same. This one reader serves the HTML lists and the API lists (the CI list's
``ConfigurationItemViewSet``).
"""

from __future__ import annotations

import operator
from collections.abc import Callable
from datetime import UTC
from typing import Any

from django.conf import settings
from django.core.exceptions import EmptyResultSet
from django.db import connections
from django.db.models import signals
from django.db.models.base import ModelState
from django.db.models.query import ModelIterable


def _plain(model) -> bool:
    """Whether instances of *model* may be made without ``__init__`` (nothing listens)."""
    return not (signals.pre_init.has_listeners(model) or signals.post_init.has_listeners(model))


def _instance(model, db, names, values):
    """What ``model.from_db(db, names, values)`` returns, without ``Model.__init__``."""
    obj = model.__new__(model)
    state = ModelState()
    state.adding = False
    state.db = db
    obj._state = state
    obj.__dict__.update(zip(names, values, strict=True))
    return obj


class RowReader:
    """One model's columns of each row and its ``select_related`` rows, as Django's
    ``RelatedPopulator`` reads them (a parent's columns reordered for multi-table
    inheritance; ``Model.from_db`` for a model something listens to being made)."""

    def __init__(self, klass_info: dict, select, db):
        fields = klass_info["select_fields"]
        self.model = model = klass_info["model"]
        if klass_info.get("from_parent"):
            indexes = {select[index][0].target.attname: index for index in fields}
            self.names = [f.attname for f in model._meta.concrete_fields if f.attname in indexes]
            self.take: Callable[[Any], Any] = operator.itemgetter(
                *[indexes[name] for name in self.names]
            )
            if len(self.names) == 1:  # itemgetter of one index gives the value, not a tuple
                take = self.take
                self.take = lambda row: (take(row),)
        else:
            start, end = fields[0], fields[-1] + 1
            self.names = [column[0].target.attname for column in select[start:end]]
            self.take = operator.itemgetter(slice(start, end))
        self.pk_index = self.names.index(model._meta.pk.attname)
        self.db = db
        self.plain = _plain(model) and len(set(self.names)) == len(self.names)
        #: each ``select_related`` row's reader and how it is set on this row and back
        self.related: list[tuple[RowReader, Callable[[Any, Any], None], Callable[[Any, Any], None]]]
        self.related = [
            (RowReader(info, select, db), info["local_setter"], info["remote_setter"])
            for info in klass_info.get("related_klass_infos", [])
        ]

    def make(self, row):
        values = self.take(row)
        if values[self.pk_index] is None:
            return None
        if self.plain:
            obj = _instance(self.model, self.db, self.names, values)
        else:
            obj = self.model.from_db(self.db, self.names, values)
        for reader, local_setter, remote_setter in self.related:
            related = reader.make(row)
            local_setter(obj, related)
            if related is not None:
                remote_setter(related, obj)
        return obj


def _c_timestamp_loader():
    """psycopg's C ``timestamptz`` loader, ``None`` without psycopg's C module."""
    try:
        from psycopg._cmodule import _psycopg
    except ImportError:
        return None
    return None if _psycopg is None else _psycopg.TimestamptzLoader


_LOADER: list = []


def _fast_timestamps(connection) -> Any:
    """The loader to read *connection*'s ``timestamptz`` columns with, when it gives exactly
    what Django's does: aware date-times in UTC, the session's time zone being UTC (Django's
    own loader parses them in Python and sets ``tzinfo`` to ``timezone.utc``, which psycopg's
    C loader also sets for a UTC session). ``None``: read as Django reads them."""
    if connection.vendor != "postgresql" or not settings.USE_TZ or connection.timezone is not UTC:
        return None
    connection.ensure_connection()
    if connection.connection.info.parameter_status("TimeZone") != "UTC":
        return None
    if not _LOADER:
        _LOADER.append(_c_timestamp_loader())
    return _LOADER[0]


def _fetched(compiler, connection, loader) -> list:
    """The rows of *compiler*'s query, its ``timestamptz`` columns read by *loader*."""
    try:
        sql, params = compiler.as_sql()
    except EmptyResultSet:
        return []
    if not sql:
        return []
    with connection.cursor() as cursor:
        cursor.cursor.adapters.register_loader("timestamptz", loader)
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    if compiler.has_extra_select:
        rows = [row[: compiler.col_count] for row in rows]
    return [rows]


class PageRowIterable(ModelIterable):
    """``ModelIterable`` making its instances as :func:`_instance` does, its date-times read
    by psycopg's C loader when that gives Django's values (module docstring); a chunked read
    (``iterator()``) reads them as Django does."""

    def __iter__(self):
        queryset = self.queryset
        if getattr(queryset, "_known_related_objects", None):
            yield from super().__iter__()  # Django's way
            return
        db = queryset.db
        compiler = queryset.query.get_compiler(using=db)
        connection = connections[db]
        loader = None if self.chunked_fetch else _fast_timestamps(connection)
        if loader is None:
            results = compiler.execute_sql(
                chunked_fetch=self.chunked_fetch, chunk_size=self.chunk_size
            )
        else:
            results = _fetched(compiler, connection, loader)
        reader = RowReader(compiler.klass_info, compiler.select, db)
        annotations = list(compiler.annotation_col_map.items())
        for row in compiler.results_iter(results):
            obj = reader.make(row)
            for name, position in annotations:
                setattr(obj, name, row[position])
            yield obj


def page_rows(queryset):
    """*queryset* making its rows as :class:`PageRowIterable` does (a queryset of values or
    of anything else than plain model rows: unchanged)."""
    if queryset._iterable_class is not ModelIterable:
        return queryset
    rows = queryset._chain()
    rows._iterable_class = PageRowIterable
    return rows
