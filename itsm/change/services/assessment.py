"""Assessment of a change (R-CHG-02): its impact computed from the CMDB and the risk
questionnaire whose score selects the risk level and the approval path.

Impact: for each CI of the change, the CMDB's impact analysis (``cmdb.selectors.impact``,
dependents, depth 6, one statement) gives the affected business services, the agreements'
CIs and the customers, each with the path of CIs that connects it; the agreements are the SLM's
agreements of those CIs and the active ones covering the change's services
(``slm.selectors``), each with its availability targets. The result is kept on the change
(``impact``), so pages, the API and the conflict checks (the SLAs' service hours) read it
without walking the graph again.

Risk: every active question is answered by the index of one of its answers; the weights add up
to the score; the highest threshold at or below the score gives the level and the approval
path. An emergency change always takes the emergency CAB.
"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from itsm.catalog import selectors as catalog_selectors
from itsm.change.choices import ApprovalPath, ChangeKind, ChangeStatus, RiskLevel
from itsm.change.models import AdvisoryBoard, Change, RiskQuestion, RiskThreshold
from itsm.change.services.changes import _move, _set_customers, check_conflicts
from itsm.cmdb import selectors as cmdb_selectors
from itsm.core.errors import InvalidTransition, ValidationFailed
from itsm.core.services import save_versioned
from itsm.core.timeline import record_event
from itsm.slm import selectors as slm_selectors

IMPACT_DEPTH = 6

#: used while no threshold is configured
DEFAULT_THRESHOLDS = (
    (RiskLevel.LOW, 0, ApprovalPath.CHANGE_MANAGER),
    (RiskLevel.MEDIUM, 5, ApprovalPath.CHANGE_MANAGER),
    (RiskLevel.HIGH, 10, ApprovalPath.CAB),
)


def compute_impact(change: Change) -> dict:
    """The change's impact from the CMDB and the SLM (see the module docstring)."""
    services: dict[int, dict] = {}
    customers: dict[int, str] = {}
    agreement_paths: dict[int, list[str]] = {}
    truncated = False
    cis = list(change.cis.all())
    for ci in cis:
        result = cmdb_selectors.impact(ci, direction="dependents", max_depth=IMPACT_DEPTH)
        truncated = truncated or result.truncated
        numbers = {node.id: node.number for node in result.nodes}
        for node in result.business_services:
            path = [numbers.get(i, "") for i in node.path]
            if node.id not in services or len(path) < len(services[node.id]["path"]):
                services[node.id] = {
                    "id": node.id,
                    "number": node.number,
                    "name": node.name,
                    "path": path,
                }
        for node in result.agreements:
            path = [numbers.get(i, "") for i in node.path]
            if node.id not in agreement_paths or len(path) < len(agreement_paths[node.id]):
                agreement_paths[node.id] = path
        for customer in result.customers:
            customers[customer.id] = customer.name
        if ci.customer_id is not None and ci.customer_id not in customers:
            customers[ci.customer_id] = str(ci.customer)
    agreements: dict[int, dict] = {}
    by_ci = slm_selectors.all_agreements().filter(ci_id__in=list(agreement_paths))
    for agreement in by_ci.select_related("customer"):
        agreements[agreement.pk] = _agreement_row(
            agreement, agreement_paths.get(agreement.ci_id or 0, [])
        )
    change_services = list(change.services.all())
    if change_services:
        covering = (
            slm_selectors.all_agreements()
            .filter(services__in=change_services, status="active")
            .select_related("customer")
            .distinct()
        )
        names = {s.pk: s.name for s in change_services}
        for agreement in covering:
            if agreement.pk in agreements:
                continue
            covered = [
                names[pk] for pk in agreement.services.values_list("pk", flat=True) if pk in names
            ]
            agreements[agreement.pk] = _agreement_row(agreement, covered[:1])
        for _service_id, customer_id, customer_name in (
            catalog_selectors.all_services()
            .filter(pk__in=names, customers__isnull=False)
            .values_list("pk", "customers", "customers__name")
        ):
            customers.setdefault(customer_id, customer_name)
    for row in agreements.values():
        if row["customer_id"]:
            customers.setdefault(row["customer_id"], row["customer"])
    availability: dict[int, list[dict]] = {}
    for agreement_id, value, unit in (
        slm_selectors.all_targets()
        .filter(agreement_id__in=list(agreements), metric="availability")
        .values_list("agreement_id", "target_value", "unit")
    ):
        availability.setdefault(agreement_id, []).append({"value": str(value), "unit": unit})
    for agreement_id, row in agreements.items():
        row["availability"] = availability.get(agreement_id, [])
    return {
        "computed_at": timezone.now().isoformat(),
        "cis": [ci.number for ci in cis],
        "business_services": sorted(services.values(), key=lambda s: (len(s["path"]), s["number"])),
        "agreements": sorted(agreements.values(), key=lambda a: a["number"]),
        "customers": [
            {"id": pk, "name": name} for pk, name in sorted(customers.items(), key=lambda kv: kv[1])
        ],
        "truncated": truncated,
    }


