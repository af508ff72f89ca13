"""Configuration audit (配置审计, R-CMDB-05): verify the CMDB against a discovery snapshot.

These functions are the only writers of ``ConfigurationAudit`` and ``AuditDifference``; every
change they make to configuration items goes through ``itsm.cmdb.services`` (history rows
carry the audit number as ``change_reference``).

Snapshot formats
    JSON: a list of objects ``{"identifier", "class", "name", "attributes": {...}}`` or an
    object ``{"items": [...]}``. CSV: columns ``identifier``, ``class``, ``name`` and one
    column per attribute key. An attribute a JSON item leaves out, or a CSV cell left empty,
    is "not reported" and not compared; a JSON ``null`` is reported as empty.

Scope
    The classes present in the snapshot, or only ``scope_class`` when given (items of other
    classes are then skipped). The CMDB side is every CI of those classes that is not retired.

Matching
    By ``identifier`` (case-insensitive); otherwise by class + name (case-insensitive) when
    one of the two identifiers is empty.

Accuracy
    ``checked`` = matched pairs + missing CIs + unexpected items (the union of CMDB CIs in
    scope and discovered items); ``matched`` = pairs without any difference; accuracy =
    matched / checked, measured when the audit is made. "After corrections" also counts the
    CIs and items whose differences were all accepted (the CMDB now agrees with discovery);
    rejected and pending differences still count as inaccurate.
"""

from __future__ import annotations

import csv
import io
import ipaddress
import json
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from itsm.cmdb import services as cmdb_services
from itsm.cmdb.choices import (
    CI_MACHINE,
    AttributeType,
    AuditStatus,
    CIStatus,
    DifferenceDecision,
    DifferenceKind,
)
from itsm.cmdb.importer import (
    MAX_ROWS,
    MAX_UPLOAD_BYTES,
    decode_text,
    read_upload_bytes,
)
from itsm.cmdb.models import (
    AuditDifference,
    CIClass,
    ConfigurationAudit,
    ConfigurationItem,
)
from itsm.core.errors import InvalidTransition, ValidationFailed
from itsm.core.numbering import PREFIXES, next_number
from itsm.core.services import save_versioned
from itsm.core.timeline import record_event

PREFIX = PREFIXES["configuration_audit"]  # CFA
NAME_MAX = 200
IDENTIFIER_MAX = 200
#: snapshot columns that are not attributes
BASE_COLUMNS = ("identifier", "class", "name")
TRUE_WORDS = frozenset({"true", "1", "yes", "y", "on", "是", "真", "t"})
FALSE_WORDS = frozenset({"false", "0", "no", "n", "off", "否", "假", "f"})


class Unparseable(ValueError):
    """A value that does not fit its attribute type (message is translated)."""


@dataclass
class SnapshotItem:
    """One discovered item of a snapshot (``row``: item number in JSON, line in CSV)."""

    row: int
    class_code: str
    name: str
    identifier: str = ""
    #: reported attributes only: key → JSON-safe cleaned value (None = reported empty)
    attributes: dict = field(default_factory=dict)


# --- value normalisation --------------------------------------------------------------------


