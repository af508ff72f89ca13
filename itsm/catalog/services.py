"""Services of the service catalogue: the only writers of categories, services and service
items (R-CAT-01…05).

Rules enforced here (views, the API and the demo all call these functions):

- category codes (服务分类与编码): two digits per level, dot-separated (``01``, ``01.02``,
  ``01.02.03``); a root has one segment, a child's code is its parent's code plus ``.`` and
  two digits. A category with sub-categories keeps its code and parent (its children's codes
  depend on it); a category with sub-categories or services cannot be deleted;
- services start as ``draft`` and move through the declared ``SERVICE_MACHINE``
  (``choices.py``): writers submit, service level managers publish, return to draft and retire;
  every step records who and when on the service and as a timeline row;
- four eyes (seed 003: the agreement maintainer drafts, the service level manager reviews):
  the review of a submitted service — publishing it or returning it to draft — is made by a
  person other than its submitter (``FourEyes``, code ``four_eyes``). Publishing is the
  review's approval, so the publisher differs from the submitter too. The submitter fixes a
  submitted service by editing it. Moves made by the system (``by=None``) are not checked;
- to be submitted or published, a service needs a description, an owner, service hours, at
  least one service mode and at least one customer; a published service must keep them;
- edits to a published service are allowed for writers (as in ServiceNow): each is recorded
  in the field history and as an ``updated`` timeline row carrying the status it was made in.
  A retired service cannot be edited;
- a service item may carry an order form (its fields) and fulfilment tasks
  (``catalog.orderforms``): each entry is checked and an error names it ("Form field 2: a
  choice field needs choices."); a task's group must be an active team's code. The item is
  orderable when its service is published and offered to the customer.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.db.models import ProtectedError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from itsm.catalog import orderforms
from itsm.catalog.choices import ChargingBasis, ServiceMode, ServiceStatus
from itsm.catalog.models import Service, ServiceCategory, ServiceItem
from itsm.core import services as core_services
from itsm.core.choices import OrganisationKind
from itsm.core.errors import Conflict, FourEyes, Unprocessable, ValidationFailed
from itsm.core.formatting import field_label
from itsm.core.policy import is_provider_staff
from itsm.core.services import save_versioned
from itsm.core.statemachine import ensure_transition
from itsm.core.timeline import record_event

CATEGORY_CODE = re.compile(r"^\d{2}(\.\d{2})*$")
SERVICE_CODE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")
#: fields a service needs before it is submitted or published (and while it is published)
PUBLISH_REQUIRED = ("description", "owner", "service_hours", "modes", "customers")

SERVICE_FIELDS = (
    "code",
    "name",
    "category",
    "description",
    "owner",
    "modes",
    "service_hours",
    "charging_basis",
    "price",
    "price_note",
)
SERVICE_M2M = ("customers", "linked_cis")
ITEM_FIELDS = ("code", "name", "description", "order", "form_fields", "fulfilment_tasks")


def _error(field: str, message) -> ValidationFailed:
    return ValidationFailed(fields={field: [str(message)]})


# --- categories -------------------------------------------------------------------------------


def _check_category(category: ServiceCategory, *, original: ServiceCategory | None) -> None:
    code = (category.code or "").strip()
    category.code = code
    if not CATEGORY_CODE.match(code):
        raise _error(
            "code",
            _("Use two digits per level separated by dots, e.g. 01 or 01.02."),
        )
    parent = category.parent
    if parent is None:
        if "." in code:
            raise _error("code", _("A top-level category has a two-digit code, e.g. 03."))
    else:
        if category.pk and (parent.pk == category.pk or parent.code.startswith(code + ".")):
            raise _error("parent", _("A category cannot be placed under itself."))
        depth_ok = code.count(".") == parent.code.count(".") + 1
        if not (code.startswith(parent.code + ".") and depth_ok):
            raise _error(
                "code",
                _("The code must be the parent's code followed by two digits: {example}.").format(
                    example=f"{parent.code}.01"
                ),
            )
    if original is not None and original.children.exists():
        if code != original.code or category.parent_id != original.parent_id:
            raise _error(
                "code" if code != original.code else "parent",
                _("A category with sub-categories keeps its code and parent."),
            )
    clash = ServiceCategory.objects.filter(code=code)
    if category.pk:
        clash = clash.exclude(pk=category.pk)
    if clash.exists():
        raise _error("code", _("A category with this code already exists."))


def create_category(
    *, code: str, name: str, by, parent: ServiceCategory | None = None, description: str = ""
) -> ServiceCategory:
    """Create a category; its code follows the parent's (see module docstring)."""
    with transaction.atomic():
        category = ServiceCategory(code=code, name=name, parent=parent, description=description)
        _check_category(category, original=None)
        category.full_clean()
        category.save()
        record_event(category, "created", by=by)
    return category


