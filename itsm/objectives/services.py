"""Management objective services (管理目标, R-OBJ-01/02) — the only writers of plans,
objectives and manual actuals, and the one place a missed objective raises an improvement.

Rules:

- a plan is drafted (its author recorded), approved by someone else than its author (four
  eyes, ``FourEyes``) holding an approver role, revised back to draft, or archived
  (``choices.PLAN_MACHINE``); a plan and its objectives are edited only as a draft;
- an objective's KPI is one of the registry (``kpi.registry``): its unit is the KPI's, its
  direction and period default to the KPI's and may be overridden; an objective without a
  KPI is measured by hand (:func:`enter_actual`, one value per period, re-entering replaces
  it); its scope names exactly one department, project or customer (or none: the provider);
  a child objective decomposes a parent of the same plan;
- :func:`raise_misses` evaluates the closed periods of approved plans and raises one
  improvement item per objective and period missed (``improvement.services.raise_item`` is
  idempotent on ``objective:<id>:<period>``), from the periodic job or the dashboard.
"""

from __future__ import annotations

import datetime
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from itsm.core.choices import OrganisationKind
from itsm.core.errors import FourEyes, InvalidTransition, ValidationFailed
from itsm.core.services import clean_record, refuse_unknown_fields, save_versioned, set_actor
from itsm.core.statemachine import ensure_transition
from itsm.core.timeline import record_event
from itsm.core.writes import insert_record
from itsm.improvement import services as improvement_services
from itsm.kpi.choices import KpiStatus, Unit
from itsm.kpi.registry import registry
from itsm.objectives import selectors
from itsm.objectives.choices import EDITABLE_STATES, PLAN_MACHINE, ObjectiveScope, PlanStatus
from itsm.objectives.models import ManualActual, Objective, Plan

PLAN_PREFIX = "OBP"
PLAN_FIELDS = frozenset({"year", "title", "management_policy", "commitments"})
OBJECTIVE_FIELDS = frozenset(
    {
        "title",
        "kpi_id",
        "unit",
        "target",
        "direction",
        "period",
        "scope",
        "team",
        "project",
        "customer",
        "parent",
        "owner",
    }
)
#: the source of the improvement items raised by a missed objective
MISS_SOURCE = "kpi_miss"


def _error(field: str, message) -> ValidationFailed:
    return ValidationFailed(fields={field: [str(message)]})


def _clean(obj, **kwargs) -> None:
    try:
        clean_record(obj, **kwargs)
    except ValidationError as error:
        raise ValidationFailed.from_django(error) from error


def _ensure_editable(plan: Plan, field: str) -> None:
    if plan.status not in EDITABLE_STATES:
        raise InvalidTransition(
            _("Only a draft plan can be edited: revise the approved plan first."),
            fields={field: [str(_("Not editable now."))]},
        )


# --- plans -----------------------------------------------------------------------------------


def _check_plan(plan: Plan) -> None:
    plan.title = (plan.title or "").strip()
    if plan.year is not None and not 2000 <= int(plan.year) <= 2100:
        raise _error("year", _("Enter a year between 2000 and 2100."))


def create_plan(
    *, by, year: int, title: str, management_policy: str = "", commitments: str = ""
) -> Plan:
    """Draft the objective plan of *year* (the next ``OBP-`` number); *by* is its author."""
    plan = Plan(
        year=year,
        title=title,
        management_policy=management_policy or "",
        commitments=commitments or "",
        author=by,
    )
    _check_plan(plan)
    _clean(plan, exclude=("number",))
    set_actor(plan, by)
    with transaction.atomic():
        insert_record(plan, by=by, number_prefix=PLAN_PREFIX)
    return plan


def update_plan(plan: Plan, *, by, expected_version: int | None = None, **fields) -> Plan:
    """Change a draft plan."""
    refuse_unknown_fields(fields, PLAN_FIELDS)
    if not fields:
        if expected_version is not None and expected_version != plan.version:
            save_versioned(plan, expected_version=expected_version, by=by)  # raises Conflict
        return plan
    _ensure_editable(plan, sorted(fields)[0])
    for name, value in fields.items():
        setattr(plan, name, value)
    _check_plan(plan)
    with transaction.atomic():
        try:
            save_versioned(plan, expected_version=expected_version, by=by)
        except ValidationError as error:
            raise ValidationFailed.from_django(error) from error
        record_event(plan, "updated", by=by, data={"fields": sorted(fields)})
    return plan


def move_plan(
    plan: Plan, to: str, *, by, note: str = "", expected_version: int | None = None
) -> Plan:
    """Approve, revise or archive a plan (``choices.PLAN_MACHINE``). The approver is not the
    author (four eyes); an approved plan holds at least one objective."""
    with transaction.atomic():
        source = plan.status
        step = ensure_transition(plan, to, by=by, machine=PLAN_MACHINE)
        if to == PlanStatus.APPROVED:
            if by is not None and plan.author_id == by.pk:
                raise FourEyes(_("You drafted this plan: another person must approve it."))
            if not plan.objectives.exists():
                raise _error("objectives", _("Add at least one objective before approving."))
            plan.approved_by = by
            plan.approved_at = timezone.now()
        plan.status = to
        save_versioned(plan, expected_version=expected_version, by=by)
        record_event(plan, step.name, by=by, note=note, data={"from": source, "to": to})
    return plan


