"""The service desk and incident report page (R-INC-05, R-DSK-06) and its Excel download,
mounted under ``/desk/reports/`` (``deskreports:report``, ``deskreports:report_excel``).

Every figure comes from :mod:`itsm.desk.reporting.selectors`, whose queries go through
``restrict(user, "view")``: a customer user gets their own organisation's figures (another
organisation's id answers 404) and never the desk's internal measures (dispatches, calls).
Bad parameters answer 400 with a translated message naming the field.
"""

from __future__ import annotations

from django import forms
from django.http import FileResponse, Http404
from django.shortcuts import render
from django.urls import NoReverseMatch, reverse
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _

from itsm.core import policy
from itsm.core.choices import OrganisationKind
from itsm.core.errors import ValidationFailed
from itsm.core.form_helpers import TablerFormMixin, apply_errors, limit_choices
from itsm.core.generic_views import page
from itsm.core.models import Organisation
from itsm.desk import selectors as desk
from itsm.desk.choices import TicketKind
from itsm.desk.reporting import excel
from itsm.desk.reporting import selectors as reports

#: colours of the kinds in the charts (Tabler's red, azure and purple, as the kinds' badges)
KIND_COLOURS = {"incident": "#d63939", "request": "#4299e1", "consultation": "#ae3ec9"}


def customers_for(user):
    """The customer organisations *user* may choose (provider staff: every customer)."""
    return Organisation.objects.restrict(user, "view").filter(kind=OrganisationKind.CUSTOMER)


def sees_every_customer(user) -> bool:
    return policy.sees_all_tenants(user, desk.all_tickets().model)


class ReportFilterForm(TablerFormMixin, forms.Form):
    month = forms.CharField(
        label=_("Month"),
        required=False,
        widget=forms.TextInput(attrs={"type": "month", "placeholder": _("YYYY-MM")}),
    )
    start = forms.CharField(
        label=_("From day"),
        required=False,
        widget=forms.TextInput(attrs={"type": "date", "placeholder": _("YYYY-MM-DD")}),
    )
    end = forms.CharField(
        label=_("To day"),
        required=False,
        widget=forms.TextInput(attrs={"type": "date", "placeholder": _("YYYY-MM-DD")}),
    )
    # a filter: no choice means every customer, as the list filters say it
    customer = forms.ModelChoiceField(
        label=_("Customer"),
        queryset=Organisation.objects.none(),
        required=False,
        empty_label=_("Any"),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        if sees_every_customer(user):
            limit_choices(self, "customer", customers_for(user).only("id", "name").order_by("name"))
        else:
            del self.fields["customer"]

    def clean(self):
        data = super().clean() or {}
        try:
            data["period"] = reports.resolve_period(
                month=data.get("month"), start=data.get("start"), end=data.get("end")
            )
        except ValidationFailed as error:
            apply_errors(self, error)
        return data


def visible_customer(request):
    """The organisation of ``?customer=<id>`` when *request.user* may view it; a customer user
    always gets their own organisation. An id they may not view answers 404 (as its page
    would), not a 400 that would tell it exists."""
    user = request.user
    raw = (request.GET.get("customer") or "").strip()
    if raw.isdigit() and len(raw) <= 18 and not customers_for(user).filter(pk=int(raw)).exists():
        raise Http404
    if not sees_every_customer(user):
        return customers_for(user).filter(pk=user.organisation_id).first()
    return None


def ticket_url(ticket_id: int) -> str:
    """The ticket's page ("" while the desk's pages are not mounted)."""
    try:
        return reverse("desk:ticket_detail", args=[ticket_id])
    except NoReverseMatch:
        return ""


def chart_data(report: reports.DeskReport) -> dict:
    """What the page's charts draw (passed with ``json_script``; labels are data attributes)."""
    return {
        "months": [row.month for row in report.trend],
        "kinds": [
            {
                "kind": kind.value,
                "label": str(kind.label),
                "colour": KIND_COLOURS[kind.value],
                "opened": [row.opened[kind.value] for row in report.trend],
            }
            for kind in (TicketKind.INCIDENT, TicketKind.REQUEST, TicketKind.CONSULTATION)
        ],
        "finished": [row.finished for row in report.trend],
        "scores": [str(score) for score in reports.SCORES],
        "distribution": [report.satisfaction.distribution[score] for score in reports.SCORES],
    }


def _form_and_scope(request):
    customer = visible_customer(request)
    form = ReportFilterForm(request.GET, user=request.user)
    if not form.is_valid():
        return form, None, None
    data = form.cleaned_data
    return form, data["period"], data.get("customer") or customer


@page(desk.all_tickets().model)
def report(request):
    """The desk report of a period (the last full month by default) and customer."""
    form, period, customer = _form_and_scope(request)
    if period is None:
        return render(
            request, "deskreports/report.html", {"form": form, "invalid": True}, status=400
        )
    user = request.user
    report = reports.desk_report(user=user, period=period, customer=customer)
    query = period.query()
    if customer is not None and sees_every_customer(user):
        query["customer"] = str(customer.pk)
    incomplete = [{**row, "url": ticket_url(row["id"])} for row in report.incomplete]
    context = {
        "form": form,
        "report": report,
        "incomplete": incomplete,
        "chart": chart_data(report),
        "excel_url": f"{reverse('deskreports:report_excel')}?{urlencode(query)}",
        "sees_internal": policy.sees_internal(user, desk.all_tickets().model),
    }
    return render(request, "deskreports/report.html", context)


@page(desk.all_tickets().model)
def report_excel(request):
    """The same report as an .xlsx file (every incomplete incident listed)."""
    form, period, customer = _form_and_scope(request)
    if period is None:
        return render(
            request, "deskreports/report.html", {"form": form, "invalid": True}, status=400
        )
    report = reports.desk_report(user=request.user, period=period, customer=customer)
    return FileResponse(
        excel.workbook_file(report, user=request.user),
        as_attachment=True,
        filename=excel.filename(report),
        content_type=excel.CONTENT_TYPE,
    )
