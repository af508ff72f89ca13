"""The objectives dashboard in the browser, in zh-Hans and in English: the demo-like plan's
target vs actual per period, its charts drawn, a hand-measured actual entered from the
dashboard, and the misses raised as improvement items once."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest

from itsm.conftest import _user
from itsm.core.choices import Role
from itsm.objectives import services
from itsm.objectives.tests.factories import approve, make_plan, manual_objective

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_dashboard(page, login, language, provider):
    from itsm.improvement.models import Item

    author = _user("obj-b-author", provider, Role.QUALITY_MANAGER, language=language)
    approver = _user("obj-b-approver", provider, Role.MANAGEMENT_REPRESENTATIVE, language=language)
    plan = make_plan(author)
    reports = manual_objective(author, plan)
    services.create_objective(
        by=author, plan=plan, kpi_id="desk_satisfaction", target=Decimal("4.5")
    )
    services.enter_actual(
        by=author, objective=reports, period_start=datetime.date(2026, 1, 1), value=100
    )
    approve(plan, by=approver)

    login(author)
    page.goto("/objectives/")
    assert page.locator("html").get_attribute("lang") == language
    row = page.locator(f"[data-testid=objective-row][data-objective='{reports.pk}']")
    january = row.locator("[data-testid=cell][data-period='2026-01']")
    assert january.get_attribute("data-status") == "met"
    page.wait_for_selector(f"#objective-chart-{reports.pk}[data-rendered='1']")
    row.locator("[data-testid=enter-actual][data-period='2026-02']").click()
    page.select_option("select[name=period_start]", "2026-02-01")
    page.fill("input[name=value]", "90")
    page.click("[data-testid=save]")
    cell = page.locator(
        f"[data-testid=objective-row][data-objective='{reports.pk}'] "
        "[data-testid=cell][data-period='2026-02']"
    )
    cell.wait_for()
    assert cell.get_attribute("data-status") == "not_met"
    assert cell.get_attribute("data-actual") == "90.00"

    login(approver)
    page.goto("/objectives/")
    for _ in range(2):
        page.click("[data-testid=raise-misses]")
        page.wait_for_selector("[data-testid=objectives-table]")
    assert list(Item.objects.values_list("source_key", flat=True)) == [
        f"objective:{reports.pk}:2026-02"
    ]
