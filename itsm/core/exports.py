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

Speed: xlsxwriter spends ~7 µs of Python on every cell (argument checks, a cell tuple, then
the XML of the cell built from a list of attributes and three regular expressions). Long
sheets therefore write whole rows as XML text (:class:`StreamingWorksheet`: ``row_xml`` and
the ``*_xml`` cell builders, used by :meth:`SheetWriter.row` and the SLA report's breaches):
the same bytes xlsxwriter writes in constant-memory mode (a test compares them), about five
times faster; any text xlsxwriter would alter (XML escapes, control characters, white space
at an end, over-long text) takes its own helpers.
"""

from __future__ import annotations

import csv
import datetime
import io
import math
import re
import tempfile
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from decimal import Decimal
from typing import IO

import xlsxwriter
from django.http import FileResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from xlsxwriter.utility import _preserve_whitespace, xl_col_to_name
from xlsxwriter.worksheet import Worksheet

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
#: a text xlsxwriter writes changed: XML escapes, control characters (and a literal ``_xHHHH_``,
#: which it escapes), U+FFFE/U+FFFF, white space at either end (``xml:space="preserve"``)
_TEXT_NEEDS_CARE = re.compile(r'[&<>"\n\x00-\x1f\ufffe\uffff]|_x|^\s|\s$')
_LEADING_OR_TRAILING_SPACE = re.compile(r"^\s|\s$")
#: xlsxwriter's limit of a cell's text in UTF-16 units (longer text is cut there)
_MAX_TEXT = 32767
#: Excel's day 0 (1900 system) and the first day after its phantom 29 February 1900
_EXCEL_EPOCH = datetime.datetime(1899, 12, 31)
_AFTER_1900_02 = datetime.datetime(1900, 3, 1)
#: the last row a worksheet's data may fill (0-based: Excel's sheet ends at row 1 048 576),
#: one row kept for the note that says the rows go on
MAX_ROW = 1_048_574


class StreamingWorksheet(Worksheet):
    """An xlsxwriter worksheet (constant-memory mode) that also takes whole rows as XML text.

    ``row_xml(row, first_col, last_col, cells)`` writes row *row* whose cells (columns
    *first_col* … *last_col* at most, in column order) were built by :meth:`text_xml`,
    :meth:`number_xml` and :meth:`datetime_xml` from a cell reference (``cell_ref``) and a
    style (``style``). The result is the XML xlsxwriter writes for ``write_string`` /
    ``write_number`` / ``write_datetime`` with a format, byte for byte, without its per-cell
    bookkeeping; the ``write_*`` calls still work on other rows (in row order, as constant
    memory requires). Rows given this way cannot have ``set_row`` options or comments."""

    def __init__(self) -> None:
        super().__init__()
        self._letters: list[str] = []
        self._styles: dict[int, str] = {}

    def _xml_rich_inline_string(self, string, attributes=()) -> None:
        """A text shaped like ``<r>…</r>`` given to ``write_string``: xlsxwriter would write it
        into the sheet unescaped, as rich-text XML (so a CI name could inject cells, formulas
        or break the file). We write no rich text: it is written as the text it is."""
        self._xml_inline_string(string, _preserve_whitespace(string), list(attributes))

    def column_letters(self, count: int) -> list[str]:
        """The names of the first *count* columns (``A``, ``B``, …)."""
        while len(self._letters) < count:
            self._letters.append(xl_col_to_name(len(self._letters)))
        return self._letters[:count]

    def style(self, cell_format) -> str:
        """The ``s`` attribute of *cell_format* (its index is assigned now, as xlsxwriter
        assigns it at a format's first use)."""
        key = id(cell_format)
        attribute = self._styles.get(key)
        if attribute is None:
            attribute = self._styles[key] = f' s="{cell_format._get_xf_index()}"'
        return attribute

    @staticmethod
    def text_xml(ref: str, value: str, style: str) -> str:
        """An inline-string cell: xlsxwriter's ``write_string`` in constant-memory mode."""
        if len(value) > _MAX_TEXT // 2 or _TEXT_NEEDS_CARE.search(value):
            return StreamingWorksheet._careful_text_xml(ref, value, style)
        return f'<c r="{ref}"{style} t="inlineStr"><is><t>{value}</t></is></c>'

    @staticmethod
    def _careful_text_xml(ref: str, value: str, style: str) -> str:
        """:meth:`text_xml` through xlsxwriter's own steps: cut at 32 767 UTF-16 units, control
        characters as ``_xHHHH_``, white space kept, ``&``, ``<`` and ``>`` escaped. (Unlike
        xlsxwriter, a text like ``<r>…</r>`` stays text instead of being taken as rich-text
        XML.)"""
        if len(value.encode("utf-16-le", "surrogatepass")) > 2 * _MAX_TEXT:
            value = value.encode("utf-16-le", "surrogatepass")[: 2 * _MAX_TEXT].decode(
                "utf-16-le", "ignore"
            )
        value = Worksheet._escape_control_characters(value)
        preserve = ' xml:space="preserve"' if _LEADING_OR_TRAILING_SPACE.search(value) else ""
        value = value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
        return f'<c r="{ref}"{style} t="inlineStr"><is><t{preserve}>{value}</t></is></c>'

    @staticmethod
    def number_xml(ref: str, value: float, style: str) -> str:
        """A number cell (``write_number``); NaN and infinities are refused as there."""
        if not math.isfinite(value):
            raise TypeError("NAN/INF not supported in write_number() without 'nan_inf_to_errors'")
        return f'<c r="{ref}"{style}><v>{value:.16G}</v></c>'

    def datetime_xml(self, ref: str, value: datetime.datetime, style: str) -> str:
        """A date-time cell (``write_datetime``) of a naive datetime."""
        if value >= _AFTER_1900_02 and value.tzinfo is None and not self.date_1904:
            delta = value - _EXCEL_EPOCH  # xlsxwriter's arithmetic, for its exact float
            serial = delta.days + (float(delta.seconds) + float(delta.microseconds) / 1e6) / (
                60 * 60 * 24
            )
            serial += 1  # Excel's 29 February 1900
        else:
            serial = self._convert_date_time(value)
        return f'<c r="{ref}"{style}><v>{serial:.16G}</v></c>'

    def row_xml(self, row: int, first_col: int, last_col: int, cells: str) -> int:
        """Write row *row* (0-based) holding *cells* (the XML of its cells in column order,
        from columns *first_col* … *last_col*); a row before it given through ``write_*`` is
        written first. Returns 0, or as ``write_*`` does -1 (outside the sheet; nothing
        written) or -2 (a row already written). An empty *cells* writes nothing, as blank
        cells without a format do not."""
        if not cells:
            return 0
        if not self.constant_memory:
            raise ValueError("row_xml() needs the constant_memory mode")
        error = self._check_dimensions(row, first_col) or self._check_dimensions(row, last_col)
        if error:
            return error
        if row > self.previous_row:
            self._write_single_row(row)  # the row pending in xlsxwriter's table, if any
        if self.table or row in self.row_info or row in self.comments:
            raise ValueError(f"row {row} has cells, options or comments given otherwise")
        self._write_row(row, None)
        self.fh.write(cells)
        self.fh.write("</row>")
        return 0


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
        workbook.worksheet_class = StreamingWorksheet
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
        # the formats' indexes in a fixed order, whichever cell uses one first (the same
        # styles whether rows are written whole or a cell at a time)
        names = ("text", "quoted", "header", "number", "integer", "when", "day", "title")
        for name in names:
            getattr(self, name)._get_xf_index()
        #: whole rows as XML (:class:`StreamingWorksheet`), or ``None``: a cell at a time
        self.fast = worksheet if isinstance(worksheet, StreamingWorksheet) else None
        if self.fast is not None:
            self.styles = {name: self.fast.style(getattr(self, name)) for name in names}
            self._yes_no = (str(_("No")), str(_("Yes")))

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

    def text_xml(self, ref: str, value: str) -> str:
        """The XML of the cell :meth:`string` writes, for a whole row (``row_xml``): the quote
        prefix where *value* could read as a formula."""
        sheet = self.fast
        if sheet is None:
            raise ValueError("text_xml() needs a StreamingWorksheet (streaming_workbook())")
        style = self.styles["quoted" if value.startswith(DANGEROUS_PREFIXES) else "text"]
        return sheet.text_xml(ref, value, style)

    def headers(self, row: int, labels) -> None:
        for col, label in enumerate(labels):
            self.sheet.write_string(row, col, str(label), self.header)

    def row(self, row: int, values) -> None:
        """*values* in columns 0, 1, … of *row*, each written as :meth:`cell` writes it."""
        sheet = self.fast
        if sheet is None:
            for col, value in enumerate(values):
                self.cell(row, col, value)
            return
        cells = []
        styles = self.styles
        number = str(row + 1)
        first = last = -1
        for col, value in enumerate(values):
            if value is None or value == "":
                continue
            ref = sheet.column_letters(col + 1)[col] + number
            if isinstance(value, bool):
                cells.append(sheet.text_xml(ref, self._yes_no[value], styles["text"]))
            elif isinstance(value, int):
                cells.append(sheet.number_xml(ref, value, styles["integer"]))
            elif isinstance(value, Decimal | float):
                cells.append(sheet.number_xml(ref, float(value), styles["number"]))
            elif isinstance(value, datetime.datetime):
                cells.append(sheet.datetime_xml(ref, local_naive(value), styles["when"]))
            elif isinstance(value, datetime.date):
                moment = datetime.datetime.combine(value, datetime.time())
                cells.append(sheet.datetime_xml(ref, moment, styles["day"]))
            else:
                cells.append(self.text_xml(ref, str(value)))
            if first < 0:
                first = col
            last = col
        sheet.row_xml(row, first, last, "".join(cells))


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


def write_table(
    workbook, headers, rows: Iterable, *, sheet_name: str = "", max_row: int = MAX_ROW
) -> int:
    """One worksheet: a bold header row, then one row per item of *rows* (frozen header, auto
    filter); returns the number of rows written. An Excel sheet ends at row 1 048 576: rows past
    *max_row* are not written, and the row after the last one says so (the CSV export has no
    such limit) instead of the list ending silently short."""
    sheet = workbook.add_worksheet(sheet_name[:31] or None)
    out = SheetWriter(workbook, sheet)
    headers = [str(label) for label in headers]
    if headers:
        for col, label in enumerate(headers):
            sheet.set_column(col, col, max(12, min(40, len(label) * 2)))
    sheet.freeze_panes(1, 0)
    out.headers(0, headers)
    count = 0
    for row, values in enumerate(rows, start=1):
        if row > max_row:
            out.string(
                row,
                0,
                _("More rows follow: an Excel sheet holds no more. Export CSV for all of them."),
            )
            break
        out.row(row, values)
        count = row
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
