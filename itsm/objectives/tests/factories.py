"""Factories of the objectives tests: rows are created through the services."""

from __future__ import annotations

from decimal import Decimal

from itsm.kpi.choices import Direction, Period, Unit
from itsm.objectives import services
from itsm.objectives.choices import ObjectiveScope, PlanStatus
from itsm.objectives.models import Objective, Plan


def make_plan(by, *, year: int = 2026, **fields) -> Plan:
    fields.setdefault("title", f"Objective plan {year}")
    fields.setdefault("management_policy", "Customer first.")
    return services.create_plan(by=by, year=year, **fields)


def approve(plan: Plan, *, by) -> Plan:
    return services.move_plan(plan, PlanStatus.APPROVED, by=by)


def manual_objective(by, plan: Plan, **fields) -> Objective:
    """A hand-measured monthly percentage objective (report timeliness 100 %)."""
    fields.setdefault("title", "Reports on time")
    fields.setdefault("unit", Unit.PERCENT)
    fields.setdefault("target", Decimal("100"))
    fields.setdefault("direction", Direction.HIGHER)
    fields.setdefault("period", Period.MONTH)
    return services.create_objective(by=by, plan=plan, **fields)


def customer_objective(by, plan: Plan, customer, **fields) -> Objective:
    fields.setdefault("title", f"SLA of {customer.code}")
    fields.setdefault("kpi_id", "desk_incident_sla")
    fields.setdefault("target", Decimal("90"))
    return services.create_objective(
        by=by, plan=plan, scope=ObjectiveScope.CUSTOMER, customer=customer, **fields
    )
