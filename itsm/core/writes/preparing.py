"""The values of a lean insert, prepared as their fields prepare them (``core.writes``)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from django.db import models

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


#: per model: (cache name, field, its attribute, the attribute it copies from the related row —
#: ``None`` for a generic foreign key) of the relations ``_prepare_related_fields_for_save``
#: checks
_RELATIONS: dict[Any, tuple] = {}


def _relations(model) -> tuple:
    try:
        return _RELATIONS[model]
    except KeyError:
        meta = model._meta
        found = _RELATIONS[model] = tuple(
            (field.cache_name, field, field.attname, field.target_field.attname)
            for field in meta.concrete_fields
            if field.is_relation
        ) + tuple(
            (field.cache_name, field, None, None)
            for field in meta.private_fields
            if field.is_relation and hasattr(field, "fk_field")
        )
        return found


def prepare_related(obj, operation_name: str) -> None:
    """Django's ``obj._prepare_related_fields_for_save(operation_name)`` — a related object not
    saved refused, one saved since its assignment taken, a stale one forgotten — asked only
    when a related object of *obj* needs it: that method reads every concrete field of the
    row (a ticket's 45), this only the related objects *obj* holds (none, or all saved and
    matching their ids, on a create's rows)."""
    cache = obj._state.fields_cache
    if not cache:
        return
    for name, field, attname, target_attname in _relations(type(obj)):
        target = cache.get(name)
        if target is None:
            continue
        if not target._is_pk_set():
            break
        if attname is not None:
            value = getattr(obj, attname)
            if value in field.empty_values or getattr(target, target_attname) != value:
                break
    else:
        return
    obj._prepare_related_fields_for_save(operation_name=operation_name)
