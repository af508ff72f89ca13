"""The only writers of service level management records (R-SLM-01/02/03/07/08, R-REQ).

Agreements (SLA / OLA / UC) with their parties, services, targets and underpinning links;
once signed, every content change needs the reference of the change that authorised it
(``change_reference``) and is written to the field history and the timeline with it.
Signing creates the agreement's configuration item (class ``agreement``) that ``covers`` the
business-service CIs of its services. ``check_underpinning`` compares OLA/UC targets with the
SLAs they support; ``generate_review_schedule`` plans the review meetings of seed 003 §5.2.
"""

from __future__ import annotations

import datetime
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from itsm.core.choices import OrganisationKind, Priority
from itsm.core.errors import DomainError, Unprocessable, ValidationFailed
from itsm.core.numbering import next_number
from itsm.core.services import save_versioned
from itsm.core.services import transition as core_transition
from itsm.core.timeline import record_event
from itsm.slm.choices import (
    AGREEMENT_PREFIXES,
    CLOCK_METRICS,
    SIGNED_STATES,
    ActionStatus,
    AgreementKind,
    AgreementStatus,
    Frequency,
    RequirementStatus,
    ReviewKind,
    ReviewStatus,
    TargetMetric,
)
from itsm.slm.models import (
    ActionItem,
    Agreement,
    Requirement,
    ReviewMeeting,
    Target,
)

#: agreement fields a writer may set (kind and number are fixed at creation)
AGREEMENT_FIELDS = (
    "title",
    "customer",
    "team",
    "supplier",
    "calendar",
    "valid_from",
    "valid_to",
    "warning_percent",
    "authorisation",
    "provider_signatory",
    "customer_signatory",
    "contacts",
    "planned_interruptions",
    "customer_duties",
    "priority_guide",
    "escalation_rules",
    "complaint_procedure",
    "workload_limits",
    "charges",
    "procedures",
    "exceptions",
    "availability_review",
)
TARGET_FIELDS = (
    "service",
    "priority",
    "metric",
    "name",
    "target_value",
    "unit",
    "higher_is_better",
    "measurement_method",
    "frequency",
)
#: metrics compared by the underpinning check
COMPARED_METRICS = frozenset(
    {TargetMetric.RESPONSE, TargetMetric.RESOLUTION, TargetMetric.AVAILABILITY}
)


def _err(field: str, message) -> ValidationFailed:
    return ValidationFailed(fields={field: [str(message)]})


def _django_errors(exc: DjangoValidationError) -> ValidationFailed:
    if hasattr(exc, "error_dict"):
        return ValidationFailed(
            fields={name: [str(m) for m in msgs] for name, msgs in exc.message_dict.items()}
        )
    return ValidationFailed(fields={"__all__": [str(m) for m in exc.messages]})


def _clean_and_save(obj) -> None:
    """Validate *obj* with the model's own checks (as field errors) and insert it."""
    try:
        obj.full_clean()
    except DjangoValidationError as exc:
        raise _django_errors(exc) from None
    obj.save()


def _is_published(service) -> bool:
    try:
        from itsm.catalog.selectors import is_published
    except ImportError:  # pragma: no cover - the catalogue's selectors are H4's
        return service.status == "published"
    return is_published(service)


# --- agreements -------------------------------------------------------------------------------


def _check_parties(agreement: Agreement) -> None:
    """SLA: a customer organisation; OLA: an internal team; UC: a supplier organisation.
    The other party fields stay empty (OLAs and UCs are provider-internal)."""
    errors: dict[str, list[str]] = {}
    kind = agreement.kind
    needed = {
        AgreementKind.SLA: "customer",
        AgreementKind.OLA: "team",
        AgreementKind.UC: "supplier",
    }
    party = needed.get(kind)
    if party is None:
        raise _err("kind", _("Choose SLA, OLA or UC."))
    if getattr(agreement, f"{party}_id") is None:
        errors[party] = [
            str(
                {
                    "customer": _("An SLA needs the customer it is agreed with."),
                    "team": _("An OLA needs the internal team it is agreed with."),
                    "supplier": _("An underpinning contract needs its supplier."),
                }[party]
            )
        ]
    for other in ("customer", "team", "supplier"):
        if other != party and getattr(agreement, f"{other}_id") is not None:
            errors[other] = [
                str(_("Leave empty for an agreement of kind {kind}.")).format(
                    kind=agreement.get_kind_display()
                )
            ]
    if agreement.customer_id and agreement.customer.kind != OrganisationKind.CUSTOMER:
        errors["customer"] = [str(_("Choose a customer organisation."))]
    if agreement.supplier_id and agreement.supplier.kind != OrganisationKind.SUPPLIER:
        errors["supplier"] = [str(_("Choose a supplier organisation."))]
    if agreement.valid_from and agreement.valid_to and agreement.valid_from > agreement.valid_to:
        errors["valid_to"] = [str(_("The end of validity must not be before its start."))]
    if agreement.warning_percent is None or not 1 <= int(agreement.warning_percent) <= 99:
        errors["warning_percent"] = [str(_("Enter a percentage between 1 and 99."))]
    if errors:
        raise ValidationFailed(fields=errors)


