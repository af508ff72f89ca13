"""The monthly SLA execution report as an Excel workbook (xlsxwriter): sheets "Summary",
"Targets" and "Breaches" (汇总 / 指标 / 违约记录 in Chinese).

No formula injection: the workbook never turns strings into formulas
(``strings_to_formulas=False``), every string is written with ``write_string``, and a string
that starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return gets Excel's quote
prefix (the cell stays text even when a user edits it).
"""

from __future__ import annotations

import datetime
import io
from decimal import Decimal

import xlsxwriter
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from itsm.slm.reports import MonthlyReport

DANGEROUS_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
SHEET_NAMES = {
    "en": ("Summary", "Targets", "Breaches"),
    "zh": ("汇总", "指标", "违约记录"),
}
CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def sheet_names(language: str | None = None) -> tuple[str, str, str]:
    language = (language or translation.get_language() or "en").lower()
    return SHEET_NAMES["zh" if language.startswith("zh") else "en"]


def filename(report: MonthlyReport) -> str:
    return f"{report.agreement.number}-{report.month_label}.xlsx"


class _Writer:
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
        elif isinstance(value, (Decimal, float)):
            sheet.write_number(row, col, float(value), self.number)
        elif isinstance(value, datetime.datetime):
            local = timezone.localtime(value).replace(tzinfo=None)
            sheet.write_datetime(row, col, local, self.when)
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


def _validity(agreement) -> str:
    if not agreement.valid_from and not agreement.valid_to:
        return ""
    start = date_format(agreement.valid_from, "Y-m-d") if agreement.valid_from else "…"
    end = date_format(agreement.valid_to, "Y-m-d") if agreement.valid_to else "…"
    return f"{start} – {end}"


def build_workbook(report: MonthlyReport) -> bytes:
    """The report as .xlsx bytes (sheets named in the active language)."""
    buffer = io.BytesIO()
    workbook = xlsxwriter.Workbook(
        buffer,
        {
            "in_memory": True,
            "strings_to_formulas": False,
            "strings_to_urls": False,
            "strings_to_numbers": False,
        },
    )
    summary_name, targets_name, breaches_name = sheet_names()
    agreement = report.agreement

    # --- Summary ---
    sheet = workbook.add_worksheet(summary_name)
    out = _Writer(workbook, sheet)
    sheet.set_column(0, 0, 34)
    sheet.set_column(1, 1, 48)
    out.string(0, 0, _("SLA execution report"), out.title)
    out.headers(1, [_("Item"), _("Value")])
    summary = [
        (_("Agreement"), agreement.number),
        (_("Title"), agreement.title),
        (_("Customer"), agreement.customer.name if agreement.customer_id else ""),
        (_("Validity"), _validity(agreement)),
        (_("Service hours"), agreement.calendar.name if agreement.calendar_id else ""),
        (_("Month"), report.month_label),
        (_("Measured"), report.measured),
        (_("Met"), report.met),
        (_("Breached"), report.breached),
        (_("Achievement (%)"), report.achievement),
        (_("Target achievement (%)"), report.achievement_target),
        (_("All targets met"), report.all_met),
        (_("Targets not met"), report.not_met_count),
        (_("Service level manager's comments"), report.comments),
    ]
    for index, (label, value) in enumerate(summary, start=2):
        out.string(index, 0, str(label))
        out.cell(index, 1, value)

    # --- Targets ---
    sheet = workbook.add_worksheet(targets_name)
    out = _Writer(workbook, sheet)
    sheet.set_column(0, 0, 30)
    sheet.set_column(1, 10, 14)
    out.headers(
        0,
        [
            _("Service"),
            _("Priority"),
            _("Metric"),
            _("Target value"),
            _("Unit"),
            _("Measured"),
            _("Met"),
            _("Breached"),
            _("Achievement (%)"),
            _("Target achievement (%)"),
            _("Status"),
        ],
    )
    row = 1
    for target in report.target_rows:
        out.row(
            row,
            [
                target.service,
                target.priority,
                target.metric_label,
                target.target_value,
                target.unit_symbol,
                target.measured,
                target.met,
                target.breached,
                target.achievement,
                target.achievement_target,
                str(target.status_label),
            ],
        )
        row += 1
    if report.indicator_rows:
        row += 1
        out.headers(
            row,
            [_("Service"), _("Indicator"), _("Metric"), _("Target value"), _("Unit"), _("Note")],
        )
        row += 1
        for indicator in report.indicator_rows:
            out.row(
                row,
                [
                    indicator.service,
                    indicator.name,
                    indicator.metric_label,
                    indicator.target_value,
                    indicator.unit_symbol,
                    indicator.note,
                ],
            )
            row += 1

    # --- Breaches ---
    sheet = workbook.add_worksheet(breaches_name)
    out = _Writer(workbook, sheet)
    sheet.set_column(0, 0, 28)
    sheet.set_column(1, 7, 18)
    sheet.set_column(7, 7, 48)
    out.headers(
        0,
        [
            _("Record"),
            _("Metric"),
            _("Priority"),
            _("Service"),
            _("Due"),
            _("Breached at"),
            _("Overrun (business minutes)"),
            _("Cause"),
        ],
    )
    for index, breach in enumerate(report.breaches, start=1):
        out.row(
            index,
            [
                breach.record_label,
                breach.metric_label,
                breach.priority,
                breach.service,
                breach.due_at,
                breach.breached_at,
                breach.overrun_minutes
                if breach.overrun_minutes is not None
                else _("still running"),
                breach.cause_display,
            ],
        )
    workbook.close()
    return buffer.getvalue()