def update_category(
    category: ServiceCategory, *, by, expected_version: int | None = None, **fields
) -> ServiceCategory:
    """Change ``code``, ``name``, ``parent`` or ``description`` of a category."""
    unknown = set(fields) - {"code", "name", "parent", "description"}
    if unknown:
        raise _error(sorted(unknown)[0], _("This field cannot be changed."))
    with transaction.atomic():
        original = ServiceCategory.objects.get(pk=category.pk)
        for name, value in fields.items():
            setattr(category, name, value)
        _check_category(category, original=original)
        save_versioned(category, expected_version=expected_version, by=by)
        record_event(category, "updated", by=by, data={"fields": sorted(fields)})
    return category


def delete_category(category: ServiceCategory, *, by) -> None:
    """Delete an empty category (no sub-categories, no services)."""
    if category.children.exists():
        raise ValidationFailed(
            _("This category has sub-categories; delete or move them first."),
            fields={"children": [str(_("The category has sub-categories."))]},
            code="delete_not_allowed",
        )
    if category.services.exists():
        raise ValidationFailed(
            _("This category holds services; move them to another category first."),
            fields={"services": [str(_("The category holds services."))]},
            code="delete_not_allowed",
        )
    with transaction.atomic():
        record_event(category, "deleted", by=by, data={"code": category.code})
        category.delete()


# --- services ---------------------------------------------------------------------------------


def _clean_modes(modes) -> list[str]:
    if modes is None:
        return []
    if isinstance(modes, str) or not isinstance(modes, list | tuple | set | frozenset):
        raise _error("modes", _("Give a list of service modes."))
    wrong = [str(m) for m in modes if m not in ServiceMode.values]
    if wrong:
        raise _error(
            "modes",
            _("Unknown service mode: {modes}. Allowed: {allowed}.").format(
                modes=", ".join(wrong), allowed=", ".join(ServiceMode.values)
            ),
        )
    # keep the declared order, no duplicates
    return [m for m in ServiceMode.values if m in set(modes)]


def _check_price(service: Service) -> None:
    if service.charging_basis not in ChargingBasis.values:
        raise _error("charging_basis", _("Unknown charging basis."))
    price = service.price
    if price is not None:
        try:
            price = Decimal(str(price))
        except (InvalidOperation, ValueError):
            raise _error("price", _("Enter a number."))
        if price < 0:
            raise _error("price", _("The price cannot be negative."))
        service.price = price
    if service.charging_basis != ChargingBasis.INCLUDED and price is None:
        raise _error("price", _("A price is required unless the service is included."))


def _check_service(service: Service, *, customers, linked_cis, by) -> None:
    """Validate the fields of *service* plus its many-to-many values (lists of objects)."""
    service.code = (service.code or "").strip()
    if not SERVICE_CODE.match(service.code):
        raise _error(
            "code", _("Use letters, digits, dots, hyphens and underscores, e.g. SVC-DSK-01.")
        )
    clash = Service.objects.filter(code=service.code)
    if service.pk:
        clash = clash.exclude(pk=service.pk)
    if clash.exists():
        raise _error("code", _("A service with this code already exists."))
    if not (service.name or "").strip():
        raise _error("name", _("This field is required."))
    if service.category_id is None:
        raise _error("category", _("This field is required."))
    service.modes = _clean_modes(service.modes)
    _check_price(service)
    if service.owner is not None and (
        not service.owner.is_active or not is_provider_staff(service.owner)
    ):
        raise _error("owner", _("The owner must be an active person of the service provider."))
    wrong = [str(c) for c in customers if c.kind != OrganisationKind.CUSTOMER]
    if wrong:
        raise _error(
            "customers",
            _("Not a customer organisation: {names}").format(names=", ".join(wrong)),
        )
    if service.business_ci is not None:
        if not service.business_ci.ci_class.is_business_service:
            raise _error(
                "business_ci", _("Choose a configuration item of a business-service class.")
            )
        _check_visible("business_ci", [service.business_ci], by)
    _check_visible("linked_cis", linked_cis, by)