def _check_services(services, *, already=(), customer_id=None) -> list:
    """Services newly put in an agreement must be published in the catalogue; an SLA's
    services must be offered to its customer (the customer sees them on the SLA)."""
    services = list(services)
    already = {getattr(s, "pk", s) for s in already}
    new = [s for s in services if s.pk not in already]
    wrong = [str(s) for s in new if not _is_published(s)]
    if wrong:
        raise _err(
            "services",
            str(_("Only published services can be covered by an agreement: {names}")).format(
                names=", ".join(wrong)
            ),
        )
    if customer_id is not None and new:
        offered = set(
            Agreement.services.rel.model.objects.filter(
                pk__in=[s.pk for s in new], customers=customer_id
            ).values_list("pk", flat=True)
        )
        wrong = [str(s) for s in new if s.pk not in offered]
        if wrong:
            raise _err(
                "services",
                str(_("These services are not offered to the customer: {names}")).format(
                    names=", ".join(wrong)
                ),
            )
    return services


def _check_underpins(agreement: Agreement, underpins) -> list:
    underpins = list(underpins)
    if underpins and agreement.kind == AgreementKind.SLA:
        raise _err("underpins", _("Only an OLA or UC can underpin SLAs."))
    wrong = [a.number for a in underpins if a.kind != AgreementKind.SLA]
    if wrong:
        raise _err(
            "underpins",
            str(_("Only SLAs can be underpinned: {numbers}")).format(numbers=", ".join(wrong)),
        )
    return underpins


def _is_signed(agreement: Agreement) -> bool:
    return agreement.status in SIGNED_STATES


def _require_reference(agreement: Agreement, change_reference: str) -> str:
    """A content change of a signed agreement needs the authorising change's reference."""
    change_reference = (change_reference or "").strip()
    if agreement.status == AgreementStatus.TERMINATED:
        raise Unprocessable(_("A terminated agreement cannot be changed."))
    if _is_signed(agreement) and not change_reference:
        raise _err(
            "change_reference",
            _("This agreement is signed: enter the change that authorises this edit."),
        )
    return change_reference


def create_agreement(
    *, kind: str, title: str, by, services=(), underpins=(), change_reference: str = "", **fields
) -> Agreement:
    """Create an agreement in status ``draft`` with the next SLA-/OLA-/UC- number."""
    unknown = set(fields) - set(AGREEMENT_FIELDS)
    if unknown:
        raise ValidationFailed(fields={name: [str(_("Unknown field."))] for name in unknown})
    if kind not in AgreementKind.values:
        raise _err("kind", _("Choose SLA, OLA or UC."))
    fields.setdefault("warning_percent", 75)
    agreement = Agreement(kind=kind, title=title, change_reference=change_reference, **fields)
    _check_parties(agreement)
    services = _check_services(services, customer_id=agreement.customer_id)
    underpins = _check_underpins(agreement, underpins)
    with transaction.atomic():
        agreement.number = next_number(AGREEMENT_PREFIXES[kind])
        _clean_and_save(agreement)
        if services:
            agreement.services.set(services)
        if underpins:
            agreement.underpins.set(underpins)
        record_event(agreement, "created", by=by)
        if underpins:
            check_underpinning(agreement)
    return agreement


def update_agreement(
    agreement: Agreement,
    *,
    by,
    expected_version: int | None = None,
    change_reference: str = "",
    services=None,
    underpins=None,
    **fields,
) -> Agreement:
    """Change an agreement's fields, services (``services``) and supported SLAs
    (``underpins``). Unchanged values are ignored; a signed agreement needs
    ``change_reference`` for any real change."""
    unknown = set(fields) - set(AGREEMENT_FIELDS)
    if unknown:
        raise ValidationFailed(fields={name: [str(_("Unknown field."))] for name in unknown})
    changed = [name for name, value in fields.items() if getattr(agreement, name) != value]
    current_services = set(agreement.services.values_list("pk", flat=True))
    current_underpins = set(agreement.underpins.values_list("pk", flat=True))
    services_changed = services is not None and {s.pk for s in services} != current_services
    underpins_changed = underpins is not None and {a.pk for a in underpins} != current_underpins
    if not (changed or services_changed or underpins_changed):
        if expected_version is not None and expected_version != agreement.version:
            save_versioned(agreement, expected_version=expected_version)  # raises Conflict
        return agreement
    reference = _require_reference(agreement, change_reference)
    old = {name: _display(getattr(agreement, name)) for name in changed}
    for name in changed:
        setattr(agreement, name, fields[name])
    _check_parties(agreement)
    if services_changed:
        services = _check_services(
            services, already=current_services, customer_id=agreement.customer_id
        )
    if underpins_changed:
        underpins = _check_underpins(agreement, underpins)
    with transaction.atomic():
        if reference:
            agreement.change_reference = reference
        agreement._change_reason = reference  # shown as the note of the field-history row
        _fresh_warnings(agreement)
        save_versioned(agreement, expected_version=expected_version)
        data: dict = {"fields": sorted(changed)}
        if services_changed:
            agreement.services.set(services)
            data["services"] = {
                "added": sorted({s.pk for s in services} - current_services),
                "removed": sorted(current_services - {s.pk for s in services}),
            }
        if underpins_changed:
            previous = list(Agreement.objects.filter(pk__in=current_underpins))
            agreement.underpins.set(underpins)
            data["underpins"] = sorted(a.number for a in underpins)
        if reference:
            data["change_reference"] = reference
        data["old"] = old
        record_event(agreement, "changed", by=by, note=reference, data=data)
        if services_changed and agreement.ci_id:
            _sync_ci(agreement, by=by, change_reference=reference)
        if underpins_changed:
            check_underpinning(agreement, also=previous)
    return agreement


