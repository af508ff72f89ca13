"""Pages of configuration audits (R-CMDB-05) and of the CI import (R-CMDB-06): they validate
input with forms and call ``itsm.cmdb.audit`` / ``itsm.cmdb.importer``."""

from __future__ import annotations

import os
import secrets
import time
from pathlib import Path

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from itsm.cmdb import importer
from itsm.cmdb.audit import services as audit_services
from itsm.cmdb.choices import AUDIT_MACHINE, AuditStatus, DifferenceDecision, DifferenceKind
from itsm.cmdb.forms_audit import (
    AuditCreateForm,
    CloseForm,
    DecisionForm,
    DifferenceFilterForm,
    ImportMappingForm,
    ImportUploadForm,
)
from itsm.cmdb.models import AuditDifference, CIClass, ConfigurationAudit, ConfigurationItem
from itsm.core import policy
from itsm.core.errors import DomainError
from itsm.core.form_helpers import apply_errors
from itsm.core.form_views import action_post, form_page, transition_post
from itsm.core.generic_views import get_restricted_or_404, require_can

# --- audits -----------------------------------------------------------------------------------


@login_required
def audit_create(request):
    require_can(request.user, ConfigurationAudit, "add")
    form = AuditCreateForm(request.POST or None, request.FILES or None)
    row_errors: list[tuple[str, list[str]]] = []

    def save():
        upload = form.cleaned_data["file"]
        try:
            return audit_services.create_audit(
                title=form.cleaned_data["title"],
                by=request.user,
                file=upload,
                filename=upload.name,
                scope_class=form.cleaned_data["scope_class"],
            )
        except DomainError as exc:
            # the snapshot's rows are listed above the form; the rest goes on the form
            row_errors.extend(_row_errors(exc))
            exc.fields = {k: v for k, v in exc.fields.items() if not k.startswith("rows.")}
            raise

    return form_page(
        request,
        form,
        save,
        success=lambda audit: _("Audit {number} made: {count} differences.").format(
            number=audit.number, count=audit.differences.count()
        ),
        next_url=lambda audit: reverse("cmdb:audit_detail", args=[audit.pk]),
        heading=_("New configuration audit"),
        cancel_url=reverse("cmdb:audit_list"),
        template="cmdb/audit_form.html",
        context={"row_errors": row_errors},
    )


def _row_errors(exc: DomainError) -> list[tuple[str, list[str]]]:
    rows = [(name, msgs) for name, msgs in exc.fields.items() if name.startswith("rows.")]
    rows.sort(key=lambda item: int(item[0].partition(".")[2] or 0))
    return [
        (_("Row {row}").format(row=name.partition(".")[2]), [str(m) for m in msgs])
        for name, msgs in rows
    ]


@login_required
def audit_detail(request, pk: int):
    audit = get_restricted_or_404(
        request,
        ConfigurationAudit,
        pk,
        queryset=ConfigurationAudit.objects.select_related("scope_class", "performed_by"),
    )
    filters = DifferenceFilterForm(request.GET or None)
    differences = AuditDifference.objects.filter(audit=audit).select_related("ci", "decided_by")
    if filters.is_valid():
        if filters.cleaned_data["kind"]:
            differences = differences.filter(kind=filters.cleaned_data["kind"])
        if filters.cleaned_data["decision"]:
            differences = differences.filter(decision=filters.cleaned_data["decision"])
    rows = [
        {
            "difference": d,
            "kind_label": DifferenceKind(d.kind).label,
            "kind_colour": DifferenceKind.colour(d.kind),
            "decision_label": DifferenceDecision(d.decision).label,
            "decision_colour": DifferenceDecision.colour(d.decision),
        }
        for d in differences.order_by("kind", "id")[:2000]
    ]
    figures = audit_services.audit_figures(audit)
    close = AUDIT_MACHINE.by_name("close")
    can_change = audit.status == AuditStatus.OPEN and policy.can(
        request.user, ConfigurationAudit, "change"
    )
    return render(
        request,
        "cmdb/audit_detail.html",
        {
            "audit": audit,
            "figures": figures,
            "rows": rows,
            "filters": filters,
            "can_change": can_change,
            "close_confirm": close.confirm if close else "",
            "status_label": AuditStatus(audit.status).label,
            "status_colour": AuditStatus.colour(audit.status),
        },
    )


@login_required
@require_POST
def audit_decide(request, pk: int):
    audit = get_restricted_or_404(request, ConfigurationAudit, pk, "change")
    form = DecisionForm(request.POST)

    def decide() -> int:
        accept = form.cleaned_data["decision"] == "accept"
        note = form.cleaned_data["note"]
        if not form.cleaned_data["difference"]:
            return audit_services.decide_differences(
                audit, accept=accept, by=request.user, note=note
            )
        difference = get_restricted_or_404(
            request,
            AuditDifference,
            form.cleaned_data["difference"],
            "change",
            queryset=AuditDifference.objects.filter(audit=audit),
        )
        audit_services.decide_difference(difference, accept=accept, by=request.user, note=note)
        return 1

    def decided(count: int) -> str:
        text = (
            _("{count} differences accepted; the CMDB was corrected.")
            if form.cleaned_data["decision"] == "accept"
            else _("{count} differences rejected; the CMDB was kept.")
        )
        return text.format(count=count)

    return action_post(
        request,
        decide,
        success=decided,
        next_url=reverse("cmdb:audit_detail", args=[audit.pk]),
        model=AuditDifference,
        form=form,
    )


