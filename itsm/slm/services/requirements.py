"""Customer service requirements traced to targets (R-REQ)."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from itsm.catalog.selectors import is_published
from itsm.core.choices import OrganisationKind
from itsm.core.errors import ValidationFailed
from itsm.core.services import save_versioned, transition
from itsm.core.timeline import record_event
from itsm.slm.choices import (
    RequirementStatus,
)
from itsm.slm.models import (
    Requirement,
    Target,
)
from itsm.slm.services._common import (
    _clean_and_save,
    _err,
)

# --- requirements (R-REQ) ---------------------------------------------------------------------

REQUIREMENT_FIELDS = ("customer", "kind", "service", "title", "description")


def _check_requirement_targets(requirement: Requirement, targets) -> list[Target]:
    targets = list(targets)
    wrong = [
        str(t)
        for t in targets
        if t.agreement.customer_id is None or t.agreement.customer_id != requirement.customer_id
    ]
    if wrong:
        raise _err(
            "targets",
            str(_("Only targets of this customer's agreements can meet it: {targets}")).format(
                targets=", ".join(wrong)
            ),
        )
    return targets


def _check_requirement(requirement: Requirement) -> None:
    if requirement.customer_id and requirement.customer.kind != OrganisationKind.CUSTOMER:
        raise _err("customer", _("Choose a customer organisation."))
    service = requirement.service
    if service is not None and requirement.customer_id:
        # the customer sees the requirement, so its service must be one of their catalogue's
        if (
            not is_published(service)
            or not service.customers.filter(pk=requirement.customer_id).exists()
        ):
            raise _err("service", _("Choose a published service offered to this customer."))


def create_requirement(*, customer, kind: str, title: str, by, targets=(), **fields) -> Requirement:
    unknown = set(fields) - set(REQUIREMENT_FIELDS)
    if unknown:
        raise ValidationFailed(fields={name: [str(_("Unknown field."))] for name in unknown})
    if fields.get("description") is None:
        fields["description"] = ""
    requirement = Requirement(customer=customer, kind=kind, title=title, **fields)
    _check_requirement(requirement)
    targets = _check_requirement_targets(requirement, targets)
    with transaction.atomic():
        _clean_and_save(requirement)
        if targets:
            requirement.targets.set(targets)
        record_event(requirement, "created", by=by)
    return requirement


def update_requirement(
    requirement: Requirement, *, by, expected_version: int | None = None, targets=None, **fields
) -> Requirement:
    unknown = set(fields) - set(REQUIREMENT_FIELDS)
    if unknown:
        raise ValidationFailed(fields={name: [str(_("Unknown field."))] for name in unknown})
    for name, value in fields.items():
        if name == "description" and value is None:
            value = ""
        setattr(requirement, name, value)
    _check_requirement(requirement)
    if targets is not None:
        targets = _check_requirement_targets(requirement, targets)
    elif "customer" in fields:
        # a fresh query: the caller may hold the targets prefetched with deferred fields
        _check_requirement_targets(
            requirement, Target.objects.filter(requirements=requirement).select_related("agreement")
        )
    with transaction.atomic():
        save_versioned(requirement, expected_version=expected_version, by=by)
        if targets is not None:
            requirement.targets.set(targets)
        record_event(
            requirement,
            "changed",
            by=by,
            data={"fields": sorted(fields), "targets": sorted(t.pk for t in targets or [])},
        )
    return requirement


def set_requirement_targets(requirement: Requirement, *, targets, by) -> Requirement:
    """Trace *requirement* to the targets that meet it (targets of the same customer)."""
    targets = _check_requirement_targets(requirement, targets)
    with transaction.atomic():
        requirement.targets.set(targets)
        record_event(requirement, "traced", by=by, data={"targets": sorted(t.pk for t in targets)})
    return requirement


def review_requirement(
    requirement: Requirement,
    *,
    by,
    status: str = RequirementStatus.REVIEWED,
    note: str = "",
    expected_version: int | None = None,
) -> Requirement:
    """Record the review of a requirement through ``REQUIREMENT_MACHINE``: reviewed, agreed or
    rejected, by whom and when. An agreed or rejected requirement stays so (422
    ``invalid_transition`` naming ``status``)."""
    return transition(
        requirement,
        status,
        by=by,
        note=note,
        expected_version=expected_version,
        reviewed_by=by if getattr(by, "pk", None) else None,
        reviewed_at=timezone.now(),
    )


def delete_requirement(requirement: Requirement, *, by) -> None:
    with transaction.atomic():
        record_event(requirement, "deleted", by=by)
        requirement.delete()