def _fresh_warnings(agreement: Agreement) -> None:
    """Reload the computed warnings so a full save never writes back a stale copy."""
    if agreement.pk:
        agreement.underpinning_warnings = (
            Agreement.objects.filter(pk=agreement.pk)
            .values_list("underpinning_warnings", flat=True)
            .first()
            or []
        )


def _display(value) -> str:
    if value is None:
        return ""
    return str(value)


def transition_agreement(
    agreement: Agreement,
    *,
    to: str,
    by,
    expected_version: int | None = None,
    note: str = "",
) -> Agreement:
    """Move an agreement through its lifecycle. Signing needs validity, service hours and at
    least one target; it records who signed and creates the agreement's configuration item."""
    with transaction.atomic():
        if to == AgreementStatus.SIGNED:
            if agreement.status == AgreementStatus.NEGOTIATING and not agreement.targets.exists():
                raise _err("targets", _("Add at least one target before signing."))
            agreement.signed_by = by if getattr(by, "pk", None) else None
            agreement.signed_at = timezone.now()
        _fresh_warnings(agreement)
        core_transition(agreement, to, by=by, note=note, expected_version=expected_version)
        if to == AgreementStatus.SIGNED:
            _sync_ci(agreement, by=by, change_reference=agreement.change_reference)
    return agreement


def _sync_ci(agreement: Agreement, *, by, change_reference: str = "") -> None:
    """Create or update the agreement's CI and its ``covers`` relations to the business-service
    CIs of the covered services (an agreement is a CI, seed 003)."""
    try:
        from itsm.cmdb import services as cmdb
    except ImportError:  # pragma: no cover - the CMDB services are H1's
        return
    from itsm.cmdb.models import Relation, RelationType

    name = f"{agreement.number} {agreement.title}"[:200]
    if agreement.ci_id is None:
        ci = cmdb.create_ci(
            name=name,
            ci_class=cmdb.get_class("agreement"),
            by=by,
            customer=agreement.customer,
            supplier=agreement.supplier,
            identifier=agreement.number,
            description=str(agreement.get_kind_display()),
            change_reference=change_reference,
        )
        Agreement.objects.filter(pk=agreement.pk).update(ci=ci)
        agreement.ci = ci
    else:
        ci = agreement.ci
        if ci.name != name:
            cmdb.update_ci(ci, by=by, name=name, change_reference=change_reference)
    covers = RelationType.objects.get(code="covers")
    from itsm.catalog.models import Service

    wanted = {
        s.business_ci_id: s.business_ci
        for s in Service.objects.filter(agreements=agreement).select_related("business_ci")
        if s.business_ci_id
    }
    existing = {
        r.target_id: r for r in Relation.objects.filter(source=ci, type=covers).select_related()
    }
    for target_id, target in wanted.items():
        if target_id not in existing:
            cmdb.create_relation(
                source=ci, target=target, type=covers, by=by, change_reference=change_reference
            )
    for target_id, relation in existing.items():
        if target_id not in wanted:
            cmdb.delete_relation(relation, by=by, change_reference=change_reference)


# --- targets ----------------------------------------------------------------------------------


