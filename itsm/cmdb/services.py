"""Services of the CMDB: the only writers of CI classes, attribute definitions, configuration
items, relation types and relations (R-CMDB-01…03).

Every write runs in one transaction, validates first (typed attributes against the class's
definitions, relation rules of the type), saves with the version check, records who made it
(``_history_user`` → django-simple-history) and which change authorised it
(``change_reference`` on the row, so every historical version carries it), and appends a
timeline row.
"""

from __future__ import annotations

import importlib
import ipaddress
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import URLValidator
from django.db import transaction
from django.utils.translation import gettext as _

from itsm.cmdb.choices import CI_MACHINE, AttributeType, CIStatus, Criticality
from itsm.cmdb.models import (
    AttributeDefinition,
    CIClass,
    ConfigurationItem,
    Relation,
    RelationType,
)
from itsm.core.choices import OrganisationKind
from itsm.core.errors import NotFound, ValidationFailed
from itsm.core.numbering import next_number
from itsm.core.services import save_versioned
from itsm.core.statemachine import ensure_transition
from itsm.core.timeline import record_event

PREFIX = "CI"

#: longest value of a one-line text attribute, and of a several-lines one
STRING_MAX = 255
TEXT_MAX = 10000

#: CI fields ``update_ci`` may change (status moves only through ``transition_ci``)
CI_EDITABLE = frozenset(
    {
        "name",
        "ci_class",
        "identifier",
        "criticality",
        "owner",
        "customer",
        "supplier",
        "location",
        "description",
        "attributes",
    }
)
CLASS_EDITABLE = frozenset(
    {
        "code",
        "name_zh",
        "name_en",
        "description",
        "icon",
        "is_hardware",
        "is_business_service",
        "is_agreement",
        "order",
    }
)
ATTRIBUTE_EDITABLE = frozenset(
    {
        "key",
        "name_zh",
        "name_en",
        "type",
        "required",
        "choices",
        "unit",
        "min_value",
        "max_value",
        "order",
    }
)
RELATION_TYPE_EDITABLE = frozenset(
    {"code", "name_zh", "name_en", "reverse_zh", "reverse_en", "source_classes", "target_classes"}
)
NUMERIC_TYPES = (AttributeType.INTEGER, AttributeType.DECIMAL)


def _by(obj, by):
    """Tell django-simple-history who makes this write (also outside a request)."""
    obj._history_user = by if getattr(by, "pk", None) else None
    return obj


def _full_clean(obj, **kwargs) -> None:
    """``full_clean`` with its errors as ``ValidationFailed`` (field → translated messages)."""
    try:
        obj.full_clean(**kwargs)
    except DjangoValidationError as error:
        raise ValidationFailed(
            fields={k: [str(m) for m in v] for k, v in error.message_dict.items()}
        )


def _save(obj, by, version) -> None:
    """``save_versioned`` with model validation errors as ``ValidationFailed``."""
    _by(obj, by)
    try:
        save_versioned(obj, expected_version=version)
    except DjangoValidationError as error:
        raise ValidationFailed(
            fields={k: [str(m) for m in v] for k, v in error.message_dict.items()}
        )


def _refuse_unknown(fields: dict, allowed: frozenset) -> None:
    unknown = sorted(set(fields) - allowed)
    if unknown:
        raise ValidationFailed(
            fields={name: [_("This field cannot be changed here.")] for name in unknown}
        )


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


# --- attribute values -------------------------------------------------------------------------


def _empty(value) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _bound(definition: AttributeDefinition, number) -> str | None:
    low, high = definition.min_value, definition.max_value
    if low is not None and Decimal(str(number)) < Decimal(low):
        return _("Enter a value of at least {low}.").format(low=_number_text(low))
    if high is not None and Decimal(str(number)) > Decimal(high):
        return _("Enter a value of at most {high}.").format(high=_number_text(high))
    return None


def _number_text(value) -> str:
    text = format(Decimal(value).normalize(), "f")
    return text


