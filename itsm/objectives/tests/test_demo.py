"""The demo step: the seed 004 plan approved by the management representative, its targets
mapped to the registered KPIs and to hand-entered actuals, decomposed to a customer, a
department and a project; the late report's month raised once as an improvement item; a
second run adds nothing."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.test import override_settings
from django.utils import timezone

from itsm.core.demo import load_demo
from itsm.improvement.models import Item
from itsm.objectives.choices import ObjectiveScope, PlanStatus
from itsm.objectives.models import ManualActual, Objective, Plan

pytestmark = [pytest.mark.slow, pytest.mark.django_db]  # loads the whole demo data


@override_settings(ITSM_DEMO_TICKETS=150)
def test_demo_plan_of_seed_004_once():
    load_demo()
    plan = Plan.objects.get(status=PlanStatus.APPROVED)
    draft = Plan.objects.get(status=PlanStatus.DRAFT)
    assert draft.year == plan.year + 1 and draft.objectives.count() == 1
    assert (plan.year, plan.status) == (timezone.localdate().year, PlanStatus.APPROVED)
    assert plan.approved_by.username == "director" and plan.author.username == "slm"
    targets = {(o.kpi_id, o.target) for o in Objective.objects.filter(parent=None, plan=plan)}
    assert targets == {
        ("desk_satisfaction", Decimal("4.50")),
        ("desk_incident_sla", Decimal("90.00")),
        ("", Decimal("100.00")),  # report timeliness, complaint timeliness (by hand)
        ("", Decimal("4.00")),  # fewer than 5 complaints (by hand)
        ("desk_request_completion", Decimal("100.00")),
    }
    assert set(Objective.objects.exclude(parent=None).values_list("scope", flat=True)) == {
        ObjectiveScope.CUSTOMER,
        ObjectiveScope.DEPARTMENT,
        ObjectiveScope.PROJECT,
    }
    reports = Objective.objects.get(title__startswith="服务报告交付及时率")
    if timezone.localdate().month > 3:
        assert (
            Item.objects.filter(
                source="kpi_miss", source_key=f"objective:{reports.pk}:{plan.year}-03"
            ).count()
            == 1
        )
    counts = (Plan.objects.count(), Objective.objects.count(), ManualActual.objects.count())
    items = Item.objects.count()
    load_demo()
    assert (Plan.objects.count(), Objective.objects.count(), ManualActual.objects.count()) == counts
    assert Item.objects.count() == items