def _clean_target(target: Target) -> None:
    errors: dict[str, list[str]] = {}
    agreement = target.agreement
    if target.metric not in TargetMetric.values:
        raise _err("metric", _("Choose a metric."))
    if target.service_id and not agreement.services.filter(pk=target.service_id).exists():
        errors["service"] = [str(_("Choose one of the agreement's services (or none)."))]
    if target.priority and target.priority not in Priority.values:
        errors["priority"] = [str(_("Choose a priority."))]
    try:
        value = Decimal(str(target.target_value))
    except (InvalidOperation, TypeError, ValueError):
        raise _err("target_value", _("Enter a number.")) from None
    target.target_value = value.quantize(Decimal("0.001"))
    if target.metric in CLOCK_METRICS:
        if not target.priority:
            errors["priority"] = [str(_("Response and resolution targets need a priority."))]
        if value <= 0 or value != value.to_integral_value():
            errors["target_value"] = [str(_("Enter a positive whole number of business minutes."))]
        target.unit = target.unit or "min"
        target.higher_is_better = False
    elif target.metric == TargetMetric.AVAILABILITY:
        if not Decimal(0) <= value <= Decimal(100):
            errors["target_value"] = [str(_("Availability is a percentage between 0 and 100."))]
        target.unit = target.unit or "%"
        target.higher_is_better = True
    else:
        if not target.name.strip():
            errors["name"] = [str(_("Name the indicator."))]
        if not target.measurement_method.strip():
            errors["measurement_method"] = [str(_("Describe how the indicator is measured."))]
    if target.frequency not in Frequency.values:
        errors["frequency"] = [str(_("Choose a monitoring frequency."))]
    if errors:
        raise ValidationFailed(fields=errors)


def add_target(*, agreement: Agreement, by, change_reference: str = "", **fields) -> Target:
    """Add a target to *agreement* (service × priority × metric)."""
    unknown = set(fields) - set(TARGET_FIELDS)
    if unknown:
        raise ValidationFailed(fields={name: [str(_("Unknown field."))] for name in unknown})
    reference = _require_reference(agreement, change_reference)
    if fields.get("priority") is None:
        fields["priority"] = ""
    for text in ("name", "unit", "measurement_method"):
        if fields.get(text) is None:
            fields[text] = ""
    fields.setdefault("frequency", Frequency.MONTHLY)
    if fields.get("target_value") is None:
        raise _err("target_value", _("This field is required."))
    target = Target(agreement=agreement, **fields)
    _clean_target(target)
    with transaction.atomic():
        _clean_and_save(target)
        record_event(target, "created", by=by, note=reference)
        _agreement_changed(
            agreement, by=by, reference=reference, verb="target_added", target=target
        )
        check_underpinning(agreement)
    return target


def update_target(
    target: Target, *, by, expected_version: int | None = None, change_reference: str = "", **fields
) -> Target:
    unknown = set(fields) - set(TARGET_FIELDS) - {"agreement"}
    if unknown:
        raise ValidationFailed(fields={name: [str(_("Unknown field."))] for name in unknown})
    fields.pop("agreement", None)  # a target stays with its agreement
    changed = [name for name, value in fields.items() if getattr(target, name) != value]
    if not changed:
        if expected_version is not None and expected_version != target.version:
            save_versioned(target, expected_version=expected_version)
        return target
    agreement = target.agreement
    reference = _require_reference(agreement, change_reference)
    for name in changed:
        value = fields[name]
        if name in ("priority", "name", "unit", "measurement_method") and value is None:
            value = ""
        setattr(target, name, value)
    _clean_target(target)
    with transaction.atomic():
        target._change_reason = reference
        save_versioned(target, expected_version=expected_version)
        record_event(target, "changed", by=by, note=reference, data={"fields": sorted(changed)})
        _agreement_changed(
            agreement, by=by, reference=reference, verb="target_changed", target=target
        )
        check_underpinning(agreement)
    return target


def delete_target(target: Target, *, by, change_reference: str = "") -> None:
    agreement = target.agreement
    reference = _require_reference(agreement, change_reference)
    with transaction.atomic():
        _agreement_changed(
            agreement, by=by, reference=reference, verb="target_deleted", target=target
        )
        target.delete()
        check_underpinning(agreement)


def _agreement_changed(agreement: Agreement, *, by, reference: str, verb: str, target) -> None:
    """Note a target change on the agreement's timeline (with the authorising change)."""
    if reference and agreement.change_reference != reference:
        agreement.change_reference = reference
        agreement._change_reason = reference
        save_versioned(agreement, expected_version=None, update_fields=["change_reference"])
    record_event(
        agreement,
        verb,
        by=by,
        note=reference,
        data={"target": target.pk, "display": str(target), "change_reference": reference},
    )


# --- underpinning (R-SLM-08) ------------------------------------------------------------------


def warning_message(warning: dict) -> str:
    """The translated text of one stored underpinning warning (in the reader's language)."""
    metric = TargetMetric(warning["metric"]).label if warning.get("metric") else ""
    priority = warning.get("priority") or "—"
    if warning.get("metric") == TargetMetric.AVAILABILITY:
        text = gettext(
            "{contract}: {metric} {priority} is {contract_value} %, below the {sla_value} % "
            "promised in {sla}."
        )
    else:
        text = gettext(
            "{contract}: {metric} {priority} is {contract_value} min, longer than the "
            "{sla_value} min promised in {sla}."
        )
    return text.format(
        contract=warning.get("contract", ""),
        sla=warning.get("sla", ""),
        metric=metric,
        priority=str(priority).upper(),
        contract_value=warning.get("contract_value"),
        sla_value=warning.get("sla_value"),
    )


