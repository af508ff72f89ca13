"""The KPI page (``kpi:list``): every KPI the user sees, for a month and a customer."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import render

from itsm.core import policy
from itsm.core.errors import NotFound
from itsm.core.models import Organisation
from itsm.kpi import selectors
from itsm.kpi.forms import KpiFilterForm


@login_required
def kpi_list(request):
    """A table of KPI name, value with unit, numerator / denominator, direction, source, target
    and a link to the underlying report. Bad filters answer 400 with the field's error; another
    customer's id answers 404 to a customer user."""
    form = KpiFilterForm(request.GET, user=request.user)
    try:
        valid = form.is_valid()
    except NotFound:
        raise Http404 from None
    context = {"form": form, "is_staff": policy.sees_all_tenants(request.user, Organisation)}
    if not valid:
        return render(request, "kpi/kpi_list.html", {**context, "invalid": True}, status=400)
    period, customer = form.cleaned_data["period"], form.cleaned_data["customer"]
    context.update(
        period=period,
        customer=customer,
        figures=selectors.figures(user=request.user, period=period, customer=customer),
    )
    return render(request, "kpi/kpi_list.html", context)