def _agreement_row(agreement, path: list[str]) -> dict:
    return {
        "id": agreement.pk,
        "number": agreement.number,
        "title": agreement.title,
        "kind": agreement.kind,
        "customer_id": agreement.customer_id,
        "customer": agreement.customer.name if agreement.customer else "",
        "path": path,
    }


def thresholds() -> list[tuple[str, int, str]]:
    rows = list(
        RiskThreshold.objects.order_by("min_score").values_list(
            "level", "min_score", "approval_path"
        )
    )
    return rows or [(str(level), score, str(path)) for level, score, path in DEFAULT_THRESHOLDS]


def score_answers(answers: dict) -> tuple[dict, int]:
    """Check *answers* (question id → answer index) against the active questions; return the
    cleaned answers and the score. Every active question needs an answer."""
    if not isinstance(answers, dict):
        raise ValidationFailed(fields={"risk_answers": [str(_("Answer every question."))]})
    cleaned, score, errors = {}, 0, {}
    for question in RiskQuestion.objects.filter(is_active=True).order_by("order", "id"):
        key = str(question.pk)
        value = answers.get(key, answers.get(question.pk))
        try:
            index = int(str(value))
        except (TypeError, ValueError):
            errors[f"q{question.pk}"] = [str(_("Answer this question."))]
            continue
        if not 0 <= index < len(question.answers):
            errors[f"q{question.pk}"] = [str(_("Choose one of the answers."))]
            continue
        cleaned[key] = index
        score += int(question.answers[index].get("weight", 0))
    if errors:
        raise ValidationFailed(_("Answer every question of the risk questionnaire."), fields=errors)
    return cleaned, score


def level_for(score: int) -> tuple[str, str]:
    """The risk level and approval path of *score*."""
    level, path = RiskLevel.LOW.value, ApprovalPath.CHANGE_MANAGER.value
    for row_level, min_score, row_path in thresholds():
        if score >= min_score:
            level, path = row_level, row_path
    return level, path


def assess(change: Change, *, by, answers: dict, expected_version=None) -> Change:
    """Record the assessment of a change in assessment: impact, risk score, level and path."""
    if change.status != ChangeStatus.ASSESSMENT:
        raise InvalidTransition(
            _("Only a change in assessment is assessed."),
            fields={"status": [str(_("Not allowed from the current status."))]},
        )
    cleaned, score = score_answers(answers)
    level, path = level_for(score)
    if change.kind == ChangeKind.EMERGENCY:
        path = ApprovalPath.EMERGENCY_CAB
    with transaction.atomic():
        change.impact = compute_impact(change)
        change.risk_answers = cleaned
        change.risk_score = score
        change.risk_level = level
        change.approval_path = path
        change.assessed_at = timezone.now()
        save_versioned(change, expected_version=expected_version, by=by)
        _set_customers(change)
        record_event(change, "assessed", by=by, data={"score": score, "level": level, "path": path})
        check_conflicts(change, by=by)
    return change


def board_for(path: str) -> AdvisoryBoard | None:
    if path not in (ApprovalPath.CAB, ApprovalPath.EMERGENCY_CAB):
        return None
    return (
        AdvisoryBoard.objects.filter(
            is_active=True, is_emergency=path == ApprovalPath.EMERGENCY_CAB
        )
        .order_by("code")
        .first()
    )


def request_approval(change: Change, *, by, note: str = "", expected_version=None) -> Change:
    """Send an assessed change for approval along its path (a new approval round); the
    conflicts are checked again first, so the approvers see them."""
    if not change.risk_level:
        raise ValidationFailed(
            _("Assess the change first."),
            fields={"risk_level": [str(_("This field is required for this status."))]},
        )
    board = board_for(change.approval_path)
    if change.approval_path in (ApprovalPath.CAB, ApprovalPath.EMERGENCY_CAB) and board is None:
        raise ValidationFailed(
            _("No active CAB can decide on this change; the change manager must set one up."),
            fields={"approval_path": [str(_("No active CAB for this path."))]},
        )
    with transaction.atomic():
        _move(
            change,
            ChangeStatus.APPROVAL,
            by=by,
            note=note,
            expected_version=expected_version,
            board=board,
            approval_round=change.approval_round + 1,
        )
        check_conflicts(change, by=by)
    return change