def _fmt(value: Decimal) -> str:
    value = Decimal(value).normalize()
    text = format(value, "f")
    return text


def _weaker(metric: str, contract_value: Decimal, sla_value: Decimal) -> bool:
    if metric == TargetMetric.AVAILABILITY:
        return contract_value < sla_value
    return contract_value > sla_value


def _applies(contract_target: Target, sla_target: Target) -> bool:
    if contract_target.metric != sla_target.metric:
        return False
    if contract_target.priority and sla_target.priority:
        if contract_target.priority != sla_target.priority:
            return False
    if contract_target.service_id and sla_target.service_id:
        return contract_target.service_id == sla_target.service_id
    return True


def check_underpinning(agreement: Agreement, *, also=()) -> dict[int, list[dict]]:
    """Recompute the underpinning warnings of *agreement* and of every agreement linked to it
    (its SLAs and their other OLAs/UCs, or its OLAs/UCs), plus the agreements in *also*
    (e.g. SLAs it no longer underpins). A weaker OLA/UC target — a longer response or
    resolution time, a lower availability — than the SLA target of the same metric × priority
    × (same service or SLA-wide) is flagged on both agreements. Returns id → warnings."""
    group: dict[int, Agreement] = {agreement.pk: agreement}
    for other in also:
        group[other.pk] = other
    slas = (
        [agreement]
        if agreement.kind == AgreementKind.SLA
        else list(agreement.underpins.all()) + [a for a in also if a.kind == AgreementKind.SLA]
    )
    for sla in slas:
        group[sla.pk] = sla
        for contract in sla.underpinned_by.all():
            group.setdefault(contract.pk, contract)
    links = list(
        Agreement.underpins.through.objects.filter(
            from_agreement_id__in=group, to_agreement_id__in=group
        ).values_list("from_agreement_id", "to_agreement_id")
    )
    numbers = dict(Agreement.objects.filter(pk__in=group).values_list("pk", "number"))
    targets: dict[int, list[Target]] = {pk: [] for pk in group}
    for target in Target.objects.filter(agreement_id__in=group, metric__in=COMPARED_METRICS):
        targets[target.agreement_id].append(target)
    warnings: dict[int, list[dict]] = {pk: [] for pk in group}
    for contract_id, sla_id in links:
        for ct in targets[contract_id]:
            for st in targets[sla_id]:
                if not _applies(ct, st) or not _weaker(ct.metric, ct.target_value, st.target_value):
                    continue
                base = {
                    "contract": numbers[contract_id],
                    "contract_id": contract_id,
                    "sla": numbers[sla_id],
                    "sla_id": sla_id,
                    "metric": ct.metric,
                    "priority": ct.priority or st.priority,
                    "contract_target": ct.pk,
                    "sla_target": st.pk,
                    "contract_value": _fmt(ct.target_value),
                    "sla_value": _fmt(st.target_value),
                }
                base["message"] = warning_message(base)
                warnings[contract_id].append({**base, "other": numbers[sla_id]})
                warnings[sla_id].append({**base, "other": numbers[contract_id]})
    for pk, items in warnings.items():
        # a computed column: no version bump, so a contract's edit never conflicts with the SLA
        Agreement.objects.filter(pk=pk).update(underpinning_warnings=items)
        group[pk].underpinning_warnings = items
    return warnings


# --- requirements (R-REQ) ---------------------------------------------------------------------

REQUIREMENT_FIELDS = ("customer", "kind", "service", "title", "description")


def _check_requirement_targets(requirement: Requirement, targets) -> list[Target]:
    targets = list(targets)
    wrong = [
        str(t)
        for t in targets
        if t.agreement.customer_id is None or t.agreement.customer_id != requirement.customer_id
    ]
    if wrong:
        raise _err(
            "targets",
            str(_("Only targets of this customer's agreements can meet it: {targets}")).format(
                targets=", ".join(wrong)
            ),
        )
    return targets


def _check_requirement(requirement: Requirement) -> None:
    if requirement.customer_id and requirement.customer.kind != OrganisationKind.CUSTOMER:
        raise _err("customer", _("Choose a customer organisation."))


def create_requirement(*, customer, kind: str, title: str, by, targets=(), **fields) -> Requirement:
    unknown = set(fields) - set(REQUIREMENT_FIELDS)
    if unknown:
        raise ValidationFailed(fields={name: [str(_("Unknown field."))] for name in unknown})
    if fields.get("description") is None:
        fields["description"] = ""
    requirement = Requirement(customer=customer, kind=kind, title=title, **fields)
    _check_requirement(requirement)
    targets = _check_requirement_targets(requirement, targets)
    with transaction.atomic():
        _clean_and_save(requirement)
        if targets:
            requirement.targets.set(targets)
        record_event(requirement, "created", by=by)
    return requirement


