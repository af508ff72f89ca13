"""Constants and helpers shared by the CMDB services."""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext as _

from itsm.cmdb.choices import AttributeType
from itsm.core.errors import ValidationFailed
from itsm.core.services import clean_record, save_versioned

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


def _full_clean(obj, *, exclude=(), checked=()) -> None:
    """The model's validation (``core.services.clean_record``: foreign keys given as instances
    are not looked up again, *checked* fields — validated by the service — stay out of the
    unique and constraint queries) with its errors as ``ValidationFailed``."""
    try:
        clean_record(obj, exclude=exclude, checked=checked)
    except DjangoValidationError as error:
        raise ValidationFailed.from_django(error)


def _save(obj, by, version, *, checked=()) -> None:
    """``save_versioned`` with model validation errors as ``ValidationFailed``."""
    _by(obj, by)
    try:
        save_versioned(obj, expected_version=version, checked=checked)
    except DjangoValidationError as error:
        raise ValidationFailed.from_django(error)


def _refuse_unknown(fields: dict, allowed: frozenset) -> None:
    unknown = sorted(set(fields) - allowed)
    if unknown:
        raise ValidationFailed(
            fields={name: [_("This field cannot be changed here.")] for name in unknown}
        )
