"""Helpers shared by the SLM services."""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError

from itsm.core.errors import ValidationFailed
from itsm.slm.choices import (
    TargetMetric,
)

#: agreement fields a writer may set (kind and number are fixed at creation)
AGREEMENT_FIELDS = (
    "title",
    "customer",
    "team",
    "supplier",
    "calendar",
    "valid_from",
    "valid_to",
    "warning_percent",
    "authorisation",
    "provider_signatory",
    "customer_signatory",
    "contacts",
    "planned_interruptions",
    "customer_duties",
    "priority_guide",
    "escalation_rules",
    "complaint_procedure",
    "workload_limits",
    "charges",
    "procedures",
    "exceptions",
    "availability_review",
)
TARGET_FIELDS = (
    "service",
    "priority",
    "metric",
    "name",
    "indicator_kind",
    "target_value",
    "unit",
    "higher_is_better",
    "measurement_method",
    "frequency",
)
#: metrics compared by the underpinning check
COMPARED_METRICS = frozenset(
    {TargetMetric.RESPONSE, TargetMetric.RESOLUTION, TargetMetric.AVAILABILITY}
)


def _err(field: str, message) -> ValidationFailed:
    return ValidationFailed(fields={field: [str(message)]})


def _clean_and_save(obj) -> None:
    """Validate *obj* with the model's own checks (as field errors) and insert it."""
    try:
        obj.full_clean()
    except DjangoValidationError as exc:
        raise ValidationFailed.from_django(exc) from None
    obj.save()