@login_required
@require_POST
def audit_close(request, pk: int):
    audit = get_restricted_or_404(request, ConfigurationAudit, pk, "change")
    form = CloseForm(request.POST)
    form.is_valid()
    return transition_post(
        request,
        audit,
        to=AuditStatus.CLOSED,
        perform=lambda: audit_services.close_audit(
            audit,
            by=request.user,
            force=form.cleaned_data.get("force", False),
            note=form.cleaned_data.get("note", ""),
        ),
        next_url=reverse("cmdb:audit_detail", args=[pk]),
        success=_("Audit closed."),
    )


# --- import -----------------------------------------------------------------------------------

SESSION_KEY = "cmdb_import"
#: uploaded files waiting for their mapping are removed after this many seconds
UPLOAD_TTL = 24 * 3600


def _upload_dir() -> Path:
    path = Path(settings.DATA_DIR) / "uploads" / "cmdb-import"
    path.mkdir(parents=True, exist_ok=True)
    return path


def _clean_old_uploads(directory: Path) -> None:
    limit = time.time() - UPLOAD_TTL
    for item in directory.iterdir():
        try:
            if item.is_file() and item.stat().st_mtime < limit:
                item.unlink()
        except OSError:
            pass


def _stored(request):
    """The upload waiting for its mapping (the session names it; a token in the URL must
    match, so one user cannot reach another's file)."""
    state = request.session.get(SESSION_KEY) or {}
    token = request.GET.get("token") or request.POST.get("token") or ""
    if not state or token != state.get("token"):
        return None
    path = _upload_dir() / state["stored"]
    if not path.is_file():
        return None
    return state, path


@login_required
def import_upload(request):
    require_can(request.user, ConfigurationItem, "add")
    form = ImportUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            data = importer.read_upload_bytes(upload)
            table = importer.read_table(data, filename=upload.name)
        except DomainError as exc:
            apply_errors(form, exc)
        else:
            directory = _upload_dir()
            _clean_old_uploads(directory)
            token = secrets.token_urlsafe(16)
            extension = os.path.splitext(upload.name.lower())[1]
            stored = f"{token}{extension}"
            (directory / stored).write_bytes(data)
            ci_class = form.cleaned_data["ci_class"]
            request.session[SESSION_KEY] = {
                "token": token,
                "stored": stored,
                "filename": upload.name[-200:],
                "ci_class": ci_class.pk if ci_class else None,
                "change_reference": form.cleaned_data["change_reference"],
                "rows": len(table.rows),
            }
            return redirect(f"{reverse('cmdb:import_map')}?token={token}")
    return render(request, "cmdb/import_upload.html", {"form": form})


@login_required
def import_map(request):
    require_can(request.user, ConfigurationItem, "add")
    found = _stored(request)
    if found is None:
        messages.error(request, _("Upload the file again (the upload expired)."))
        return redirect("cmdb:import")
    state, path = found
    ci_class = CIClass.objects.filter(pk=state["ci_class"]).first() if state["ci_class"] else None
    table = importer.read_table(path.read_bytes(), filename=state["filename"])
    targets = importer.mapping_targets(ci_class)
    form = ImportMappingForm(
        request.POST or None,
        headers=table.headers,
        targets=targets,
        initial_map=importer.default_mapping(table.headers, ci_class),
    )
    result = None
    errors: list[tuple[str, list[str]]] = []
    general: list[str] = []
    if request.method == "POST" and form.is_valid():
        dry_run = "preview" in request.POST
        try:
            result = importer.import_table(
                table,
                by=request.user,
                mapping=form.mapping(),
                ci_class=ci_class,
                dry_run=dry_run,
                change_reference=state["change_reference"],
            )
        except DomainError as exc:
            general = [str(exc.detail)]
            errors = _row_errors(exc)
            for name, msgs in exc.fields.items():
                if not name.startswith("rows."):
                    general.extend(str(m) for m in msgs)
        else:
            if not dry_run:
                path.unlink(missing_ok=True)
                request.session.pop(SESSION_KEY, None)
                messages.success(
                    request,
                    _("{created} configuration items created, {updated} updated.").format(
                        created=result.created, updated=result.updated
                    ),
                )
                return render(request, "cmdb/import_done.html", {"result": result, "state": state})
    return render(
        request,
        "cmdb/import_map.html",
        {
            "form": form,
            "state": state,
            "ci_class": ci_class,
            "result": result,
            "errors": errors,
            "general": general,
        },
    )
