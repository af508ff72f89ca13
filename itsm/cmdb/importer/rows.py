"""Validating every row (all or nothing) and writing them through the CMDB services."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from itsm.cmdb import services as cmdb_services
from itsm.cmdb.choices import CI_MACHINE, CIStatus, Criticality
from itsm.cmdb.importer.files import (
    Table,
    read_table,
)
from itsm.cmdb.importer.mapping import (
    MAX_LENGTHS,
    _fold,
    check_mapping,
    default_mapping,
)
from itsm.cmdb.models import CIClass, ConfigurationItem
from itsm.core import uploads
from itsm.core.choices import OrganisationKind
from itsm.core.errors import DomainError, ValidationFailed
from itsm.core.models import Organisation, User

# --- validation and import --------------------------------------------------------------------


#: what an imported row did, as the preview and result pages say it
IMPORT_ACTIONS = {
    "create": gettext_lazy("Create"),
    "update": gettext_lazy("Update"),
    "unchanged": gettext_lazy("Unchanged"),
}


@dataclass
class RowPlan:
    """What one row will do: create a CI or update ``ci``."""

    row: int
    ci_class: CIClass
    fields: dict
    attributes: dict
    status: str | None
    ci: ConfigurationItem | None = None
    action: str = "create"


@dataclass
class ImportResult:
    dry_run: bool
    headers: list[str]
    mapping: dict[str, str]
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    rows: list[dict] = field(default_factory=list)


class _Lookups:
    """Every reference the rows name, loaded with one query per kind (no query per row)."""

    def __init__(self, table: Table, mapping: dict[str, str], fixed_class: CIClass | None):
        self.column_of = {target: column for column, target in mapping.items() if target}
        index = {column: position for position, column in enumerate(table.headers)}
        self.index = {target: index[column] for target, column in self.column_of.items()}

        def values(target):
            position = self.index.get(target)
            if position is None:
                return set()
            return {
                _cell(cells, position).casefold()
                for _n, cells in table.rows
                if _cell(cells, position)
            }

        self.classes = list(CIClass.objects.prefetch_related("attribute_definitions"))
        self.class_by_word: dict[str, CIClass] = {}
        for ci_class in self.classes:
            for word in (ci_class.code, ci_class.name_en, ci_class.name_zh):
                if word:
                    self.class_by_word.setdefault(word.strip().casefold(), ci_class)
        # the prefetched instance: validating each row against it needs no query
        self.fixed_class = fixed_class and next(
            (c for c in self.classes if c.pk == fixed_class.pk), fixed_class
        )
        organisations = values("customer") | values("supplier")
        self.organisations: dict[tuple[str, str], Organisation] = {}
        if organisations:
            for org in Organisation.objects.only("id", "code", "name", "kind"):
                for word in (org.code, org.name):
                    if word.strip().casefold() in organisations:
                        self.organisations.setdefault((org.kind, word.strip().casefold()), org)
        usernames = values("owner")
        self.users = {}
        if usernames:
            for user in User.objects.filter(is_active=True).select_related("organisation"):
                if user.username.casefold() in usernames:
                    self.users[user.username.casefold()] = user
        identifiers = {
            _cell(cells, self.index["identifier"])
            for _n, cells in table.rows
            if "identifier" in self.index and _cell(cells, self.index["identifier"])
        }
        self.existing: dict[str, ConfigurationItem] = {}
        wanted = sorted(identifiers)
        for start in range(0, len(wanted), 500):
            for ci in ConfigurationItem.objects.filter(
                identifier__in=wanted[start : start + 500]
            ).select_related("ci_class"):
                self.existing[ci.identifier] = ci
        self.statuses = _choice_words(CIStatus)
        self.criticalities = _choice_words(Criticality)


def _choice_words(choices) -> dict[str, str]:
    words: dict[str, str] = {}
    for value, label in choices.choices:
        words[value.casefold()] = value
        for language in ("en", "zh-hans"):
            with translation.override(language):
                words.setdefault(_fold(str(label)), value)
    return words


def _cell(cells: list[str], position: int | None) -> str:
    if position is None or position >= len(cells):
        return ""
    return cells[position].strip()


def _plan_rows(table: Table, mapping: dict[str, str], lookups: _Lookups):
    errors: dict[str, list[str]] = {}
    plans: list[RowPlan] = []
    seen_identifiers: dict[str, int] = {}
    index = lookups.index
    column_of = lookups.column_of

    for row, cells in table.rows:
        problems: list[str] = []

        def fail(target, message, *, row=row, problems=problems):
            problems.append(
                _("Row {row}, column “{column}”: {reason}").format(
                    row=row, column=column_of.get(target, target), reason=message
                )
            )

        def value(target, cells=cells):
            return _cell(cells, index.get(target))

        fields: dict = {}
        name = value("name")
        if not name:
            fail("name", _("This field is required."))
        for target in ("name", "identifier", "location"):
            text = value(target)
            if len(text) > MAX_LENGTHS[target]:
                fail(
                    target,
                    _("Enter at most {count} characters.").format(count=MAX_LENGTHS[target]),
                )
        ci_class = lookups.fixed_class
        if "class" in index:
            word = value("class")
            if word:
                ci_class = lookups.class_by_word.get(word.casefold())
                if ci_class is None:
                    fail("class", _("Unknown class “{value}”.").format(value=word))
            elif ci_class is None:
                fail("class", _("This field is required."))
        identifier = value("identifier")
        existing = None
        if identifier:
            if identifier in seen_identifiers:
                fail(
                    "identifier",
                    _("The identifier “{value}” is already on row {row}.").format(
                        value=identifier, row=seen_identifiers[identifier]
                    ),
                )
            else:
                seen_identifiers[identifier] = row
            existing = lookups.existing.get(identifier)
            if (
                existing is not None
                and ci_class is not None
                and existing.ci_class_id != ci_class.pk
            ):
                fail(
                    "class",
                    _("{number} with this identifier is a “{cls}”, not a “{other}”.").format(
                        number=existing.number, cls=existing.ci_class.label, other=ci_class.label
                    ),
                )
        status = None
        if value("status"):
            status = lookups.statuses.get(_fold(value("status"))) or lookups.statuses.get(
                value("status").casefold()
            )
            if status is None:
                fail("status", _("Unknown status “{value}”.").format(value=value("status")))
            elif existing is not None and status != existing.status:
                if CI_MACHINE.find(existing.status, status) is None:
                    fail(
                        "status",
                        _("{number} cannot go from “{source}” to “{target}”.").format(
                            number=existing.number,
                            source=existing.get_status_display(),
                            target=CIStatus(status).label,
                        ),
                    )
        if value("criticality"):
            criticality = lookups.criticalities.get(
                _fold(value("criticality"))
            ) or lookups.criticalities.get(value("criticality").casefold())
            if criticality is None:
                fail(
                    "criticality",
                    _("Unknown criticality “{value}”.").format(value=value("criticality")),
                )
            else:
                fields["criticality"] = criticality
        for target, kind in (
            ("customer", OrganisationKind.CUSTOMER),
            ("supplier", OrganisationKind.SUPPLIER),
        ):
            word = value(target)
            if word:
                org = lookups.organisations.get((kind, word.casefold()))
                if org is None:
                    fail(
                        target,
                        _("No {kind} with code or name “{value}”.").format(
                            kind=OrganisationKind(kind).label, value=word
                        ),
                    )
                else:
                    fields[target] = org
        if value("owner"):
            owner = lookups.users.get(value("owner").casefold())
            if owner is None:
                fail("owner", _("No active user “{value}”.").format(value=value("owner")))
            else:
                fields["owner"] = owner
        for target in ("name", "identifier", "location", "description"):
            if value(target):
                fields[target] = value(target)
        attributes: dict = {}
        for target in index:
            if target.startswith("attributes.") and value(target):
                attributes[target.removeprefix("attributes.")] = value(target)
        if ci_class is not None:
            merged = dict(existing.attributes or {}) if existing is not None else {}
            merged.update(attributes)
            try:
                attributes = cmdb_services.validate_attributes(ci_class, merged)
            except ValidationFailed as exc:
                for key, messages in exc.fields.items():
                    for message in messages:
                        fail(key, message)
        if problems or ci_class is None:  # a missing class is one of the problems
            errors[f"rows.{row}"] = problems
            continue
        plans.append(
            RowPlan(
                row=row,
                ci_class=ci_class,
                fields=fields,
                attributes=attributes,
                status=status,
                ci=existing,
                action="update" if existing is not None else "create",
            )
        )
    return plans, errors


def _reject(errors: dict[str, list[str]]):
    ordered = dict(sorted(errors.items(), key=lambda item: _row_key(item[0])))
    count = len([k for k in ordered if k.startswith("rows.")])
    return ValidationFailed(
        _("Nothing was imported: {count} rows have errors.").format(count=count)
        if count
        else _("Nothing was imported."),
        fields=uploads.cap_errors(ordered),
    )


def _row_key(name: str):
    prefix, _sep, number = name.partition(".")
    return (prefix, int(number) if number.isdigit() else 0)


def import_cis(
    *,
    file,
    by,
    filename: str = "",
    mapping: dict | None = None,
    ci_class: CIClass | None = None,
    dry_run: bool = False,
    change_reference: str = "",
) -> ImportResult:
    """Import (or with *dry_run* only check and preview) the CIs of a .csv/.xlsx file; see
    the module docstring for the rules. Raises ``ValidationFailed`` listing every bad row."""
    return import_table(
        read_table(file, filename=filename),
        by=by,
        mapping=mapping,
        ci_class=ci_class,
        dry_run=dry_run,
        change_reference=change_reference,
    )


def import_table(
    table: Table,
    *,
    by,
    mapping: dict | None = None,
    ci_class: CIClass | None = None,
    dry_run: bool = False,
    change_reference: str = "",
) -> ImportResult:
    """``import_cis`` of a file already read with ``read_table``."""
    if mapping is None:
        mapping = default_mapping(table.headers, ci_class)
    mapping = check_mapping(mapping, table.headers, ci_class=ci_class)
    change_reference = (change_reference or "").strip()
    if len(change_reference) > 40:
        raise ValidationFailed(
            fields={"change_reference": [_("Enter at most {count} characters.").format(count=40)]}
        )
    change_reference = cmdb_services.authorised_change(change_reference)
    lookups = _Lookups(table, mapping, ci_class)
    plans, errors = _plan_rows(table, mapping, lookups)
    if errors:
        raise _reject(errors)
    result = ImportResult(dry_run=dry_run, headers=table.headers, mapping=mapping)
    with transaction.atomic():
        for plan in plans:
            try:
                with transaction.atomic():
                    outcome = _write(plan, by=by, change_reference=change_reference)
            except (DomainError, DjangoValidationError) as exc:
                errors[f"rows.{plan.row}"] = _row_messages(plan.row, exc, lookups.column_of)
                continue
            ci, action = outcome
            if action == "create":
                result.created += 1
            elif action == "update":
                result.updated += 1
            else:
                result.unchanged += 1
            result.rows.append(
                {
                    "row": plan.row,
                    "action": action,
                    "id": None if dry_run else ci.pk,
                    "number": ci.number,
                    "name": ci.name,
                    "ci_class": plan.ci_class.code,
                    # shown on the preview and result pages (the API lists the codes)
                    "ci_class_label": plan.ci_class.label,
                    "action_label": str(IMPORT_ACTIONS.get(action, action)),
                }
            )
        if errors:
            raise _reject(errors)
        if dry_run:
            transaction.set_rollback(True)
    return result


def _row_messages(row: int, exc, column_of: dict[str, str]) -> list[str]:
    if isinstance(exc, DjangoValidationError):
        fields = exc.message_dict if hasattr(exc, "error_dict") else {"": exc.messages}
    else:
        fields = exc.fields or {"": [str(exc.detail)]}
    messages = []
    for name, texts in fields.items():
        for text in texts:
            messages.append(
                _("Row {row}, column “{column}”: {reason}").format(
                    row=row, column=column_of.get(name, name or "—"), reason=text
                )
            )
    return messages


def _write(plan: RowPlan, *, by, change_reference: str):
    if plan.ci is None:
        ci = cmdb_services.create_ci(
            ci_class=plan.ci_class,
            by=by,
            status=plan.status,
            attributes=plan.attributes,
            change_reference=change_reference,
            **plan.fields,
        )
        return ci, "create"
    ci = ConfigurationItem.objects.select_related("ci_class").get(pk=plan.ci.pk)
    changes = {
        name: value
        for name, value in {**plan.fields, "attributes": plan.attributes}.items()
        if getattr(ci, name) != value
    }
    touched = False
    if changes:
        ci = cmdb_services.update_ci(ci, by=by, change_reference=change_reference, **changes)
        touched = True
    if plan.status and plan.status != ci.status:
        ci = cmdb_services.transition_ci(
            ci, to=plan.status, by=by, change_reference=change_reference
        )
        touched = True
    return ci, "update" if touched else "unchanged"
