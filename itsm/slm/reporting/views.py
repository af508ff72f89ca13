"""Pages of the SLA reports (R-SLM-06): achievement with a chart and the breach list
(``slm:report``), the printable monthly execution report (``slm:report_monthly``) and its
Excel download (``slm:report_excel``).

Every figure comes from :mod:`itsm.slm.reporting.selectors`, whose queries go through
``.restrict(user, "view")``; a customer user gets their own organisation's figures and a 404
for another organisation's agreement. Bad parameters answer 400 with a translated message.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from itsm.core import policy
from itsm.core.choices import OrganisationKind
from itsm.core.errors import NotFound, ValidationFailed
from itsm.core.form_helpers import TablerFormMixin, limit_choices
from itsm.core.models import Organisation
from itsm.slm import selectors as slm_selectors
from itsm.slm.reporting import excel
from itsm.slm.reporting import selectors as reports

#: months shown by the achievement chart (ending with the period's last month)
CHART_MONTHS = 12
#: breaches listed on a report page; the full list is the clock list, filtered (staff), or the
#: Excel download / the breach API
BREACH_LIMIT = reports.BREACH_PAGE


class MonthField(forms.CharField):
    """``YYYY-MM`` → the first day of that month."""

    widget = forms.TextInput(attrs={"type": "month", "placeholder": _("YYYY-MM")})

    def to_python(self, value):
        value = super().to_python(value)
        if not value:
            return None
        try:
            return reports.parse_month(value)
        except ValidationFailed as error:
            raise forms.ValidationError(str(error.detail), code="invalid_month") from None


class ReportFilterForm(TablerFormMixin, forms.Form):
    start = MonthField(label=_("From month"), required=False)
    end = MonthField(label=_("To month"), required=False)
    group_by = forms.ChoiceField(
        label=_("Group by"),
        choices=[(key, label) for key, label in reports.GROUP_LABELS.items()],
        required=False,
    )
    metric = forms.ChoiceField(
        label=_("Metric"),
        choices=[
            ("", _("Response and resolution")),
            *reports.METRIC_CHOICES,
        ],
        required=False,
    )
    # a filter: no choice means every agreement / customer, as the list filters say it
    agreement = forms.ModelChoiceField(
        label=_("Agreement"),
        queryset=slm_selectors.all_agreements().none(),
        required=False,
        empty_label=_("Any"),
    )
    customer = forms.ModelChoiceField(
        label=_("Customer"),
        queryset=Organisation.objects.none(),
        required=False,
        empty_label=_("Any"),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        limit_choices(
            self,
            "agreement",
            slm_selectors.agreements_for(user).only("id", "number", "title").order_by("number"),
        )
        if policy.sees_all_tenants(user, slm_selectors.all_agreements().model):
            limit_choices(
                self,
                "customer",
                Organisation.objects.restrict(user, "view")
                .filter(kind=OrganisationKind.CUSTOMER)
                .only("id", "name")
                .order_by("name"),
            )
        else:
            del self.fields["customer"]

    def clean(self):
        super().clean()
        data = self.cleaned_data
        default = reports.last_full_month()
        end = data.get("end") or (data.get("start") if "start" not in self.errors else None)
        end = end or default
        start = data.get("start") or end
        if "start" in self.errors or "end" in self.errors:
            return data
        error = reports.period_error(start, end)
        if error:
            self.add_error(*error)
        data["start"], data["end"] = start, end
        data["group_by"] = data.get("group_by") or "agreement"
        return data


def _bad_request(request, message, *, status=400):
    return render(request, "slm/report_error.html", {"message": message}, status=status)


def breach_list_url(user, *, month: str, agreement=None, customer=None, metric=None) -> str:
    """The clock list filtered to the breaches a report counted in *month* (``YYYY-MM``), for
    provider staff (the clock list is their work queue); ``""`` for anyone else."""
    if not policy.is_provider_staff(user):
        return ""
    query = {"breached": "true", "month": month}
    for name, value in (("agreement", agreement), ("customer", customer), ("metric", metric)):
        if value:
            query[name] = str(getattr(value, "pk", value))
    return f"{reverse('clocks:clock_list')}?{urlencode(query)}"


def _404_unless_visible(request, name: str, visible_rows) -> None:
    """An id in ``?<name>=`` that is not a row the user may view answers 404 (like the
    record's own page), not a 400 "choose a valid option" that would tell it exists."""
    raw = (request.GET.get(name) or "").strip()
    visible = visible_rows(request.user)
    if raw.isdigit() and len(raw) <= 18 and not visible.filter(pk=int(raw)).exists():
        raise Http404  # an id too long to be one stays a 400 naming the field


@login_required
def report(request):
    """Achievement per agreement / service / customer / month / priority for a period, a
    12-month chart and the breaches of the period."""
    _404_unless_visible(request, "agreement", slm_selectors.agreements_for)
    form = ReportFilterForm(request.GET, user=request.user)
    if not form.is_valid():
        return render(request, "slm/report.html", {"form": form, "invalid": True}, status=400)
    data = form.cleaned_data
    user = request.user
    filters: dict[str, Any] = {
        "agreement": data.get("agreement"),
        "customer": data.get("customer"),
        "metric": data.get("metric") or None,
    }
    start, end = data["start"], data["end"]
    period_start, period_end = reports.months_period(start, end)
    rows = reports.achievement(
        user=user,
        period_start=period_start,
        period_end=period_end,
        group_by=data["group_by"],
        **filters,
    )
    series = reports.monthly_series(
        user=user,
        first_month=reports.add_months(end, -(CHART_MONTHS - 1)),
        last_month=end,
        **filters,
    )
    totals = reports.totals(rows).as_dict()
    breaches = (
        reports.breaches(
            user=user,
            period_start=period_start,
            period_end=period_end,
            limit=BREACH_LIMIT,
            **filters,
        )
        if totals["breached"]
        else []
    )
    month = reports.month_label(end)
    monthly_url = reverse("slm:report_monthly")
    for row in rows:
        row.monthly_url = (
            f"{monthly_url}?{urlencode({'agreement': str(row.key), 'month': month})}"
            if data["group_by"] == "agreement" and row.key is not None
            else ""
        )
    chart = {
        "months": [r.key for r in series],
        "achievement": [
            float(r.achievement) if r.achievement is not None else None for r in series
        ],
        "measured": [r.measured for r in series],
        "breached": [r.breached for r in series],
        "target": float(series[-1].target) if series else 100.0,
    }
    context = {
        "form": form,
        "rows": rows,
        "totals": totals,
        "chart": chart,
        "breaches": breaches,
        "more_breaches": totals["breached"] > len(breaches),
        "breach_count": totals["breached"],
        # the clock list filters one month: a longer period links to nothing
        "breach_list_url": (breach_list_url(user, month=month, **filters) if start == end else ""),
        "group_label": reports.GROUP_LABELS[data["group_by"]],
        "group_by": data["group_by"],
        "start": reports.month_label(start),
        "end": month,
        "is_staff": policy.sees_all_tenants(user, slm_selectors.all_agreements().model),
    }
    return render(request, "slm/report.html", context)


def _monthly(request, **options) -> reports.MonthlyReport:
    """The monthly report named by ``?agreement=<pk>&month=YYYY-MM`` (ValidationFailed for
    bad parameters, Http404 for an agreement the user may not view)."""
    raw_agreement = (request.GET.get("agreement") or "").strip()
    if not raw_agreement.isdigit() or len(raw_agreement) > 18:
        raise ValidationFailed(
            _("Choose an agreement."), fields={"agreement": [gettext("Choose an agreement.")]}
        )
    raw_month = request.GET.get("month")
    month = reports.parse_month(raw_month) if raw_month else reports.last_full_month()
    try:
        return reports.monthly_report(
            user=request.user, agreement=int(raw_agreement), month=month, **options
        )
    except NotFound:
        raise Http404 from None


@login_required
def report_monthly(request):
    """The printable SLA execution report of one agreement and month."""
    try:
        monthly = _monthly(request)
    except ValidationFailed as error:
        return _bad_request(request, error.detail)
    query = urlencode({"agreement": str(monthly.agreement.pk), "month": monthly.month_label})
    return render(
        request,
        "slm/report_monthly.html",
        {
            "report": monthly,
            "excel_url": f"{reverse('slm:report_excel')}?{query}",
            "breach_list_url": breach_list_url(
                request.user, month=monthly.month_label, agreement=monthly.agreement
            ),
            "previous_month": reports.month_label(reports.add_months(monthly.month, -1)),
            "next_month": reports.month_label(reports.add_months(monthly.month, 1)),
        },
    )


@login_required
def report_excel(request):
    """The monthly report as an .xlsx file (sheets Summary / Targets / Breaches, every breach
    of the month), written in constant memory to a temporary file and streamed from it."""
    try:
        monthly = _monthly(request, breach_limit=0)
    except ValidationFailed as error:
        return _bad_request(request, error.detail)
    return FileResponse(
        excel.workbook_file(monthly),
        as_attachment=True,
        filename=excel.filename(monthly),
        content_type=excel.CONTENT_TYPE,
    )
