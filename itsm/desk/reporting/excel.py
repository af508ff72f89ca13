"""The desk report as an Excel workbook: sheets Summary, Volumes, Trend, Top, Incomplete
incidents, Satisfaction and — for provider staff — Calls (汇总 / 工单量 / 趋势 / 排名 / 不完整事件 /
满意度 / 电话 in Chinese). The same figures as the page (the same :class:`DeskReport`); the
incomplete incidents are all listed, read from the database in chunks.

No formula injection: every cell goes through ``core.exports.SheetWriter`` (a text starting
with ``=``, ``+``, ``-``, ``@``, tab or carriage return keeps Excel's quote prefix).
"""

from __future__ import annotations

from typing import IO

from django.utils import translation
from django.utils.translation import gettext as _

from itsm.core import policy
from itsm.core.exports import (
    MAX_ROW,
    XLSX_CONTENT_TYPE,
    SheetWriter,
    streaming_workbook,
    temporary_file,
)
from itsm.desk import selectors as desk
from itsm.desk.reporting import selectors as reports

CONTENT_TYPE = XLSX_CONTENT_TYPE
SHEET_NAMES = {
    "en": ("Summary", "Volumes", "Trend", "Top", "Incomplete incidents", "Satisfaction", "Calls"),
    "zh": ("汇总", "工单量", "趋势", "排名", "不完整事件", "满意度", "电话"),
}


def sheet_names(language: str | None = None) -> tuple[str, ...]:
    language = (language or translation.get_language() or "en").lower()
    return SHEET_NAMES["zh" if language.startswith("zh") else "en"]


def filename(report: reports.DeskReport) -> str:
    label = report.period.label.replace(" – ", "_")
    return f"desk-report-{label}.xlsx"


def summary_rows(report: reports.DeskReport) -> list[tuple[str, object]]:
    """(label, value) of the Summary sheet, percentages as numbers (``None``: no data)."""
    rows: list[tuple[str, object]] = [
        (_("Period"), report.period.label),
        (_("Customer"), report.customer.name if report.customer else _("All customers")),  # type: ignore[attr-defined]
        (_("Tickets opened"), report.totals.opened),
        (_("Tickets resolved"), report.totals.resolved),
        (_("Tickets closed"), report.totals.closed),
        (_("Open at the end of the period"), report.totals.backlog),
    ]
    for metric in ("response", "resolution"):
        sla = report.sla[metric]
        rows.append(
            (
                _("Incident SLA achievement, %(metric)s (%%)") % {"metric": sla.label},
                sla.achievement.value,
            )
        )
    if report.dispatch is not None:
        rows.append((_("First-time dispatch success (%)"), report.dispatch.value))
    rows += [
        (_("Incident record completeness (%)"), report.completeness.value),
        (_("Incident resolution rate (%)"), report.resolution_rate.value),
        (_("Service request completion (%)"), report.request_completion.value),
        (_("Customer satisfaction (mean score)"), report.satisfaction.mean),
        (_("Surveys answered"), report.satisfaction.count),
    ]
    handling = report.handling
    rows += [
        (_("Mean reassignments per incident"), handling.mean_reassignments),
        (_("Reopened incidents"), handling.reopened),
        (_("Reopened incidents (%)"), handling.reopen_rate.value),
        (_("Mean incident resolution time (hours)"), handling.mean_resolution_hours),
        (_("Median incident resolution time (hours)"), handling.median_resolution_hours),
        (_("Incidents with a resolution time"), handling.resolved),
        (_("Imported incidents"), handling.imported),
        (_("SLA verdicts of imported incidents, met (%)"), handling.imported_sla.value),
    ]
    if report.calls is not None:
        rows += [
            (_("Call answer rate (%)"), report.calls.answer_rate.value),
            (_("Logging rate (%)"), report.calls.logging_rate.value),
            (_("Average call time (seconds)"), report.calls.average_seconds),
            (_("Dispatch accuracy (%)"), report.dispatch.value if report.dispatch else None),
        ]
    return rows


def workbook_file(report: reports.DeskReport, *, user) -> IO[bytes]:
    """The report as an .xlsx temporary file positioned at its start."""
    output = temporary_file()
    with streaming_workbook(output) as workbook:
        _write(workbook, report, user)
    output.seek(0)
    return output