# --- objectives ------------------------------------------------------------------------------


def _check_objective(objective: Objective, *, kpi_given: bool, fields: set[str]) -> None:
    objective.title = (objective.title or "").strip()
    objective.kpi_id = (objective.kpi_id or "").strip()
    objective.project = (objective.project or "").strip()
    kpi = registry.get(objective.kpi_id) if objective.kpi_id else None
    if objective.kpi_id and kpi is None:
        raise _error(
            "kpi_id", _("Choose a KPI of the catalogue, or none to enter actuals by hand.")
        )
    if kpi is not None:
        objective.unit = kpi.unit
        if kpi_given and "direction" not in fields:
            objective.direction = kpi.direction
        if kpi_given and "period" not in fields:
            objective.period = kpi.period
        if not objective.title:
            objective.title = str(kpi.name)
    if not objective.title:
        raise _error("title", _("Name the objective."))
    if objective.target is not None:
        try:
            target = Decimal(objective.target)
        except (InvalidOperation, TypeError, ValueError):
            raise _error("target", _("Enter a number.")) from None
        if objective.unit == Unit.PERCENT and not 0 <= target <= 100:
            raise _error("target", _("A percentage lies between 0 and 100."))
        if target < 0:
            raise _error("target", _("A target cannot be negative."))
    scope = objective.scope
    if scope == ObjectiveScope.DEPARTMENT and objective.team_id is None:
        raise _error("team", _("Choose the department the objective is decomposed to."))
    if scope == ObjectiveScope.PROJECT and not objective.project:
        raise _error("project", _("Name the project the objective is decomposed to."))
    if scope == ObjectiveScope.CUSTOMER:
        if objective.customer_id is None:
            raise _error("customer", _("Choose the customer the objective is decomposed to."))
        customer = objective.customer
        if customer is None or customer.kind != OrganisationKind.CUSTOMER:
            raise _error("customer", _("Choose a customer organisation."))
    if scope != ObjectiveScope.DEPARTMENT:
        objective.team = None
    if scope != ObjectiveScope.PROJECT:
        objective.project = ""
    if scope != ObjectiveScope.CUSTOMER:
        objective.customer = None
    parent = objective.parent if objective.parent_id is not None else None
    if parent is not None:
        if parent.plan_id != objective.plan_id:
            raise _error("parent", _("Choose an objective of the same plan."))
        ancestor: Objective | None = parent
        depth = 0
        while ancestor is not None and depth < 20:
            if objective.pk is not None and ancestor.pk == objective.pk:
                raise _error("parent", _("An objective cannot decompose itself."))
            ancestor, depth = ancestor.parent, depth + 1


def create_objective(
    *,
    by,
    plan: Plan,
    target,
    title: str = "",
    kpi_id: str = "",
    unit: str = Unit.COUNT,
    direction: str | None = None,
    period: str | None = None,
    scope: str = ObjectiveScope.PROVIDER,
    team=None,
    project: str = "",
    customer=None,
    parent: Objective | None = None,
    owner: str = "",
) -> Objective:
    """Add an objective to a draft plan."""
    _ensure_editable(plan, "plan")
    objective = Objective(
        plan=plan,
        title=title or "",
        kpi_id=kpi_id or "",
        unit=unit or Unit.COUNT,
        target=target,
        scope=scope or ObjectiveScope.PROVIDER,
        team=team,
        project=project or "",
        customer=customer,
        parent=parent,
        owner=owner or "",
    )
    given = {name for name, value in (("direction", direction), ("period", period)) if value}
    if direction:
        objective.direction = direction
    if period:
        objective.period = period
    _check_objective(objective, kpi_given=True, fields=given)
    _clean(objective)
    set_actor(objective, by)
    with transaction.atomic():
        insert_record(objective, by=by)
        record_event(plan, "objective_added", by=by, data={"objective": objective.pk})
    return objective


def update_objective(
    objective: Objective, *, by, expected_version: int | None = None, **fields
) -> Objective:
    """Change an objective of a draft plan."""
    refuse_unknown_fields(fields, OBJECTIVE_FIELDS)
    if not fields:
        if expected_version is not None and expected_version != objective.version:
            save_versioned(objective, expected_version=expected_version, by=by)
        return objective
    _ensure_editable(objective.plan, sorted(fields)[0])
    kpi_changed = "kpi_id" in fields and fields["kpi_id"] != objective.kpi_id
    for name, value in fields.items():
        setattr(objective, name, value)
    _check_objective(objective, kpi_given=kpi_changed, fields=set(fields))
    with transaction.atomic():
        try:
            save_versioned(objective, expected_version=expected_version, by=by)
        except ValidationError as error:
            raise ValidationFailed.from_django(error) from error
        record_event(objective, "updated", by=by, data={"fields": sorted(fields)})
    return objective


