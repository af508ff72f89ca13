"""Objectives (R-OBJ-01/02): the plan's lifecycle with four eyes, objectives from the KPI
registry decomposed to departments, projects and customers, actuals equal to the KPI's own
``compute`` per period, met/missed by direction, manual actuals, and a miss raising exactly one
improvement item per objective and period."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from itsm.core.choices import Role
from itsm.core.errors import Forbidden, FourEyes, InvalidTransition, ValidationFailed
from itsm.core.testing.factories import UserFactory
from itsm.desk.reporting.tests.factories import random_dataset
from itsm.improvement.models import Item
from itsm.kpi.choices import Direction, KpiStatus, Period, Unit
from itsm.kpi.registry import registry
from itsm.objectives import selectors, services
from itsm.objectives.choices import ActualSource, ObjectiveScope, PlanStatus
from itsm.objectives.tests.factories import (
    approve,
    customer_objective,
    make_plan,
    manual_objective,
)

pytestmark = pytest.mark.django_db

AFTER_2026 = timezone.make_aware(datetime.datetime(2027, 1, 2))


def _month(cells, code):
    return next(c for c in cells if c.period.code == code)


# --- the plan --------------------------------------------------------------------------------


def test_the_author_cannot_approve_their_own_plan(author, approver, provider):
    plan = make_plan(author)
    manual_objective(author, plan)
    both = UserFactory(
        username="obj-both",
        organisation=provider,
        roles=(Role.QUALITY_MANAGER, Role.MANAGEMENT_REPRESENTATIVE),
    )
    own = make_plan(both, year=2027)
    manual_objective(both, own)
    with pytest.raises(FourEyes):
        services.move_plan(own, PlanStatus.APPROVED, by=both)
    with pytest.raises(Forbidden):  # the author's role does not approve
        services.move_plan(plan, PlanStatus.APPROVED, by=author)
    approve(plan, by=approver)
    plan.refresh_from_db()
    assert (plan.status, plan.approved_by, plan.author) == (PlanStatus.APPROVED, approver, author)
    assert plan.approved_at is not None


def test_a_plan_without_objectives_or_policy_is_not_approved(author, approver):
    plan = make_plan(author, management_policy="")
    with pytest.raises(ValidationFailed) as error:
        approve(plan, by=approver)
    assert "management_policy" in error.value.fields
    services.update_plan(plan, by=author, management_policy="Customer first.")
    with pytest.raises(ValidationFailed) as error:
        approve(plan, by=approver)
    assert "objectives" in error.value.fields


def test_an_approved_plan_is_not_edited_until_revised(author, approver):
    plan = make_plan(author)
    objective = manual_objective(author, plan)
    approve(plan, by=approver)
    with pytest.raises(InvalidTransition):
        services.update_plan(plan, by=author, title="Other")
    with pytest.raises(InvalidTransition):
        services.update_objective(objective, by=author, target=Decimal("95"))
    services.move_plan(plan, PlanStatus.DRAFT, by=author)
    services.update_objective(objective, by=author, target=Decimal("95"))
    objective.refresh_from_db()
    assert objective.target == Decimal("95.00")


# --- objectives ------------------------------------------------------------------------------


def test_an_objective_takes_unit_direction_and_period_from_its_kpi(author):
    plan = make_plan(author)
    kpi = registry.get("desk_satisfaction")
    objective = services.create_objective(
        by=author, plan=plan, kpi_id="desk_satisfaction", target=Decimal("4.5"), unit=Unit.COUNT
    )
    assert (objective.unit, objective.direction, objective.period) == (
        kpi.unit,
        kpi.direction,
        kpi.period,
    )
    assert objective.title == str(kpi.name)
    assert not objective.manual
    quarterly = services.create_objective(
        by=author,
        plan=plan,
        kpi_id="desk_satisfaction",
        target=Decimal("4"),
        direction=Direction.LOWER,
        period=Period.QUARTER,
    )
    assert (quarterly.direction, quarterly.period) == (Direction.LOWER, Period.QUARTER)


def test_objective_input_errors_name_the_field(author, customer_a, provider):
    plan = make_plan(author)
    cases = [
        ({"kpi_id": "complaints", "target": 5}, "kpi_id"),
        ({"kpi_id": "desk_incident_sla", "target": 120}, "target"),
        ({"title": "x", "target": -1}, "target"),
        ({"title": "x", "target": 1, "scope": ObjectiveScope.DEPARTMENT}, "team"),
        ({"title": "x", "target": 1, "scope": ObjectiveScope.PROJECT}, "project"),
        ({"title": "x", "target": 1, "scope": ObjectiveScope.CUSTOMER}, "customer"),
        (
            {"title": "x", "target": 1, "scope": ObjectiveScope.CUSTOMER, "customer": provider},
            "customer",
        ),
    ]
    for fields, field in cases:
        with pytest.raises(ValidationFailed) as error:
            services.create_objective(by=author, plan=plan, **fields)
        assert field in error.value.fields, fields
    other = manual_objective(author, make_plan(author, year=2027))
    with pytest.raises(ValidationFailed) as error:
        manual_objective(author, plan, parent=other)
    assert "parent" in error.value.fields


def test_decomposition_keeps_only_the_scope_named(author, customer_a):
    plan = make_plan(author)
    parent = services.create_objective(
        by=author, plan=plan, kpi_id="desk_incident_sla", target=Decimal("90")
    )
    child = services.create_objective(
        by=author,
        plan=plan,
        kpi_id="desk_incident_sla",
        target=Decimal("92"),
        scope=ObjectiveScope.CUSTOMER,
        customer=customer_a,
        project="ignored",
        parent=parent,
    )
    assert (child.customer, child.project, child.team, child.parent) == (
        customer_a,
        "",
        None,
        parent,
    )
    with pytest.raises(ValidationFailed) as error:
        services.update_objective(parent, by=author, parent=child)
    assert "parent" in error.value.fields


# --- actuals ---------------------------------------------------------------------------------


def test_actuals_equal_the_kpis_compute_per_period(author, customer_a, customer_b, provider):
    random_dataset(customer_a, customer_b, provider)
    plan = make_plan(author)
    whole = services.create_objective(
        by=author, plan=plan, kpi_id="desk_satisfaction", target=Decimal("4.5")
    )
    bank = customer_objective(author, plan, customer_a)
    for objective, customer in ((whole, None), (bank, customer_a)):
        row = selectors.evaluate(objective, user=author, now=AFTER_2026)
        assert [c.period.code for c in row.cells] == [f"2026-{m:02d}" for m in range(1, 13)]
        kpi = registry.get(objective.kpi_id)
        measured = 0
        for cell in row.cells:
            want = kpi.compute(
                period_start=cell.period.start_at(),
                period_end=cell.period.end_at(),
                customer=customer,
                user=author,
            ).value
            assert cell.actual == want, (objective.kpi_id, cell.period.code)
            assert cell.source == ActualSource.COMPUTED
            measured += want is not None
        assert measured >= 3  # January to April hold records
        march = _month(row.cells, "2026-03")
        assert march.actual is not None
        assert march.status == (
            KpiStatus.MET if march.actual >= objective.target else KpiStatus.NOT_MET
        )
        assert _month(row.cells, "2026-12").status == KpiStatus.NO_DATA


def test_quarter_and_year_periods(author):
    plan = make_plan(author)
    quarterly = manual_objective(author, plan, period=Period.QUARTER)
    yearly = manual_objective(author, plan, period=Period.YEAR)
    assert [c.period.code for c in selectors.evaluate(quarterly, user=author).cells] == [
        "2026-Q1",
        "2026-Q2",
        "2026-Q3",
        "2026-Q4",
    ]
    cells = selectors.evaluate(yearly, user=author).cells
    assert [(c.period.start, c.period.end) for c in cells] == [
        (datetime.date(2026, 1, 1), datetime.date(2027, 1, 1))
    ]


@pytest.mark.parametrize(
    ("direction", "value", "status"),
    [
        (Direction.HIGHER, "90", KpiStatus.MET),
        (Direction.HIGHER, "89.99", KpiStatus.NOT_MET),
        (Direction.LOWER, "90", KpiStatus.MET),
        (Direction.LOWER, "90.01", KpiStatus.NOT_MET),
        (Direction.LOWER, None, KpiStatus.NO_DATA),
    ],
)
def test_met_or_missed_by_direction(direction, value, status):
    actual = None if value is None else Decimal(value)
    assert selectors.verdict(actual, target=Decimal("90"), direction=direction) == status


def test_manual_actuals_are_entered_once_per_period(author, approver):
    plan = make_plan(author)
    objective = manual_objective(author, plan, period=Period.QUARTER)
    services.enter_actual(
        by=author, objective=objective, period_start=datetime.date(2026, 2, 14), value="97.5"
    )
    entry = services.enter_actual(
        by=author,
        objective=objective,
        period_start=datetime.date(2026, 1, 1),
        value=100,
        note="all on time",
    )
    assert objective.actuals.count() == 1
    assert (entry.period_start, entry.value, entry.entered_by) == (
        datetime.date(2026, 1, 1),
        Decimal("100"),
        author,
    )
    cells = selectors.evaluate(objective, user=author, now=AFTER_2026).cells
    assert [(c.actual, c.status, c.source) for c in cells[:2]] == [
        (Decimal("100.00"), KpiStatus.MET, ActualSource.MANUAL),
        (None, KpiStatus.NO_DATA, ActualSource.MANUAL),
    ]
    assert cells[0].note == "all on time"


def test_manual_actual_errors_name_the_field(author, customer_a):
    plan = make_plan(author)
    manual = manual_objective(author, plan)
    computed = customer_objective(author, plan, customer_a)
    cases = [
        (computed, datetime.date(2026, 1, 1), 1, "objective"),
        (manual, datetime.date(2025, 12, 1), 1, "period_start"),
        (manual, datetime.date(2026, 1, 1), "many", "value"),
        (manual, datetime.date(2026, 1, 1), -3, "value"),
        (manual, "2026-01", 3, "period_start"),
    ]
    for objective, day, value, field in cases:
        with pytest.raises(ValidationFailed) as error:
            services.enter_actual(by=author, objective=objective, period_start=day, value=value)
        assert field in error.value.fields, (day, value)


# --- misses ----------------------------------------------------------------------------------


def test_a_miss_raises_one_improvement_item_per_objective_and_period(author, approver):
    plan = make_plan(author)
    objective = manual_objective(author, plan)
    met = manual_objective(author, plan, title="Met every month")
    for month, value in ((1, 100), (2, 95), (3, 80)):
        services.enter_actual(
            by=author, objective=objective, period_start=datetime.date(2026, month, 1), value=value
        )
        services.enter_actual(
            by=author, objective=met, period_start=datetime.date(2026, month, 1), value=100
        )
    assert services.raise_misses(now=AFTER_2026) == 0  # a draft plan is not measured
    approve(plan, by=approver)
    march_end = timezone.make_aware(datetime.datetime(2026, 3, 31, 12))
    assert services.raise_misses(now=march_end) == 1  # March is not closed yet
    assert services.raise_misses(now=AFTER_2026) == 2
    assert services.raise_misses(now=AFTER_2026) == 2  # run twice: no new item
    items = Item.objects.filter(source="kpi_miss").order_by("source_key")
    assert [i.source_key for i in items] == [
        f"objective:{objective.pk}:2026-02",
        f"objective:{objective.pk}:2026-03",
    ]
    feb = items[0]
    assert (feb.before_start, feb.before_end) == (
        datetime.date(2026, 2, 1),
        datetime.date(2026, 2, 28),
    )
    assert "Reports on time" in feb.title


# --- tenancy ---------------------------------------------------------------------------------


def test_customers_see_only_the_objectives_decomposed_to_them(
    author, approver, customer_a, customer_b
):
    from itsm.conftest import _user

    plan = make_plan(author)
    manual_objective(author, plan)
    mine = customer_objective(author, plan, customer_a)
    customer_objective(author, plan, customer_b)
    user = _user("obj-customer", customer_a, Role.CUSTOMER_USER)
    assert list(selectors.objectives_for(user)) == [mine]
    approve(plan, by=approver)
    assert list(selectors.plans_for(user)) == []
    assert [r.objective for r in selectors.plan_rows(plan, user=user)] == [mine]
