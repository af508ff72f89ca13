"""Reading a page of records into JSON without DRF's per-field machinery per row.

``Serializer.to_representation`` asks every field of every row for its attribute through
``Field.get_attribute`` (a generic path walk with ``Mapping`` and callable checks, ``SkipField``
handling, a ``PKOnlyObject`` per foreign key) — about 60 µs a row of 19 fields, most of a list
request's serialisation. :func:`read_plan` works out once per serializer (a list's rows share
one child serializer) how each readable field is read:

* a concrete model field named by its own source: ``getattr(row, name)``, then the field's own
  ``to_representation`` (dates, decimals, choices format exactly as DRF formats them);
* a primary-key related field on a foreign key: the row's ``<name>_id`` (what DRF's pk-only
  optimisation returns), never the related row;
* DRF's ``DateTimeField`` in ISO 8601: the request's time zone is read once per page, not
  per value;
* a method field: the serializer's ``get_<name>`` bound once;
* a dotted source over relations that cannot be empty to a column (``ci_class.code``): the
  row's annotation of that path (``ci_class__code``) when the list's query selected the
  column instead of the related row (``ConfigurationItemViewSet``), else DRF's reading;
* anything else (dotted sources, many-to-many, nested serializers, hyperlinks): DRF's own
  ``get_attribute`` and ``to_representation``, unchanged.

A list page's rows themselves may be read by ``core.lists.rows.page_rows`` (the CI list's
are): the rows the HTML lists read — the instances Django builds, without ``Model.__init__``,
their date-times read by psycopg's C loader.

When every field of a serializer reads rows without its context (DRF's own fields; method
fields are bound per instance), the plan is worked out once per serializer class and shared
(:func:`shared_plan`), so a list request does not build the serializer's fields at all
(``ModelSerializer.get_fields``: ~1 ms per request).

:func:`represent` then applies the plan: the same dictionary, key for key and value for value,
as ``Serializer.to_representation`` (the API tests and the OpenAPI schema are unchanged).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime
from typing import Any

from django.conf import settings
from django.core.exceptions import FieldDoesNotExist
from django.utils import timezone
from rest_framework import ISO_8601, relations
from rest_framework import fields as drf_fields
from rest_framework.fields import SkipField
from rest_framework.relations import PKOnlyObject
from rest_framework.serializers import BaseSerializer
from rest_framework.settings import api_settings

_SKIP = object()

#: (field name, row → value, _SKIP when the reading may skip the field, else None)
Step = tuple[str, Callable[[Any], Any], object]
#: a step whose reader may still be made when its plan is bound (:class:`_PerPlan`)
_Unbound = tuple[str, "Callable[[Any], Any] | _PerPlan", object]


def _concrete(model, name: str):
    if model is None:
        return None
    try:
        field = model._meta.get_field(name)
    except FieldDoesNotExist:
        return None
    return field if getattr(field, "concrete", False) else None


def _generic(field) -> Callable[[Any], Any]:
    """DRF's own reading of one field (``Serializer.to_representation``'s loop body)."""
    get, show = field.get_attribute, field.to_representation

    def read(instance):
        try:
            attribute = get(instance)
        except SkipField:
            return _SKIP
        check = attribute.pk if isinstance(attribute, PKOnlyObject) else attribute
        return None if check is None else show(attribute)

    return read


def _step(serializer, field, model) -> _Unbound:
    name = field.field_name
    source = field.source_attrs
    if isinstance(field, drf_fields.SerializerMethodField):
        return name, getattr(serializer, field.method_name), None
    if len(source) == 1 and not isinstance(
        field, relations.ManyRelatedField | drf_fields.HiddenField
    ):
        model_field = _concrete(model, source[0])
        if model_field is not None:
            if model_field.is_relation:
                if (
                    isinstance(field, relations.PrimaryKeyRelatedField)
                    and type(field).get_attribute is relations.RelatedField.get_attribute
                    and type(field).to_representation
                    is relations.PrimaryKeyRelatedField.to_representation
                    and field.use_pk_only_optimization()
                    and field.pk_field is None
                    and model_field.many_to_one
                ):
                    attname = model_field.attname
                    return name, lambda row: getattr(row, attname), None
            elif type(field).get_attribute is drf_fields.Field.get_attribute:
                attr, show = source[0], field.to_representation
                if _iso_datetime(field):
                    return name, _PerPlan(lambda zone: _datetime_reader(attr, show, zone)), None

                def read(row):
                    value = getattr(row, attr)
                    return None if value is None else show(value)

                return name, read, None
    if (
        len(source) > 1
        and type(field).get_attribute is drf_fields.Field.get_attribute
        and _to_one_column(model, source)
    ):
        return name, _annotated(field, "__".join(source)), _SKIP
    return name, _generic(field), _SKIP


class _PerPlan:
    """A reader made when a serializer's plan is bound (once per serializer, so once per
    list page): it may hold what is the same for every row of the request — the time zone,
    read once per plan (``make(zone)``)."""

    def __init__(self, make: Callable[[Any], Callable[[Any], Any]]):
        self.make = make


def _zone():
    """The request's time zone (``None`` without ``USE_TZ``), read once per plan."""
    return timezone.get_current_timezone() if settings.USE_TZ else None


def _bound(read, zone):
    return read.make(zone) if isinstance(read, _PerPlan) else read