def _check_visible(field: str, cis, by) -> None:
    if by is None or not cis:
        return
    from itsm.cmdb.selectors import cis_for

    ids = {ci.pk for ci in cis}
    visible = set(cis_for(by).filter(pk__in=ids).values_list("pk", flat=True))
    if ids - visible:
        raise _error(field, _("Unknown configuration item."))


def missing_for_publication(service: Service, *, customers=None) -> list[str]:
    """Names of the fields *service* still lacks to be submitted or published."""
    if customers is None:
        has_customers = service.pk is not None and service.customers.exists()
    else:
        has_customers = bool(customers)
    missing = []
    for name in PUBLISH_REQUIRED:
        if name == "customers":
            empty = not has_customers
        else:
            value = getattr(service, name)
            empty = value is None or value == "" or value == [] or str(value).strip() == ""
        if empty:
            missing.append(name)
    return missing


def _require_publishable(service: Service, *, customers=None) -> None:
    missing = missing_for_publication(service, customers=customers)
    if missing:
        raise ValidationFailed(
            _("Fill in the fields a published service needs: {fields}.").format(
                fields=", ".join(field_label(Service, name) for name in missing)
            ),
            fields={name: [str(_("Required to publish the service."))] for name in missing},
        )


def create_service(
    *,
    code: str,
    name: str,
    category: ServiceCategory,
    by,
    description: str = "",
    owner=None,
    modes=(),
    service_hours=None,
    charging_basis: str = ChargingBasis.INCLUDED,
    price=None,
    price_note: str = "",
    customers=(),
    business_ci=None,
    linked_cis=(),
) -> Service:
    """Create a service in status ``draft``."""
    customers = list(customers or ())
    linked_cis = list(linked_cis or ())
    with transaction.atomic():
        service = Service(
            code=code,
            name=name,
            category=category,
            description=description or "",
            owner=owner,
            modes=list(modes or ()),
            service_hours=service_hours,
            charging_basis=charging_basis or ChargingBasis.INCLUDED,
            price=price,
            price_note=price_note or "",
            business_ci=business_ci,
            status=ServiceStatus.DRAFT,
        )
        _check_service(service, customers=customers, linked_cis=linked_cis, by=by)
        service.full_clean()
        service.save()
        service.customers.set(customers)
        service.linked_cis.set(linked_cis)
        record_event(
            service,
            "created",
            by=by,
            data={"customers": sorted(c.pk for c in customers)},
        )
    return service


def update_service(
    service: Service, *, by, expected_version: int | None = None, note: str = "", **fields
) -> Service:
    """Change fields of a service (``customers``/``linked_cis`` replace the whole list).

    Allowed in draft, in review and published (recorded with the status it was made in);
    a published service must keep what publication needs. A retired service is frozen.
    """
    allowed = set(SERVICE_FIELDS) | set(SERVICE_M2M) | {"business_ci"}
    unknown = set(fields) - allowed
    if unknown:
        raise _error(sorted(unknown)[0], _("This field cannot be changed here."))
    with transaction.atomic():
        current = Service.objects.select_for_update().get(pk=service.pk)
        if current.status == ServiceStatus.RETIRED:
            raise Unprocessable(
                _("A retired service cannot be edited."),
                fields={"status": [str(_("The service is retired."))]},
                code="retired",
            )
        given = {name: list(fields.pop(name)) for name in SERVICE_M2M if name in fields}
        changed_m2m = [
            name
            for name, values in given.items()
            if {v.pk for v in values} != set(getattr(service, name).values_list("pk", flat=True))
        ]
        customers = given["customers"] if "customers" in given else list(service.customers.all())
        for name, value in fields.items():
            if name == "modes":
                value = list(value or ())
            setattr(service, name, value)
        _check_service(service, customers=customers, linked_cis=given.get("linked_cis", []), by=by)
        if service.status in (ServiceStatus.IN_REVIEW, ServiceStatus.PUBLISHED):
            _require_publishable(service, customers=customers)
        save_versioned(service, expected_version=expected_version, by=by)
        if "customers" in changed_m2m:
            service.customers.set(customers)
        if "linked_cis" in changed_m2m:
            service.linked_cis.set(given["linked_cis"])
        data: dict[str, object] = {
            "fields": sorted(set(fields) | set(changed_m2m)),
            "status": service.status,
        }
        if "customers" in changed_m2m:
            data["customers"] = sorted(c.pk for c in customers)
        record_event(service, "updated", by=by, note=note, data=data)
    return service


