"""Agreements (SLA / OLA / UC), their targets and the underpinning check (R-SLM-01/02/03/08).

Signing (seed 003 step 5, "与客户正式签订服务级别协议") follows the four-eyes rule:

- both parties' signatories are on record (``provider_signatory`` and the counterparty's
  ``customer_signatory``: the customer of an SLA, the internal team of an OLA, the supplier of
  a UC) — the declared ``sign`` transition requires them;
- the service level manager who signs (``signed_by``) is not the person who drafted the
  agreement (the actor of its ``created`` timeline row). Seed 003 separates the agreement
  maintainer (协议维护人, drafts and maintains the SLA) from the service level manager
  (服务级别经理, negotiates and signs it), so a drafter never approves their own draft alone.
  Refused with ``FourEyes`` (code ``four_eyes``). Moves made by the system (``by=None``) are
  not checked.
"""

from __future__ import annotations

import datetime
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from itsm.catalog.selectors import all_services, is_published
from itsm.core.calendars.selectors import has_working_hours
from itsm.core.choices import OrganisationKind, Priority
from itsm.core.errors import FourEyes, Unprocessable, ValidationFailed
from itsm.core.numbering import next_number
from itsm.core.services import save_versioned
from itsm.core.services import transition as core_transition
from itsm.core.statemachine import ensure_transition
from itsm.core.timeline import record_event, timeline_for
from itsm.kpi.choices import Unit
from itsm.slm.choices import (
    AGREEMENT_PREFIXES,
    CLOCK_METRICS,
    SIGNED_STATES,
    AgreementKind,
    AgreementStatus,
    Frequency,
    TargetIndicator,
    TargetMetric,
)
from itsm.slm.models import (
    Agreement,
    Target,
)
from itsm.slm.services._common import (
    AGREEMENT_FIELDS,
    COMPARED_METRICS,
    TARGET_FIELDS,
    _clean_and_save,
    _err,
)

# --- agreements -------------------------------------------------------------------------------


def _check_calendar(agreement: Agreement) -> None:
    """The agreement's calendar must have working hours: its clocks compute deadlines on it."""
    if agreement.calendar is not None and not has_working_hours(agreement.calendar):
        raise _err(
            "calendar",
            _("This calendar has no working hours; enter them before using it in an agreement."),
        )