def _clean_value(definition: AttributeDefinition, value):
    """Return the JSON-safe value, or raise ValueError with the translated message."""
    kind = definition.type
    if kind in (AttributeType.STRING, AttributeType.TEXT):
        if isinstance(value, bool) or not isinstance(value, str | int | float | Decimal):
            raise ValueError(_("Enter text."))
        text = str(value).strip()
        if kind == AttributeType.STRING:
            if "\n" in text or "\r" in text:
                raise ValueError(_("Enter a single line."))
            if len(text) > STRING_MAX:
                raise ValueError(_("Enter at most {count} characters.").format(count=STRING_MAX))
        elif len(text) > TEXT_MAX:
            raise ValueError(_("Enter at most {count} characters.").format(count=TEXT_MAX))
        return text
    if kind == AttributeType.INTEGER:
        if isinstance(value, bool):
            raise ValueError(_("Enter a whole number."))
        if isinstance(value, int):
            number = value
        else:
            try:
                number_dec = Decimal(str(value).strip())
            except InvalidOperation:
                raise ValueError(_("Enter a whole number."))
            if not number_dec.is_finite() or number_dec != number_dec.to_integral_value():
                raise ValueError(_("Enter a whole number."))
            number = int(number_dec)
        if abs(number) > 2**53:
            raise ValueError(_("Enter a smaller number."))
        problem = _bound(definition, number)
        if problem:
            raise ValueError(problem)
        return number
    if kind == AttributeType.DECIMAL:
        if isinstance(value, bool):
            raise ValueError(_("Enter a number."))
        try:
            number_dec = Decimal(str(value).strip())
        except InvalidOperation:
            raise ValueError(_("Enter a number."))
        if not number_dec.is_finite() or abs(number_dec) > Decimal(10) ** 15:
            raise ValueError(_("Enter a number."))
        problem = _bound(definition, number_dec)
        if problem:
            raise ValueError(problem)
        as_int = number_dec == number_dec.to_integral_value()
        return int(number_dec) if as_int else float(number_dec)
    if kind == AttributeType.BOOLEAN:
        if isinstance(value, bool):
            return value
        text = str(value).strip().lower()
        if text in ("true", "1", "yes", "on", "是"):
            return True
        if text in ("false", "0", "no", "off", "否"):
            return False
        raise ValueError(_("Enter yes or no."))
    if kind == AttributeType.DATE:
        if isinstance(value, datetime):
            return value.date().isoformat()
        if isinstance(value, date):
            return value.isoformat()
        if isinstance(value, str):
            try:
                return date.fromisoformat(value.strip()[:10]).isoformat()
            except ValueError:
                pass
        raise ValueError(_("Enter a date as YYYY-MM-DD."))
    if kind == AttributeType.CHOICE:
        text = str(value).strip() if isinstance(value, str | int) else None
        if text not in (definition.choices or []):
            raise ValueError(
                _("Choose one of: {choices}.").format(choices=", ".join(definition.choices or []))
            )
        return text
    if kind == AttributeType.IP_ADDRESS:
        try:
            return str(ipaddress.ip_address(str(value).strip()))
        except ValueError:
            raise ValueError(_("Enter a valid IPv4 or IPv6 address."))
    if kind == AttributeType.URL:
        text = str(value).strip() if isinstance(value, str) else ""
        try:
            URLValidator(schemes=["http", "https"])(text)
        except DjangoValidationError:
            raise ValueError(_("Enter a valid URL (http or https)."))
        if len(text) > 2000:
            raise ValueError(_("Enter at most {count} characters.").format(count=2000))
        return text
    raise ValueError(_("Unknown attribute type."))  # pragma: no cover - choices guard it


def validate_attributes(ci_class: CIClass, attributes: dict | None) -> dict:
    """Check *attributes* against *ci_class*'s definitions; return the cleaned, JSON-safe
    values (empty optional values dropped). Errors name ``attributes.<key>``."""
    if attributes is None:
        attributes = {}
    if not isinstance(attributes, dict):
        raise ValidationFailed(
            fields={"attributes": [_("Send the attributes as an object of key → value.")]}
        )
    definitions = {d.key: d for d in ci_class.attribute_definitions.all()}
    errors: dict[str, list[str]] = {}
    cleaned: dict = {}
    for key in attributes:
        if key not in definitions:
            errors[f"attributes.{key}"] = [
                _("The class “{cls}” has no attribute “{key}”.").format(cls=ci_class.label, key=key)
            ]
    for key, definition in definitions.items():
        value = attributes.get(key)
        if _empty(value):
            if definition.required:
                errors[f"attributes.{key}"] = [_("This field is required.")]
            continue
        try:
            cleaned[key] = _clean_value(definition, value)
        except ValueError as problem:
            errors[f"attributes.{key}"] = [str(problem)]
    if errors:
        raise ValidationFailed(fields=errors)
    return cleaned


# --- configuration items ----------------------------------------------------------------------


