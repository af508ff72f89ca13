"""Services of problems (问题): create (on their own or from incidents), edit, the declared
lifecycle (``choices.PROBLEM_MACHINE``), linked incidents.

Rules:
- a problem's incidents are desk tickets of kind incident the acting user may see; an incident
  belongs to at most one problem that is not cancelled (ServiceNow's ``incident.problem_id``);
- created from incidents, a problem takes their service and category when they all share one,
  and their CIs;
- recording a known error needs the root cause and the workaround, and makes the problem's
  known error record (``known_errors.create_known_error``) unless it has an active one;
  resolving needs the root cause and the fix; the change that removes the cause is linked
  (``fix_change``, a change the acting user may see); ``change_reference`` is the free text
  recorded before that link existed, read-only;
- a closed or cancelled problem is frozen;
- every write updates the problem's entry in the search index in the same transaction.
"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from itsm.core.choices import Priority
from itsm.core.errors import Unprocessable, ValidationFailed
from itsm.core.services import save_versioned, set_actor
from itsm.core.services import transition as core_transition
from itsm.core.statemachine import ensure_transition
from itsm.core.timeline import record_event
from itsm.core.writes import insert_record
from itsm.problems.choices import ProblemSource, ProblemStatus
from itsm.problems.models import Problem
from itsm.problems.services import search
from itsm.problems.services._common import (
    actor,
    check_change,
    check_cis,
    check_incidents,
    check_manager,
    check_service,
    error,
    validate,
)

NUMBER_PREFIX = "PRB"
#: fields ``update_problem`` changes (the status moves only through ``move_problem``)
EDITABLE = (
    "title",
    "description",
    "priority",
    "manager",
    "assignment_group",
    "service",
    "category",
    "cis",
    "rca_method",
    "root_cause",
    "cause_category",
    "workaround",
    "fix",
    "fix_change",
)
FROZEN = (ProblemStatus.CLOSED, ProblemStatus.CANCELLED)
#: the analysis fields a status change may set (``move_problem``)
ANALYSIS = ("rca_method", "root_cause", "cause_category", "workaround", "fix", "fix_change")


def linked_elsewhere(tickets, *, problem: Problem | None = None) -> dict[int, str]:
    """Ticket id → number of the other (not cancelled) problem each of *tickets* is linked to."""
    through = Problem.incidents.through
    rows = through.objects.filter(ticket_id__in=[t.pk for t in tickets]).exclude(
        problem__status=ProblemStatus.CANCELLED
    )
    if problem is not None and problem.pk:
        rows = rows.exclude(problem_id=problem.pk)
    return dict(rows.values_list("ticket_id", "problem__number"))


def _check_free(tickets, *, problem: Problem | None = None) -> None:
    taken = linked_elsewhere(tickets, problem=problem)
    if taken:
        ticket = next(t for t in tickets if t.pk in taken)
        raise error(
            "incidents",
            _("{incident} is already linked to {problem}.").format(
                incident=ticket.number, problem=taken[ticket.pk]
            ),
        )


def _common(values: list):
    """The one record all *values* share, else ``None``."""
    if not values or any(v is None for v in values):
        return None
    return values[0] if len({v.pk for v in values}) == 1 else None


def _clean_text(problem: Problem) -> None:
    problem.title = (problem.title or "").strip()
    if not problem.title:
        raise error("title", _("This field is required."))


def create_problem(
    *,
    by,
    title: str,
    description: str = "",
    priority: str = Priority.P3,
    manager=None,
    assignment_group=None,
    service=None,
    category=None,
    cis=(),
    incidents=(),
    source: str | None = None,
    rca_method: str = "",
    root_cause: str = "",
    cause_category: str = "",
    workaround: str = "",
    fix: str = "",
    fix_change=None,
) -> Problem:
    """Create a problem in status ``new``, on its own or from one or many incidents."""
    incidents = check_incidents(incidents or (), by=by)
    _check_free(incidents)
    cis = check_cis(cis or (), by=by)
    if incidents:
        if service is None:
            service = _common([t.service for t in incidents])
        if category is None:
            category = _common([t.category for t in incidents])
        if not cis:
            from itsm.cmdb.selectors import all_cis

            cis = list(all_cis().filter(pk__in=_incident_ci_ids(incidents)).order_by("pk")[:50])
    check_service(service, by=by)
    check_manager(manager)
    check_change(fix_change, by=by)
    problem = Problem(
        title=title,
        description=description or "",
        priority=priority or Priority.P3,
        manager=manager,
        assignment_group=assignment_group,
        service=service,
        category=category,
        source=source or (ProblemSource.INCIDENTS if incidents else ProblemSource.MANUAL),
        rca_method=rca_method or "",
        root_cause=root_cause or "",
        cause_category=cause_category or "",
        workaround=workaround or "",
        fix=fix or "",
        fix_change=fix_change,
        status=ProblemStatus.NEW,
    )
    _clean_text(problem)
    validate(problem, checked=("number",))
    set_actor(problem, by)
    with transaction.atomic():
        insert_record(
            problem,
            by=actor(by),
            number_prefix=NUMBER_PREFIX,
            data={"incidents": [t.number for t in incidents]} if incidents else None,
        )
        if cis:
            problem.cis.set(cis)
        if incidents:
            problem.incidents.set(incidents)
        search.index_problem(problem)
    return problem


def _incident_ci_ids(incidents) -> list[int]:
    from itsm.desk import selectors as desk

    through = desk.all_tickets().model.cis.through
    return list(
        through.objects.filter(ticket_id__in=[t.pk for t in incidents])
        .values_list("configurationitem_id", flat=True)
        .distinct()
    )


def _refuse_frozen(problem: Problem) -> None:
    if problem.status in FROZEN:
        raise Unprocessable(
            _("A closed or cancelled problem cannot be changed."),
            fields={"status": [str(_("The problem is closed or cancelled."))]},
            code="frozen",
        )


def update_problem(
    problem: Problem, *, by, expected_version: int | None = None, note: str = "", **fields
) -> Problem:
    """Change the problem's description, assignment, affected records or analysis (``cis``
    replaces the whole list)."""
    unknown = sorted(set(fields) - set(EDITABLE))
    if unknown:
        raise ValidationFailed(
            fields={name: [str(_("This field cannot be changed here."))] for name in unknown}
        )
    _refuse_frozen(problem)
    cis = fields.pop("cis", None)
    if cis is not None:
        cis = check_cis(cis, by=by)
    if "service" in fields and fields["service"] != problem.service:
        check_service(fields["service"], by=by)
    if "manager" in fields:
        check_manager(fields["manager"])
    if fields.get("fix_change") is not None and fields["fix_change"] != problem.fix_change:
        check_change(fields["fix_change"], by=by)
    with transaction.atomic():
        for name, value in fields.items():
            setattr(problem, name, value if value is not None or name in _NULLABLE else "")
        _clean_text(problem)
        save_versioned(problem, expected_version=expected_version, by=by)
        if cis is not None:
            problem.cis.set(cis)
        changed = sorted({*fields, *(["cis"] if cis is not None else [])})
        record_event(problem, "updated", by=by, note=note, data={"fields": changed})
        search.index_problem(problem)
    return problem


_NULLABLE = {"manager", "assignment_group", "service", "category", "fix_change"}


def move_problem(
    problem: Problem,
    *,
    to: str,
    by,
    note: str = "",
    expected_version: int | None = None,
    make_known_error: bool = True,
    **fields,
) -> Problem:
    """Move *problem* along ``PROBLEM_MACHINE`` to *to*, setting *fields* (the analysis a move
    requires: root cause and workaround for a known error, root cause and fix to resolve)
    first. Recording a known error makes the known error record unless the problem has an
    active one (or *make_known_error* is false: the caller makes it)."""
    unknown = sorted(set(fields) - set(ANALYSIS))
    if unknown:
        raise ValidationFailed(
            fields={name: [str(_("This field cannot be changed here."))] for name in unknown}
        )
    if fields.get("fix_change") is not None and fields["fix_change"] != problem.fix_change:
        check_change(fields["fix_change"], by=by)
    now = timezone.now()
    stamps: dict[str, object] = {}
    if to == ProblemStatus.KNOWN_ERROR:
        stamps["known_error_at"] = problem.known_error_at or now
    elif to == ProblemStatus.RESOLVED:
        stamps["resolved_at"] = now
    elif to == ProblemStatus.CLOSED:
        stamps["closed_at"] = now
    elif to == ProblemStatus.INVESTIGATING and problem.status == ProblemStatus.RESOLVED:
        stamps["resolved_at"] = None
        stamps["reopen_count"] = problem.reopen_count + 1
    with transaction.atomic():
        for name, value in fields.items():
            setattr(problem, name, value or (None if name in _NULLABLE else ""))
        _clean_text(problem)
        ensure_transition(problem, to, by=by)  # the typed error before anything is written
        core_transition(problem, to, by=by, note=note, expected_version=expected_version, **stamps)
        if (
            to == ProblemStatus.KNOWN_ERROR
            and make_known_error
            and not problem.known_errors.filter(status="active").exists()
        ):
            from itsm.problems.services.known_errors import known_error_from_problem

            known_error_from_problem(problem, by=by)
        search.index_problem(problem)
    return problem


def link_incidents(problem: Problem, *, tickets, by, note: str = "") -> Problem:
    """Link more incidents to *problem* (those already linked are left as they are)."""
    _refuse_frozen(problem)
    tickets = check_incidents(tickets, by=by)
    if not tickets:
        raise error("incidents", _("Choose at least one incident."))
    _check_free(tickets, problem=problem)
    known = set(problem.incidents.values_list("pk", flat=True))
    new = [t for t in tickets if t.pk not in known]
    if not new:
        return problem
    with transaction.atomic():
        problem.incidents.add(*new)
        record_event(
            problem,
            "incidents_linked",
            by=by,
            note=note,
            data={"incidents": [t.number for t in new]},
        )
    return problem


def unlink_incident(problem: Problem, *, ticket, by) -> Problem:
    """Remove *ticket* from the problem's incidents."""
    _refuse_frozen(problem)
    if not problem.incidents.filter(pk=ticket.pk).exists():
        raise error("incidents", _("The incident is not linked to this problem."))
    with transaction.atomic():
        problem.incidents.remove(ticket)
        record_event(problem, "incident_unlinked", by=by, data={"incident": ticket.number})
    return problem


def delete_refused() -> None:
    """Problems are cancelled, never deleted (the API's DELETE)."""
    raise ValidationFailed(
        _("Problems are not deleted; cancel the problem instead."), code="delete_not_allowed"
    )


__all__ = [
    "EDITABLE",
    "create_problem",
    "link_incidents",
    "linked_elsewhere",
    "move_problem",
    "unlink_incident",
    "update_problem",
]
