"""Browser steps on a shared record list (``core.lists``, ``{% list_card %}``): sort by a
header, choose columns, download an export. Used by each module's list browser test."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import openpyxl


def sort_by(page, column: str, direction: str = "ascending") -> None:
    """Click *column*'s header until the list is sorted in *direction*."""
    for _attempt in range(2):
        page.click(f"[data-testid=sort-{column}]")
        page.wait_for_load_state()
        header = page.locator(f"th[data-column={column}]")
        if header.get_attribute("aria-sort") == direction:
            return
    raise AssertionError(f"{column} is not sorted {direction}")


def cells(page, column: str) -> list[str]:
    """The texts of *column*'s cells, top to bottom."""
    return [text.strip() for text in page.locator(f"td[data-column={column}]").all_inner_texts()]


def headers(page) -> list[str]:
    return [
        name or ""
        for name in page.locator(
            "[data-testid=list-toolbar] ~ .table-responsive thead th"
        ).evaluate_all("ths => ths.map(th => th.dataset.column)")
    ]


def choose_columns(page, *, show=(), hide=()) -> None:
    """Open the column menu, tick *show*, untick *hide*, apply."""
    page.click("[data-testid=list-columns-toggle]")
    for name in show:
        page.check(f"[data-testid=list-columns] input[value={name}]")
    for name in hide:
        page.uncheck(f"[data-testid=list-columns] input[value={name}]")
    page.click("[data-testid=list-columns-apply]")
    page.wait_for_load_state()


def reset_columns(page) -> None:
    page.click("[data-testid=list-columns-toggle]")
    page.click("[data-testid=list-columns-reset]")
    page.wait_for_load_state()


def download(page, kind: str) -> bytes:
    """Click the CSV or Excel export and return the file's bytes."""
    with page.expect_download() as event:
        page.click(f"[data-testid=list-export-{kind}]")
    return Path(event.value.path()).read_bytes()


def csv_rows(body: bytes) -> list[list[str]]:
    text = body.decode("utf-8")
    assert text.startswith("\ufeff"), "the CSV export starts with a byte-order mark"
    return list(csv.reader(io.StringIO(text[1:])))


def xlsx_rows(body: bytes) -> list[list[object]]:
    sheet = openpyxl.load_workbook(io.BytesIO(body)).active
    return [[cell.value for cell in row] for row in sheet.iter_rows()]
