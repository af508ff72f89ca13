"""Reading an upload (.csv, .xlsx or discovery .json) into a table of rows, within the size
and row limits, safely (no zip bombs, no binary CSV)."""

from __future__ import annotations

import csv
import io
import json
import os
import zipfile
from dataclasses import dataclass
from datetime import date, datetime, time

from django.utils.translation import gettext as _

from itsm.core import jsoninput, uploads
from itsm.core.errors import ValidationFailed

#: total uncompressed size an .xlsx may unpack to (guards against zip bombs)
MAX_XLSX_UNPACKED = 100 * 1024 * 1024
EXTENSIONS = (".csv", ".xlsx", ".json")

# The size and row limits, the text decoding and the error cap are the shared upload guard's
# (itsm/core/uploads.py), also used by the audit snapshots and the calendar CSV import.
read_upload_bytes = uploads.read_upload_bytes
decode_text = uploads.decode_text


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
    uploads.check_row_count(len(rows))
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
            uploads.check_row_count(number - 1)  # the header is row 1
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
        document = jsoninput.loads(text)
    except jsoninput.JSONInputError as exc:
        raise ValidationFailed(fields={"file": [jsoninput.describe(exc)]})
    items = document.get("items") if isinstance(document, dict) else document
    if not isinstance(items, list):
        raise ValidationFailed(
            fields={"file": [_('Expected a list of objects, or {"items": [...]}.')]}
        )
    uploads.check_row_count(len(items))
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
        raise uploads.too_large()
    try:
        workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:  # openpyxl raises many kinds on a damaged file
        raise invalid
    rows: list[tuple[int, list[str]]] = []
    try:
        sheet = workbook.worksheets[0]
        for number, values in enumerate(sheet.iter_rows(values_only=True), start=1):
            uploads.check_row_count(number - 1)  # the header is row 1
            rows.append((number, [cell_text(v) for v in values]))
    except ValidationFailed:
        raise
    except Exception:
        raise invalid
    finally:
        workbook.close()
    return rows