def update_requirement(
    requirement: Requirement, *, by, expected_version: int | None = None, targets=None, **fields
) -> Requirement:
    unknown = set(fields) - set(REQUIREMENT_FIELDS)
    if unknown:
        raise ValidationFailed(fields={name: [str(_("Unknown field."))] for name in unknown})
    for name, value in fields.items():
        if name == "description" and value is None:
            value = ""
        setattr(requirement, name, value)
    _check_requirement(requirement)
    if targets is not None:
        targets = _check_requirement_targets(requirement, targets)
    elif "customer" in fields:
        _check_requirement_targets(requirement, requirement.targets.select_related("agreement"))
    with transaction.atomic():
        save_versioned(requirement, expected_version=expected_version)
        if targets is not None:
            requirement.targets.set(targets)
        record_event(
            requirement,
            "changed",
            by=by,
            data={"fields": sorted(fields), "targets": sorted(t.pk for t in targets or [])},
        )
    return requirement


def set_requirement_targets(requirement: Requirement, *, targets, by) -> Requirement:
    """Trace *requirement* to the targets that meet it (targets of the same customer)."""
    targets = _check_requirement_targets(requirement, targets)
    with transaction.atomic():
        requirement.targets.set(targets)
        record_event(requirement, "traced", by=by, data={"targets": sorted(t.pk for t in targets)})
    return requirement


def review_requirement(
    requirement: Requirement,
    *,
    by,
    status: str = RequirementStatus.REVIEWED,
    note: str = "",
    expected_version: int | None = None,
) -> Requirement:
    """Record the review of a requirement: reviewed, agreed or rejected, by whom and when."""
    if status not in (
        RequirementStatus.REVIEWED,
        RequirementStatus.AGREED,
        RequirementStatus.REJECTED,
    ):
        raise _err("status", _("Choose reviewed, agreed or rejected."))
    with transaction.atomic():
        source = requirement.status
        requirement.status = status
        requirement.reviewed_by = by if getattr(by, "pk", None) else None
        requirement.reviewed_at = timezone.now()
        save_versioned(requirement, expected_version=expected_version)
        record_event(requirement, "reviewed", by=by, note=note, data={"from": source, "to": status})
    return requirement


def delete_requirement(requirement: Requirement, *, by) -> None:
    with transaction.atomic():
        record_event(requirement, "deleted", by=by)
        requirement.delete()


# --- review meetings (R-SLM-07) ---------------------------------------------------------------

#: seed 003 §5.2 "相关时间要求": the day of the month a meeting is due by, per kind
REVIEW_DAY = {
    ReviewKind.MONTHLY_INTERNAL: 10,
    ReviewKind.HALF_YEARLY_CUSTOMER: 15,
    ReviewKind.ANNUAL: 20,
}
REVIEW_MONTHS = {
    ReviewKind.MONTHLY_INTERNAL: tuple(range(1, 13)),
    ReviewKind.HALF_YEARLY_CUSTOMER: (1, 7),
    ReviewKind.ANNUAL: (1,),
}
DEFAULT_AGENDA = {
    ReviewKind.MONTHLY_INTERNAL: _(
        "技术服务合同执行情况回顾 (contract execution review)\n"
        "1. Service report of last month: service performance against each target\n"
        "2. Delivery capability: resources, workload, breaches and their causes\n"
        "3. Open improvement actions\n"
        "Attendees: service level manager, technical staff"
    ),
    ReviewKind.HALF_YEARLY_CUSTOMER: _(
        "服务级别协议回顾会议 (SLA review with the customer)\n"
        "1. Service reports of the half-year and the customer's opinion of the service\n"
        "2. Targets missed and their causes\n"
        "3. Service improvement plan\n"
        "Attendees: customer, service level manager, agreement maintainer, business "
        "relationship manager, supplier manager"
    ),
    ReviewKind.ANNUAL: _(
        "服务级别协议/支持合同年度回顾 (annual SLA/UC review)\n"
        "1. Contents and targets of the agreement: are they still what the business needs?\n"
        "2. Underpinning contracts and operational level agreements\n"
        "3. Changes to request (through change management)\n"
        "Attendees: customer, service level manager, agreement maintainer, business "
        "relationship manager"
    ),
}
REVIEW_TITLES = {
    ReviewKind.MONTHLY_INTERNAL: _("Contract execution review {month} {number}"),
    ReviewKind.HALF_YEARLY_CUSTOMER: _("SLA review with the customer {month} {number}"),
    ReviewKind.ANNUAL: _("Annual agreement review {year} {number}"),
}


