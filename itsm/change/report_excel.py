"""The change report as an Excel workbook: sheets Summary, By month, Breakdown, Failed changes
and (provider staff) Caused incidents — 汇总 / 按月 / 分类统计 / 失败的变更 / 变更引起的事件 in
Chinese — the same figures as the page (the same :class:`ChangeReport`). Every cell goes
through ``core.exports.SheetWriter`` (no formula injection)."""

from __future__ import annotations

from typing import IO

from django.utils import translation
from django.utils.translation import gettext as _

from itsm.change.choices import ChangeKind
from itsm.change.report import ChangeReport
from itsm.core.exports import XLSX_CONTENT_TYPE, SheetWriter, streaming_workbook, temporary_file

CONTENT_TYPE = XLSX_CONTENT_TYPE
SHEET_NAMES = {
    "en": ("Summary", "By month", "Breakdown", "Failed changes", "Caused incidents"),
    "zh": ("汇总", "按月", "分类统计", "失败的变更", "变更引起的事件"),
}


def sheet_names(language: str | None = None) -> tuple[str, ...]:
    language = (language or translation.get_language() or "en").lower()
    return SHEET_NAMES["zh" if language.startswith("zh") else "en"]


def filename(report: ChangeReport) -> str:
    return f"change-report-{report.period.label.replace(' – ', '_')}.xlsx"


def summary_rows(report: ChangeReport) -> list[tuple[str, object]]:
    """(label, value) of the Summary sheet and the page's summary (``None``: no data)."""
    rows: list[tuple[str, object]] = [
        (_("Period"), report.period.label),
        (_("Customer"), report.customer.name if report.customer else _("All customers")),
        (_("Changes raised"), report.raised),
        (_("Emergency share (%)"), report.emergency.value),
        (_("Changes finished (closed or failed)"), report.finished),
        (_("Closed after review"), report.closed),
        (_("Failed"), report.failed),
        (_("Rolled back"), report.rolled_back),
        (_("Change success rate (%)"), report.success.value),
        (_("Changes implemented"), report.implemented),
        (_("Average lead time, raised to implemented (days)"), report.mean_days_lead_time),
    ]
    if report.conflicts is not None:
        rows += [
            (_("Changes checked for conflicts"), report.conflicts.checked),
            (_("Changes with conflicts before approval"), report.conflicts.with_conflicts),
        ]
    if report.caused_incidents is not None:
        rows.append((_("Incidents caused by changes"), report.caused_incidents))
    return rows


def workbook_file(report: ChangeReport) -> IO[bytes]:
    """The report as an .xlsx temporary file positioned at its start."""
    output = temporary_file()
    kinds = list(ChangeKind.choices)
    with streaming_workbook(output) as workbook:
        names = sheet_names()
        sheet = workbook.add_worksheet(names[0])
        out = SheetWriter(workbook, sheet)
        sheet.set_column(0, 0, 44)
        sheet.set_column(1, 1, 24)
        out.string(0, 0, _("Change report"), out.title)
        out.headers(1, [_("Item"), _("Value")])
        for index, (label, value) in enumerate(summary_rows(report), start=2):
            out.row(index, [str(label), value])

        sheet = workbook.add_worksheet(names[1])
        out = SheetWriter(workbook, sheet)
        sheet.set_column(0, len(kinds) + 2, 16)
        out.headers(0, [_("Month"), *(label for _code, label in kinds), _("Closed"), _("Failed")])
        for index, row in enumerate(report.months, start=1):
            out.row(
                index,
                [row.month, *(row.raised[code] for code, _label in kinds), row.closed, row.failed],
            )

        sheet = workbook.add_worksheet(names[2])
        out = SheetWriter(workbook, sheet)
        sheet.set_column(0, 1, 36)
        sheet.set_column(2, 2, 14)
        out.headers(0, [_("Breakdown"), _("Value"), _("Changes")])
        index = 1
        groups = [
            (_("Kind"), report.by_kind),
            (_("Status"), report.by_status),
            (_("Risk level"), report.by_risk),
        ]
        if report.conflicts is not None:
            groups.append((_("Conflict kind"), report.conflicts.by_kind))
        for title, rows in groups:
            for count_row in rows:
                out.row(index, [str(title), count_row.label, count_row.count])
                index += 1

        sheet = workbook.add_worksheet(names[3])
        out = SheetWriter(workbook, sheet)
        sheet.set_column(0, 0, 16)
        sheet.set_column(1, 1, 40)
        sheet.set_column(2, 5, 18)
        sheet.set_column(6, 6, 50)
        out.headers(
            0,
            [
                _("Number"),
                _("Summary"),
                _("Kind"),
                _("Risk level"),
                _("Closed at"),
                _("Rolled back"),
                _("Outcome"),
            ],
        )
        for index, change in enumerate(report.failures, start=1):
            out.row(
                index,
                [
                    change.number,
                    change.title,
                    change.kind_label,
                    change.risk_label,
                    change.closed_at,
                    change.rolled_back,
                    change.outcome_note,
                ],
            )

        if report.incidents is not None:
            sheet = workbook.add_worksheet(names[4])
            out = SheetWriter(workbook, sheet)
            sheet.set_column(0, 0, 16)
            sheet.set_column(1, 1, 40)
            sheet.set_column(2, 2, 16)
            out.headers(0, [_("Incident"), _("Summary"), _("Caused by change")])
            for index, incident in enumerate(report.incidents, start=1):
                out.row(
                    index,
                    [incident.ticket_number, incident.ticket_title, incident.change_number],
                )
    output.seek(0)
    return output
