"""The monthly SLA execution report as an Excel workbook (xlsxwriter): sheets "Summary",
"Targets" and "Breaches" (汇总 / 指标 / 违约记录 in Chinese). The Breaches sheet holds every
breach of the month: they are read from the database in chunks
(``MonthlyReport.breach_tuples()``) and written in xlsxwriter's constant-memory mode to a
temporary file (:func:`workbook_file`), which the view streams, so a worker's memory does not
grow with the number of breaches.

No formula injection: cells are written by the shared ``core.exports.SheetWriter`` (strings
never become formulas; a leading ``=``, ``+``, ``-``, ``@``, tab or carriage return gets Excel's
quote prefix).
"""

from __future__ import annotations

from typing import IO

from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from itsm.core.exports import (
    MAX_ROW,
    XLSX_CONTENT_TYPE,
    SheetWriter,
    StreamingWorksheet,
    streaming_workbook,
    temporary_file,
)
from itsm.slm.clocks.choices import ClockState, metric_label
from itsm.slm.reporting.selectors import NOT_ANALYSED, MonthlyReport

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
    """The report as .xlsx bytes (tests and small reports; the view streams
    :func:`workbook_file`)."""
    with workbook_file(report) as output:
        return output.read()


def workbook_file(report: MonthlyReport) -> IO[bytes]:
    """The report as an .xlsx temporary file positioned at its start (sheets named in the
    active language), written in constant memory."""
    output = temporary_file()
    write_workbook(report, output)
    output.seek(0)
    return output


def write_workbook(report: MonthlyReport, output) -> None:
    """Write the workbook of *report* to *output* (a file or file-like object)."""
    with streaming_workbook(output) as workbook:
        _write_sheets(workbook, report)


def _write_sheets(workbook, report: MonthlyReport) -> None:
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
    _write_breaches(out, report)


def _overrun_minutes(seconds: int) -> float:
    """Business seconds → minutes, rounded half away from zero to one decimal, as
    ``BreachRow.overrun_minutes`` (``Decimal.quantize(ROUND_HALF_UP)``) without a Decimal."""
    tenths = (abs(seconds) * 2 + 6) // 12  # round(|seconds| / 6) half up
    return (tenths if seconds >= 0 else -tenths) / 10


def _write_breaches(out: SheetWriter, report: MonthlyReport) -> None:
    """Every breach of the month, one row each, straight from the database tuples as the XML
    of whole rows (``StreamingWorksheet.row_xml``: the cells :class:`SheetWriter` writes — text
    with the quote prefix where it could read as a formula, local times, numbers — without
    xlsxwriter's per-cell work): tens of thousands of rows, so no per-cell type dispatch and no
    :class:`BreachRow` per row."""
    sheet = out.sheet
    if not isinstance(sheet, StreamingWorksheet):
        raise TypeError("the Breaches sheet is written through streaming_workbook()")
    text_xml, number_xml, datetime_xml = sheet.text_xml, sheet.number_xml, sheet.datetime_xml
    row_xml = sheet.row_xml
    text = sheet.style(out.text)
    when, number = sheet.style(out.when), sheet.style(out.number)
    col_a, col_b, col_c, col_d, col_e, col_f, col_g, col_h = sheet.column_letters(8)
    zone = timezone.get_current_timezone()
    still_running = _("still running")
    not_analysed = str(NOT_ANALYSED)
    metric_labels: dict[str, str] = {}
    rows = report.breach_tuples(
        "record_label",
        "metric",
        "priority",
        "service_id",
        "service__code",
        "service__name",
        "due_at",
        "breached_at",
        "state",
        "segment_started_at",
        "elapsed_seconds",
        "goal_seconds",
        "breach_cause",
    )
    for row, (
        label,
        metric,
        priority,
        service_id,
        service_code,
        service_name,
        due_at,
        breached_at,
        state,
        running_since,
        elapsed,
        goal,
        cause,
    ) in enumerate(rows, start=1):
        if row > MAX_ROW:  # an Excel sheet ends there: say so instead of dropping rows silently
            out.string(row, 0, _("More breaches follow: Excel holds no more rows."))
            break
        n = str(row + 1)
        cells = []
        if label:  # the texts a user wrote: quoted where they could read as a formula
            cells.append(out.text_xml(col_a + n, label))
        if metric not in metric_labels:
            metric_labels[metric] = metric_label(metric)
        cells.append(text_xml(col_b + n, metric_labels[metric], text))
        if priority:
            cells.append(text_xml(col_c + n, priority.upper(), text))
        if service_id:
            cells.append(out.text_xml(col_d + n, f"{service_code} {service_name}"))
        if due_at is not None:
            local = due_at.astimezone(zone).replace(tzinfo=None)
            cells.append(datetime_xml(col_e + n, local, when))
        if breached_at is not None:
            local = breached_at.astimezone(zone).replace(tzinfo=None)
            cells.append(datetime_xml(col_f + n, local, when))
        if state == ClockState.STOPPED or running_since is None:
            overrun = _overrun_minutes(int(elapsed) - int(goal))
            cells.append(number_xml(col_g + n, overrun, number))
        else:
            cells.append(text_xml(col_g + n, still_running, text))
        cells.append(out.text_xml(col_h + n, cause or not_analysed))
        row_xml(row, 0 if label else 1, 7, "".join(cells))