def _check_ci_fields(fields: dict, *, ci: ConfigurationItem | None = None) -> None:
    errors: dict[str, list[str]] = {}
    if "ci_class" in fields and not isinstance(fields["ci_class"], CIClass):
        errors["ci_class"] = [_("This field is required.")]
    customer = fields.get("customer")
    if customer is not None and customer.kind != OrganisationKind.CUSTOMER:
        errors["customer"] = [_("Choose a customer organisation.")]
    supplier = fields.get("supplier")
    if supplier is not None and supplier.kind != OrganisationKind.SUPPLIER:
        errors["supplier"] = [_("Choose a supplier organisation.")]
    owner = fields.get("owner")
    if owner is not None and owner.organisation_kind != OrganisationKind.PROVIDER:
        if not owner.is_superuser:
            errors["owner"] = [_("The owner must be a member of the provider.")]
    if "criticality" in fields and fields["criticality"] not in Criticality.values:
        errors["criticality"] = [_("Choose a valid criticality.")]
    identifier = (fields.get("identifier") or "").strip()
    if identifier:
        others = ConfigurationItem.objects.filter(identifier=identifier)
        if ci is not None:
            others = others.exclude(pk=ci.pk)
        other = others.only("number").first()
        if other is not None:
            errors["identifier"] = [
                _("{number} already has this identifier.").format(number=other.number)
            ]
    if errors:
        raise ValidationFailed(fields=errors)


def create_ci(
    *,
    name: str,
    ci_class: CIClass,
    by,
    customer=None,
    supplier=None,
    owner=None,
    status: str | None = None,
    criticality: str | None = None,
    location: str = "",
    description: str = "",
    identifier: str = "",
    attributes: dict | None = None,
    change_reference: str = "",
) -> ConfigurationItem:
    """Create a configuration item with the next ``CI-`` number (status planned unless
    given); attributes are validated against the class."""
    status = status or CI_MACHINE.initial
    criticality = criticality or Criticality.MEDIUM
    identifier = (identifier or "").strip()
    fields = {
        "ci_class": ci_class,
        "customer": customer,
        "supplier": supplier,
        "owner": owner,
        "criticality": criticality,
        "identifier": identifier,
    }
    _check_ci_fields(fields)
    if status not in CIStatus.values:
        raise ValidationFailed(fields={"status": [_("Choose a valid status.")]})
    cleaned = validate_attributes(ci_class, attributes)
    with transaction.atomic():
        ci = ConfigurationItem(
            number=next_number(PREFIX),
            name=(name or "").strip(),
            ci_class=ci_class,
            customer=customer,
            supplier=supplier,
            owner=owner,
            status=status,
            criticality=criticality,
            location=location or "",
            description=description or "",
            identifier=identifier,
            attributes=cleaned,
            change_reference=(change_reference or "").strip(),
        )
        _full_clean(
            ci,
        )
        ci._change_reason = ci.change_reference
        _by(ci, by).save()
        record_event(ci, "created", by=by, note=ci.change_reference)
    return ci


def update_ci(
    ci: ConfigurationItem, *, by, version: int | None = None, change_reference: str = "", **fields
) -> ConfigurationItem:
    """Change *fields* of *ci* (``attributes`` is the full new dict). Each version records
    who made it and *change_reference* (the change that authorised it)."""
    if "status" in fields:
        raise ValidationFailed(
            fields={"status": [_("Change the status through a status transition.")]}
        )
    _refuse_unknown(fields, CI_EDITABLE)
    if "identifier" in fields:
        fields["identifier"] = (fields["identifier"] or "").strip()
    for name in ("location", "description"):
        if name in fields and fields[name] is None:
            fields[name] = ""
    _check_ci_fields(fields, ci=ci)
    ci_class = fields.get("ci_class", ci.ci_class)
    if "attributes" in fields or ci_class.pk != ci.ci_class_id:
        fields["attributes"] = validate_attributes(
            ci_class, fields.get("attributes", ci.attributes)
        )
    if ci_class.pk != ci.ci_class_id:
        _check_existing_relations(ci, ci_class)
    changed = sorted(name for name, value in fields.items() if getattr(ci, name) != value)
    with transaction.atomic():
        for name, value in fields.items():
            setattr(ci, name, value)
        ci.change_reference = (change_reference or "").strip()
        ci._change_reason = ci.change_reference
        _save(ci, by, version)
        record_event(ci, "updated", by=by, note=ci.change_reference, data={"fields": changed})
    return ci


def transition_ci(
    ci: ConfigurationItem,
    *,
    to: str,
    by,
    change_reference: str = "",
    version: int | None = None,
    note: str = "",
) -> ConfigurationItem:
    """Move *ci* through the declared status machine (planned → in use → maintenance →
    retired)."""
    with transaction.atomic():
        source = CI_MACHINE.state_of(ci)
        step = ensure_transition(ci, to, by=by, machine=CI_MACHINE)
        ci.status = to
        ci.change_reference = (change_reference or "").strip()
        ci._change_reason = ci.change_reference
        _save(ci, by, version)
        record_event(
            ci,
            step.name,
            by=by,
            note=note or ci.change_reference,
            data={"from": source, "to": to, "change_reference": ci.change_reference},
        )
    return ci


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


# --- relations --------------------------------------------------------------------------------