def normalise(attr_type: str, value):
    """The canonical, comparable and JSON-safe form of *value* for an attribute of
    *attr_type* (``"16"`` and ``16`` are the same integer, ``2.50`` and ``2.5`` the same
    decimal, ``"yes"`` and ``true`` the same boolean, IP addresses compressed). Empty → None.
    Raises ``Unparseable`` with a translated message."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if attr_type == AttributeType.INTEGER:
        if isinstance(value, bool):
            raise Unparseable(_("Enter a whole number."))
        try:
            number = Decimal(str(value).strip())
        except InvalidOperation:
            raise Unparseable(_("Enter a whole number."))
        if not number.is_finite() or number != number.to_integral_value():
            raise Unparseable(_("Enter a whole number."))
        return int(number)
    if attr_type == AttributeType.DECIMAL:
        if isinstance(value, bool):
            raise Unparseable(_("Enter a number."))
        try:
            number = Decimal(str(value).strip())
        except InvalidOperation:
            raise Unparseable(_("Enter a number."))
        if not number.is_finite():
            raise Unparseable(_("Enter a number."))
        if number == number.to_integral_value():
            return int(number)
        return format(number.normalize(), "f")
    if attr_type == AttributeType.BOOLEAN:
        if isinstance(value, bool):
            return value
        text = str(value).strip().lower()
        if text in TRUE_WORDS:
            return True
        if text in FALSE_WORDS:
            return False
        raise Unparseable(_("Enter yes or no."))
    if attr_type == AttributeType.DATE:
        if isinstance(value, datetime):
            return value.date().isoformat()
        if isinstance(value, date):
            return value.isoformat()
        text = str(value).strip().replace("/", "-")
        try:
            return date.fromisoformat(text[:10]).isoformat()
        except ValueError:
            raise Unparseable(_("Enter a date as YYYY-MM-DD."))
    if attr_type == AttributeType.IP_ADDRESS:
        text = str(value).strip()
        try:
            return str(ipaddress.ip_address(text))
        except ValueError:
            pass
        try:  # "10.0.0.5/24" as discovery tools often report it
            return str(ipaddress.ip_interface(text).ip)
        except ValueError:
            raise Unparseable(_("Enter a valid IPv4 or IPv6 address."))
    if isinstance(value, dict | list):
        raise Unparseable(_("Enter text."))
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value).strip()


def _comparable(attr_type: str, value):
    """Normalised value for comparison; a stored value that no longer parses compares as
    its text (so it shows up as a difference instead of failing the audit)."""
    try:
        value = normalise(attr_type, value)
    except Unparseable:
        return ("raw", str(value).strip())
    if attr_type == AttributeType.DECIMAL and value is not None:
        return Decimal(str(value)).normalize()
    if attr_type == AttributeType.URL and isinstance(value, str):
        return value.rstrip("/")
    return value


# --- snapshot parsing and validation ----------------------------------------------------------


def parse_snapshot(
    data=None, *, filename: str = "", items: list | None = None, scope_class: CIClass | None = None
) -> tuple[list[SnapshotItem], int]:
    """Read and validate a snapshot (file content *data* or a list of *items*).

    Returns (items in scope, number of items skipped as outside ``scope_class``). Any bad
    row rejects the whole snapshot: ``ValidationFailed`` with one message per bad row, keyed
    ``rows.<n>`` (item number in a JSON list, line number in a CSV file with the header on
    line 1)."""
    if items is not None:
        raw_rows = _rows_from_list(items)
    else:
        if data is None:
            raise ValidationFailed(fields={"file": [_("Upload a snapshot file.")]})
        raw_rows = _rows_from_bytes(data, filename)
    if not raw_rows:
        raise ValidationFailed(fields={"file": [_("The snapshot contains no items.")]})
    if len(raw_rows) > MAX_ROWS:
        raise ValidationFailed(
            fields={
                "file": [
                    _("The snapshot has more than {count} items; split it.").format(count=MAX_ROWS)
                ]
            }
        )
    codes = {str(r.get("class") or "").strip() for _row, r in raw_rows}
    classes = {
        c.code: c
        for c in CIClass.objects.filter(code__in=codes).prefetch_related("attribute_definitions")
    }
    errors: dict[str, list[str]] = {}
    parsed: list[SnapshotItem] = []
    seen: dict[str, int] = {}
    skipped = 0
    for row, raw in raw_rows:
        problems: list[str] = []
        code = str(raw.get("class") or "").strip()
        name = str(raw.get("name") or "").strip() if not isinstance(raw.get("name"), dict) else ""
        identifier_raw = raw.get("identifier")
        identifier = "" if identifier_raw is None else str(identifier_raw).strip()
        ci_class = classes.get(code)
        if not code:
            problems.append(_("The class is missing."))
        elif ci_class is None:
            problems.append(_("Unknown class “{code}”.").format(code=code))
        if not name:
            problems.append(_("The name is missing."))
        elif len(name) > NAME_MAX:
            problems.append(_("The name is longer than {count} characters.").format(count=NAME_MAX))
        if len(identifier) > IDENTIFIER_MAX:
            problems.append(
                _("The identifier is longer than {count} characters.").format(count=IDENTIFIER_MAX)
            )
        if identifier:
            key = identifier.casefold()
            if key in seen:
                problems.append(
                    _("The identifier “{identifier}” is already on row {row}.").format(
                        identifier=identifier, row=seen[key]
                    )
                )
            else:
                seen[key] = row
        attributes = raw.get("attributes")
        if attributes is None:
            attributes = {}
        if not isinstance(attributes, dict):
            problems.append(_("“attributes” must be an object of key → value."))
            attributes = {}
        cleaned: dict = {}
        if ci_class is not None:
            definitions = {d.key: d for d in ci_class.attribute_definitions.all()}
            for key, value in attributes.items():
                definition = definitions.get(key)
                if definition is None:
                    problems.append(
                        _("The class “{cls}” has no attribute “{key}”.").format(
                            cls=ci_class.code, key=key
                        )
                    )
                    continue
                try:
                    cleaned[key] = normalise(definition.type, value)
                except Unparseable as problem:
                    problems.append(
                        _("Attribute “{key}”: {problem}").format(key=key, problem=problem)
                    )
        if problems:
            errors[f"rows.{row}"] = [
                _("Row {row}: {problem}").format(row=row, problem=p) for p in problems
            ]
            continue
        if scope_class is not None and code != scope_class.code:
            skipped += 1
            continue
        parsed.append(SnapshotItem(row, code, name, identifier, cleaned))
    if errors:
        raise ValidationFailed(
            _("The snapshot was not loaded; correct the rows listed."), fields=errors
        )
    if not parsed:
        raise ValidationFailed(
            fields={"scope_class": [_("The snapshot has no item of the class checked.")]}
        )
    return parsed, skipped


def _rows_from_list(items) -> list[tuple[int, dict]]:
    if not isinstance(items, list):
        raise ValidationFailed(fields={"items": [_("Send a list of discovered items.")]})
    rows: list[tuple[int, dict]] = []
    errors: dict[str, list[str]] = {}
    for index, item in enumerate(items, start=1):
        if not isinstance(item, dict):
            errors[f"rows.{index}"] = [
                _("Row {row}: {problem}").format(row=index, problem=_("Not an object."))
            ]
            continue
        rows.append((index, item))
    if errors:
        raise ValidationFailed(
            _("The snapshot was not loaded; correct the rows listed."), fields=errors
        )
    return rows


def _rows_from_bytes(data, filename: str) -> list[tuple[int, dict]]:
    if hasattr(data, "read"):
        filename = filename or getattr(data, "name", "") or ""
        data = read_upload_bytes(data)
    if isinstance(data, str):
        data = data.encode("utf-8")
    if len(data) > MAX_UPLOAD_BYTES:
        raise ValidationFailed(
            fields={
                "file": [
                    _("The file is larger than {size} MB.").format(
                        size=MAX_UPLOAD_BYTES // (1024 * 1024)
                    )
                ]
            }
        )
    lower = filename.lower()
    text = decode_text(data)
    stripped = text.lstrip()
    if lower.endswith(".json") or (not lower.endswith(".csv") and stripped[:1] in ("[", "{")):
        try:
            document = json.loads(text)
        except ValueError as exc:
            raise ValidationFailed(
                fields={"file": [_("The file is not valid JSON: {error}").format(error=exc)]}
            )
        if isinstance(document, dict):
            document = document.get("items")
        if not isinstance(document, list):
            raise ValidationFailed(
                fields={"file": [_("Expected a list of items or an object with “items”.")]}
            )
        return _rows_from_list(document)
    if lower and not lower.endswith(".csv"):
        raise ValidationFailed(fields={"file": [_("Upload a .json or .csv snapshot.")]})
    return _rows_from_csv(text)


def _rows_from_csv(text: str) -> list[tuple[int, dict]]:
    try:
        reader = list(csv.reader(io.StringIO(text, newline="")))
    except csv.Error as exc:
        raise ValidationFailed(
            fields={"file": [_("The file is not valid CSV: {error}").format(error=exc)]}
        )
    if not reader:
        return []
    header = [h.strip() for h in reader[0]]
    missing = [c for c in ("class", "name") if c not in header]
    if missing:
        raise ValidationFailed(
            fields={
                "file": [
                    _("The CSV header lacks the columns: {columns}.").format(
                        columns=", ".join(missing)
                    )
                ]
            }
        )
    rows: list[tuple[int, dict]] = []
    for line, cells in enumerate(reader[1:], start=2):
        if not any(c.strip() for c in cells):
            continue
        values = dict(zip(header, cells, strict=False))
        item = {key: values.get(key, "") for key in BASE_COLUMNS}
        item["attributes"] = {
            key: value
            for key, value in values.items()
            if key and key not in BASE_COLUMNS and value.strip()
        }
        rows.append((line, item))
    return rows


# --- comparison -------------------------------------------------------------------------------


@dataclass
class _Comparison:
    differences: list[AuditDifference]
    checked: int
    matched: int


def _compare(items: list[SnapshotItem], scope_codes: set[str]) -> _Comparison:
    cis = list(
        ConfigurationItem.objects.filter(ci_class__code__in=scope_codes)
        .exclude(status=CIStatus.RETIRED)
        .select_related("ci_class")
        .prefetch_related("ci_class__attribute_definitions")
        .order_by("pk")
    )
    by_identifier = {ci.identifier.strip().casefold(): ci for ci in cis if ci.identifier.strip()}
    by_name: dict[tuple[str, str], list[ConfigurationItem]] = {}
    for ci in cis:
        by_name.setdefault((ci.ci_class.code, ci.name.strip().casefold()), []).append(ci)
    pairs: dict[int, tuple[ConfigurationItem, SnapshotItem]] = {}
    unmatched: list[SnapshotItem] = []
    for item in items:
        ci = by_identifier.get(item.identifier.casefold()) if item.identifier else None
        if ci is not None and ci.pk not in pairs:
            pairs[ci.pk] = (ci, item)
        else:
            unmatched.append(item)
    unexpected: list[SnapshotItem] = []
    for item in unmatched:
        candidates = [
            ci
            for ci in by_name.get((item.class_code, item.name.casefold()), [])
            if ci.pk not in pairs and (not ci.identifier.strip() or not item.identifier)
        ]
        if candidates:
            pairs[candidates[0].pk] = (candidates[0], item)
        else:
            unexpected.append(item)

    differences: list[AuditDifference] = []
    matched = 0
    for ci, item in sorted(pairs.values(), key=lambda pair: pair[0].pk):
        found = _drifts(ci, item)
        if not found:
            matched += 1
        differences.extend(found)
    missing = [ci for ci in cis if ci.pk not in pairs]
    for ci in missing:
        differences.append(
            AuditDifference(
                kind=DifferenceKind.MISSING,
                ci=ci,
                identifier=ci.identifier,
                name=ci.name,
                class_code=ci.ci_class.code,
                cmdb_value={"number": ci.number, "status": ci.status},
            )
        )
    for item in unexpected:
        differences.append(
            AuditDifference(
                kind=DifferenceKind.UNEXPECTED,
                identifier=item.identifier,
                name=item.name,
                class_code=item.class_code,
                discovered_value={"name": item.name, "attributes": item.attributes},
            )
        )
    checked = len(pairs) + len(missing) + len(unexpected)
    return _Comparison(differences, checked, matched)


def _drifts(ci: ConfigurationItem, item: SnapshotItem) -> list[AuditDifference]:
    def drift(attribute, cmdb_value, discovered_value):
        return AuditDifference(
            kind=DifferenceKind.DRIFTED,
            ci=ci,
            identifier=ci.identifier or item.identifier,
            name=ci.name,
            class_code=ci.ci_class.code,
            attribute=attribute,
            cmdb_value=cmdb_value,
            discovered_value=discovered_value,
        )

    found: list[AuditDifference] = []
    if ci.ci_class.code != item.class_code:
        found.append(drift("class", ci.ci_class.code, item.class_code))
    if ci.name.strip().casefold() != item.name.casefold():
        found.append(drift("name", ci.name, item.name))
    if item.identifier and not ci.identifier.strip():
        found.append(drift("identifier", ci.identifier, item.identifier))
    definitions = {d.key: d for d in ci.ci_class.attribute_definitions.all()}
    stored = ci.attributes if isinstance(ci.attributes, dict) else {}
    for key, value in item.attributes.items():
        definition = definitions.get(key)
        attr_type = definition.type if definition is not None else AttributeType.STRING
        if _comparable(attr_type, stored.get(key)) != _comparable(attr_type, value):
            found.append(drift(f"attributes.{key}", stored.get(key), value))
    return found


# --- services -------------------------------------------------------------------------------


def create_audit(
    *,
    title: str,
    by,
    file=None,
    filename: str = "",
    items: list | None = None,
    scope_class: CIClass | None = None,
) -> ConfigurationAudit:
    """Load a discovery snapshot (a file's content in *file*, or a list of *items*), compare
    it with the CMDB and store the audit with its differences. An invalid snapshot stores
    nothing. An audit without differences is closed at once."""
    title = (title or "").strip()
    if not title:
        raise ValidationFailed(fields={"title": [_("This field is required.")]})
    if len(title) > 200:
        raise ValidationFailed(
            fields={"title": [_("Enter at most {count} characters.").format(count=200)]}
        )
    source_name = (filename or getattr(file, "name", "") or "")[-200:]
    snapshot, skipped = parse_snapshot(
        file, filename=source_name, items=items, scope_class=scope_class
    )
    scope_codes = {scope_class.code} if scope_class else {item.class_code for item in snapshot}
    with transaction.atomic():
        comparison = _compare(snapshot, scope_codes)
        audit = ConfigurationAudit(
            number=next_number(PREFIX),
            title=title,
            source_name=source_name,
            scope_class=scope_class,
            checked_count=comparison.checked,
            matched_count=comparison.matched,
            performed_by=by if getattr(by, "pk", None) else None,
        )
        audit.full_clean(exclude=["performed_by"])  # empty when a job runs the audit
        audit._history_user = audit.performed_by
        audit.save()
        for difference in comparison.differences:
            difference.audit = audit
        AuditDifference.objects.bulk_create(comparison.differences, batch_size=500)
        counts = _kind_counts(comparison.differences)
        record_event(
            audit,
            "created",
            by=by,
            data={
                "items": len(snapshot),
                "skipped": skipped,
                "classes": sorted(scope_codes),
                "checked": comparison.checked,
                "matched": comparison.matched,
                **counts,
            },
        )
        if not comparison.differences:
            _close(audit, by=by, note=_("No differences found."))
    return audit


def _kind_counts(differences) -> dict[str, int]:
    counts = {kind: 0 for kind in DifferenceKind.values}
    for difference in differences:
        counts[difference.kind] += 1
    return counts


def update_audit(
    audit: ConfigurationAudit, *, by, version: int | None = None, title: str
) -> ConfigurationAudit:
    """Rename an audit (its findings never change)."""
    title = (title or "").strip()
    if not title:
        raise ValidationFailed(fields={"title": [_("This field is required.")]})
    with transaction.atomic():
        audit.title = title
        audit._history_user = by if getattr(by, "pk", None) else None
        save_versioned(audit, expected_version=version, update_fields=["title"])
        record_event(audit, "updated", by=by, data={"fields": ["title"]})
    return audit


def _ensure_open(audit: ConfigurationAudit) -> None:
    if audit.status != AuditStatus.OPEN:
        raise InvalidTransition(
            _("The audit {number} is closed.").format(number=audit.number),
            fields={"status": [_("The audit is closed.")]},
        )


def decide_difference(
    difference: AuditDifference, *, accept: bool, by, note: str = ""
) -> AuditDifference:
    """Accept (correct the CMDB through the CMDB services, the audit number as change
    reference) or reject (keep the CMDB as it is) one pending difference. Closes the audit
    when it was the last pending one."""
    with transaction.atomic():
        # lock the row (no outer join: PostgreSQL refuses FOR UPDATE on its nullable side)
        difference = AuditDifference.objects.select_for_update().get(pk=difference.pk)
        audit = ConfigurationAudit.objects.get(pk=difference.audit_id)
        _ensure_open(audit)
        _decide(difference, audit, accept=accept, by=by, note=note)
        _close_if_done(audit, by=by)
    return difference


def decide_differences(
    audit: ConfigurationAudit, *, accept: bool, by, note: str = "", ids=None
) -> int:
    """Accept or reject the pending differences of *audit* (all, or those with *ids*) in one
    transaction: if one correction fails, none is made. Returns how many were decided."""
    with transaction.atomic():
        audit = ConfigurationAudit.objects.select_for_update().get(pk=audit.pk)
        _ensure_open(audit)
        pending = audit.differences.filter(decision=DifferenceDecision.PENDING)
        if ids is not None:
            ids = [int(i) for i in ids]
            pending = pending.filter(pk__in=ids)
            found = set(pending.values_list("pk", flat=True))
            unknown = sorted(set(ids) - found)
            if unknown:
                raise ValidationFailed(
                    fields={
                        "ids": [
                            _("Not pending differences of this audit: {ids}.").format(
                                ids=", ".join(str(i) for i in unknown)
                            )
                        ]
                    }
                )
        rows = list(pending.order_by("pk"))
        for difference in rows:
            try:
                _decide(difference, audit, accept=accept, by=by, note=note)
            except ValidationFailed as exc:
                raise ValidationFailed(
                    _("Difference {id} ({name}) could not be applied: {detail}").format(
                        id=difference.pk, name=difference.name, detail=_error_text(exc)
                    ),
                    fields={f"differences.{difference.pk}": [_error_text(exc)]},
                )
        _close_if_done(audit, by=by)
    return len(rows)


def _error_text(exc: ValidationFailed) -> str:
    parts = [f"{name}: {' '.join(str(m) for m in msgs)}" for name, msgs in exc.fields.items()]
    return "; ".join(parts) or str(exc.detail)


def _decide(difference: AuditDifference, audit: ConfigurationAudit, *, accept, by, note) -> None:
    if difference.decision != DifferenceDecision.PENDING:
        raise InvalidTransition(
            _("This difference was already decided."),
            fields={
                "decision": [_("Already {decision}.").format(decision=_decision_label(difference))]
            },
        )
    note = (note or "").strip()[:200]
    if accept:
        extra = _apply(difference, audit, by=by)
        if extra and not note:
            note = extra[:200]
    difference.decision = DifferenceDecision.ACCEPTED if accept else DifferenceDecision.REJECTED
    difference.decided_by = by if getattr(by, "pk", None) else None
    difference.decided_at = timezone.now()
    difference.note = note
    difference._history_user = difference.decided_by
    save_versioned(
        difference,
        expected_version=None,
        update_fields=["decision", "decided_by", "decided_at", "note", "ci"],
    )
    record_event(
        audit,
        "difference_accepted" if accept else "difference_rejected",
        by=by,
        note=note,
        data={
            "difference": difference.pk,
            "kind": difference.kind,
            "ci": difference.ci_id,
            "attribute": difference.attribute,
        },
    )


def _decision_label(difference) -> str:
    return str(DifferenceDecision(difference.decision).label)


def _apply(difference: AuditDifference, audit: ConfigurationAudit, *, by) -> str:
    """Correct the CMDB for an accepted difference; return a note when nothing could be
    changed (e.g. the CI was retired meanwhile)."""
    reference = audit.number
    if difference.kind == DifferenceKind.UNEXPECTED:
        return _apply_unexpected(difference, reference, by=by)
    ci = difference.ci
    if ci is None:
        raise ValidationFailed(
            fields={"ci": [_("The configuration item no longer exists; reject the difference.")]}
        )
    ci = ConfigurationItem.objects.select_related("ci_class").get(pk=ci.pk)
    if difference.kind == DifferenceKind.MISSING:
        if ci.status == CIStatus.RETIRED:
            return _("Already retired.")
        if CI_MACHINE.find(ci.status, CIStatus.RETIRED) is None:
            return _("Retiring is not allowed from status “{status}”; left unchanged.").format(
                status=ci.get_status_display()
            )
        cmdb_services.transition_ci(ci, to=CIStatus.RETIRED, by=by, change_reference=reference)
        return ""
    attribute = difference.attribute
    value = difference.discovered_value
    if attribute == "class":
        cmdb_services.update_ci(
            ci, by=by, change_reference=reference, ci_class=cmdb_services.get_class(value)
        )
    elif attribute in ("name", "identifier"):
        cmdb_services.update_ci(ci, by=by, change_reference=reference, **{attribute: value or ""})
    elif attribute.startswith("attributes."):
        key = attribute.removeprefix("attributes.")
        attributes = dict(ci.attributes or {})
        if value is None:
            attributes.pop(key, None)
        else:
            attributes[key] = value
        cmdb_services.update_ci(ci, by=by, change_reference=reference, attributes=attributes)
    return ""


def _apply_unexpected(difference: AuditDifference, reference: str, *, by) -> str:
    discovered = difference.discovered_value or {}
    identifier = difference.identifier
    if identifier:
        existing = ConfigurationItem.objects.filter(identifier=identifier).only("number").first()
        if existing is not None:
            raise ValidationFailed(
                fields={
                    "identifier": [
                        _("{number} already has this identifier.").format(number=existing.number)
                    ]
                }
            )
    attributes = {k: v for k, v in (discovered.get("attributes") or {}).items() if v is not None}
    ci = cmdb_services.create_ci(
        name=discovered.get("name") or difference.name,
        ci_class=cmdb_services.get_class(difference.class_code),
        by=by,
        identifier=identifier,
        attributes=attributes,
        status=CIStatus.IN_USE,
        change_reference=reference,
    )
    difference.ci = ci
    return ""


def _close_if_done(audit: ConfigurationAudit, *, by) -> None:
    if not audit.differences.filter(decision=DifferenceDecision.PENDING).exists():
        _close(audit, by=by, note=_("Every difference is decided."))


def _close(audit: ConfigurationAudit, *, by, note: str = "") -> None:
    audit.status = AuditStatus.CLOSED
    audit.closed_at = timezone.now()
    audit._history_user = by if getattr(by, "pk", None) else None
    save_versioned(audit, expected_version=None, update_fields=["status", "closed_at"])
    record_event(audit, "closed", by=by, note=note)


def close_audit(
    audit: ConfigurationAudit, *, by, force: bool = False, note: str = ""
) -> ConfigurationAudit:
    """Close an open audit. While differences are pending this needs ``force`` (they stay
    pending and are listed as undecided)."""
    with transaction.atomic():
        audit = ConfigurationAudit.objects.select_for_update().get(pk=audit.pk)
        _ensure_open(audit)
        pending = audit.differences.filter(decision=DifferenceDecision.PENDING).count()
        if pending and not force:
            raise ValidationFailed(
                _("{count} differences are still pending.").format(count=pending),
                fields={
                    "force": [_("Decide the pending differences first, or close anyway (force).")]
                },
                code="pending_differences",
            )
        _close(audit, by=by, note=(note or "").strip())
    return audit


# --- reads used by pages and the API ----------------------------------------------------------


@dataclass(frozen=True)
class AuditFigures:
    checked: int
    matched: int
    accuracy: float | None
    corrected: int
    accuracy_after: float | None
    pending: int
    counts: dict


def audit_figures(audit: ConfigurationAudit) -> AuditFigures:
    """Accuracy measured at audit time and "after corrections" (the CIs and items whose
    differences were all accepted now agree; rejected and pending ones still do not)."""
    groups: dict[object, list[str]] = {}
    counts = {kind: 0 for kind in DifferenceKind.values}
    pending = 0
    for pk, kind, ci_id, decision in audit.differences.values_list(
        "pk", "kind", "ci_id", "decision"
    ):
        counts[kind] += 1
        pending += decision == DifferenceDecision.PENDING
        key = ("item", pk) if kind == DifferenceKind.UNEXPECTED or ci_id is None else ci_id
        groups.setdefault(key, []).append(decision)
    corrected = sum(
        1
        for decisions in groups.values()
        if all(d == DifferenceDecision.ACCEPTED for d in decisions)
    )
    checked, matched = audit.checked_count, audit.matched_count
    return AuditFigures(
        checked=checked,
        matched=matched,
        accuracy=(matched / checked) if checked else None,
        corrected=corrected,
        accuracy_after=((matched + corrected) / checked) if checked else None,
        pending=pending,
        counts=counts,
    )