def _check_parties(agreement: Agreement) -> None:
    """SLA: a customer organisation; OLA: an internal team; UC: a supplier organisation.
    The other party fields stay empty (OLAs and UCs are provider-internal)."""
    errors: dict[str, list[str]] = {}
    kind = agreement.kind
    needed: dict[str, str] = {
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
    if agreement.customer is not None and agreement.customer.kind != OrganisationKind.CUSTOMER:
        errors["customer"] = [str(_("Choose a customer organisation."))]
    if agreement.supplier is not None and agreement.supplier.kind != OrganisationKind.SUPPLIER:
        errors["supplier"] = [str(_("Choose a supplier organisation."))]
    if agreement.valid_from and agreement.valid_to and agreement.valid_from > agreement.valid_to:
        errors["valid_to"] = [str(_("The end of validity must not be before its start."))]
    if agreement.warning_percent is None or not 1 <= int(agreement.warning_percent) <= 99:
        errors["warning_percent"] = [str(_("Enter a percentage between 1 and 99."))]
    if errors:
        raise ValidationFailed(fields=errors)


def _check_services(services, *, already=(), customer_id=None, recheck_offer=False) -> list:
    """Services newly put in an agreement must be published in the catalogue; an SLA's
    services must be offered to its customer (the customer sees them on the SLA) — all of
    them again when the customer changes (``recheck_offer``)."""
    services = list(services)
    already = {getattr(s, "pk", s) for s in already}
    new = [s for s in services if s.pk not in already]
    wrong = [str(s) for s in new if not is_published(s)]
    if wrong:
        raise _err(
            "services",
            str(_("Only published services can be covered by an agreement: {names}")).format(
                names=", ".join(wrong)
            ),
        )
    offer_checked = services if recheck_offer else new
    if customer_id is not None and offer_checked:
        offered = set(
            all_services()
            .filter(pk__in=[s.pk for s in offer_checked], customers=customer_id)
            .values_list("pk", flat=True)
        )
        wrong = [str(s) for s in offer_checked if s.pk not in offered]
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
    _check_calendar(agreement)
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
            save_versioned(agreement, expected_version=expected_version, by=by)  # raises Conflict
        return agreement
    reference = _require_reference(agreement, change_reference)
    old = {name: _display(getattr(agreement, name)) for name in changed}
    for name in changed:
        setattr(agreement, name, fields[name])
    _check_parties(agreement)
    _check_calendar(agreement)
    if services_changed:
        services = _check_services(
            services,
            already=current_services,
            customer_id=agreement.customer_id,
            recheck_offer="customer" in changed,
        )
    elif "customer" in changed and agreement.customer_id is not None:
        _check_services(
            agreement.services.all(),
            already=current_services,
            customer_id=agreement.customer_id,
            recheck_offer=True,
        )
    if underpins_changed:
        underpins = _check_underpins(agreement, underpins)
    with transaction.atomic():
        if reference:
            agreement.change_reference = reference
        agreement._change_reason = reference  # shown as the note of the field-history row
        _fresh_warnings(agreement)
        save_versioned(agreement, expected_version=expected_version, by=by)
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
    """Move an agreement through its lifecycle. Signing needs validity, service hours, both
    signatories and at least one target, and a signer other than the drafter (module
    docstring); it records who signed and creates the agreement's configuration item."""
    with transaction.atomic():
        if to == AgreementStatus.SIGNED and agreement.status == AgreementStatus.NEGOTIATING:
            ensure_transition(agreement, to, by=by)  # roles and required fields first
            if not agreement.targets.exists():
                raise _err("targets", _("Add at least one target before signing."))
            _ensure_not_drafter(agreement, by=by)
        if to == AgreementStatus.SIGNED:
            agreement.signed_by = by if getattr(by, "pk", None) else None
            agreement.signed_at = timezone.now()
        _fresh_warnings(agreement)
        core_transition(agreement, to, by=by, note=note, expected_version=expected_version)
        if to == AgreementStatus.SIGNED:
            _sync_ci(agreement, by=by, change_reference=agreement.change_reference)
        _sync_ci_status(agreement, by=by)
    return agreement


def drafted_by_id(agreement: Agreement) -> int | None:
    """The id of the person who drafted *agreement* (its ``created`` timeline row)."""
    return (
        timeline_for(agreement)
        .filter(verb="created")
        .order_by("at")
        .values_list("actor_id", flat=True)
        .first()
    )


def _ensure_not_drafter(agreement: Agreement, *, by) -> None:
    """Four eyes: the drafter of an agreement does not sign it."""
    by_pk = getattr(by, "pk", None)
    if by_pk is not None and drafted_by_id(agreement) == by_pk:
        raise FourEyes(
            _("You drafted this agreement: another service level manager must sign it."),
        )


#: the status of an agreement's CI that follows each agreement status
CI_STATUS_FOR: dict[str, str] = {
    AgreementStatus.ACTIVE: "in_use",
    AgreementStatus.EXPIRED: "retired",
    AgreementStatus.TERMINATED: "retired",
}


def _sync_ci_status(agreement: Agreement, *, by) -> None:
    """Keep the agreement's CI in step: in use while active, retired once expired or
    terminated (through the CI's own declared transitions)."""
    from itsm.cmdb import services as cmdb
    from itsm.cmdb.selectors import all_cis

    wanted = CI_STATUS_FOR.get(agreement.status)
    if agreement.ci_id is None or wanted is None:
        return
    ci = all_cis().get(pk=agreement.ci_id)
    if ci.status != wanted and ci.state_machine.find(ci.status, wanted):
        cmdb.transition_ci(ci, to=wanted, by=None, change_reference=agreement.number)


def expire_agreements(*, today: datetime.date) -> list[Agreement]:
    """Move active agreements whose validity ended before *today* to expired (the daily job);
    the system makes the move, so no role is needed."""
    expired = []
    for agreement in Agreement.objects.filter(
        status=AgreementStatus.ACTIVE, valid_to__lt=today
    ).order_by("pk"):
        expired.append(
            transition_agreement(
                agreement,
                to=AgreementStatus.EXPIRED,
                by=None,
                note=str(_("Validity ended on {date}.")).format(date=agreement.valid_to),
            )
        )
    return expired


def _ci_attributes(agreement: Agreement, ci_class) -> dict:
    """The agreement class's number and type attributes, where the class defines them."""
    wanted = {"agreement_number": agreement.number, "agreement_type": agreement.kind}
    attributes = {}
    for definition in ci_class.attribute_definitions.filter(key__in=wanted):
        value = wanted[definition.key]
        if definition.choices and value not in definition.choices:
            continue
        attributes[definition.key] = value
    return attributes


def _sync_ci(agreement: Agreement, *, by, change_reference: str = "") -> None:
    """Create or update the agreement's CI and its ``covers`` relations to the business-service
    CIs of the covered services (an agreement is a CI, seed 003)."""
    from itsm.cmdb import services as cmdb
    from itsm.cmdb.selectors import relations_from

    name = f"{agreement.number} {agreement.title}"[:200]
    if agreement.ci is None:
        ci_class = cmdb.get_class("agreement")
        # the kind is an attribute value (a code shown with its label), not a description
        # written in the language of whoever signed (issue 8 item 6)
        ci = cmdb.create_ci(
            name=name,
            ci_class=ci_class,
            by=by,
            customer=agreement.customer,
            supplier=agreement.supplier,
            identifier=agreement.number,
            attributes=_ci_attributes(agreement, ci_class),
            change_reference=change_reference,
        )
        Agreement.objects.filter(pk=agreement.pk).update(ci=ci)
        agreement.ci = ci
    else:
        ci = agreement.ci
        if ci.name != name:
            cmdb.update_ci(ci, by=by, name=name, change_reference=change_reference)
    covers = cmdb.get_relation_type("covers")
    wanted = {
        s.business_ci_id: s.business_ci
        for s in agreement.services.select_related("business_ci")
        if s.business_ci is not None
    }
    existing = {r.target_id: r for r in relations_from(ci, covers).select_related()}
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
    target.unit = target.unit or ""
    if target.unit and target.unit not in Unit.values:
        errors["unit"] = [str(_("Choose a unit."))]
    target.indicator_kind = target.indicator_kind or TargetIndicator.CUSTOM
    if target.indicator_kind not in TargetIndicator.values:
        errors["indicator_kind"] = [str(_("Choose an indicator kind."))]
    elif target.metric != TargetMetric.OTHER and target.indicator_kind != TargetIndicator.CUSTOM:
        errors["indicator_kind"] = [str(_("Only an other indicator can be an achievement target."))]
    achievement = target.indicator_kind == TargetIndicator.SLA_ACHIEVEMENT
    if target.metric in CLOCK_METRICS:
        if not target.priority:
            errors["priority"] = [str(_("Response and resolution targets need a priority."))]
        if value <= 0 or value != value.to_integral_value():
            errors["target_value"] = [str(_("Enter a positive whole number of business minutes."))]
        target.unit = target.unit or Unit.MINUTES
        if target.unit not in (Unit.MINUTES, Unit.HOURS):
            errors["unit"] = [str(_("Response and resolution targets are in minutes or hours."))]
        target.higher_is_better = False
    elif target.metric == TargetMetric.AVAILABILITY or achievement:
        if not Decimal(0) <= value <= Decimal(100):
            errors["target_value"] = [
                str(_("An achievement target is a percentage between 0 and 100."))
                if achievement
                else str(_("Availability is a percentage between 0 and 100."))
            ]
        target.unit = target.unit or Unit.PERCENT
        if target.unit != Unit.PERCENT:
            errors["unit"] = [str(_("This target is a percentage."))]
        target.higher_is_better = True
        if achievement and not target.name.strip():
            errors["name"] = [str(_("Name the indicator."))]
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
            save_versioned(target, expected_version=expected_version, by=by)
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
        save_versioned(target, expected_version=expected_version, by=by)
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
        save_versioned(agreement, expected_version=None, update_fields=["change_reference"], by=by)
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


def _compared_value(target: Target) -> Decimal:
    """A target's value as the underpinning check compares it: business minutes for response
    and resolution (a target in hours × 60), percent for availability."""
    value = Decimal(target.target_value)
    if target.metric in CLOCK_METRICS and target.unit == Unit.HOURS:
        return value * 60
    return value


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
        for contract in Agreement.objects.filter(underpins=sla):
            group.setdefault(contract.pk, contract)
    links = list(
        Agreement.underpins.through.objects.filter(
            from_agreement_id__in=group, to_agreement_id__in=group
        ).values_list("from_agreement_id", "to_agreement_id")
    )
    numbers = {pk: a.number for pk, a in group.items()}
    targets: dict[int, list[Target]] = {pk: [] for pk in group}
    for target in Target.objects.filter(agreement_id__in=group, metric__in=COMPARED_METRICS):
        targets[target.agreement_id].append(target)
    warnings: dict[int, list[dict]] = {pk: [] for pk in group}
    for contract_id, sla_id in links:
        for ct in targets[contract_id]:
            for st in targets[sla_id]:
                contract_value, sla_value = _compared_value(ct), _compared_value(st)
                if not _applies(ct, st) or not _weaker(ct.metric, contract_value, sla_value):
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
                    "contract_value": _fmt(contract_value),
                    "sla_value": _fmt(sla_value),
                }
                base["message"] = warning_message(base)
                warnings[contract_id].append({**base, "other": numbers[sla_id]})
                warnings[sla_id].append({**base, "other": numbers[contract_id]})
    for pk, items in warnings.items():
        # a computed column: no version bump, so a contract's edit never conflicts with the SLA
        Agreement.objects.filter(pk=pk).update(underpinning_warnings=items)
        group[pk].underpinning_warnings = items
    return warnings
