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
* a method field: the serializer's ``get_<name>`` bound once;
* anything else (dotted sources, many-to-many, nested serializers, hyperlinks): DRF's own
  ``get_attribute`` and ``to_representation``, unchanged.

:func:`represent` then applies the plan: the same dictionary, key for key and value for value,
as ``Serializer.to_representation`` (the API tests and the OpenAPI schema are unchanged).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from django.core.exceptions import FieldDoesNotExist
from rest_framework import fields as drf_fields
from rest_framework import relations
from rest_framework.fields import SkipField
from rest_framework.relations import PKOnlyObject

_SKIP = object()

Step = tuple[str, Callable[[Any], Any], Callable[[Any], Any] | None]


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


def _step(serializer, field, model) -> Step:
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

                def read(row):
                    value = getattr(row, attr)
                    return None if value is None else show(value)

                return name, read, None
    return name, _generic(field), _SKIP


def read_plan(serializer, *, hidden: Iterable[str] = ()) -> list[Step]:
    """How *serializer* reads each field it shows (not *hidden*), worked out once."""
    model = getattr(getattr(serializer, "Meta", None), "model", None)
    left_out = set(hidden)
    return [
        _step(serializer, field, model)
        for field in serializer._readable_fields
        if field.field_name not in left_out
    ]


def represent(instance, plan: list[Step]) -> dict:
    """*instance* as ``Serializer.to_representation`` gives it (see the module)."""
    data = {}
    for name, read, skip in plan:
        value = read(instance)
        if skip is _SKIP and value is _SKIP:
            continue
        data[name] = value
    return data