def _iso_datetime(field) -> bool:
    """Whether *field* is DRF's own ``DateTimeField`` writing ISO 8601 in the current time
    zone (no ``default_timezone`` of its own)."""
    return (
        type(field).to_representation is drf_fields.DateTimeField.to_representation
        and type(field).enforce_timezone is drf_fields.DateTimeField.enforce_timezone
        and type(field).default_timezone is drf_fields.DateTimeField.default_timezone
        and not hasattr(field, "timezone")
        and str(getattr(field, "format", api_settings.DATETIME_FORMAT)).lower() == ISO_8601
    )


def _datetime_reader(attr: str, show, zone) -> Callable[[Any], Any]:
    """``DateTimeField.to_representation`` of an aware value in *zone*, the request's time
    zone read once per plan (DRF asks for it per value); anything else (naive, text, an
    overflow) as DRF writes it."""

    def read(row):
        value = getattr(row, attr)
        if zone is None or not isinstance(value, datetime) or value.tzinfo is None:
            return None if value is None else show(value)
        try:
            text = value.astimezone(zone).isoformat()
        except OverflowError:
            return show(value)
        return text[:-6] + "Z" if text.endswith("+00:00") else text

    return read


def _to_one_column(model, source: list[str]) -> bool:
    """Whether the dotted *source* walks forward relations that cannot be empty (``ci_class``
    of a CI) to a column of the last row (``code``)."""
    for depth, part in enumerate(source):
        field = _concrete(model, part)
        if field is None:
            return False
        if depth == len(source) - 1:
            return not field.is_relation
        if not (field.many_to_one or field.one_to_one) or field.null:
            return False
        model = field.related_model
    return False


def _annotated(field, key: str) -> Callable[[Any], Any]:
    """A dotted source read from the row's annotation *key* (``ci_class__code``) when the
    list's query selected it that way (no related row built per row), else as DRF reads it."""
    generic, show = _generic(field), field.to_representation

    def read(row):
        value = row.__dict__.get(key)
        return generic(row) if value is None else show(value)

    return read


def _context_free(field) -> bool:
    """Whether *field* reads a row without its serializer's context or binding: DRF's own
    reading (no override outside DRF), not a nested serializer, a hyperlink or a method."""
    if isinstance(
        field,
        BaseSerializer
        | drf_fields.SerializerMethodField
        | drf_fields.HiddenField
        | drf_fields.FileField  # its URL is made absolute with the request
        | relations.HyperlinkedRelatedField,
    ):
        return False
    for method in ("get_attribute", "to_representation"):
        if not getattr(type(field), method).__module__.startswith("rest_framework."):
            return False
    inner = getattr(field, "child_relation", None) or getattr(field, "child", None)
    return inner is None or _context_free(inner)


#: (serializer class, hidden fields) → its steps shared by every instance, ``None``: not shared
_SHARED: dict[tuple[type, tuple[str, ...]], list[tuple[str, Any, Any]] | None] = {}


def shared_plan(
    serializer, hidden: tuple[str, ...], *, standard: tuple[type, ...]
) -> list[Step] | None:
    """*serializer*'s plan without building its fields: the steps are worked out once per
    class (and hidden fields) on a template instance and shared — when every field reads
    rows without context (:func:`_context_free`) or is a method field, bound here to
    *serializer*. ``None`` when the class builds its fields its own way (a ``get_fields``
    outside *standard* and DRF) or holds a field that needs its own serializer."""
    cls = type(serializer)
    key = (cls, hidden)
    if key not in _SHARED:
        _SHARED[key] = _shared_steps(cls, hidden, standard)
    shared = _SHARED[key]
    if shared is None:
        return None
    zone = _zone()
    return [
        (name, getattr(serializer, read) if method else _bound(read, zone), skip)
        for name, (read, method), skip in shared
    ]


def _shared_steps(cls, hidden, standard):
    for klass in cls.__mro__:
        if "get_fields" in vars(klass) and klass not in standard:
            if not klass.__module__.startswith("rest_framework."):
                return None
    try:
        template = cls(context={})
    except Exception:  # a serializer that needs arguments or a request to exist: per instance
        return None
    model = getattr(getattr(template, "Meta", None), "model", None)
    steps: list[tuple[str, tuple[Any, bool], object]] = []
    for field in template._readable_fields:
        if field.field_name in hidden:
            continue
        if isinstance(field, drf_fields.SerializerMethodField):
            steps.append((str(field.field_name), (field.method_name, True), None))
        elif _context_free(field):
            name, read, skip = _step(template, field, model)
            steps.append((name, (read, False), skip))
        else:
            return None
    return steps


def read_plan(serializer, *, hidden: Iterable[str] = ()) -> list[Step]:
    """How *serializer* reads each field it shows (not *hidden*), worked out once."""
    model = getattr(getattr(serializer, "Meta", None), "model", None)
    left_out = set(hidden)
    steps = (
        _step(serializer, field, model)
        for field in serializer._readable_fields
        if field.field_name not in left_out
    )
    zone = _zone()
    return [(name, _bound(read, zone), skip) for name, read, skip in steps]


def represent(instance, plan: list[Step]) -> dict:
    """*instance* as ``Serializer.to_representation`` gives it (see the module)."""
    data = {}
    for name, read, skip in plan:
        value = read(instance)
        if skip is _SKIP and value is _SKIP:
            continue
        data[name] = value
    return data
