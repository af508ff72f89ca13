"""Import configuration items from CSV, Excel or discovery JSON (R-CMDB-06, X-08).

* Files: ``.csv`` (UTF-8, UTF-8 with BOM, or GBK/GB18030 as Excel in China saves it),
  ``.xlsx`` (first worksheet, read with openpyxl in read-only mode) and ``.json`` (a
  discovery export: a list of objects, or ``{"items": [...]}``; an ``attributes`` object
  becomes ``attributes.<key>`` columns). At most ``MAX_UPLOAD_BYTES`` and ``MAX_ROWS`` data
  rows; in a spreadsheet the header is row 1, so the row numbers of errors are those a
  spreadsheet shows; in JSON row N is the Nth object.
* Mapping: file column → CI field (``name``, ``class``, ``identifier``, ``status``,
  ``criticality``, ``customer``, ``supplier``, ``owner``, ``location``, ``description``) or
  ``attributes.<key>``; columns mapped to nothing are ignored. Without a mapping, columns are
  recognised by their header: field names, English labels, Chinese labels (名称, 类别, 状态,
  客户, 位置, 标识 …) and attribute keys or names.
* Class per row (a ``class`` column: code or name) or one class for the whole file.
* Customer / supplier by organisation code or name, owner by user name, status and
  criticality by value or label (English or Chinese).
* Create or update: a row whose ``identifier`` is that of an existing CI updates that CI
  (only the columns mapped and filled in; attributes are merged; a status change goes through
  the status machine); any other row creates a CI.
* All or nothing: every row is validated first and every error is reported ("Row N, column
  X: reason"); if any row is wrong nothing is written. Otherwise all rows are written in one
  transaction through ``itsm.cmdb.services``. A dry run does the same and rolls back.
"""

from __future__ import annotations

import csv
import io
import json
import os
import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime, time

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _

from itsm.cmdb import services as cmdb_services
from itsm.cmdb.choices import CI_MACHINE, CIStatus, Criticality
from itsm.cmdb.models import AttributeDefinition, CIClass, ConfigurationItem
from itsm.core.choices import OrganisationKind
from itsm.core.errors import DomainError, ValidationFailed
from itsm.core.models import Organisation, User

MAX_UPLOAD_BYTES = 5 * 1024 * 1024
MAX_ROWS = 20_000
#: total uncompressed size an .xlsx may unpack to (guards against zip bombs)
MAX_XLSX_UNPACKED = 100 * 1024 * 1024
EXTENSIONS = (".csv", ".xlsx", ".json")

FIELDS = (
    "name",
    "class",
    "identifier",
    "status",
    "criticality",
    "customer",
    "supplier",
    "owner",
    "location",
    "description",
)
#: header words recognised for each field (compared case-insensitively, spaces ignored)
HEADER_ALIASES = {
    "name": ("name", "名称", "配置项名称", "ci名称"),
    "class": ("class", "ci_class", "cls", "类别", "类型", "配置项类别", "分类", "classcode"),
    "identifier": ("identifier", "id", "标识", "标识符", "资产标签", "资产编号", "assettag"),
    "status": ("status", "状态"),
    "criticality": ("criticality", "关键性", "重要性", "重要程度", "重要级别"),
    "customer": ("customer", "客户", "客户单位"),
    "supplier": ("supplier", "供应商"),
    "owner": ("owner", "负责人", "所有者", "责任人"),
    "location": ("location", "位置", "地点", "存放位置"),
    "description": ("description", "描述", "说明", "备注"),
}
MAX_LENGTHS = {"name": 200, "identifier": 200, "location": 200}


def _label(target: str) -> str:
    return {
        "name": _("name"),
        "class": _("class"),
        "identifier": _("identifier"),
        "status": _("status"),
        "criticality": _("criticality"),
        "customer": _("customer"),
        "supplier": _("supplier"),
        "owner": _("owner"),
        "location": _("location"),
        "description": _("description"),
    }.get(target, target)


# --- reading files ----------------------------------------------------------------------------


