"""Reading an incident export (.csv or .xlsx) into a header and numbered rows.

The same rules as the CMDB import's reader (UTF-8 with or without BOM or GB18030 text, comma,
semicolon or tab separated; the first worksheet of an .xlsx), with this import's own limits:
a full event log is far above the generic upload limits (``ITSM_TICKET_IMPORT_MAX_BYTES``,
default 200 MB). Row numbers are those a spreadsheet shows (the header is line 1).
"""

from __future__ import annotations

import csv
import io
import os
from dataclasses import dataclass
from datetime import date, datetime

from django.conf import settings
from django.utils.translation import gettext as _

from itsm.core import uploads
from itsm.core.errors import ValidationFailed

EXTENSIONS = (".csv", ".xlsx")


def max_bytes() -> int:
    return int(getattr(settings, "ITSM_TICKET_IMPORT_MAX_BYTES", 200 * 1024 * 1024))


@dataclass
class Table:
    """The header and the data rows (line number, cells) of a file."""

    headers: list[str]
    rows: list[tuple[int, list[str]]]


def read_bytes(upload) -> bytes:
    """The content of an upload within this import's size limit."""
    return uploads.read_upload_bytes(upload, limit=max_bytes())


def check_name(file_name: str) -> None:
    if os.path.splitext(file_name.lower())[1] not in EXTENSIONS:
        raise ValidationFailed(fields={"file": [_("Upload a .csv or .xlsx file.")]})


def read_table(data: bytes, file_name: str) -> Table:
    """The table of a stored file (errors: ``ValidationFailed`` on ``file``)."""
    check_name(file_name)
    if not data.strip():
        raise ValidationFailed(fields={"file": [_("The file is empty.")]})
    if file_name.lower().endswith(".xlsx"):
        raw = _xlsx_rows(data)
    else:
        if data[:4] == b"PK\x03\x04":
            raise ValidationFailed(
                fields={"file": [_("This is not a CSV file (an Excel file? name it .xlsx).")]}
            )
        raw = _csv_rows(uploads.decode_text(data))
    if not raw:
        raise ValidationFailed(fields={"file": [_("The file is empty.")]})
    headers = [h.strip() for h in raw[0]]
    while headers and not headers[-1]:
        headers.pop()
    if not any(headers):
        raise ValidationFailed(fields={"file": [_("The first row must hold the column names.")]})
    if len(set(headers)) != len(headers):
        raise ValidationFailed(fields={"file": [_("Two columns have the same name.")]})
    width = len(headers)
    rows = []
    for line, cells in enumerate(raw[1:], start=2):
        if not any(cells) or not any(c.strip() for c in cells):
            continue
        if len(cells) < width:
            cells = cells + [""] * (width - len(cells))
        rows.append((line, cells))
    if not rows:
        raise ValidationFailed(fields={"file": [_("The file contains no rows.")]})
    return Table(headers, rows)


def _csv_rows(text: str) -> list[list[str]]:
    first_line = text.split("\n", 1)[0]
    delimiter = ","
    if "\t" in first_line and first_line.count("\t") > first_line.count(","):
        delimiter = "\t"
    elif first_line.count(";") > first_line.count(","):
        delimiter = ";"
    try:
        # cells are stripped when they are read (``build``), not all of them here
        return list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    except csv.Error as exc:
        raise ValidationFailed(
            fields={"file": [_("The file is not valid CSV: {error}").format(error=exc)]}
        )


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, date):
        return value.isoformat()
    return str(value).strip()


def _xlsx_rows(data: bytes) -> list[list[str]]:
    import zipfile

    import openpyxl

    invalid = ValidationFailed(
        fields={"file": [_("The file is not a valid Excel (.xlsx) workbook.")]}
    )
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
    except zipfile.BadZipFile:
        raise invalid
    if unpacked > 4 * max_bytes():
        raise uploads.too_large(limit=max_bytes())
    try:
        workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:  # openpyxl raises many kinds on a damaged file
        raise invalid
    try:
        return [
            [_cell(v) for v in values]
            for values in workbook.worksheets[0].iter_rows(values_only=True)
        ]
    except Exception:
        raise invalid
    finally:
        workbook.close()