def delete_service(service: Service, *, by) -> None:
    """Delete a draft service that was never published; others are retired instead."""
    if service.status != ServiceStatus.DRAFT or service.published_at is not None:
        raise ValidationFailed(
            _("Only a draft that was never published can be deleted; retire the service."),
            fields={"status": [str(_("Not a draft."))]},
            code="delete_not_allowed",
        )
    with transaction.atomic():
        record_event(service, "deleted", by=by, data={"code": service.code})
        service.delete()


def _check_version(service: Service, expected_version: int | None) -> None:
    """A stale client answers 409 before any other check (``save_versioned`` checks again)."""
    if expected_version is None:
        return
    current = Service.objects.filter(pk=service.pk).values_list("version", flat=True).first()
    if current is not None and current != expected_version:
        raise Conflict(
            fields={
                "version": [
                    str(_("Expected version {expected}, found {found}.")).format(
                        expected=expected_version, found=current
                    )
                ]
            }
        )


def submit_service(
    service: Service, *, by, note: str = "", expected_version: int | None = None
) -> Service:
    """Draft → in review. The service must already hold what publication needs."""
    _check_version(service, expected_version)
    ensure_transition(service, ServiceStatus.IN_REVIEW, by=by)
    _require_publishable(service)
    return core_services.transition(
        service,
        ServiceStatus.IN_REVIEW,
        by=by,
        note=note,
        expected_version=expected_version,
        submitted_by=by,
        submitted_at=timezone.now(),
    )


def _ensure_second_person(service: Service, *, by) -> None:
    """Four eyes: whoever reviews (publishes or returns) a service did not submit it."""
    by_pk = getattr(by, "pk", None)
    if by_pk is not None and service.submitted_by_id == by_pk:
        raise FourEyes(
            _(
                "You submitted this service for review: another service level manager must "
                "review it."
            )
        )


def publish_service(
    service: Service, *, by, note: str = "", expected_version: int | None = None
) -> Service:
    """In review → published: records the review and the publication (who and when).
    The publisher is not the submitter (four eyes)."""
    _check_version(service, expected_version)
    ensure_transition(service, ServiceStatus.PUBLISHED, by=by)
    _ensure_second_person(service, by=by)
    _require_publishable(service)
    now = timezone.now()
    return core_services.transition(
        service,
        ServiceStatus.PUBLISHED,
        by=by,
        note=note,
        expected_version=expected_version,
        reviewed_by=by,
        reviewed_at=now,
        published_by=by,
        published_at=now,
    )


def reject_service(
    service: Service, *, by, note: str = "", expected_version: int | None = None
) -> Service:
    """In review → draft, with the reviewer's reason (required); the reviewer is not the
    submitter (four eyes)."""
    _check_version(service, expected_version)
    ensure_transition(service, ServiceStatus.DRAFT, by=by)
    _ensure_second_person(service, by=by)
    if not (note or "").strip():
        raise _error("note", _("Say why the service goes back to draft."))
    return core_services.transition(
        service,
        ServiceStatus.DRAFT,
        by=by,
        note=note,
        expected_version=expected_version,
        reviewed_by=by,
        reviewed_at=timezone.now(),
    )


def retire_service(
    service: Service, *, by, note: str = "", expected_version: int | None = None
) -> Service:
    """Published → retired: no longer requestable nor shown to customers."""
    _check_version(service, expected_version)
    ensure_transition(service, ServiceStatus.RETIRED, by=by)
    return core_services.transition(
        service,
        ServiceStatus.RETIRED,
        by=by,
        note=note,
        expected_version=expected_version,
        retired_by=by,
        retired_at=timezone.now(),
    )


