"""Spreadsheet output shared by every download: list exports (CSV and Excel) and the SLM report.

No formula injection: a cell text that starts with ``=``, ``+``, ``-``, ``@``, a tab or a
carriage return is never read as a formula. In Excel (xlsxwriter) the workbook never turns
strings into formulas (``strings_to_formulas=False``), every string is written with
``write_string``, and such a string gets Excel's quote prefix (the cell stays text even when a
user edits it); in CSV such a text is prefixed with an apostrophe (OWASP's advice), which a
spreadsheet shows as text.

Times are written in the reader's time zone (the active one, ``UserTimeZoneMiddleware``).
"""

from __future__ import annotations

import csv
import datetime
import io
from decimal import Decimal

import xlsxwriter
from django.utils import timezone
from django.utils.translation import gettext as _

DANGEROUS_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV_CONTENT_TYPE = "text/csv; charset=utf-8"
WORKBOOK_OPTIONS = {
    "in_memory": True,
    "strings_to_formulas": False,
    "strings_to_urls": False,
    "strings_to_numbers": False,
}


def new_workbook(buffer) -> xlsxwriter.Workbook:
    """An in-memory workbook that never turns strings into formulas, links or numbers."""
    return xlsxwriter.Workbook(buffer, WORKBOOK_OPTIONS)


def neutralised(text: str) -> str:
    """*text* safe for a CSV cell: a leading formula character is quoted with ``'``."""
    return "'" + text if text.startswith(DANGEROUS_PREFIXES) else text


def local_naive(value: datetime.datetime) -> datetime.datetime:
    """An aware datetime in the active time zone, without tzinfo (Excel has no time zones)."""
    if timezone.is_aware(value):
        value = timezone.localtime(value)
    return value.replace(tzinfo=None)


class SheetWriter:
    """Writes Python values into a worksheet with the right xlsxwriter call."""

    def __init__(self, workbook, worksheet):
        self.sheet = worksheet
        self.text = workbook.add_format({"valign": "top"})
        self.quoted = workbook.add_format({"quote_prefix": True, "valign": "top"})
        self.header = workbook.add_format({"bold": True, "bg_color": "#E8EEF7", "border": 1})
        self.number = workbook.add_format({"num_format": "0.0"})
        self.integer = workbook.add_format({"num_format": "0"})
        self.when = workbook.add_format({"num_format": "yyyy-mm-dd hh:mm"})
        self.day = workbook.add_format({"num_format": "yyyy-mm-dd"})
        self.title = workbook.add_format({"bold": True, "font_size": 14})

    def cell(self, row: int, col: int, value) -> None:
        sheet = self.sheet
        if value is None or value == "":
            sheet.write_blank(row, col, None)
        elif isinstance(value, bool):
            sheet.write_string(row, col, _("Yes") if value else _("No"), self.text)
        elif isinstance(value, int):
            sheet.write_number(row, col, value, self.integer)
        elif isinstance(value, Decimal | float):
            sheet.write_number(row, col, float(value), self.number)
        elif isinstance(value, datetime.datetime):
            sheet.write_datetime(row, col, local_naive(value), self.when)
        elif isinstance(value, datetime.date):
            sheet.write_datetime(
                row, col, datetime.datetime.combine(value, datetime.time()), self.day
            )
        else:
            self.string(row, col, str(value))

    def string(self, row: int, col: int, value: str, fmt=None) -> None:
        if value.startswith(DANGEROUS_PREFIXES):
            self.sheet.write_string(row, col, value, self.quoted)
        else:
            self.sheet.write_string(row, col, value, fmt or self.text)

    def headers(self, row: int, labels) -> None:
        for col, label in enumerate(labels):
            self.sheet.write_string(row, col, str(label), self.header)

    def row(self, row: int, values) -> None:
        for col, value in enumerate(values):
            self.cell(row, col, value)


def csv_text(value) -> str:
    """A cell value as CSV text: times in the active time zone, yes/no translated, no formulas."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(_("Yes") if value else _("No"))
    if isinstance(value, datetime.datetime):
        return local_naive(value).strftime("%Y-%m-%d %H:%M")
    if isinstance(value, datetime.date):
        return value.isoformat()
    return neutralised(str(value))


def csv_bytes(headers, rows) -> bytes:
    """A UTF-8 CSV file with a byte-order mark (so Excel reads Chinese text correctly)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([neutralised(str(label)) for label in headers])
    for values in rows:
        writer.writerow([csv_text(value) for value in values])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def xlsx_bytes(headers, rows, *, sheet_name: str = "") -> bytes:
    """One worksheet: a bold header row, then one row per record (frozen header, auto filter)."""
    buffer = io.BytesIO()
    workbook = new_workbook(buffer)
    sheet = workbook.add_worksheet(sheet_name[:31] or None)
    out = SheetWriter(workbook, sheet)
    headers = [str(label) for label in headers]
    out.headers(0, headers)
    count = 0
    for count, values in enumerate(rows, start=1):
        out.row(count, values)
    sheet.freeze_panes(1, 0)
    if headers:
        sheet.autofilter(0, 0, max(count, 1), len(headers) - 1)
        for col, label in enumerate(headers):
            sheet.set_column(col, col, max(12, min(40, len(label) * 2)))
    workbook.close()
    return buffer.getvalue()
