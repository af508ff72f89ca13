"""CI classes, their attribute definitions and relation types (R-CMDB-01, R-CMDB-03);
administrators add them without a code change."""

from __future__ import annotations

import importlib
from decimal import Decimal

from django.db import transaction
from django.utils.translation import gettext as _

from itsm.cmdb.choices import AttributeType
from itsm.cmdb.models import (
    AttributeDefinition,
    CIClass,
    ConfigurationItem,
    RelationType,
)
from itsm.cmdb.services._common import (
    ATTRIBUTE_EDITABLE,
    CLASS_EDITABLE,
    NUMERIC_TYPES,
    RELATION_TYPE_EDITABLE,
    _by,
    _full_clean,
    _refuse_unknown,
    _save,
)
from itsm.core.errors import NotFound, ValidationFailed
from itsm.core.timeline import record_event

# --- classes ----------------------------------------------------------------------------------


def _builtin_migration():
    return importlib.import_module("itsm.cmdb.migrations.0002_builtin_classes")


def ensure_builtins() -> None:
    """Re-create missing built-in classes, attributes and relation types (the data migration
    seeds them; a test database flushed by a transactional test loses them)."""
    from django.apps import apps

    _builtin_migration().create_builtins(apps, None)


def get_class(code: str) -> CIClass:
    """The CI class with *code* (built-in codes: server, virtual_machine, network_device,
    storage, middleware, database, application, business_service, document, agreement,
    hardware)."""
    try:
        return CIClass.objects.get(code=code)
    except CIClass.DoesNotExist:
        if code in {row[0] for row in _builtin_migration().CLASSES}:
            ensure_builtins()
            return CIClass.objects.get(code=code)
        raise NotFound(_("There is no CI class “{code}”.").format(code=code))


def get_relation_type(code: str) -> RelationType:
    """The relation type with *code* (built-in: runs_on, depends_on, connected_to, part_of,
    uses, backed_up_by, covers)."""
    try:
        return RelationType.objects.get(code=code)
    except RelationType.DoesNotExist:
        if code in {row[0] for row in _builtin_migration().RELATION_TYPES}:
            ensure_builtins()
            return RelationType.objects.get(code=code)
        raise NotFound(_("There is no relation type “{code}”.").format(code=code))


def create_class(
    *,
    code: str,
    name_zh: str,
    name_en: str,
    by,
    description: str = "",
    icon: str = "",
    is_hardware: bool = False,
    is_business_service: bool = False,
    is_agreement: bool = False,
    order: int = 100,
) -> CIClass:
    """Add a CI class (administrators and configuration managers; no code change needed)."""
    if code and CIClass.objects.filter(code=code).exists():
        raise ValidationFailed(fields={"code": [_("A class with this code already exists.")]})
    with transaction.atomic():
        ci_class = CIClass(
            code=code,
            name_zh=name_zh,
            name_en=name_en,
            description=description,
            icon=icon,
            is_hardware=is_hardware,
            is_business_service=is_business_service,
            is_agreement=is_agreement,
            order=order,
        )
        _full_clean(
            ci_class,
        )
        _by(ci_class, by).save()
        record_event(ci_class, "created", by=by)
    return ci_class


def update_class(ci_class: CIClass, *, by, version: int | None = None, **fields) -> CIClass:
    """Change a class's names, flags or order; a built-in class keeps its code."""
    _refuse_unknown(fields, CLASS_EDITABLE)
    if "code" in fields and fields["code"] != ci_class.code:
        if ci_class.is_builtin:
            raise ValidationFailed(
                fields={"code": [_("The code of a built-in class cannot be changed.")]}
            )
        if CIClass.objects.filter(code=fields["code"]).exclude(pk=ci_class.pk).exists():
            raise ValidationFailed(fields={"code": [_("A class with this code already exists.")]})
    with transaction.atomic():
        for name, value in fields.items():
            setattr(ci_class, name, value)
        _save(ci_class, by, version)
        record_event(ci_class, "updated", by=by, data={"fields": sorted(fields)})
    return ci_class


# --- attribute definitions --------------------------------------------------------------------


def _clean_definition(definition: AttributeDefinition) -> None:
    errors: dict[str, list[str]] = {}
    if definition.type not in AttributeType.values:
        errors["type"] = [_("Unknown attribute type.")]
    if definition.type == AttributeType.CHOICE:
        choices = definition.choices
        if (
            not isinstance(choices, list)
            or not choices
            or not all(isinstance(c, str) and c.strip() for c in choices)
        ):
            errors["choices"] = [_("List at least one allowed value (text).")]
        elif len({c.strip() for c in choices}) != len(choices):
            errors["choices"] = [_("The allowed values must be different.")]
        else:
            definition.choices = [c.strip() for c in choices]
    elif definition.choices:
        errors["choices"] = [_("Only a choice attribute has allowed values.")]
    if definition.type not in NUMERIC_TYPES:
        for name in ("min_value", "max_value"):
            if getattr(definition, name) is not None:
                errors[name] = [_("Only a number attribute has a minimum or maximum.")]
    elif (
        definition.min_value is not None
        and definition.max_value is not None
        and Decimal(definition.min_value) > Decimal(definition.max_value)
    ):
        errors["max_value"] = [_("The maximum must not be below the minimum.")]
    if errors:
        raise ValidationFailed(fields=errors)