def office_calendar(agreement: Agreement | None = None):
    """The calendar review dates are postponed by: the agreement's service hours when they
    observe holidays, otherwise the China statutory working-day calendar (``cn-5x8`` or any
    active calendar with holiday region CN); ``None`` means Monday–Friday."""
    from itsm.core.calendars.models import BusinessCalendar

    calendar = getattr(agreement, "calendar", None)
    if calendar is not None and calendar.holiday_region:
        return calendar
    return (
        BusinessCalendar.objects.filter(code="cn-5x8").first()
        or BusinessCalendar.objects.filter(holiday_region="CN", is_active=True)
        .order_by("pk")
        .first()
    )


def next_working_day(day: datetime.date, calendar) -> datetime.date:
    """*day* if it is a working day of *calendar*, else the next one ("如遇节假日可顺延")."""
    if calendar is None:
        while day.weekday() >= 5:
            day += datetime.timedelta(days=1)
        return day
    from itsm.core.calendars.businesstime import engine_for

    engine = engine_for(calendar)
    for _step in range(60):
        if engine.intervals_on(day):
            return day
        day += datetime.timedelta(days=1)
    return day  # pragma: no cover - a calendar without working days in 60 days


def review_due_dates(kind: str, year: int, calendar) -> list[datetime.date]:
    """The due dates of *kind* meetings in *year*, postponed past non-working days."""
    return [
        next_working_day(datetime.date(year, month, REVIEW_DAY[kind]), calendar)
        for month in REVIEW_MONTHS[kind]
    ]


def _review_kinds(agreement: Agreement) -> tuple[str, ...]:
    if agreement.kind == AgreementKind.SLA:
        return (ReviewKind.MONTHLY_INTERNAL, ReviewKind.HALF_YEARLY_CUSTOMER, ReviewKind.ANNUAL)
    return (ReviewKind.MONTHLY_INTERNAL, ReviewKind.ANNUAL)


def generate_review_schedule(agreement: Agreement, *, year: int, by=None) -> list[ReviewMeeting]:
    """Plan the review meetings of *agreement* in *year* (seed 003 §5.2); idempotent.

    Monthly internal contract-execution reviews (provider-internal: no customer), half-yearly
    SLA reviews with the customer (SLAs only) and the annual SLA/UC review. Only signed or
    active agreements get meetings, and only those due within their validity. Returns the
    meetings created by this call.
    """
    if agreement.status not in (AgreementStatus.SIGNED, AgreementStatus.ACTIVE):
        return []
    calendar = office_calendar(agreement)
    existing = set(
        ReviewMeeting.objects.filter(
            agreement=agreement, due_date__year__in=(year, year + 1)
        ).values_list("kind", "due_date")
    )
    created: list[ReviewMeeting] = []
    with transaction.atomic():
        for kind in _review_kinds(agreement):
            for month, due in zip(
                REVIEW_MONTHS[kind], review_due_dates(kind, year, calendar), strict=True
            ):
                nominal = datetime.date(year, month, REVIEW_DAY[kind])
                if agreement.valid_from and nominal < agreement.valid_from:
                    continue
                if agreement.valid_to and nominal > agreement.valid_to:
                    continue
                if (kind, due) in existing:
                    continue
                customer = (
                    agreement.customer
                    if kind != ReviewKind.MONTHLY_INTERNAL and agreement.kind == AgreementKind.SLA
                    else None
                )
                meeting = ReviewMeeting(
                    kind=kind,
                    agreement=agreement,
                    customer=customer,
                    title=str(REVIEW_TITLES[kind]).format(
                        month=nominal.strftime("%Y-%m"), year=year, number=agreement.number
                    )[:200],
                    due_date=due,
                    agenda=str(DEFAULT_AGENDA[kind]),
                )
                try:
                    with transaction.atomic():
                        meeting.save()
                except IntegrityError:  # planned concurrently
                    continue
                record_event(meeting, "planned", by=by)
                created.append(meeting)
    return created


def generate_all_review_schedules(*, years, by=None) -> int:
    """Plan the meetings of every signed/active agreement for *years*; returns how many."""
    count = 0
    agreements = Agreement.objects.filter(
        status__in=(AgreementStatus.SIGNED, AgreementStatus.ACTIVE)
    ).select_related("calendar", "customer")
    for agreement in agreements:
        for year in years:
            count += len(generate_review_schedule(agreement, year=year, by=by))
    return count


REVIEW_FIELDS = (
    "title",
    "due_date",
    "held_on",
    "agenda",
    "external_attendees",
    "minutes",
)


