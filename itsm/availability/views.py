"""Pages of availability management: the outage list's record page, create, edit and delete
(asked first), the "sync from incidents and changes" action, and the availability page per
month (per SLA × service vs its target, a chart, MTBF/MTRS per service, the Excel file). Every
write goes through ``itsm.availability.services``."""

from __future__ import annotations

import datetime

from django.http import FileResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from itsm.availability import selectors, services
from itsm.availability.choices import OutageKind, OutageSource
from itsm.availability.forms import (
    OUTAGE_FORM_FIELDS,
    MonthForm,
    OutageCreateForm,
    OutageEditForm,
)
from itsm.availability.models import Outage
from itsm.core import policy
from itsm.core.exports import XLSX_CONTENT_TYPE, xlsx_file
from itsm.core.form_views import action_post, form_page, save_versioned_edit
from itsm.core.generic_views import get_restricted_or_404, page, record_context


def _url(outage) -> str:
    return reverse("availability:outage_detail", args=[outage.pk])


@page(Outage)
def outage_detail(request, pk: int):
    queryset = Outage.objects.restrict(request.user, "view").select_related(
        "service", "customer", "ticket", "change"
    )
    outage = get_object_or_404(queryset, pk=pk)
    record = record_context(request, outage)
    staff = policy.is_provider_staff(request.user)
    return render(
        request,
        "availability/outage_detail.html",
        {
            "outage": outage,
            "staff": staff,
            "can_change": record["can_change"],
            "can_delete": staff and policy.can(request.user, Outage, "delete"),
            "kind_choices": OutageKind,
            "source_choices": OutageSource,
        },
    )


def _fields(form) -> dict:
    return {name: form.cleaned_data[name] for name in OUTAGE_FORM_FIELDS}


@page(Outage, action="add")
def outage_create(request):
    form = OutageCreateForm(
        request.POST or None, user=request.user, initial={"kind": OutageKind.UNPLANNED}
    )

    def save():
        return services.record_outage(by=request.user, source=OutageSource.MANUAL, **_fields(form))

    return form_page(
        request,
        form,
        save,
        success=_("Outage recorded."),
        next_url=_url,
        heading=_("New outage"),
        cancel_url=reverse("availability:outage_list"),
        template="availability/outage_form.html",
    )


@page(Outage, action="change")
def outage_edit(request, pk: int):
    outage = get_restricted_or_404(request, Outage, pk, "change", visible_first=True)
    form = OutageEditForm(
        request.POST or None,
        instance=outage,
        user=request.user,
        initial={"version": outage.version},
    )

    def save():
        save_versioned_edit(
            form,
            model=Outage,
            pk=pk,
            update=services.update_outage,
            by=request.user,
            names=OUTAGE_FORM_FIELDS,
        )

    return form_page(
        request,
        form,
        save,
        success=_("Outage saved."),
        next_url=_url(outage),
        heading=_("Edit outage: {outage}").format(outage=outage),
        cancel_url=_url(outage),
        template="availability/outage_form.html",
    )


@page(Outage, action="delete", staff_only=True)
@require_POST
def outage_delete(request, pk: int):
    outage = get_restricted_or_404(request, Outage, pk, "delete", visible_first=True)
    return action_post(
        request,
        lambda: services.delete_outage(outage, by=request.user),
        success=_("Outage deleted."),
        next_url=reverse("availability:outage_list"),
        error_url=_url(outage),
        model=Outage,
        confirm={
            "heading": _("Delete the outage “{record}”?").format(record=outage),
            "consequence": _(
                "The outage is removed for good and no longer counts in the availability "
                "figures. An outage from an incident or a change is recreated by the next sync "
                "while its incident or change still qualifies."
            ),
            "button": _("Delete outage"),
            "cancel_url": _url(outage),
            "record": outage,
        },
    )


@page(Outage, action="add", staff_only=True)
@require_POST
def outage_sync(request):
    """Bring the outages in line with the incidents and changes now (the periodic job's work)."""
    return action_post(
        request,
        lambda: services.sync_outages(),
        success=lambda counts: _(
            "Synced: {incidents} outages from incidents, {changes} from changes."
        ).format(**counts),
        next_url=reverse("availability:outage_list"),
        model=Outage,
    )


# --- the availability page --------------------------------------------------------------------


def _month(request) -> tuple[MonthForm, datetime.date | None]:
    form = MonthForm(request.GET)
    if not form.is_valid() or form.errors:
        return form, None
    month = form.cleaned_data.get("month_date")
    if month is None:
        month = timezone.localdate().replace(day=1)
    return form, month


def _chart(rows) -> dict:
    return {
        "labels": [f"{row.service} · {row.customer}" for row in rows],
        "availability": [
            float(row.availability) if row.availability is not None else None for row in rows
        ],
        "target": [float(row.target) if row.target is not None else None for row in rows],
    }


@page(Outage)
def availability(request):
    """Availability per SLA × service for a month (the SLAs the user may view: a customer sees
    their own), vs each SLA's target, with MTBF and MTRS per service."""
    form, month = _month(request)
    if month is None:
        return render(
            request, "availability/availability.html", {"form": form, "invalid": True}, status=400
        )
    rows = selectors.availability_rows(user=request.user, month=month)
    customer = None
    if not policy.is_provider_staff(request.user):
        customer = getattr(request.user, "organisation", None)
    label = month.strftime("%Y-%m")
    excel = reverse("availability:availability_excel")
    return render(
        request,
        "availability/availability.html",
        {
            "form": form,
            "month": label,
            "rows": rows,
            "reliability": selectors.reliability(user=request.user, month=month, customer=customer),
            "chart": _chart(rows),
            "excel_url": f"{excel}?{urlencode({'month': label})}",
        },
    )


@page(Outage)
def availability_excel(request):
    form, month = _month(request)
    if month is None:
        return render(
            request, "availability/availability.html", {"form": form, "invalid": True}, status=400
        )
    rows = selectors.availability_rows(user=request.user, month=month)
    data = [
        (
            row.agreement,
            row.customer,
            row.service,
            row.agreed_hours,
            row.planned_hours,
            row.downtime_minutes,
            row.outages,
            row.availability,
            row.target,
            str(row.status_label),
        )
        for row in rows
    ]
    headers = [
        _("Agreement"),
        _("Customer"),
        _("Service"),
        _("Agreed service time (h)"),
        _("Planned interruptions (h)"),
        _("Downtime (min)"),
        _("Outages"),
        _("Availability (%)"),
        _("Target (%)"),
        _("Status"),
    ]
    output = xlsx_file(headers, data, sheet_name=_("Availability"))
    output.seek(0)
    return FileResponse(
        output,
        as_attachment=True,
        filename=f"availability-{month.strftime('%Y-%m')}.xlsx",
        content_type=XLSX_CONTENT_TYPE,
    )