#: target status → service function (the API's ``transition`` and the UI buttons use it)
TRANSITIONS: dict[str, Callable[..., Service]] = {
    ServiceStatus.IN_REVIEW: submit_service,
    ServiceStatus.PUBLISHED: publish_service,
    ServiceStatus.DRAFT: reject_service,
    ServiceStatus.RETIRED: retire_service,
}


def transition_service(
    service: Service, *, to: str, by, note: str = "", expected_version: int | None = None
) -> Service:
    """Dispatch a status change to the matching service function."""
    function = TRANSITIONS.get(to)
    if function is None:
        ensure_transition(service, to, by=by)  # raises InvalidTransition naming the status
        raise _error("to", _("Unknown status."))  # pragma: no cover - map is exhaustive
    return function(service, by=by, note=note, expected_version=expected_version)


# --- service items ----------------------------------------------------------------------------


def _group_exists(code: str) -> bool:
    from itsm.core.models import Team

    return Team.objects.filter(code=code, is_active=True).exists()


def _check_item(item: ServiceItem) -> None:
    item.form_fields = orderforms.clean_form_fields(item.form_fields)
    item.fulfilment_tasks = orderforms.clean_fulfilment_tasks(
        item.fulfilment_tasks, group_exists=_group_exists
    )
    item.code = (item.code or "").strip()
    if not item.code:
        raise _error("code", _("This field is required."))
    if not (item.name or "").strip():
        raise _error("name", _("This field is required."))
    clash = ServiceItem.objects.filter(service_id=item.service_id, code=item.code)
    if item.pk:
        clash = clash.exclude(pk=item.pk)
    if clash.exists():
        raise _error("code", _("This service already has an item with this code."))


def _check_service_editable(service: Service) -> None:
    if service.status == ServiceStatus.RETIRED:
        raise Unprocessable(
            _("A retired service cannot be edited."),
            fields={"service": [str(_("The service is retired."))]},
            code="retired",
        )


def add_item(
    *,
    service: Service,
    code: str,
    name: str,
    by,
    description: str = "",
    order: int = 100,
    form_fields: list | None = None,
    fulfilment_tasks: list | None = None,
) -> ServiceItem:
    """Add a service item (服务项) to a service, with the order form customers fill in and
    the fulfilment tasks of a request (``catalog.orderforms``: each entry is checked and an
    error names it)."""
    _check_service_editable(service)
    with transaction.atomic():
        item = ServiceItem(
            service=service,
            code=code,
            name=name,
            description=description or "",
            order=order,
            form_fields=form_fields or [],
            fulfilment_tasks=fulfilment_tasks or [],
        )
        _check_item(item)
        item.full_clean()
        item.save()
        record_event(item, "created", by=by)
        record_event(service, "item_added", by=by, data={"item": item.code})
    return item


def update_item(
    item: ServiceItem, *, by, expected_version: int | None = None, **fields
) -> ServiceItem:
    """Change ``code``, ``name``, ``description``, ``order``, ``form_fields`` or
    ``fulfilment_tasks`` of a service item (the lists are checked as in :func:`add_item`)."""
    unknown = set(fields) - set(ITEM_FIELDS)
    if unknown:
        raise _error(sorted(unknown)[0], _("This field cannot be changed."))
    if not fields:  # an unchanged edit page writes nothing
        return item
    _check_service_editable(item.service)
    with transaction.atomic():
        for name, value in fields.items():
            setattr(item, name, value)
        _check_item(item)
        save_versioned(item, expected_version=expected_version, by=by)
        record_event(item, "updated", by=by, data={"fields": sorted(fields)})
        record_event(item.service, "item_changed", by=by, data={"item": item.code})
    return item


def remove_item(item: ServiceItem, *, by) -> None:
    """Remove a service item from its service. An item requests were ordered from stays (the
    requests keep it): change it, or leave it out of the service's description."""
    service = item.service
    _check_service_editable(service)
    try:
        with transaction.atomic():
            record_event(service, "item_removed", by=by, data={"item": item.code})
            item.delete()
    except ProtectedError:
        raise ValidationFailed(
            _("Requests were ordered from this item, so it cannot be removed."),
            fields={"item": [str(_("Requests were ordered from this item."))]},
            code="delete_not_allowed",
        )