# --- manual actuals --------------------------------------------------------------------------


def enter_actual(
    *, by, objective: Objective, period_start: datetime.date, value, note: str = ""
) -> ManualActual:
    """Record the hand-measured actual of *objective* for the period holding *period_start*
    (a day of the plan's year); entering it again replaces the value."""
    if not objective.manual:
        raise _error("objective", _("This objective's actual is computed from the records."))
    if objective.plan.status == PlanStatus.ARCHIVED:
        raise _error("objective", _("The plan is archived."))
    if not isinstance(period_start, datetime.date):
        raise _error("period_start", _("Enter a date."))
    period = selectors.period_containing(objective.period, objective.plan.year, period_start)
    if period is None:
        raise _error(
            "period_start",
            _("Choose a period of the plan's year {year}.").format(year=objective.plan.year),
        )
    try:
        amount = Decimal(value)
    except (InvalidOperation, TypeError, ValueError):
        raise _error("value", _("Enter a number.")) from None
    if not amount.is_finite() or amount < 0:
        raise _error("value", _("Enter a number of zero or more."))
    with transaction.atomic():
        entry = (
            ManualActual.objects.select_for_update()
            .filter(objective=objective, period_start=period.start)
            .first()
        )
        if entry is None:
            entry = ManualActual(
                objective=objective, period_start=period.start, value=amount, note=note or ""
            )
            entry.entered_by = by
            _clean(entry, exclude=("objective",))
            set_actor(entry, by)
            insert_record(entry, by=by)
        else:
            entry.value = amount
            entry.note = note or ""
            entry.entered_by = by
            save_versioned(entry, expected_version=None, by=by)
        record_event(
            objective.plan,
            "actual_entered",
            by=by,
            data={"objective": objective.pk, "period": period.code, "value": str(amount)},
        )
    return entry


def update_actual(
    entry: ManualActual, *, by, expected_version: int | None = None, **fields
) -> ManualActual:
    """Correct a hand-entered actual (its value and note)."""
    refuse_unknown_fields(fields, {"value", "note"})
    if entry.objective.plan.status == PlanStatus.ARCHIVED:
        raise _error("objective", _("The plan is archived."))
    if "value" in fields:
        try:
            amount = Decimal(fields["value"])
        except (InvalidOperation, TypeError, ValueError):
            raise _error("value", _("Enter a number.")) from None
        if not amount.is_finite() or amount < 0:
            raise _error("value", _("Enter a number of zero or more."))
        entry.value = amount
    if "note" in fields:
        entry.note = fields["note"] or ""
    entry.entered_by = by
    with transaction.atomic():
        save_versioned(entry, expected_version=expected_version, by=by)
        record_event(entry, "updated", by=by, data={"fields": sorted(fields)})
    return entry


# --- misses ----------------------------------------------------------------------------------


def miss_key(objective: Objective, period: selectors.ObjectivePeriod) -> str:
    """The improvement register's reference of *objective*'s miss in *period*."""
    return f"objective:{objective.pk}:{period.code}"


def raise_misses(*, by=None, plan: Plan | None = None, now: datetime.datetime | None = None) -> int:
    """Raise one improvement item for every objective of the approved plans (or *plan*) that
    missed its target in a closed period; an item already raised for that objective and period
    is left as it is (``raise_item`` is idempotent on the key). The figures are read as the
    plan's approver sees them (or *by*). Returns the number of misses found."""
    now = now or timezone.now()
    plans = Plan.objects.filter(status=PlanStatus.APPROVED).select_related("approved_by")
    if plan is not None:
        plans = plans.filter(pk=plan.pk)
    found = 0
    for row_plan in plans.order_by("id"):
        reader = by or row_plan.approved_by or row_plan.author
        if reader is None:
            continue
        objectives = Objective.objects.filter(plan=row_plan).select_related(
            "plan", "customer", "team"
        )
        for objective in objectives.order_by("id"):
            row = selectors.evaluate(objective, user=reader, now=now)
            for cell in row.cells:
                if not cell.closed or cell.status != KpiStatus.NOT_MET:
                    continue
                found += 1
                improvement_services.raise_item(
                    source=MISS_SOURCE,
                    source_key=miss_key(objective, cell.period),
                    title=str(
                        _("{objective} missed in {period}: {actual} against {target}")
                    ).format(
                        objective=objective.title,
                        period=cell.period.label,
                        actual=cell.actual,
                        target=objective.target,
                    ),
                    description=str(_("Objective of plan {plan}; scope: {scope}.")).format(
                        plan=row_plan, scope=ObjectiveScope(objective.scope).label
                    ),
                    by=by,
                    customer=objective.customer,
                    kpi_id=objective.kpi_id,
                    period_start=cell.period.start,
                    period_end=cell.period.end - datetime.timedelta(days=1),
                )
    return found