def _too_large() -> ValidationFailed:
    return ValidationFailed(
        fields={
            "file": [
                _("The file is larger than {size} MB.").format(
                    size=MAX_UPLOAD_BYTES // (1024 * 1024)
                )
            ]
        }
    )


def read_upload_bytes(upload, *, max_bytes: int | None = None) -> bytes:
    """The content of an uploaded file (or bytes), refusing more than *max_bytes*
    (default ``MAX_UPLOAD_BYTES``)."""
    if max_bytes is None:
        max_bytes = MAX_UPLOAD_BYTES
    if isinstance(upload, bytes | bytearray):
        data = bytes(upload)
    elif isinstance(upload, str):
        data = upload.encode("utf-8")
    else:
        size = getattr(upload, "size", None)
        if size is not None and size > max_bytes:
            raise _too_large()
        if hasattr(upload, "seek"):
            try:
                upload.seek(0)
            except (OSError, ValueError):
                pass
        data = upload.read(max_bytes + 1)
        if isinstance(data, str):
            data = data.encode("utf-8")
    if len(data) > max_bytes:
        raise _too_large()
    return data


def decode_text(data: bytes) -> str:
    """Text of a CSV/JSON file: UTF-8 (with or without BOM), else GBK (GB18030)."""
    if b"\x00" in data:
        raise ValidationFailed(fields={"file": [_("The file is not a text file.")]})
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise ValidationFailed(  # pragma: no cover - gb18030 decodes almost any byte string
        fields={"file": [_("The file is neither UTF-8 nor GBK text.")]}
    )


