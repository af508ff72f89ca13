"""Downloads written row by row to a temporary file (``core.exports``): a few thousand rows
from a generator come back whole, with translated headers and no formula, in Excel and CSV."""

from __future__ import annotations

import csv
import datetime
import io
import tempfile

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
