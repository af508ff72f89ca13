"""Spreadsheet output shared by every download: list exports (CSV and Excel) and the SLM report.

No formula injection: a cell text that starts with ``=``, ``+``, ``-``, ``@``, a tab or a
carriage return is never read as a formula. In Excel (xlsxwriter) the workbook never turns
strings into formulas (``strings_to_formulas=False``), every string is written with
``write_string``, and such a string gets Excel's quote prefix (the cell stays text even when a
user edits it); in CSV such a text is prefixed with an apostrophe (OWASP's advice), which a
spreadsheet shows as text.

Times are written in the reader's time zone (the active one, ``UserTimeZoneMiddleware``).

Memory does not grow with the row count: a download is written row by row (rows come from an
iterator, e.g. ``QuerySet.iterator(chunk_size=…)``) into an anonymous temporary file — the
Excel workbook in xlsxwriter's ``constant_memory`` mode, which keeps one row in memory — and
sent from that file (:func:`file_response`, a ``FileResponse`` that reads it in blocks and
closes, so deletes, it at the end). The file is complete before the response starts, so the
translations, time zone and database connection of the request are still in place.
"""

from __future__ import annotations

import csv
import datetime
import io
import tempfile
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from decimal import Decimal
from typing import IO

import xlsxwriter
from django.http import FileResponse
from django.utils import timezone
from django.utils.translation import gettext as _

DANGEROUS_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV_CONTENT_TYPE = "text/csv; charset=utf-8"
WORKBOOK_OPTIONS = {
    "strings_to_formulas": False,
    "strings_to_urls": False,
    "strings_to_numbers": False,
}
#: rows written to a worksheet's temporary file before xlsxwriter flushes (constant memory)
STREAMING_OPTIONS = {"constant_memory": True, "in_memory": False}


@contextmanager
def streaming_workbook(output: IO[bytes]) -> Iterator[xlsxwriter.Workbook]:
    """A workbook writing to *output*, closed (written out) at the end of the block. It never
    turns strings into formulas, links or numbers, and runs in xlsxwriter's constant-memory
    mode: rows are written in order, one sheet after the other, each row to a temporary file
    once the next one starts. Those files live in a directory removed whatever happens
    (xlsxwriter deletes them only in ``close()``, which an error in the rows would skip), and
    on an error *output* is closed too."""
    with tempfile.TemporaryDirectory(prefix="itsm-export-") as scratch:
        workbook = xlsxwriter.Workbook(
            output, {**WORKBOOK_OPTIONS, **STREAMING_OPTIONS, "tmpdir": scratch}
        )
        try:
            yield workbook
            workbook.close()
        except BaseException:
            output.close()
            raise


def temporary_file() -> IO[bytes]:
    """An anonymous temporary file (deleted when closed) for a download being written."""
    return tempfile.TemporaryFile(prefix="itsm-export-")


def file_response(output: IO[bytes], *, filename: str, content_type: str) -> FileResponse:
    """Send *output* (a finished temporary file) from its start as an attachment; the
    response reads it in blocks and closes (deletes) it when done."""
    output.seek(0)
    return FileResponse(output, as_attachment=True, filename=filename, content_type=content_type)


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


def write_csv(output: IO[bytes], headers, rows: Iterable) -> None:
    """A UTF-8 CSV with a byte-order mark (so Excel reads Chinese text correctly) written to
    *output* row by row."""
    text = io.TextIOWrapper(output, encoding="utf-8", newline="", write_through=False)
    text.write("\ufeff")
    writer = csv.writer(text)
    writer.writerow([neutralised(str(label)) for label in headers])
    for values in rows:
        writer.writerow([csv_text(value) for value in values])
    text.flush()
    text.detach()  # leave *output* open for the response


def csv_file(headers, rows: Iterable) -> IO[bytes]:
    """The CSV in a temporary file (see :func:`write_csv`)."""
    output = temporary_file()
    write_csv(output, headers, rows)
    return output


def csv_bytes(headers, rows) -> bytes:
    """The CSV of :func:`write_csv` as bytes (small files and tests)."""
    buffer = io.BytesIO()
    write_csv(buffer, headers, rows)
    return buffer.getvalue()


def write_table(workbook, headers, rows: Iterable, *, sheet_name: str = "") -> int:
    """One worksheet: a bold header row, then one row per item of *rows* (frozen header, auto
    filter); returns the number of rows written."""
    sheet = workbook.add_worksheet(sheet_name[:31] or None)
    out = SheetWriter(workbook, sheet)
    headers = [str(label) for label in headers]
    if headers:
        for col, label in enumerate(headers):
            sheet.set_column(col, col, max(12, min(40, len(label) * 2)))
    sheet.freeze_panes(1, 0)
    out.headers(0, headers)
    count = 0
    for count, values in enumerate(rows, start=1):
        out.row(count, values)
    if headers:
        sheet.autofilter(0, 0, max(count, 1), len(headers) - 1)
    return count


def xlsx_file(headers, rows: Iterable, *, sheet_name: str = "") -> IO[bytes]:
    """The workbook of :func:`write_table` written in constant memory to a temporary file."""
    output = temporary_file()
    with streaming_workbook(output) as workbook:
        write_table(workbook, headers, rows, sheet_name=sheet_name)
    return output


def xlsx_bytes(headers, rows, *, sheet_name: str = "") -> bytes:
    """The workbook of :func:`write_table` as bytes (small files and tests)."""
    with xlsx_file(headers, rows, sheet_name=sheet_name) as output:
        output.seek(0)
        return output.read()