def cell_text(value) -> str:
    """A spreadsheet cell as text (integral floats without ".0", dates as YYYY-MM-DD)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):
        if value.time() == time(0, 0):
            return value.date().isoformat()
        return value.isoformat(sep=" ")
    if isinstance(value, date | time):
        return value.isoformat()
    return str(value).strip()


@dataclass
class Table:
    """Header and data rows of a file; ``rows`` holds (row number, cells)."""

    filename: str
    headers: list[str]
    rows: list[tuple[int, list[str]]]


def read_table(upload, *, filename: str = "") -> Table:
    """Read a .csv or .xlsx upload into a ``Table`` (errors: ``ValidationFailed`` on ``file``)."""
    filename = filename or getattr(upload, "name", "") or ""
    extension = os.path.splitext(filename.lower())[1]
    if extension not in EXTENSIONS:
        raise ValidationFailed(fields={"file": [_("Upload a .csv, .xlsx or .json file.")]})
    data = read_upload_bytes(upload)
    if not data.strip():
        raise ValidationFailed(fields={"file": [_("The file is empty.")]})
    if extension == ".xlsx":
        raw = _xlsx_rows(data)
    elif extension == ".json":
        raw = _json_rows(decode_text(data))
    else:
        if data[:4] == b"PK\x03\x04":
            raise ValidationFailed(
                fields={"file": [_("This is not a CSV file (an Excel file? name it .xlsx).")]}
            )
        raw = _csv_rows(decode_text(data))
    if not raw:
        raise ValidationFailed(fields={"file": [_("The file is empty.")]})
    headers = [h.strip() for h in raw[0][1]]
    while headers and not headers[-1]:
        headers.pop()
    if not any(headers):
        raise ValidationFailed(fields={"file": [_("The first row must hold the column names.")]})
    seen: set[str] = set()
    for position, header in enumerate(headers, start=1):
        if not header:
            raise ValidationFailed(
                fields={
                    "file": [
                        _("Column {column} has no name in the header row.").format(column=position)
                    ]
                }
            )
        if header in seen:
            raise ValidationFailed(
                fields={"file": [_("The column “{column}” appears twice.").format(column=header)]}
            )
        seen.add(header)
    rows = [(n, cells) for n, cells in raw[1:] if any(c.strip() for c in cells)]
    if len(rows) > MAX_ROWS:
        raise ValidationFailed(
            fields={
                "file": [_("The file has more than {count} rows; split it.").format(count=MAX_ROWS)]
            }
        )
    if not rows:
        raise ValidationFailed(fields={"file": [_("The file contains no rows.")]})
    return Table(filename, headers, rows)


def _csv_rows(text: str) -> list[tuple[int, list[str]]]:
    first_line = text.split("\n", 1)[0]
    delimiter = ","
    if first_line.count("\t") > first_line.count(",") and "\t" in first_line:
        delimiter = "\t"
    elif first_line.count(";") > first_line.count(","):
        delimiter = ";"
    rows = []
    try:
        for number, cells in enumerate(
            csv.reader(io.StringIO(text, newline=""), delimiter=delimiter), start=1
        ):
            if number > MAX_ROWS + 1:
                raise ValidationFailed(
                    fields={
                        "file": [
                            _("The file has more than {count} rows; split it.").format(
                                count=MAX_ROWS
                            )
                        ]
                    }
                )
            rows.append((number, [c.strip() for c in cells]))
    except csv.Error as exc:
        raise ValidationFailed(
            fields={"file": [_("The file is not valid CSV: {error}").format(error=exc)]}
        )
    return rows


def _json_rows(text: str) -> list[tuple[int, list[str]]]:
    """A discovery export as rows: the header row (the keys, in first-seen order, with an
    ``attributes`` object spread into ``attributes.<key>``), then one row per object."""
    try:
        document = json.loads(text)
    except ValueError as exc:
        raise ValidationFailed(
            fields={"file": [_("The file is not valid JSON: {error}").format(error=exc)]}
        )
    items = document.get("items") if isinstance(document, dict) else document
    if not isinstance(items, list):
        raise ValidationFailed(
            fields={"file": [_('Expected a list of objects, or {"items": [...]}.')]}
        )
    if len(items) > MAX_ROWS:
        raise ValidationFailed(
            fields={
                "file": [_("The file has more than {count} rows; split it.").format(count=MAX_ROWS)]
            }
        )
    flat_items: list[dict[str, str]] = []
    headers: dict[str, None] = {}
    for number, item in enumerate(items, start=1):
        if not isinstance(item, dict):
            raise ValidationFailed(
                fields={"file": [_("Row {row}: expected an object.").format(row=number)]}
            )
        flat: dict[str, str] = {}
        for key, value in item.items():
            if key == "attributes" and isinstance(value, dict):
                for attribute, attribute_value in value.items():
                    flat[f"attributes.{attribute}"] = _json_cell(attribute_value)
            else:
                flat[str(key)] = _json_cell(value)
        headers.update(dict.fromkeys(flat))
        flat_items.append(flat)
    names = list(headers)
    return [(0, names)] + [
        (number, [flat.get(name, "") for name in names])
        for number, flat in enumerate(flat_items, start=1)
    ]


def _json_cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False)
    return str(value).strip()


def _xlsx_rows(data: bytes) -> list[tuple[int, list[str]]]:
    import openpyxl

    invalid = ValidationFailed(
        fields={"file": [_("The file is not a valid Excel (.xlsx) workbook.")]}
    )
    if data[:4] != b"PK\x03\x04":
        raise invalid
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
    except zipfile.BadZipFile:
        raise invalid
    if unpacked > MAX_XLSX_UNPACKED:
        raise _too_large()
    try:
        workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:  # openpyxl raises many kinds on a damaged file
        raise invalid
    rows: list[tuple[int, list[str]]] = []
    try:
        sheet = workbook.worksheets[0]
        for number, values in enumerate(sheet.iter_rows(values_only=True), start=1):
            if number > MAX_ROWS + 1:
                raise ValidationFailed(
                    fields={
                        "file": [
                            _("The file has more than {count} rows; split it.").format(
                                count=MAX_ROWS
                            )
                        ]
                    }
                )
            rows.append((number, [cell_text(v) for v in values]))
    except ValidationFailed:
        raise
    except Exception:
        raise invalid
    finally:
        workbook.close()
    return rows


# --- mapping ----------------------------------------------------------------------------------


def _fold(text: str) -> str:
    return "".join(str(text).split()).casefold()


def _definitions(ci_class: CIClass | None) -> list[AttributeDefinition]:
    queryset = AttributeDefinition.objects.select_related("ci_class").order_by(
        "ci_class__order", "order", "key"
    )
    if ci_class is not None:
        queryset = queryset.filter(ci_class=ci_class)
    return list(queryset)


def mapping_targets(ci_class: CIClass | None = None) -> list[tuple[str, str]]:
    """(value, label) of every mapping target: the CI fields, then ``attributes.<key>``."""
    targets = [(name, str(_label(name))) for name in FIELDS]
    seen: set[str] = set()
    for definition in _definitions(ci_class):
        if definition.key in seen:
            continue
        seen.add(definition.key)
        targets.append(
            (
                f"attributes.{definition.key}",
                _("Attribute: {name} ({key})").format(name=definition.label, key=definition.key),
            )
        )
    return targets


def default_mapping(headers: list[str], ci_class: CIClass | None = None) -> dict[str, str]:
    """Header → target guessed from the header names (unrecognised headers map to "")."""
    aliases: dict[str, str] = {}
    for target, words in HEADER_ALIASES.items():
        for word in words:
            aliases.setdefault(_fold(word), target)
    for target in FIELDS:  # the field labels in both languages
        for language in ("en", "zh-hans"):
            with translation.override(language):
                aliases.setdefault(_fold(_label(target)), target)
    for definition in _definitions(ci_class):
        target = f"attributes.{definition.key}"
        for word in (definition.key, definition.name_en, definition.name_zh, target):
            if word:
                aliases.setdefault(_fold(word), target)
    mapping: dict[str, str] = {}
    used: set[str] = set()
    for header in headers:
        target = aliases.get(_fold(header), "")
        if target in used:
            target = ""
        if target:
            used.add(target)
        mapping[header] = target
    return mapping


def check_mapping(mapping: dict, headers: list[str], *, ci_class: CIClass | None) -> dict[str, str]:
    """Validate a mapping from the client; every problem is reported on ``mapping``."""
    if not isinstance(mapping, dict):
        raise ValidationFailed(
            fields={"mapping": [_("Send the mapping as an object: column → field.")]}
        )
    valid = {value for value, _label_text in mapping_targets(ci_class)}
    problems: list[str] = []
    used: dict[str, str] = {}
    cleaned: dict[str, str] = {}
    for column, target in mapping.items():
        target = (target or "").strip() if isinstance(target, str) else target
        if column not in headers:
            problems.append(_("The file has no column “{column}”.").format(column=column))
            continue
        if not target:
            cleaned[column] = ""
            continue
        if not isinstance(target, str) or target not in valid:
            problems.append(
                _("Column “{column}”: unknown field “{target}”.").format(
                    column=column, target=target
                )
            )
            continue
        if target in used:
            problems.append(
                _("Columns “{first}” and “{second}” are both mapped to “{target}”.").format(
                    first=used[target], second=column, target=target
                )
            )
            continue
        used[target] = column
        cleaned[column] = target
    if "name" not in used:
        problems.append(_("Map a column to the name."))
    if "class" not in used and ci_class is None:
        problems.append(_("Map a column to the class, or choose one class for the whole file."))
    if problems:
        raise ValidationFailed(_("The column mapping is not valid."), fields={"mapping": problems})
    return cleaned


# --- validation and import --------------------------------------------------------------------


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
        self.fixed_class = fixed_class
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
        if problems:
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
        fields=ordered,
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
    table = read_table(file, filename=filename)
    if mapping is None:
        mapping = default_mapping(table.headers, ci_class)
    mapping = check_mapping(mapping, table.headers, ci_class=ci_class)
    change_reference = (change_reference or "").strip()
    if len(change_reference) > 40:
        raise ValidationFailed(
            fields={"change_reference": [_("Enter at most {count} characters.").format(count=40)]}
        )
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
