"""Objectives pages: the dashboard (target vs actual per period, chart data, Excel) in zh-Hans
and en, a customer's dashboard holding only their objectives, the plan's page with four eyes,
the plan, objective and manual-actual forms through the services, bad input on the form."""

from __future__ import annotations

import datetime
import io
from decimal import Decimal

import openpyxl
import pytest
from django.test import Client
from django.urls import reverse

from itsm.conftest import _user
from itsm.core.choices import Role
from itsm.objectives import services
from itsm.objectives.choices import ObjectiveScope, PlanStatus
from itsm.objectives.models import ManualActual, Objective, Plan
from itsm.objectives.tests.factories import approve, customer_objective, make_plan, manual_objective

pytestmark = pytest.mark.django_db


def _client(user, language="en") -> Client:
    type(user).objects.filter(pk=user.pk).update(language=language)
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    client.force_login(user)
    return client


@pytest.fixture
def plan(author, approver, customer_a, customer_b):
    plan = make_plan(author)
    reports = manual_objective(author, plan)
    customer_objective(author, plan, customer_a, parent=None)
    customer_objective(author, plan, customer_b)
    services.enter_actual(
        by=author, objective=reports, period_start=datetime.date(2026, 1, 1), value=Decimal("95")
    )
    approve(plan, by=approver)
    return plan


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_dashboard_shows_target_and_actual_per_period(plan, author, language):
    response = _client(author, language).get(reverse("objectives:dashboard"))
    assert response.status_code == 200
    html = response.content.decode()
    assert f'lang="{language}"' in html
    reports = Objective.objects.get(title="Reports on time")
    assert f'data-objective="{reports.pk}"' in html
    assert 'data-period="2026-01" data-status="not_met" data-actual="95.00"' in html
    assert 'data-source="manual"' in html
    assert 'id="objective-chart-data"' in html
    assert len(response.context["rows"]) == 3
    assert response.context["chart"][0]["labels"][0] == "2026-01"


def test_dashboard_excel(plan, author):
    response = _client(author).get(reverse("objectives:dashboard_excel"), {"plan": plan.pk})
    assert response.status_code == 200
    content = b"".join(response.streaming_content)
    assert content[:2] == b"PK", content[:300]
    book = openpyxl.load_workbook(io.BytesIO(content))
    rows = list(book.active.iter_rows(values_only=True))
    assert rows[0][:3] == ("Objective", "Scope", "KPI")
    january = next(r for r in rows[1:] if r[0] == "Reports on time" and r[5] == "2026-01")
    assert (january[6], january[7], january[8]) == (100, 95, "Not met")
    assert len(rows) == 1 + 3 * 12


def test_a_customer_sees_only_their_objectives(plan, customer_a):
    user = _user("obj-page-customer", customer_a, Role.CUSTOMER_USER)
    client = _client(user)
    response = client.get(reverse("objectives:dashboard"))
    assert response.status_code == 200
    rows = response.context["rows"]
    assert [r.objective.customer_id for r in rows] == [customer_a.pk]
    assert not response.context["can_raise"]
    assert client.get(reverse("objectives:plan_detail", args=[plan.pk])).status_code == 403
    assert client.get(reverse("objectives:plan_list")).status_code == 403


def test_plan_page_hides_approval_from_the_author(author, approver):
    plan = make_plan(author)
    manual_objective(author, plan)
    html = _client(author).get(reverse("objectives:plan_detail", args=[plan.pk])).content.decode()
    assert 'data-testid="four-eyes"' in html
    assert 'data-transition="approve"' not in html
    html = _client(approver).get(reverse("objectives:plan_detail", args=[plan.pk])).content.decode()
    assert 'data-transition="approve"' in html
    response = _client(approver).post(
        reverse("objectives:plan_transition", args=[plan.pk]),
        {"to": "approved", "version": plan.version},
    )
    assert response.status_code == 302
    plan.refresh_from_db()
    assert (plan.status, plan.approved_by) == (PlanStatus.APPROVED, approver)


def test_forms_write_through_the_services(author, customer_a):
    client = _client(author)
    response = client.post(
        reverse("objectives:plan_create"),
        {"year": 2026, "title": "Plan 2026", "management_policy": "Customer first"},
    )
    assert response.status_code == 302
    plan = Plan.objects.get(title="Plan 2026")
    assert plan.author == author
    response = client.post(
        reverse("objectives:objective_create", args=[plan.pk]),
        {
            "title": "",
            "kpi_id": "desk_request_completion",
            "unit": "count",
            "target": "100",
            "direction": "",
            "period": "",
            "scope": ObjectiveScope.CUSTOMER,
            "customer": customer_a.code,
        },
    )
    assert response.status_code == 302, response.context["form"].errors
    objective = Objective.objects.get(plan=plan)
    assert (objective.kpi_id, objective.unit, objective.customer) == (
        "desk_request_completion",
        "percent",
        customer_a,
    )
    # bad input: the error names the field, no 500
    response = client.post(
        reverse("objectives:objective_create", args=[plan.pk]),
        {
            "title": "Complaints",
            "kpi_id": "",
            "unit": "count",
            "target": "4",
            "scope": "department",
        },
    )
    assert response.status_code == 200
    assert "team" in response.context["form"].errors
    manual = manual_objective(author, plan)
    response = client.post(
        reverse("objectives:actual_enter", args=[manual.pk]),
        {"period_start": "2026-02-01", "value": "98.5", "note": "one late"},
    )
    assert response.status_code == 302
    entry = ManualActual.objects.get(objective=manual)
    assert (entry.period_start, entry.value) == (datetime.date(2026, 2, 1), Decimal("98.50"))
    response = client.post(
        reverse("objectives:actual_enter", args=[manual.pk]),
        {"period_start": "2026-02-01", "value": "-1"},
    )
    assert response.status_code == 200
    assert "value" in response.context["form"].errors


def test_raise_misses_from_the_dashboard(plan, approver):
    from itsm.improvement.models import Item

    client = _client(approver)
    url = reverse("objectives:raise_misses", args=[plan.pk])
    assert client.post(url).status_code == 302
    assert client.post(url).status_code == 302
    reports = Objective.objects.get(title="Reports on time")
    assert list(Item.objects.values_list("source_key", flat=True)) == [
        f"objective:{reports.pk}:2026-01"
    ]
