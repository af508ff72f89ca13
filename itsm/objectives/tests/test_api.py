"""Objectives API: the shared endpoint tests for plans (staff), objectives and manual actuals
(customers read those decomposed to their organisation); the plan's four-eyes approval, the
target vs actual per period, bad input named by field."""

from __future__ import annotations

import datetime
import itertools
from decimal import Decimal

import pytest
from django.urls import reverse

from itsm.core.choices import Role
from itsm.core.testing.api import APIEndpointTests, assert_error, client_for
from itsm.core.testing.factories import UserFactory, get_provider
from itsm.kpi.choices import KpiStatus
from itsm.objectives import services
from itsm.objectives.choices import ObjectiveScope, PlanStatus
from itsm.objectives.models import ManualActual, Objective, Plan
from itsm.objectives.tests.factories import approve, make_plan, manual_objective

pytestmark = pytest.mark.django_db

_years = itertools.count(2030)


def _author():
    from itsm.core.models import User

    return User.objects.filter(username="obj-api-author").first() or UserFactory(
        username="obj-api-author", organisation=get_provider(), roles=(Role.QUALITY_MANAGER,)
    )


def _plan() -> Plan:
    return Plan.objects.filter(title="API plan").first() or make_plan(
        _author(), year=2026, title="API plan"
    )


def _customer_manual(owner) -> Objective:
    return manual_objective(
        _author(),
        _plan(),
        title=f"Reports on time for {owner.code}",
        scope=ObjectiveScope.CUSTOMER,
        customer=owner,
    )


class TestPlanAPI(APIEndpointTests):
    model = Plan
    url_name = "api:objectives-api:plan"
    tenancy = "staff"
    required_fields = ("year", "title")
    writer_roles = (Role.QUALITY_MANAGER,)
    limited_roles = (Role.ENGINEER_L2,)
    invalid_filters = ({"status": "bogus"}, {"year": "x"})

    def make_row(self, owner):
        return make_plan(_author(), year=next(_years), title=f"Plan for {owner.code}")

    def create_payload(self, env):
        return {
            "year": 2027,
            "title": "O&M objective plan 2027",
            "management_policy": "Customer first",
        }

    def update_payload(self, env, row):
        return {"commitments": "1) Resources are provided."}


class TestObjectiveAPI(APIEndpointTests):
    model = Objective
    url_name = "api:objectives-api:objective"
    tenancy = "customer"
    required_fields = ("plan", "target")
    writer_roles = (Role.QUALITY_MANAGER,)
    limited_roles = (Role.ENGINEER_L2,)
    invalid_filters = ({"scope": "galaxy"}, {"plan": "x"})

    def make_row(self, owner):
        return services.create_objective(
            by=_author(),
            plan=_plan(),
            kpi_id="desk_incident_sla",
            target=Decimal("90"),
            scope=ObjectiveScope.CUSTOMER,
            customer=owner,
        )

    def create_payload(self, env):
        return {
            "plan": _plan().pk,
            "title": "Incidents within the SLA",
            "kpi_id": "desk_incident_sla",
            "target": 92.5,
            "scope": "customer",
            "customer": env.customer_a.pk,
        }

    def update_payload(self, env, row):
        return {"target": 95.0, "owner": "Operations"}


class TestManualActualAPI(APIEndpointTests):
    model = ManualActual
    url_name = "api:objectives-api:actual"
    tenancy = "customer"
    required_fields = ("objective", "period_start", "value")
    writer_roles = (Role.QUALITY_MANAGER,)
    limited_roles = (Role.ENGINEER_L2,)
    invalid_filters = ({"objective": "x"}, {"since": "soon"})

    def make_row(self, owner):
        return services.enter_actual(
            by=_author(),
            objective=_customer_manual(owner),
            period_start=datetime.date(2026, 1, 1),
            value=Decimal("100"),
        )

    def create_payload(self, env):
        return {
            "objective": _customer_manual(env.customer_a).pk,
            "period_start": "2026-02-01",
            "value": 97.5,
            "note": "one report late",
        }

    def update_payload(self, env, row):
        return {"value": 99.0, "note": "corrected"}


def test_the_author_cannot_approve_through_the_api(provider):
    author = _author()
    approver = UserFactory(
        username="obj-api-approver", organisation=provider, roles=(Role.TOP_MANAGEMENT,)
    )
    both = UserFactory(
        username="obj-api-both",
        organisation=provider,
        roles=(Role.QUALITY_MANAGER, Role.TOP_MANAGEMENT),
    )
    plan = make_plan(both)
    manual_objective(both, plan)
    url = reverse("api:objectives-api:plan-transition", args=[plan.pk])
    body = {"to": "approved", "version": plan.version}
    assert_error(client_for(both).post(url, body, format="json"), 403, "four_eyes")
    assert_error(client_for(author).post(url, body, format="json"), 403, "permission_denied")
    response = client_for(approver).post(url, body, format="json")
    assert response.status_code == 200, response.json()
    assert response.json()["status"] == PlanStatus.APPROVED
    assert response.json()["approved_by"] == approver.pk


def test_actuals_per_period_and_bad_input(customer_a):
    author = _author()
    plan = make_plan(author)
    objective = _customer_manual(customer_a)
    client = client_for(author)
    post = client.post(
        reverse("api:objectives-api:actual-list"),
        {"objective": objective.pk, "period_start": "2026-03-15", "value": 80},
        format="json",
    )
    assert post.status_code == 201, post.json()
    assert post.json()["period_start"] == "2026-03-01"
    response = client.get(reverse("api:objectives-api:objective-actuals", args=[objective.pk]))
    assert response.status_code == 200
    cells = {c["period"]: c for c in response.json()}
    assert len(cells) == 12
    assert (cells["2026-03"]["actual"], cells["2026-03"]["status"]) == (80.0, KpiStatus.NOT_MET)
    assert cells["2026-03"]["actual_source"] == "manual"
    assert cells["2026-04"]["status"] == KpiStatus.NO_DATA
    bad = client.post(
        reverse("api:objectives-api:actual-list"),
        {"objective": objective.pk, "period_start": "2031-01-01", "value": 1},
        format="json",
    )
    assert_error(bad, 400, "validation", fields=("period_start",))
    unknown_kpi = client.post(
        reverse("api:objectives-api:objective-list"),
        {"plan": plan.pk, "kpi_id": "complaints", "target": 5},
        format="json",
    )
    assert_error(unknown_kpi, 400, "validation", fields=("kpi_id",))
    locked_objective = manual_objective(author, plan)
    rep = UserFactory(
        username="obj-api-rep",
        organisation=get_provider(),
        roles=(Role.MANAGEMENT_REPRESENTATIVE,),
    )
    approve(plan, by=rep)
    locked = client.patch(
        reverse("api:objectives-api:objective-detail", args=[locked_objective.pk]),
        {"target": 50, "version": locked_objective.version},
        format="json",
    )
    assert_error(locked, 422, "invalid_transition", fields=("target",))
