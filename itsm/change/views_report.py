"""The change report page (变更报告, R-CHG-05) and its Excel file: ``change:report``,
``change:report_excel``. Open to whoever may view changes, over the changes they see (a
customer user: those affecting their organisation, without the internal figures — conflicts
and caused incidents); provider staff may narrow it to one customer (type-ahead). Bad months
answer 400 naming the field."""

from __future__ import annotations

from django.http import FileResponse
from django.shortcuts import render
from django.urls import NoReverseMatch, reverse
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _

from itsm.change import report as reports
from itsm.change import report_excel as excel
from itsm.change.choices import ChangeKind
from itsm.change.models import Change
from itsm.core import policy
from itsm.core.forms import MonthRangeForm, month_field
from itsm.core.generic_views import page
from itsm.core.periods import MonthPeriod
from itsm.core.pickers import PickerField, bind_pickers

#: colours of the kinds in the charts (Tabler's green, blue and red, as the kinds' badges)
KIND_COLOURS = {"standard": "#2fb344", "normal": "#206bc4", "emergency": "#d63939"}


class ReportForm(MonthRangeForm):
    """The change report's period (one month, or from a month to a month) and customer."""

    month = month_field(_("Month"))
    # a filter: empty means every customer
    customer = PickerField("core.customer", label=_("Customer"), required=False)

    field_order = ["month", "start", "end", "customer"]

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        if policy.sees_all_tenants(user, Change):
            bind_pickers(self, user)
        else:
            del self.fields["customer"]

    def period(self, data: dict):
        return reports.resolve_period(
            month=data.get("month"), start=data.get("start"), end=data.get("end")
        )


def _scope(request):
    form = ReportForm(request.GET, user=request.user)
    if not form.is_valid():
        return form, None, None
    return form, form.cleaned_data["period"], form.cleaned_data.get("customer")


def _url(name: str, *args) -> str:
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return ""


def query_of(period: MonthPeriod, customer) -> dict[str, str]:
    query = period.query()
    if customer is not None:
        query["customer"] = str(customer.code)
    return query


def chart_data(report: reports.ChangeReport) -> dict:
    """What the page's charts draw (passed with ``json_script``; labels are data attributes)."""
    return {
        "months": [row.month for row in report.months],
        "kinds": [
            {
                "kind": code,
                "label": str(label),
                "colour": KIND_COLOURS[code],
                "raised": [row.raised[code] for row in report.months],
            }
            for code, label in ChangeKind.choices
        ],
        "closed": [row.closed for row in report.months],
        "failed": [row.failed for row in report.months],
        "status": [{"name": r.label, "value": r.count} for r in report.by_status if r.count],
        "risk": {
            "labels": [r.label for r in report.by_risk],
            "values": [r.count for r in report.by_risk],
        },
    }


def _invalid(request, form):
    return render(request, "change/report.html", {"form": form, "invalid": True}, status=400)


@page(Change)
def report(request):
    """The change report of a range of months (and a customer)."""
    form, period, customer = _scope(request)
    if period is None:
        return _invalid(request, form)
    figures = reports.change_report(user=request.user, period=period, customer=customer)
    query = query_of(period, customer)
    return render(
        request,
        "change/report.html",
        {
            "form": form,
            "report": figures,
            "summary": excel.summary_rows(figures),
            "chart": chart_data(figures),
            "failures": [
                {"row": row, "url": _url("change:change_detail", row.id)}
                for row in figures.failures
            ],
            "incidents": [
                {
                    "row": row,
                    "ticket_url": _url("desk:ticket_detail", row.ticket_id),
                    "change_url": _url("change:change_detail", row.change_id),
                }
                for row in figures.incidents or []
            ],
            "excel_url": f"{reverse('change:report_excel')}?{urlencode(query)}",
        },
    )


@page(Change)
def report_excel(request):
    form, period, customer = _scope(request)
    if period is None:
        return _invalid(request, form)
    figures = reports.change_report(user=request.user, period=period, customer=customer)
    return FileResponse(
        excel.workbook_file(figures),
        as_attachment=True,
        filename=excel.filename(figures),
        content_type=excel.CONTENT_TYPE,
    )