def create_review(
    *,
    kind: str,
    title: str,
    due_date: datetime.date,
    by,
    agreement: Agreement | None = None,
    customer=None,
    agenda: str = "",
    attendees=(),
    external_attendees: str = "",
) -> ReviewMeeting:
    """Plan a review meeting by hand (ad hoc or one the schedule does not cover)."""
    if agreement is not None and customer is None and kind != ReviewKind.MONTHLY_INTERNAL:
        customer = agreement.customer
    if (
        agreement is not None
        and customer is not None
        and agreement.customer_id
        not in (
            None,
            customer.pk,
        )
    ):
        raise _err("customer", _("The customer must be the agreement's customer."))
    if not agenda and kind in DEFAULT_AGENDA:
        agenda = str(DEFAULT_AGENDA[kind])
    meeting = ReviewMeeting(
        kind=kind,
        title=title,
        due_date=due_date,
        agreement=agreement,
        customer=customer,
        agenda=agenda or "",
        external_attendees=external_attendees or "",
    )
    with transaction.atomic():
        _clean_and_save(meeting)
        if attendees:
            meeting.attendees.set(attendees)
        record_event(meeting, "planned", by=by)
    return meeting


def update_review(
    meeting: ReviewMeeting,
    *,
    by,
    expected_version: int | None = None,
    attendees=None,
    **fields,
) -> ReviewMeeting:
    """Edit a meeting; giving ``held_on`` records it as held, ``status`` may cancel it."""
    status = fields.pop("status", None)
    unknown = set(fields) - set(REVIEW_FIELDS)
    if unknown:
        raise ValidationFailed(fields={name: [str(_("Unknown field."))] for name in unknown})
    for name, value in fields.items():
        if name in ("agenda", "external_attendees", "minutes") and value is None:
            value = ""
        setattr(meeting, name, value)
    if status is not None:
        if status not in ReviewStatus.values:
            raise _err("status", _("Choose a status."))
        meeting.status = status
    if meeting.held_on and meeting.status == ReviewStatus.PLANNED:
        meeting.status = ReviewStatus.HELD
    if meeting.status == ReviewStatus.HELD and not meeting.held_on:
        raise _err("held_on", _("Enter the date the meeting was held."))
    if meeting.held_on and meeting.held_on > timezone.localdate():
        raise _err("held_on", _("A meeting cannot be held in the future."))
    with transaction.atomic():
        try:
            save_versioned(meeting, expected_version=expected_version)
        except DjangoValidationError as exc:
            raise _django_errors(exc) from None
        if attendees is not None:
            meeting.attendees.set(attendees)
        record_event(
            meeting,
            "held" if "held_on" in fields and meeting.held_on else "changed",
            by=by,
            data={"fields": sorted(fields) + (["status"] if status else [])},
        )
    return meeting


def record_meeting(
    meeting: ReviewMeeting,
    *,
    by,
    held_on: datetime.date,
    minutes: str,
    attendees=(),
    external_attendees: str = "",
    expected_version: int | None = None,
) -> ReviewMeeting:
    """Record that a meeting was held: date, attendees and minutes."""
    if not (minutes or "").strip():
        raise _err("minutes", _("Write the minutes of the meeting."))
    return update_review(
        meeting,
        by=by,
        expected_version=expected_version,
        attendees=attendees,
        held_on=held_on,
        minutes=minutes,
        external_attendees=external_attendees,
    )


def add_action_item(
    *, meeting: ReviewMeeting, description: str, owner, due_date: datetime.date, by
) -> ActionItem:
    """Add an action agreed in *meeting* (continual improvement)."""
    item = ActionItem(meeting=meeting, description=description, owner=owner, due_date=due_date)
    with transaction.atomic():
        _clean_and_save(item)
        record_event(item, "created", by=by)
        record_event(meeting, "action_added", by=by, data={"action": item.pk})
    return item


ACTION_FIELDS = ("description", "owner", "due_date", "status")


def update_action_item(
    item: ActionItem, *, by, expected_version: int | None = None, **fields
) -> ActionItem:
    """Edit an action item; ``status=done`` stamps ``completed_at`` (cleared when reopened)."""
    unknown = set(fields) - set(ACTION_FIELDS) - {"meeting"}
    if unknown:
        raise ValidationFailed(fields={name: [str(_("Unknown field."))] for name in unknown})
    fields.pop("meeting", None)
    status = fields.get("status", item.status)
    if status not in ActionStatus.values:
        raise _err("status", _("Choose a status."))
    for name, value in fields.items():
        setattr(item, name, value)
    if status == ActionStatus.DONE and item.completed_at is None:
        item.completed_at = timezone.now()
    elif status != ActionStatus.DONE:
        item.completed_at = None
    with transaction.atomic():
        save_versioned(item, expected_version=expected_version)
        record_event(item, "changed", by=by, data={"fields": sorted(fields)})
    return item


def delete_action_item(item: ActionItem, *, by) -> None:
    with transaction.atomic():
        record_event(item.meeting, "action_deleted", by=by, data={"action": item.pk})
        item.delete()


__all__ = [
    "DomainError",
    "add_action_item",
    "add_target",
    "check_underpinning",
    "create_agreement",
    "create_requirement",
    "create_review",
    "delete_target",
    "generate_review_schedule",
    "record_meeting",
    "review_requirement",
    "transition_agreement",
    "update_agreement",
    "update_target",
]
