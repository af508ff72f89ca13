"""Pages of historic ticket import: upload, mapping, dry-run report, progress, import log."""

from __future__ import annotations

from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from itsm.core import policy
from itsm.core.errors import DomainError
from itsm.core.form_helpers import apply_errors
from itsm.core.form_views import message_errors, transition_post
from itsm.core.generic_views import get_restricted_or_404, page
from itsm.desk.imports import services
from itsm.desk.imports.choices import ImportStatus
from itsm.desk.imports.forms import MappingForm, RunForm, UploadForm
from itsm.desk.imports.models import TicketImport

#: bad rows shown on the page (all are in the API answer and the CLI's output)
SHOWN_PROBLEMS = 500


@page(TicketImport, action="add")
def upload(request):
    form = UploadForm(request.POST or None, request.FILES or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            ticket_import = services.create_import(
                by=request.user,
                upload=form.cleaned_data["file"],
                source=form.cleaned_data["source"],
                customer=form.cleaned_data["customer"],
            )
        except DomainError as exc:
            apply_errors(form, exc)
        else:
            return redirect("deskimport:detail", ticket_import.pk)
    return render(request, "deskimport/upload.html", {"form": form})


def _mapping_form(ticket_import: TicketImport, data=None) -> MappingForm:
    # the distinct states and priorities were read from the file when it was uploaded or
    # remapped (the keys of the value maps): the page does not read the file again
    return MappingForm(
        data,
        ticket_import=ticket_import,
        states=sorted(ticket_import.state_map),
        priorities=sorted(ticket_import.priority_map),
    )


@page(TicketImport)
def detail(request, pk: int):
    ticket_import = get_restricted_or_404(request, TicketImport, pk)
    can_change = policy.can(request.user, TicketImport, "change")
    editable = can_change and ticket_import.status in (
        ImportStatus.UPLOADED,
        ImportStatus.CHECKED,
    )
    context = {
        "ticket_import": ticket_import,
        "ImportStatus": ImportStatus,
        "can_change": can_change,
        "mapping_form": _mapping_form(ticket_import) if editable else None,
        "run_form": RunForm(),
        "problems": ticket_import.problems[:SHOWN_PROBLEMS],
        "more_problems": max(0, len(ticket_import.problems) - SHOWN_PROBLEMS),
        "to_create": max(
            0,
            ticket_import.incident_count - len(_bad(ticket_import)) - ticket_import.unchanged_count,
        ),
        "bad_incidents": len(_bad(ticket_import)),
    }
    return render(request, "deskimport/detail.html", context)


def _bad(ticket_import: TicketImport) -> set[str]:
    return {p["number"] for p in ticket_import.problems}


@page(TicketImport, action="change")
@require_POST
def check(request, pk: int):
    """Save the mapping and run the dry run (nothing written but the report)."""
    ticket_import = get_restricted_or_404(request, TicketImport, pk, "change")
    form = _mapping_form(ticket_import, request.POST)
    if not form.is_valid():
        message_errors(request, form)
        return redirect("deskimport:detail", pk)
    try:
        ticket_import = services.set_mapping(
            ticket_import,
            by=request.user,
            column_map=form.column_map(),
            state_map=form.state_map(),
            priority_map=form.priority_map(),
            day_first=form.cleaned_data["day_first"],
            unknown_groups=form.cleaned_data["unknown_groups"],
            unknown_categories=form.cleaned_data["unknown_categories"],
        )
        services.dry_run(ticket_import, by=request.user)
    except DomainError as exc:
        message_errors(request, exc, model=TicketImport)
    return redirect(reverse("deskimport:detail", args=[pk]) + "#report")


@page(TicketImport, action="change")
@require_POST
def run(request, pk: int):
    """Queue the checked import for the worker (asks first: imported history stays)."""
    ticket_import = get_restricted_or_404(request, TicketImport, pk, "change")
    form = RunForm(request.POST)
    skip_bad = form.is_valid() and form.cleaned_data["skip_bad"]
    return transition_post(
        request,
        ticket_import,
        to=ImportStatus.QUEUED,
        perform=lambda: services.queue_import(ticket_import, by=request.user, skip_bad=skip_bad),
        next_url=reverse("deskimport:detail", args=[pk]),
        success=_("The import is queued; this page shows its progress."),
    )


@page(TicketImport)
def progress(request, pk: int):
    """The progress fragment the detail page polls while the import runs."""
    ticket_import = get_restricted_or_404(request, TicketImport, pk)
    return render(
        request,
        "deskimport/_progress.html",
        {"ticket_import": ticket_import, "ImportStatus": ImportStatus},
    )
