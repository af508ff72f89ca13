"""Discovery snapshots: reading JSON or CSV into items, and normalising values by attribute
type so that equal values compare equal ("16" and 16, IP formats, yes/true)."""

from __future__ import annotations

import csv
import io
import ipaddress
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext as _

from itsm.cmdb.choices import (
    AttributeType,
)
from itsm.cmdb.models import (
    CIClass,
)
from itsm.core import jsoninput, uploads
from itsm.core.errors import ValidationFailed
from itsm.core.numbering import PREFIXES

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
    if len(raw_rows) > uploads.max_rows():
        raise ValidationFailed(
            fields={
                "file": [
                    _("The snapshot has more than {count} items; split it.").format(
                        count=uploads.max_rows()
                    )
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
            _("The snapshot was not loaded; correct the rows listed."),
            fields=uploads.cap_errors(errors),
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
            _("The snapshot was not loaded; correct the rows listed."),
            fields=uploads.cap_errors(errors),
        )
    return rows


def _rows_from_bytes(data, filename: str) -> list[tuple[int, dict]]:
    if hasattr(data, "read"):
        filename = filename or getattr(data, "name", "") or ""
        data = uploads.read_upload_bytes(data)
    if isinstance(data, str):
        data = data.encode("utf-8", "surrogatepass")
    if len(data) > uploads.max_bytes():
        raise uploads.too_large()
    lower = filename.lower()
    text = uploads.decode_text(data)
    stripped = text.lstrip()
    if lower.endswith(".json") or (not lower.endswith(".csv") and stripped[:1] in ("[", "{")):
        try:
            document = jsoninput.loads(text)
        except jsoninput.JSONInputError as exc:
            raise ValidationFailed(fields={"file": [jsoninput.describe(exc)]})
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
        item: dict[str, object] = {key: values.get(key, "") for key in BASE_COLUMNS}
        item["attributes"] = {
            key: value
            for key, value in values.items()
            if key and key not in BASE_COLUMNS and value.strip()
        }
        rows.append((line, item))
    return rows
