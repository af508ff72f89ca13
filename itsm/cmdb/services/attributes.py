"""Validation of a CI's attribute values against its class's definitions (R-CMDB-01)."""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import NamedTuple

from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import URLValidator
from django.utils.translation import gettext as _

from itsm.cmdb.choices import AttributeType
from itsm.cmdb.models import (
    AttributeDefinition,
    CIClass,
)
from itsm.cmdb.services._common import (
    STRING_MAX,
    TEXT_MAX,
)
from itsm.core.compiled import CompiledValues
from itsm.core.errors import ValidationFailed

# --- attribute values -------------------------------------------------------------------------


def _empty(value) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


class _Rule(NamedTuple):
    """What validation reads of an attribute definition (a row, not a model instance)."""

    key: str
    type: str
    required: bool
    choices: list | None
    min_value: Decimal | None
    max_value: Decimal | None


#: an attribute definition as validation reads it: the model, or its row
Definition = AttributeDefinition | _Rule


def _bound(definition: Definition, number) -> str | None:
    low, high = definition.min_value, definition.max_value
    if low is not None and Decimal(str(number)) < Decimal(low):
        return _("Enter a value of at least {low}.").format(low=_number_text(low))
    if high is not None and Decimal(str(number)) > Decimal(high):
        return _("Enter a value of at most {high}.").format(high=_number_text(high))
    return None


def _number_text(value) -> str:
    text = format(Decimal(value).normalize(), "f")
    return text


def _clean_value(definition: Definition, value):
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
        choice = str(value).strip() if isinstance(value, str | int) else None
        if choice not in (definition.choices or []):
            raise ValueError(
                _("Choose one of: {choices}.").format(choices=", ".join(definition.choices or []))
            )
        return choice
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


#: a class's definitions as validation reads them, the SQL compiled once per process (the
#: query's compilation cost a create more than its answer)
_DEFINITION_ROWS = CompiledValues(
    AttributeDefinition,
    lambda class_id: (
        AttributeDefinition.objects.filter(ci_class_id=class_id)
        .order_by("order", "key")
        .values_list(*_Rule._fields)
    ),
)


def _definitions(ci_class: CIClass) -> Iterable[Definition]:
    """The class's attribute definitions: the prefetched ones, or the rows of the columns
    validation reads, in their order (without the model ordering's join to the class; rows,
    not model instances, which cost a create more than reading them)."""
    if "attribute_definitions" in getattr(ci_class, "_prefetched_objects_cache", {}):
        return ci_class.attribute_definitions.all()
    return [_Rule(*row) for row in _DEFINITION_ROWS(ci_class.pk)]


def validate_attributes(ci_class: CIClass, attributes: dict | None) -> dict:
    """Check *attributes* against *ci_class*'s definitions; return the cleaned, JSON-safe
    values (empty optional values dropped). Errors name ``attributes.<key>``."""
    if attributes is None:
        attributes = {}
    if not isinstance(attributes, dict):
        raise ValidationFailed(
            fields={"attributes": [_("Send the attributes as an object of key → value.")]}
        )
    definitions = {d.key: d for d in _definitions(ci_class)}
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
