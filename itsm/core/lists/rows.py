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
"""

from __future__ import annotations

import operator
from collections.abc import Callable
from typing import Any

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


class PageRowIterable(ModelIterable):
    """``ModelIterable`` making its instances as :func:`_instance` does (module docstring)."""

    def __iter__(self):
        queryset = self.queryset
        if getattr(queryset, "_known_related_objects", None):
            yield from super().__iter__()  # Django's way
            return
        db = queryset.db
        compiler = queryset.query.get_compiler(using=db)
        results = compiler.execute_sql(chunked_fetch=self.chunked_fetch, chunk_size=self.chunk_size)
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
