"""The audit services (the only writers of audits and differences) and the figures pages
and the API read."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from itsm.cmdb import services as cmdb_services
from itsm.cmdb.audit.comparison import (
    _compare,
)
from itsm.cmdb.audit.snapshot import (
    PREFIX,
    parse_snapshot,
)
from itsm.cmdb.choices import (
    CI_MACHINE,
    AuditStatus,
    CIStatus,
    DifferenceDecision,
    DifferenceKind,
)
from itsm.cmdb.models import (
    AuditDifference,
    CIClass,
    ConfigurationAudit,
    ConfigurationItem,
)
from itsm.core.errors import InvalidTransition, ValidationFailed
from itsm.core.numbering import next_number
from itsm.core.services import save_versioned
from itsm.core.statemachine import ensure_transition
from itsm.core.timeline import record_event

# --- services -------------------------------------------------------------------------------


def create_audit(
    *,
    title: str,
    by,
    file=None,
    filename: str = "",
    items: list | None = None,
    scope_class: CIClass | None = None,
) -> ConfigurationAudit:
    """Load a discovery snapshot (a file's content in *file*, or a list of *items*), compare
    it with the CMDB and store the audit with its differences. An invalid snapshot stores
    nothing. An audit without differences is closed at once."""
    title = (title or "").strip()
    if not title:
        raise ValidationFailed(fields={"title": [_("This field is required.")]})
    if len(title) > 200:
        raise ValidationFailed(
            fields={"title": [_("Enter at most {count} characters.").format(count=200)]}
        )
    source_name = (filename or getattr(file, "name", "") or "")[-200:]
    snapshot, skipped = parse_snapshot(
        file, filename=source_name, items=items, scope_class=scope_class
    )
    scope_codes = {scope_class.code} if scope_class else {item.class_code for item in snapshot}
    with transaction.atomic():
        comparison = _compare(snapshot, scope_codes)
        audit = ConfigurationAudit(
            number=next_number(PREFIX),
            title=title,
            source_name=source_name,
            scope_class=scope_class,
            checked_count=comparison.checked,
            matched_count=comparison.matched,
            performed_by=by if getattr(by, "pk", None) else None,
        )
        audit.full_clean(exclude=["performed_by"])  # empty when a job runs the audit
        audit._history_user = audit.performed_by
        audit.save()
        for difference in comparison.differences:
            difference.audit = audit
        AuditDifference.objects.bulk_create(comparison.differences, batch_size=500)
        counts = _kind_counts(comparison.differences)
        record_event(
            audit,
            "created",
            by=by,
            data={
                "items": len(snapshot),
                "skipped": skipped,
                "classes": sorted(scope_codes),
                "checked": comparison.checked,
                "matched": comparison.matched,
                **counts,
            },
        )
        if not comparison.differences:
            _close(audit, by=by, note=_("No differences found."))
    return audit


def _kind_counts(differences) -> dict[str, int]:
    counts = {kind: 0 for kind in DifferenceKind.values}
    for difference in differences:
        counts[difference.kind] += 1
    return counts


def update_audit(
    audit: ConfigurationAudit, *, by, version: int | None = None, title: str
) -> ConfigurationAudit:
    """Rename an audit (its findings never change)."""
    title = (title or "").strip()
    if not title:
        raise ValidationFailed(fields={"title": [_("This field is required.")]})
    with transaction.atomic():
        audit.title = title
        audit._history_user = by if getattr(by, "pk", None) else None
        save_versioned(audit, expected_version=version, update_fields=["title"])
        record_event(audit, "updated", by=by, data={"fields": ["title"]})
    return audit


def _ensure_open(audit: ConfigurationAudit) -> None:
    if audit.status != AuditStatus.OPEN:
        raise InvalidTransition(
            _("The audit {number} is closed.").format(number=audit.number),
            fields={"status": [_("The audit is closed.")]},
        )


def decide_difference(
    difference: AuditDifference, *, accept: bool, by, note: str = ""
) -> AuditDifference:
    """Accept (correct the CMDB through the CMDB services, the audit number as change
    reference) or reject (keep the CMDB as it is) one pending difference. Closes the audit
    when it was the last pending one."""
    with transaction.atomic():
        # lock the row (no outer join: PostgreSQL refuses FOR UPDATE on its nullable side)
        difference = AuditDifference.objects.select_for_update().get(pk=difference.pk)
        audit = ConfigurationAudit.objects.get(pk=difference.audit_id)
        _ensure_open(audit)
        _decide(difference, audit, accept=accept, by=by, note=note)
        _close_if_done(audit, by=by)
    return difference


def decide_differences(
    audit: ConfigurationAudit, *, accept: bool, by, note: str = "", ids=None
) -> int:
    """Accept or reject the pending differences of *audit* (all, or those with *ids*) in one
    transaction: if one correction fails, none is made. Returns how many were decided."""
    with transaction.atomic():
        audit = ConfigurationAudit.objects.select_for_update().get(pk=audit.pk)
        _ensure_open(audit)
        pending = audit.differences.filter(decision=DifferenceDecision.PENDING)
        if ids is not None:
            ids = [int(i) for i in ids]
            pending = pending.filter(pk__in=ids)
            found = set(pending.values_list("pk", flat=True))
            unknown = sorted(set(ids) - found)
            if unknown:
                raise ValidationFailed(
                    fields={
                        "ids": [
                            _("Not pending differences of this audit: {ids}.").format(
                                ids=", ".join(str(i) for i in unknown)
                            )
                        ]
                    }
                )
        rows = list(pending.order_by("pk"))
        for difference in rows:
            try:
                _decide(difference, audit, accept=accept, by=by, note=note)
            except ValidationFailed as exc:
                raise ValidationFailed(
                    _("Difference {id} ({name}) could not be applied: {detail}").format(
                        id=difference.pk, name=difference.name, detail=_error_text(exc)
                    ),
                    fields={f"differences.{difference.pk}": [_error_text(exc)]},
                )
        _close_if_done(audit, by=by)
    return len(rows)


def _error_text(exc: ValidationFailed) -> str:
    parts = [f"{name}: {' '.join(str(m) for m in msgs)}" for name, msgs in exc.fields.items()]
    return "; ".join(parts) or str(exc.detail)


def _decide(difference: AuditDifference, audit: ConfigurationAudit, *, accept, by, note) -> None:
    if difference.decision != DifferenceDecision.PENDING:
        raise InvalidTransition(
            _("This difference was already decided."),
            fields={
                "decision": [_("Already {decision}.").format(decision=_decision_label(difference))]
            },
        )
    note = (note or "").strip()[:200]
    if accept:
        extra = _apply(difference, audit, by=by)
        if extra and not note:
            note = extra[:200]
    difference.decision = DifferenceDecision.ACCEPTED if accept else DifferenceDecision.REJECTED
    difference.decided_by = by if getattr(by, "pk", None) else None
    difference.decided_at = timezone.now()
    difference.note = note
    difference._history_user = difference.decided_by
    save_versioned(
        difference,
        expected_version=None,
        update_fields=["decision", "decided_by", "decided_at", "note", "ci"],
    )
    record_event(
        audit,
        "difference_accepted" if accept else "difference_rejected",
        by=by,
        note=note,
        data={
            "difference": difference.pk,
            "kind": difference.kind,
            "ci": difference.ci_id,
            "attribute": difference.attribute,
        },
    )


def _decision_label(difference) -> str:
    return str(DifferenceDecision(difference.decision).label)


def _apply(difference: AuditDifference, audit: ConfigurationAudit, *, by) -> str:
    """Correct the CMDB for an accepted difference; return a note when nothing could be
    changed (e.g. the CI was retired meanwhile)."""
    reference = audit.number
    if difference.kind == DifferenceKind.UNEXPECTED:
        return _apply_unexpected(difference, reference, by=by)
    ci = difference.ci
    if ci is None:
        raise ValidationFailed(
            fields={"ci": [_("The configuration item no longer exists; reject the difference.")]}
        )
    ci = ConfigurationItem.objects.select_related("ci_class").get(pk=ci.pk)
    if difference.kind == DifferenceKind.MISSING:
        if ci.status == CIStatus.RETIRED:
            return _("Already retired.")
        if CI_MACHINE.find(ci.status, CIStatus.RETIRED) is None:
            return _("Retiring is not allowed from status “{status}”; left unchanged.").format(
                status=ci.get_status_display()
            )
        cmdb_services.transition_ci(ci, to=CIStatus.RETIRED, by=by, change_reference=reference)
        return ""
    attribute = difference.attribute
    value = difference.discovered_value
    if attribute == "class":
        cmdb_services.update_ci(
            ci, by=by, change_reference=reference, ci_class=cmdb_services.get_class(value or "")
        )
    elif attribute == "name":
        cmdb_services.update_ci(ci, by=by, change_reference=reference, name=value or "")
    elif attribute == "identifier":
        cmdb_services.update_ci(ci, by=by, change_reference=reference, identifier=value or "")
    elif attribute.startswith("attributes."):
        key = attribute.removeprefix("attributes.")
        attributes = dict(ci.attributes or {})
        if value is None:
            attributes.pop(key, None)
        else:
            attributes[key] = value
        cmdb_services.update_ci(ci, by=by, change_reference=reference, attributes=attributes)
    return ""


def _apply_unexpected(difference: AuditDifference, reference: str, *, by) -> str:
    discovered = difference.discovered_value or {}
    identifier = difference.identifier
    if identifier:
        existing = ConfigurationItem.objects.filter(identifier=identifier).only("number").first()
        if existing is not None:
            raise ValidationFailed(
                fields={
                    "identifier": [
                        _("{number} already has this identifier.").format(number=existing.number)
                    ]
                }
            )
    attributes = {k: v for k, v in (discovered.get("attributes") or {}).items() if v is not None}
    ci = cmdb_services.create_ci(
        name=discovered.get("name") or difference.name,
        ci_class=cmdb_services.get_class(difference.class_code),
        by=by,
        identifier=identifier,
        attributes=attributes,
        status=CIStatus.IN_USE,
        change_reference=reference,
    )
    difference.ci = ci
    return ""


def _close_if_done(audit: ConfigurationAudit, *, by) -> None:
    if not audit.differences.filter(decision=DifferenceDecision.PENDING).exists():
        _close(audit, by=by, note=_("Every difference is decided."))


def _close(audit: ConfigurationAudit, *, by, note: str = "") -> None:
    ensure_transition(audit, AuditStatus.CLOSED, by=by)
    audit.status = AuditStatus.CLOSED
    audit.closed_at = timezone.now()
    audit._history_user = by if getattr(by, "pk", None) else None
    save_versioned(audit, expected_version=None, update_fields=["status", "closed_at"])
    record_event(audit, "closed", by=by, note=note)


def close_audit(
    audit: ConfigurationAudit, *, by, force: bool = False, note: str = ""
) -> ConfigurationAudit:
    """Close an open audit. While differences are pending this needs ``force`` (they stay
    pending and are listed as undecided)."""
    with transaction.atomic():
        audit = ConfigurationAudit.objects.select_for_update().get(pk=audit.pk)
        _ensure_open(audit)
        pending = audit.differences.filter(decision=DifferenceDecision.PENDING).count()
        if pending and not force:
            raise ValidationFailed(
                _("{count} differences are still pending.").format(count=pending),
                fields={
                    "force": [_("Decide the pending differences first, or close anyway (force).")]
                },
                code="pending_differences",
            )
        _close(audit, by=by, note=(note or "").strip())
    return audit


# --- reads used by pages and the API ----------------------------------------------------------


@dataclass(frozen=True)
class AuditFigures:
    checked: int
    matched: int
    accuracy: float | None
    corrected: int
    accuracy_after: float | None
    pending: int
    counts: dict


def audit_figures(audit: ConfigurationAudit) -> AuditFigures:
    """Accuracy measured at audit time and "after corrections" (the CIs and items whose
    differences were all accepted now agree; rejected and pending ones still do not)."""
    groups: dict[object, list[str]] = {}
    counts = {kind: 0 for kind in DifferenceKind.values}
    pending = 0
    for pk, kind, ci_id, decision in audit.differences.values_list(
        "pk", "kind", "ci_id", "decision"
    ):
        counts[kind] += 1
        pending += decision == DifferenceDecision.PENDING
        key = ("item", pk) if kind == DifferenceKind.UNEXPECTED or ci_id is None else ci_id
        groups.setdefault(key, []).append(decision)
    corrected = sum(
        1
        for decisions in groups.values()
        if all(d == DifferenceDecision.ACCEPTED for d in decisions)
    )
    checked, matched = audit.checked_count, audit.matched_count
    return AuditFigures(
        checked=checked,
        matched=matched,
        accuracy=(matched / checked) if checked else None,
        corrected=corrected,
        accuracy_after=((matched + corrected) / checked) if checked else None,
        pending=pending,
        counts=counts,
    )
