"""Configuration items: create, update (with the authorising change), status transitions
(R-CMDB-01/02)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from itsm.cmdb.choices import CI_MACHINE, CIStatus, Criticality
from itsm.cmdb.models import (
    CIClass,
    ConfigurationItem,
)
from itsm.cmdb.services._common import (
    CI_EDITABLE,
    PREFIX,
    _by,
    _full_clean,
    _refuse_unknown,
    _save,
)
from itsm.cmdb.services.attributes import (
    validate_attributes,
)
from itsm.cmdb.services.relations import (
    _check_existing_relations,
)
from itsm.core.choices import OrganisationKind
from itsm.core.errors import ValidationFailed
from itsm.core.statemachine import ensure_transition
from itsm.core.timeline import record_event
from itsm.core.writes import insert_record

# --- configuration items ----------------------------------------------------------------------

#: fields a CI service validates itself: the number comes from ``core.numbering``, a duplicate
#: identifier is looked up once by ``_check_ci_fields`` (the message names the other CI); the
#: model's unique checks would query them again. The database's constraints stay the guard.
CHECKED = ("number", "identifier")


def _identifier_owner(identifier: str, ci: ConfigurationItem | None) -> str | None:
    """The number of the other CI that has *identifier*, if any."""
    others = ConfigurationItem.objects.filter(identifier=identifier)
    if ci is not None and ci.pk is not None:
        others = others.exclude(pk=ci.pk)
    return others.values_list("number", flat=True).first()


def _identifier_taken(number: str) -> list[str]:
    return [_("{number} already has this identifier.").format(number=number)]


@contextmanager
def _unique_identifier(identifier: str, ci: ConfigurationItem | None = None) -> Iterator[None]:
    """Around a CI's transaction: a duplicate identifier that another transaction committed
    after ``_check_ci_fields`` looked (the database's unique index refused it) is the same
    clear error, naming the field and the other CI."""
    try:
        yield
    except IntegrityError as error:
        text = str(error)
        if identifier and (
            "cmdb_ci_identifier_unique" in text or "cmdb_configurationitem.identifier" in text
        ):
            other = _identifier_owner(identifier, ci)
            if other is not None:
                raise ValidationFailed(fields={"identifier": _identifier_taken(other)}) from error
        raise


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
    if identifier and (ci is None or identifier != ci.identifier):  # empty: never a duplicate
        other = _identifier_owner(identifier, ci)
        if other is not None:
            errors["identifier"] = _identifier_taken(other)
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
    ci = ConfigurationItem(
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
    # validated before the write (no lock held meanwhile); the number comes with it
    _full_clean(ci, exclude=("number",), checked=CHECKED)
    ci._change_reason = ci.change_reference
    _by(ci, by)
    with _unique_identifier(identifier):
        # the CI, its history row and its "created" timeline row (one statement on PostgreSQL)
        insert_record(ci, by=by, number_prefix=PREFIX, note=ci.change_reference)
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
    if not changed:
        # nothing changed (e.g. a form saved as it was): no new version, and the change that
        # authorised the last real modification stays on record; a stale form still conflicts
        if version is not None and version != ci.version:
            _save(ci, by, version, checked=CHECKED)  # raises Conflict naming the versions
        return ci
    identifier = fields.get("identifier", "")
    with _unique_identifier(identifier, ci), transaction.atomic():
        for name, value in fields.items():
            setattr(ci, name, value)
        ci.change_reference = (change_reference or "").strip()
        ci._change_reason = ci.change_reference
        _save(ci, by, version, checked=CHECKED)
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
        _save(ci, by, version, checked=CHECKED)
        record_event(
            ci,
            step.name,
            by=by,
            note=note or ci.change_reference,
            data={"from": source, "to": to, "change_reference": ci.change_reference},
        )
    return ci
