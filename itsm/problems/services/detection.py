"""Proactive problem detection (R-PRB-01: trend analysis): rules, the periodic detection and
the problem manager's decision on each proposal.

What the detection does (``detect``, run by the worker job ``problems.detect``): for each
active rule, the incidents opened within its window (not cancelled, not merged into another
ticket, not linked to a problem that is not cancelled) are grouped by the rule's dimension —
CI, service or category. A group reaching the threshold is proposed as a problem, with its
incidents attached:

- while a proposal for the same CI/service/category is waiting for a decision, new incidents
  are added to it (``proposal_refreshed``), never a second proposal;
- a dismissed proposal is remembered: its incidents no longer count towards a new proposal on
  the same CI/service/category. Only when enough *other* incidents (the threshold again) arrive
  in a window is it proposed again — so the same group of incidents is never proposed twice,
  and one more incident after a dismissal does not bring the proposal straight back; the new
  proposal lists every incident of the window, the ones seen before included, for context;
- accepting creates the problem (source "proactive detection") with the incidents linked and
  the CI, service or category set; its incidents are then linked, so they leave the counts.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.db import transaction
from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from itsm.core.choices import Priority
from itsm.core.errors import Conflict
from itsm.core.services import save_versioned, set_actor
from itsm.core.statemachine import ensure_transition
from itsm.core.timeline import record_event
from itsm.desk.choices import TicketKind, TicketStatus
from itsm.problems.choices import Dimension, ProblemSource, ProblemStatus, ProposalStatus
from itsm.problems.models import DetectionRule, Problem, ProblemProposal
from itsm.problems.services._common import actor, error, validate

#: the ticket field each dimension groups by
GROUP_FIELD = {Dimension.CI: "cis", Dimension.SERVICE: "service", Dimension.CATEGORY: "category"}
#: at most this many incidents are attached to one proposal (the oldest first)
MAX_ATTACHED = 200
RULE_FIELDS = ("name", "dimension", "threshold", "window_days", "is_active")


# --- rules ------------------------------------------------------------------------------------


def _clean_rule(rule: DetectionRule) -> None:
    rule.name = (rule.name or "").strip()
    if not rule.name:
        raise error("name", _("This field is required."))
    if rule.dimension not in Dimension.values:
        raise error("dimension", _("Choose a configuration item, service or category."))


def create_rule(
    *,
    by,
    name: str,
    dimension: str,
    threshold: int = 3,
    window_days: int = 7,
    is_active: bool = True,
) -> DetectionRule:
    """Add a detection rule."""
    rule = DetectionRule(
        name=name,
        dimension=dimension,
        threshold=threshold,
        window_days=window_days,
        is_active=is_active,
    )
    _clean_rule(rule)
    validate(rule)
    set_actor(rule, by)
    with transaction.atomic():
        rule.save()
        record_event(rule, "created", by=actor(by))
    return rule


def update_rule(
    rule: DetectionRule, *, by, expected_version: int | None = None, **fields
) -> DetectionRule:
    unknown = sorted(set(fields) - set(RULE_FIELDS))
    if unknown:
        raise error(unknown[0], _("This field cannot be changed here."))
    with transaction.atomic():
        for name, value in fields.items():
            setattr(rule, name, value)
        _clean_rule(rule)
        save_versioned(rule, expected_version=expected_version, by=by)
        record_event(rule, "updated", by=by, data={"fields": sorted(fields)})
    return rule


def delete_rule(rule: DetectionRule, *, by) -> None:
    """Delete a rule; its proposals stay (with no rule)."""
    with transaction.atomic():
        record_event(rule, "deleted", by=by, data={"name": rule.name})
        rule.delete()


# --- detection --------------------------------------------------------------------------------


def _candidates(rule: DetectionRule, now: datetime):
    from itsm.desk import selectors as desk

    linked = Problem.incidents.through.objects.exclude(
        problem__status=ProblemStatus.CANCELLED
    ).values("ticket_id")
    return (
        desk.all_tickets()
        .filter(
            kind=TicketKind.INCIDENT,
            opened_at__gte=now - timedelta(days=rule.window_days),
            opened_at__lte=now,
            merged_into__isnull=True,
        )
        .exclude(status=TicketStatus.CANCELLED)
        .exclude(pk__in=linked)
    )


def _label(dimension: str, key: int) -> str:
    row = _row(dimension, key)
    return str(row) if row is not None else f"#{key}"


def _row(dimension: str, key: int) -> object | None:
    """The CI, service or category *key* of a proposal (unrestricted: the worker's read)."""
    if dimension == Dimension.CI:
        from itsm.cmdb.selectors import all_cis

        return all_cis().filter(pk=key).first()
    if dimension == Dimension.SERVICE:
        from itsm.catalog.selectors import all_services

        return all_services().filter(pk=key).first()
    from itsm.desk.selectors import all_categories

    return all_categories().filter(pk=key).first()


def _seen(dimension: str, key: int) -> set[int]:
    """Incidents of dismissed proposals on this CI/service/category."""
    through = ProblemProposal.incidents.through
    return set(
        through.objects.filter(
            problemproposal__dimension=dimension,
            problemproposal__key=key,
            problemproposal__status=ProposalStatus.DISMISSED,
        ).values_list("ticket_id", flat=True)
    )


def detect(*, now: datetime | None = None) -> dict[str, int]:
    """Run every active rule once; return how many proposals were made and refreshed."""
    now = now or timezone.now()
    made = refreshed = 0
    for rule in DetectionRule.objects.filter(is_active=True).order_by("threshold", "id"):
        field = GROUP_FIELD[Dimension(rule.dimension)]
        candidates = _candidates(rule, now)
        groups = (
            candidates.filter(**{f"{field}__isnull": False})
            .values_list(field)
            .annotate(n=Count("id", distinct=True))
            .filter(n__gte=rule.threshold)
            .order_by(field)
        )
        for key, _count in groups:
            with transaction.atomic():
                outcome = _propose(rule, field, key, candidates, now)
            made += outcome == "made"
            refreshed += outcome == "refreshed"
    return {"made": made, "refreshed": refreshed}


def _propose(rule: DetectionRule, field: str, key: int, candidates, now: datetime) -> str:
    rows = list(
        candidates.filter(**{field: key})
        .order_by("opened_at", "id")
        .values_list("id", "opened_at")
        .distinct()[:MAX_ATTACHED]
    )
    ids = [pk for pk, _at in rows]
    waiting = (
        ProblemProposal.objects.select_for_update()
        .filter(dimension=rule.dimension, key=key, status=ProposalStatus.PROPOSED)
        .first()
    )
    if waiting is not None:
        known = set(waiting.incidents.values_list("pk", flat=True))
        new = [pk for pk in ids if pk not in known]
        if not new:
            return ""
        waiting.incidents.add(*new)
        waiting.incident_count = waiting.incidents.count()
        waiting.last_opened_at = max(at for _pk, at in rows)
        save_versioned(
            waiting,
            expected_version=None,
            update_fields=["incident_count", "last_opened_at"],
        )
        record_event(waiting, "proposal_refreshed", data={"added": len(new)})
        return "refreshed"
    seen = _seen(rule.dimension, key)
    if len([pk for pk in ids if pk not in seen]) < rule.threshold:
        return ""
    proposal = ProblemProposal(
        rule=rule,
        dimension=rule.dimension,
        key=key,
        label=_label(rule.dimension, key)[:250],
        incident_count=len(ids),
        first_opened_at=rows[0][1],
        last_opened_at=rows[-1][1],
    )
    validate(proposal)
    proposal.save()
    proposal.incidents.set(ids)
    record_event(
        proposal,
        "problem_proposed",
        data={"rule": rule.name, "threshold": rule.threshold, "window_days": rule.window_days},
    )
    return "made"


# --- decisions --------------------------------------------------------------------------------


def _decide(proposal: ProblemProposal, to: str, *, by, reason: str, **fields) -> None:
    ensure_transition(proposal, to, by=by)
    proposal.status = to
    proposal.decided_by = actor(by)
    proposal.decided_at = timezone.now()
    proposal.reason = (reason or "").strip()
    for name, value in fields.items():
        setattr(proposal, name, value)
    save_versioned(proposal, expected_version=None, by=by)
    verb = "accept" if to == ProposalStatus.ACCEPTED else "dismiss"
    record_event(proposal, verb, by=by, note=proposal.reason)


def _check_version(proposal: ProblemProposal, expected_version: int | None) -> None:
    if expected_version is not None and expected_version != proposal.version:
        raise Conflict(
            fields={
                "version": [
                    str(_("Expected version {expected}, found {found}.")).format(
                        expected=expected_version, found=proposal.version
                    )
                ]
            }
        )


def accept_proposal(
    proposal: ProblemProposal,
    *,
    by,
    title: str = "",
    priority: str = Priority.P3,
    manager=None,
    note: str = "",
    expected_version: int | None = None,
) -> Problem:
    """Create the problem of *proposal* with its incidents linked (those meanwhile linked to
    another problem are left out) and the CI, service or category set; return it."""
    from itsm.problems.services.problems import create_problem, linked_elsewhere

    with transaction.atomic():
        proposal = ProblemProposal.objects.select_for_update().get(pk=proposal.pk)
        _check_version(proposal, expected_version)
        ensure_transition(proposal, ProposalStatus.ACCEPTED, by=by)
        incidents = list(proposal.incidents.all().order_by("opened_at", "id"))
        taken = linked_elsewhere(incidents)
        incidents = [t for t in incidents if t.pk not in taken]
        related: dict[str, Any] = {}
        key_row = _row(proposal.dimension, proposal.key)
        if key_row is not None:
            if proposal.dimension == Dimension.CI:
                related["cis"] = [key_row]
            else:
                related[proposal.dimension] = key_row
        problem = create_problem(
            by=by,
            title=(title or "").strip()
            or gettext("Repeat incidents on {label}").format(label=proposal.label)[:200],
            description=gettext(
                "Proposed by the detection: {count} incidents on {label} between {first} and "
                "{last}."
            ).format(
                count=proposal.incident_count,
                label=proposal.label,
                first=_day(proposal.first_opened_at),
                last=_day(proposal.last_opened_at),
            ),
            priority=priority or Priority.P3,
            manager=manager if manager is not None else actor(by),
            incidents=incidents,
            source=ProblemSource.PROACTIVE,
            **related,
        )
        _decide(proposal, ProposalStatus.ACCEPTED, by=by, reason=note, problem=problem)
    return problem


def _day(value) -> str:
    return timezone.localtime(value).date().isoformat() if value else "—"


def dismiss_proposal(
    proposal: ProblemProposal, *, by, reason: str = "", expected_version: int | None = None
) -> ProblemProposal:
    """Dismiss *proposal*: remembered, so its incidents do not count towards a new proposal."""
    with transaction.atomic():
        proposal = ProblemProposal.objects.select_for_update().get(pk=proposal.pk)
        _check_version(proposal, expected_version)
        _decide(proposal, ProposalStatus.DISMISSED, by=by, reason=reason)
    return proposal