def _class_problem(relation_type: RelationType, source_class, target_class) -> dict:
    errors: dict[str, list[str]] = {}
    sources = {c.pk: c for c in relation_type.source_classes.all()}
    targets = {c.pk: c for c in relation_type.target_classes.all()}
    if sources and source_class.pk not in sources:
        errors["source"] = [
            _("A “{type}” relation cannot start from a {cls}; allowed: {allowed}.").format(
                type=relation_type.label,
                cls=source_class.label,
                allowed=", ".join(c.label for c in sources.values()),
            )
        ]
    if targets and target_class.pk not in targets:
        errors["target"] = [
            _("A “{type}” relation cannot point to a {cls}; allowed: {allowed}.").format(
                type=relation_type.label,
                cls=target_class.label,
                allowed=", ".join(c.label for c in targets.values()),
            )
        ]
    return errors


def _check_existing_relations(ci: ConfigurationItem, new_class: CIClass) -> None:
    relations = Relation.objects.filter(source=ci) | Relation.objects.filter(target=ci)
    for relation in relations.select_related("type", "source__ci_class", "target__ci_class"):
        source_class = new_class if relation.source_id == ci.pk else relation.source.ci_class
        target_class = new_class if relation.target_id == ci.pk else relation.target.ci_class
        if _class_problem(relation.type, source_class, target_class):
            raise ValidationFailed(
                fields={
                    "ci_class": [
                        _(
                            "The relation “{type}” with {other} does not allow this class; "
                            "remove it first."
                        ).format(
                            type=relation.type.label,
                            other=relation.target
                            if relation.source_id == ci.pk
                            else relation.source,
                        )
                    ]
                }
            )


def create_relation(
    *,
    source: ConfigurationItem,
    target: ConfigurationItem,
    type: RelationType,
    by,
    note: str = "",
    change_reference: str = "",
) -> Relation:
    """Relate *source* —type→ *target* (source depends on target). Refuses a CI related to
    itself, classes the type does not allow and a duplicate; cycles are allowed."""
    errors: dict[str, list[str]] = {}
    if not isinstance(source, ConfigurationItem):
        errors["source"] = [_("This field is required.")]
    if not isinstance(target, ConfigurationItem):
        errors["target"] = [_("This field is required.")]
    if not isinstance(type, RelationType):
        errors["type"] = [_("This field is required.")]
    if errors:
        raise ValidationFailed(fields=errors)
    if source.pk == target.pk:
        raise ValidationFailed(
            fields={"target": [_("A configuration item cannot be related to itself.")]}
        )
    errors = _class_problem(type, source.ci_class, target.ci_class)
    if errors:
        raise ValidationFailed(fields=errors)
    change_reference = (change_reference or "").strip()
    with transaction.atomic():
        if Relation.objects.filter(source=source, target=target, type=type).exists():
            raise ValidationFailed(
                _("This relation already exists."),
                fields={
                    "target": [
                        _("{source} already has the relation “{type}” to {target}.").format(
                            source=source, type=type.label, target=target
                        )
                    ]
                },
                code="duplicate",
            )
        relation = Relation(
            source=source,
            target=target,
            type=type,
            note=(note or "").strip(),
            change_reference=change_reference,
        )
        _full_clean(relation, validate_constraints=False)
        relation._change_reason = change_reference
        _by(relation, by).save()
        _record_relation_event(relation, "relation_added", by=by, change_reference=change_reference)
    return relation


def _record_relation_event(relation: Relation, event: str, *, by, change_reference: str) -> None:
    """The timeline row of *event* on both ends of *relation* (each names the other end)."""
    source, target = relation.source, relation.target
    data = {
        "relation": relation.pk,
        "type": relation.type.code,
        "change_reference": change_reference,
    }
    for ci, direction, other in ((source, "out", target), (target, "in", source)):
        record_event(
            ci,
            event,
            by=by,
            note=change_reference,
            data={**data, "direction": direction, "other": other.pk, "other_number": other.number},
        )


def delete_relation(relation: Relation, *, by, change_reference: str = "") -> None:
    """Remove a relation; both CIs' timelines record it, the relation's history keeps it."""
    change_reference = (change_reference or "").strip()
    with transaction.atomic():
        _record_relation_event(
            relation, "relation_removed", by=by, change_reference=change_reference
        )
        relation.change_reference = change_reference
        relation._change_reason = change_reference
        _by(relation, by).delete()


def update_relation(
    relation: Relation, *, by, version: int | None = None, change_reference: str = "", **fields
) -> Relation:
    """Change a relation's note (its ends and type never change: delete and add instead)."""
    _refuse_unknown(fields, frozenset({"note"}))
    with transaction.atomic():
        if "note" in fields:
            relation.note = (fields["note"] or "").strip()
        relation.change_reference = (change_reference or "").strip()
        relation._change_reason = relation.change_reference
        _save(relation, by, version)
        record_event(relation, "updated", by=by, note=relation.change_reference)
    return relation
