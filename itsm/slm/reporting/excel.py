"""The monthly SLA execution report as an Excel workbook (xlsxwriter): sheets "Summary",
"Targets" and "Breaches" (汇总 / 指标 / 违约记录 in Chinese).

No formula injection: cells are written by the shared ``core.exports.SheetWriter`` (strings
never become formulas; a leading ``=``, ``+``, ``-``, ``@``, tab or carriage return gets Excel's
quote prefix).
"""

from __future__ import annotations

import io

from django.utils import translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from itsm.core.exports import XLSX_CONTENT_TYPE, SheetWriter, new_workbook
from itsm.slm.reporting.selectors import MonthlyReport

SHEET_NAMES = {
    "en": ("Summary", "Targets", "Breaches"),
    "zh": ("汇总", "指标", "违约记录"),
}
CONTENT_TYPE = XLSX_CONTENT_TYPE


def sheet_names(language: str | None = None) -> tuple[str, str, str]:
    language = (language or translation.get_language() or "en").lower()
    return SHEET_NAMES["zh" if language.startswith("zh") else "en"]


def filename(report: MonthlyReport) -> str:
    return f"{report.agreement.number}-{report.month_label}.xlsx"


def _validity(agreement) -> str:
    if not agreement.valid_from and not agreement.valid_to:
        return ""
    start = date_format(agreement.valid_from, "Y-m-d") if agreement.valid_from else "…"
    end = date_format(agreement.valid_to, "Y-m-d") if agreement.valid_to else "…"
    return f"{start} – {end}"


def build_workbook(report: MonthlyReport) -> bytes:
    """The report as .xlsx bytes (sheets named in the active language)."""
    buffer = io.BytesIO()
    workbook = new_workbook(buffer)
    summary_name, targets_name, breaches_name = sheet_names()
    agreement = report.agreement

    # --- Summary ---
    sheet = workbook.add_worksheet(summary_name)
    out = SheetWriter(workbook, sheet)
    sheet.set_column(0, 0, 34)
    sheet.set_column(1, 1, 48)
    out.string(0, 0, _("SLA execution report"), out.title)
    out.headers(1, [_("Item"), _("Value")])
    summary = [
        (_("Agreement"), agreement.number),
        (_("Title"), agreement.title),
        (_("Customer"), agreement.customer.name if agreement.customer else ""),
        (_("Validity"), _validity(agreement)),
        (_("Service hours"), agreement.calendar.name if agreement.calendar else ""),
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
    out = SheetWriter(workbook, sheet)
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
    out = SheetWriter(workbook, sheet)
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