def _attribute_in_use(definition: AttributeDefinition, key: str | None = None) -> int:
    return ConfigurationItem.objects.filter(
        ci_class_id=definition.ci_class_id, attributes__has_key=key or definition.key
    ).count()


def create_attribute(
    *,
    ci_class: CIClass,
    key: str,
    name_zh: str,
    name_en: str,
    type: str,
    by,
    required: bool = False,
    choices: list | None = None,
    unit: str = "",
    min_value=None,
    max_value=None,
    order: int = 100,
) -> AttributeDefinition:
    """Add a typed attribute to *ci_class*; CI writes validate against it from now on."""
    if key and AttributeDefinition.objects.filter(ci_class=ci_class, key=key).exists():
        raise ValidationFailed(
            fields={"key": [_("This class already has an attribute with this key.")]}
        )
    with transaction.atomic():
        definition = AttributeDefinition(
            ci_class=ci_class,
            key=key,
            name_zh=name_zh,
            name_en=name_en,
            type=type,
            required=required,
            choices=list(choices or []),
            unit=unit,
            min_value=min_value,
            max_value=max_value,
            order=order,
        )
        _clean_definition(definition)
        _full_clean(
            definition,
        )
        _by(definition, by).save()
        record_event(definition, "created", by=by)
        record_event(ci_class, "attribute_added", by=by, data={"key": key, "type": type})
    return definition


def update_attribute(
    definition: AttributeDefinition, *, by, version: int | None = None, **fields
) -> AttributeDefinition:
    """Change an attribute definition. The key cannot change; the type only while no CI of
    the class holds a value for it."""
    _refuse_unknown(fields, ATTRIBUTE_EDITABLE)
    if "key" in fields and fields["key"] != definition.key:
        raise ValidationFailed(
            fields={"key": [_("The key cannot be changed; add a new attribute instead.")]}
        )
    if "type" in fields and fields["type"] != definition.type:
        used = _attribute_in_use(definition)
        if used:
            raise ValidationFailed(
                fields={
                    "type": [
                        _(
                            "{count} configuration items hold a value for this attribute; "
                            "the type cannot be changed."
                        ).format(count=used)
                    ]
                }
            )
    with transaction.atomic():
        for name, value in fields.items():
            setattr(definition, name, value)
        if definition.choices is None:
            definition.choices = []
        _clean_definition(definition)
        _save(definition, by, version)
        record_event(definition, "updated", by=by, data={"fields": sorted(fields)})
    return definition


def delete_attribute(definition: AttributeDefinition, *, by) -> None:
    """Remove an attribute definition no CI holds a value for."""
    used = _attribute_in_use(definition)
    if used:
        raise ValidationFailed(
            _("{count} configuration items hold a value for this attribute.").format(count=used),
            fields={
                "key": [
                    _(
                        "{count} configuration items hold a value for this attribute; "
                        "clear their values first."
                    ).format(count=used)
                ]
            },
            code="attribute_in_use",
        )
    with transaction.atomic():
        ci_class = definition.ci_class
        record_event(ci_class, "attribute_removed", by=by, data={"key": definition.key})
        _by(definition, by).delete()


# --- relation types ---------------------------------------------------------------------------


def create_relation_type(
    *,
    code: str,
    name_zh: str,
    name_en: str,
    reverse_zh: str,
    reverse_en: str,
    by,
    source_classes=(),
    target_classes=(),
) -> RelationType:
    """Add a relation type; empty class lists let any class take that end."""
    if code and RelationType.objects.filter(code=code).exists():
        raise ValidationFailed(
            fields={"code": [_("A relation type with this code already exists.")]}
        )
    with transaction.atomic():
        relation_type = RelationType(
            code=code,
            name_zh=name_zh,
            name_en=name_en,
            reverse_zh=reverse_zh,
            reverse_en=reverse_en,
        )
        _full_clean(
            relation_type,
        )
        _by(relation_type, by).save()
        relation_type.source_classes.set(source_classes or [])
        relation_type.target_classes.set(target_classes or [])
        record_event(relation_type, "created", by=by)
    return relation_type


def update_relation_type(
    relation_type: RelationType, *, by, version: int | None = None, **fields
) -> RelationType:
    """Change names or allowed classes of a relation type (existing relations stay)."""
    _refuse_unknown(fields, RELATION_TYPE_EDITABLE)
    if "code" in fields and fields["code"] != relation_type.code:
        if relation_type.is_builtin:
            raise ValidationFailed(
                fields={"code": [_("The code of a built-in relation type cannot be changed.")]}
            )
        if RelationType.objects.filter(code=fields["code"]).exclude(pk=relation_type.pk).exists():
            raise ValidationFailed(
                fields={"code": [_("A relation type with this code already exists.")]}
            )
    m2m = {
        name: fields.pop(name) for name in ("source_classes", "target_classes") if name in fields
    }
    with transaction.atomic():
        for name, value in fields.items():
            setattr(relation_type, name, value)
        _save(relation_type, by, version)
        for name, values in m2m.items():
            getattr(relation_type, name).set(values or [])
        record_event(relation_type, "updated", by=by, data={"fields": sorted([*fields, *m2m])})
    return relation_type
