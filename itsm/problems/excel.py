"""The problem report as an Excel workbook: sheets Summary, By month, Cause categories (汇总 /
按月 / 原因分类 in Chinese) — the same figures as the page (the same :class:`ProblemReport`).
Every cell goes through ``core.exports.SheetWriter`` (no formula injection)."""

from __future__ import annotations

from typing import IO

from django.utils import translation
from django.utils.translation import gettext as _

from itsm.core.exports import XLSX_CONTENT_TYPE, SheetWriter, streaming_workbook, temporary_file
from itsm.problems.report import ProblemReport

CONTENT_TYPE = XLSX_CONTENT_TYPE
SHEET_NAMES = {
    "en": ("Summary", "By month", "Cause categories"),
    "zh": ("汇总", "按月", "原因分类"),
}


def sheet_names(language: str | None = None) -> tuple[str, ...]:
    language = (language or translation.get_language() or "en").lower()
    return SHEET_NAMES["zh" if language.startswith("zh") else "en"]


def filename(report: ProblemReport) -> str:
    return f"problem-report-{report.period.label.replace(' – ', '_')}.xlsx"


def summary_rows(report: ProblemReport) -> list[tuple[str, object]]:
    """(label, value) of the Summary sheet and the page's summary (``None``: no data)."""
    return [
        (_("Period"), report.period.label),
        (_("Problems opened"), report.opened),
        (_("Problems resolved"), report.resolved),
        (_("Open at the end of the period"), report.open_at_end),
        (_("Became known errors"), report.known_errors),
        (_("Mean time to known error (days)"), report.mean_days_to_known_error),
        (_("Mean time to resolution (days)"), report.mean_days_to_resolution),
        (_("Incidents linked"), report.incident_links),
        (_("Incidents per problem"), report.incidents_per_problem),
        (_("Process completeness (%)"), report.completeness.value),
        (_("Resolution effectiveness (%)"), report.effectiveness.value),
    ]


def workbook_file(report: ProblemReport) -> IO[bytes]:
    """The report as an .xlsx temporary file positioned at its start."""
    output = temporary_file()
    with streaming_workbook(output) as workbook:
        names = sheet_names()
        sheet = workbook.add_worksheet(names[0])
        out = SheetWriter(workbook, sheet)
        sheet.set_column(0, 0, 40)
        sheet.set_column(1, 1, 24)
        out.string(0, 0, _("Problem report"), out.title)
        out.headers(1, [_("Item"), _("Value")])
        for index, (label, value) in enumerate(summary_rows(report), start=2):
            out.row(index, [str(label), value])

        sheet = workbook.add_worksheet(names[1])
        out = SheetWriter(workbook, sheet)
        sheet.set_column(0, 2, 16)
        out.headers(0, [_("Month"), _("Opened"), _("Resolved")])
        for index, row in enumerate(report.months, start=1):
            out.row(index, [row.month, row.opened, row.resolved])

        sheet = workbook.add_worksheet(names[2])
        out = SheetWriter(workbook, sheet)
        sheet.set_column(0, 0, 36)
        sheet.set_column(1, 1, 14)
        out.headers(0, [_("Cause category"), _("Problems resolved")])
        for index, cause in enumerate(report.causes, start=1):
            out.row(index, [cause.label, cause.count])
    output.seek(0)
    return output