def _write(workbook, report: reports.DeskReport, user) -> None:
    names = sheet_names()
    # --- Summary ---
    sheet = workbook.add_worksheet(names[0])
    out = SheetWriter(workbook, sheet)
    sheet.set_column(0, 0, 44)
    sheet.set_column(1, 1, 30)
    out.string(0, 0, _("Service desk report"), out.title)
    out.headers(1, [_("Item"), _("Value")])
    for index, (label, value) in enumerate(summary_rows(report), start=2):
        out.row(index, [str(label), value])

    # --- Volumes ---
    sheet = workbook.add_worksheet(names[1])
    out = SheetWriter(workbook, sheet)
    sheet.set_column(0, 0, 22)
    sheet.set_column(1, 8, 14)
    out.headers(
        0,
        [
            _("Kind"),
            _("Opened"),
            _("Resolved"),
            _("Closed"),
            _("Open at the end"),
            _("Complete records"),
            _("Resolved or closed (rate)"),
            _("Cancelled"),
            _("Completed"),
        ],
    )
    for index, figures in enumerate([*report.kinds.values(), report.totals], start=1):
        out.row(
            index,
            [
                figures.label,
                figures.opened,
                figures.resolved,
                figures.closed,
                figures.backlog,
                figures.complete,
                figures.finished,
                figures.cancelled,
                figures.fulfilled,
            ],
        )

    # --- Trend ---
    sheet = workbook.add_worksheet(names[2])
    out = SheetWriter(workbook, sheet)
    sheet.set_column(0, 5, 16)
    kinds = list(reports.KINDS)
    out.headers(
        0,
        [_("Month"), *[str(kind.label) for kind in kinds], _("Opened"), _("Resolved or closed")],
    )
    for index, row in enumerate(report.trend, start=1):
        out.row(
            index,
            [
                row.month,
                *[row.opened[kind.value] for kind in kinds],
                row.opened_total,
                row.finished,
            ],
        )

    # --- Top categories and CIs ---
    sheet = workbook.add_worksheet(names[3])
    out = SheetWriter(workbook, sheet)
    sheet.set_column(0, 0, 40)
    sheet.set_column(1, 1, 12)
    row_index = 0
    for title, rows in (
        (_("Top categories of incidents"), report.top_categories),
        (_("Top configuration items of incidents"), report.top_cis),
    ):
        out.headers(row_index, [title, _("Incidents")])
        row_index += 1
        for top in rows:
            out.row(row_index, [top.label, top.count])
            row_index += 1
        row_index += 1

    # --- Incomplete incidents (all of them) ---
    sheet = workbook.add_worksheet(names[4])
    out = SheetWriter(workbook, sheet)
    sheet.set_column(0, 0, 14)
    sheet.set_column(1, 1, 48)
    sheet.set_column(2, 4, 24)
    internal = policy.sees_internal(user, desk.all_tickets().model)
    headers = [_("Number"), _("Summary"), _("Customer"), _("Opened at")]
    if internal:
        headers.append(_("Missing fields"))
    out.headers(0, headers)
    rows_iter = reports.incomplete_incidents(
        user=user, period=report.period, customer=report.customer
    ).iterator(chunk_size=2000)
    for index, row in enumerate(rows_iter, start=1):
        if index > MAX_ROW:
            out.string(index, 0, _("More incidents follow: Excel holds no more rows."))
            break
        values = [row["number"], row["title"], row["customer__name"], row["opened_at"]]
        if internal:
            values.append(", ".join(reports.missing_labels(row["missing_fields"])))
        out.row(index, values)

    # --- Satisfaction ---
    sheet = workbook.add_worksheet(names[5])
    out = SheetWriter(workbook, sheet)
    sheet.set_column(0, 1, 18)
    out.headers(0, [_("Score"), _("Surveys")])
    for index, score in enumerate(reports.SCORES, start=1):
        out.row(index, [score, report.satisfaction.distribution[score]])
    out.row(len(reports.SCORES) + 1, [_("Mean score"), report.satisfaction.mean])

    # --- Calls (provider staff) ---
    if report.calls is not None:
        sheet = workbook.add_worksheet(names[6])
        out = SheetWriter(workbook, sheet)
        sheet.set_column(0, 0, 36)
        sheet.set_column(1, 1, 14)
        out.headers(0, [_("Item"), _("Value")])
        calls = report.calls
        for index, (label, value) in enumerate(
            [
                (_("Calls"), calls.calls),
                (_("Answered"), calls.answered),
                (_("Logged as a new ticket"), calls.logged),
                (_("Call answer rate (%)"), calls.answer_rate.value),
                (_("Logging rate (%)"), calls.logging_rate.value),
                (_("Average call time (seconds)"), calls.average_seconds),
            ],
            start=1,
        ):
            out.row(index, [str(label), value])
