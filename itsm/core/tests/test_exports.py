"""Downloads written row by row to a temporary file (``core.exports``): a few thousand rows
from a generator come back whole, with translated headers and no formula, in Excel and CSV."""

from __future__ import annotations

import csv
import datetime
import io
import tempfile
from decimal import Decimal

import openpyxl
import pytest
from django.utils import timezone, translation

from itsm.core import exports

ROWS = 4000


def _rows():
    """A generator, as a queryset's ``iterator()`` is: the exporter never holds every row."""
    moment = datetime.datetime(2026, 3, 1, 23, 30, tzinfo=datetime.UTC)
    for n in range(ROWS):
        title = '=HYPERLINK("http://x")' if n % 1000 == 7 else f"row {n}"
        yield [n, title, moment, n % 2 == 0]


def test_xlsx_file_holds_every_row_of_a_generator():
    with translation.override("zh-hans"), timezone.override("Asia/Shanghai"):
        output = exports.xlsx_file(
            [translation.gettext("Yes"), "title", "when", "flag"], _rows(), sheet_name="sheet"
        )
    output.seek(0)
    sheet = openpyxl.load_workbook(io.BytesIO(output.read())).active
    output.close()
    values = list(sheet.iter_rows(values_only=True))
    assert values[0] == ("是", "title", "when", "flag")  # translated header
    assert len(values) == 1 + ROWS
    assert [row[0] for row in values[1:]] == list(range(ROWS))
    assert values[1][2] == datetime.datetime(2026, 3, 2, 7, 30)  # the reader's time zone
    assert values[1][3] == "是"
    formula = next(row for row in sheet.iter_rows(min_row=2) if row[1].value.startswith("="))
    assert formula[1].data_type == "s" and formula[1].quotePrefix


def test_an_excel_sheet_that_is_full_says_the_rows_go_on():
    """Past the last row a sheet can hold (``max_row``; Excel's 1 048 576 rows) nothing is
    dropped silently: the row after the last written one says that more follow."""
    with translation.override("zh-hans"):
        output = exports.temporary_file()
        with exports.streaming_workbook(output) as workbook:
            written = exports.write_table(workbook, ["n"], ([n] for n in range(10)), max_row=4)
    output.seek(0)
    values = [row[0] for row in openpyxl.load_workbook(io.BytesIO(output.read())).active.values]
    output.close()
    assert written == 4
    assert values[:5] == ["n", 0, 1, 2, 3]
    assert len(values) == 6 and "CSV" in values[5]  # the note, translated


def test_csv_file_holds_every_row_of_a_generator():
    output = exports.csv_file(["number", "title", "when", "flag"], _rows())
    output.seek(0)
    text = output.read().decode("utf-8")
    output.close()
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text[1:])))
    assert len(rows) == 1 + ROWS
    assert rows[8][1] == '\'=HYPERLINK("http://x")'  # neutralised
    assert exports.csv_bytes(["a"], [["=1"]]) == "\ufeffa\r\n'=1\r\n".encode()


@pytest.mark.django_db  # closing a response sends request_finished (closes connections)
def test_file_response_streams_the_file_from_its_start():
    output = exports.xlsx_file(["a"], [[1], [2]])
    response = exports.file_response(
        output, filename="list.xlsx", content_type=exports.XLSX_CONTENT_TYPE
    )
    assert response.streaming
    assert response["Content-Disposition"] == 'attachment; filename="list.xlsx"'
    body = b"".join(response.streaming_content)
    response.close()
    assert output.closed
    assert [r for r in openpyxl.load_workbook(io.BytesIO(body)).active.values] == [
        ("a",),
        (1,),
        (2,),
    ]


def test_an_export_that_fails_midway_leaves_no_temporary_files(tmp_path, monkeypatch):
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))

    def rows():
        yield ["first", 1]
        raise RuntimeError("the database went away")

    with pytest.raises(RuntimeError):
        exports.xlsx_file(["name", "count"], rows())
    assert list(tmp_path.iterdir()) == []


# --- whole rows as XML (StreamingWorksheet) ------------------------------------------------------

