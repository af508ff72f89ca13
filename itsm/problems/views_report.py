"""The problem report page (问题报告, R-PRB-02) and its Excel file: ``problems:report``,
``problems:report_excel``. Provider staff only; bad months answer 400 naming the field."""

from __future__ import annotations

from django.http import FileResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import urlencode

from itsm.core.forms import MonthRangeForm
from itsm.core.generic_views import page
from itsm.problems import excel
from itsm.problems import report as reports
from itsm.problems.models import Problem


def _period(request):
    form = MonthRangeForm(request.GET)
    if not form.is_valid():
        return form, None
    return form, form.cleaned_data["period"]


@page(Problem, staff_only=True)
def report(request):
    """Problems opened and resolved per month, by cause, times to known error / resolution."""
    form, period = _period(request)
    if period is None:
        return render(request, "problems/report.html", {"form": form, "invalid": True}, status=400)
    figures = reports.problem_report(user=request.user, period=period)
    peak = max([1, *(max(m.opened, m.resolved) for m in figures.months)])
    return render(
        request,
        "problems/report.html",
        {
            "form": form,
            "report": figures,
            "summary": excel.summary_rows(figures),
            "months": [
                {
                    "row": m,
                    "opened_pct": round(100 * m.opened / peak),
                    "resolved_pct": round(100 * m.resolved / peak),
                }
                for m in figures.months
            ],
            "excel_url": f"{reverse('problems:report_excel')}?{urlencode(period.query())}",
        },
    )


@page(Problem, staff_only=True)
def report_excel(request):
    form, period = _period(request)
    if period is None:
        return render(request, "problems/report.html", {"form": form, "invalid": True}, status=400)
    figures = reports.problem_report(user=request.user, period=period)
    return FileResponse(
        excel.workbook_file(figures),
        as_attachment=True,
        filename=excel.filename(figures),
        content_type=excel.CONTENT_TYPE,
    )