_TRICKY_ROWS = [
    ["plain", 0, -5, 10**17, 1.5, Decimal("2.25"), 1e-7, True, False],
    ['a & b < c > d "e"', "line\nbreak", "tab\there", "bell\x07", "_x0041_ literal", " lead"],
    ["trail ", "\u3000全角", "non\ufffechar", "=1+2", "-3", "@x", "+4", "\tx", "\rcr"],
    [None, "", "after blanks", None],
    [None, None, None],
    ["x" * 40_000, "é" * 16_000 + "😀" * 500, "😀" * 20_000],
    [
        datetime.datetime(2026, 3, 1, 23, 30, 15, 250_000, tzinfo=datetime.UTC),
        datetime.datetime(2026, 3, 1, 23, 30),
        datetime.date(2026, 2, 28),
        datetime.datetime(1900, 1, 1, 6, 0),
        datetime.datetime(1900, 2, 28, 12, 0),
        datetime.datetime(1900, 3, 1),
        datetime.date(1899, 12, 31),
    ],
    [translation.gettext_lazy("Yes"), 7, "last"],
]


def _sheet_xml(*, fast: bool) -> tuple[bytes, bytes]:
    """The first sheet's and the styles' XML of _TRICKY_ROWS under a header, written whole
    (StreamingWorksheet) or a cell at a time (xlsxwriter's own calls)."""
    import zipfile

    import xlsxwriter

    output = io.BytesIO()
    workbook = xlsxwriter.Workbook(output, {**exports.WORKBOOK_OPTIONS, "constant_memory": True})
    sheet = workbook.add_worksheet(
        "s", worksheet_class=exports.StreamingWorksheet if fast else None
    )
    out = exports.SheetWriter(workbook, sheet)
    assert (out.fast is not None) is fast
    out.headers(0, ["a", "b"])
    for row, values in enumerate(_TRICKY_ROWS, start=1):
        out.row(row, values)
    out.string(len(_TRICKY_ROWS) + 1, 0, "written by xlsxwriter after the rows")
    workbook.close()
    with zipfile.ZipFile(io.BytesIO(output.getvalue())) as package:
        return package.read("xl/worksheets/sheet1.xml"), package.read("xl/styles.xml")


def test_whole_rows_are_the_bytes_xlsxwriter_writes_cell_by_cell():
    with translation.override("zh-hans"), timezone.override("Asia/Shanghai"):
        fast, slow = _sheet_xml(fast=True), _sheet_xml(fast=False)
    assert b"<v>" in fast[0] and b'xml:space="preserve"' in fast[0]  # the rows are there
    assert fast == slow


def test_whole_rows_keep_text_that_looks_like_rich_text_xml():
    """xlsxwriter writes a text like ``<r>…</r>`` unescaped (as rich text); a row keeps it text."""
    with exports.xlsx_file(["a"], [["<r><t>bold</t></r>"], ["ok"]]) as output:
        output.seek(0)
        sheet = openpyxl.load_workbook(io.BytesIO(output.read())).active
    assert [row for row in sheet.values] == [("a",), ("<r><t>bold</t></r>",), ("ok",)]


def test_single_cells_keep_text_that_looks_like_rich_text_xml():
    """The same text through xlsxwriter's own ``write_string`` (titles, summary sheets): it
    stays text, and XML inside it cannot add a cell or a formula to the sheet."""
    injected = (
        '<r><t>x</t></r></is></c><c r="B1"><f>HYPERLINK("http://evil")</f></c>'
        '<c r="C1" t="inlineStr"><is><r><t>y</t></r>'
    )  # unescaped, it reads as "x", =HYPERLINK(…), "y"
    output = io.BytesIO()
    with exports.streaming_workbook(output) as workbook:
        sheet = workbook.add_worksheet()
        sheet.write_string(0, 0, injected)
        sheet.write_string(1, 0, "<r><t>bold</t></r>")
    sheet = openpyxl.load_workbook(io.BytesIO(output.getvalue())).active
    assert [row for row in sheet.values] == [(injected,), ("<r><t>bold</t></r>",)]


def test_whole_rows_follow_xlsxwriter_row_rules():
    output = io.BytesIO()
    with exports.streaming_workbook(output) as workbook:
        sheet = workbook.add_worksheet()
        assert isinstance(sheet, exports.StreamingWorksheet)
        style = sheet.style(workbook.add_format({"bold": True}))
        sheet.write_string(0, 0, "first")
        assert sheet.row_xml(2, 1, 1, sheet.text_xml("B3", "third", style)) == 0
        assert sheet.row_xml(1, 0, 0, sheet.text_xml("A2", "too late", style)) == -2
        assert sheet.row_xml(5, 0, 0, "") == 0  # nothing to write
        assert sheet.row_xml(1_048_576, 0, 0, sheet.text_xml("A1", "x", style)) == -1
        with pytest.raises(TypeError):
            sheet.number_xml("A9", float("nan"), style)
    values = list(openpyxl.load_workbook(io.BytesIO(output.getvalue())).active.values)
    assert values == [("first", None), (None, None), (None, "third")]
