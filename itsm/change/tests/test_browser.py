"""Change management in a browser: the journey of a normal change (issue 12, "Done when"), in
zh-Hans and in English — raised against a CI with the type-ahead picker, its affected business
service and customer shown from the CMDB, warned of a conflicting change two hops away and of a
blackout, rescheduled to the assistant's window, given a risk level, approved by the CAB (not
by its requester), implemented and closed, shown on the CI's history; a second change failed
and rolled back after the confirmation step lowers the change success rate on the KPI page —
and the change list (sort, filter, columns, export)."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from itsm.change.choices import VERB_LABELS, RiskLevel, Vote
from itsm.change.kpis import CHANGE_SUCCESS_RATE
from itsm.change.models import Change, RiskQuestion
from itsm.change.services import approval, assessment, changes, config
from itsm.change.tests.factories import at, ci, make_change, relate
from itsm.core.testing.browser import pick
from itsm.core.testing.lists import cells, choose_columns, download, headers, sort_by, xlsx_rows

pytestmark = pytest.mark.browser


def _implementing(requester, manager, title, cis):
    """A second change, raised, assessed (low risk), approved and started through the services."""
    change = changes.submit(
        make_change(requester, title=title, cis=cis, start=at(20, 22)), by=requester
    )
    answers = {str(pk): 0 for pk in RiskQuestion.objects.values_list("pk", flat=True)}
    change = assessment.assess(change, by=requester, answers=answers)
    change = assessment.request_approval(change, by=requester)
    change = approval.decide(change, by=manager, vote=Vote.APPROVE, comment="同意 Approved.")
    return changes.start(change, by=requester)


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_journey_of_a_normal_change(
    page, login, requester, manager, cab_members, customer_a, language
):
    people = [requester, manager, cab_members[0]]
    type(requester).objects.filter(pk__in=[p.pk for p in people]).update(language=language)
    app, vm, app2 = ci("erp"), ci("vm", "virtual_machine"), ci("crm")
    service = ci("ERP 服务 ERP service", "business_service", customer=customer_a)
    relate(app, vm, "runs_on")
    relate(app2, vm, "runs_on")
    relate(service, app, "uses")
    booked = changes.submit(make_change(requester, cis=[app2], start=at(10, 22)), by=requester)
    config.create_window(
        by=manager,
        kind="blackout",
        name="月末冻结 Month-end freeze",
        starts_at=at(10, 0),
        ends_at=at(11, 0),
    )
    config.create_question(
        by=manager,
        text="已测试？ Tested?",
        answers=[{"label": "是 Yes", "weight": 0}, {"label": "否 No", "weight": 10}],
    )
    config.create_board(by=manager, code="cab", name="CAB", quorum=1, members=cab_members[:1])

    # the requester raises a normal change against the CI with the type-ahead picker
    login(requester)
    page.goto("/changes/new/")
    assert page.locator("html").get_attribute("lang") == language
    page.select_option("select[name=kind]", "normal")
    page.fill("input[name=title]", "ERP 升级 ERP upgrade")
    page.fill("textarea[name=implementation_plan]", "升级 Upgrade")
    page.fill("textarea[name=backout_plan]", "回退 Roll back")
    page.fill("input[name=planned_start]", "2031-03-10T22:00")
    page.fill("input[name=planned_end]", "2031-03-11T00:00")
    pick(page, "[data-field=cis]", "erp", app.number)
    page.click("[data-testid=save]")
    page.wait_for_selector("[data-testid=change-status][data-status=draft]")
    change = Change.objects.get(title="ERP 升级 ERP upgrade")

    # sees the affected business service and customer from the CMDB
    assert page.locator("html").get_attribute("lang") == language
    services_shown = page.inner_text("[data-testid=impact-services]")
    assert service.number in services_shown and "ERP 服务 ERP service" in services_shown
    assert "Customer A" in page.inner_text("[data-testid=impact-customers]")

    # is warned of the conflicting change two hops away and of the blackout
    page.click('[data-transition="submit"]')
    page.wait_for_selector("[data-testid=change-status][data-status=assessment]")
    conflicts = page.inner_text("[data-testid=conflicts]")
    assert booked.number in conflicts and "月末冻结 Month-end freeze" in conflicts
    assert page.locator('[data-conflict="nearby_ci"]').count() == 1
    assert page.locator('[data-conflict="blackout"]').count() == 1

    # accepts the assistant's window
    page.click("[data-testid=accept-proposal]")
    page.wait_for_selector("[data-testid=no-conflicts]")
    change.refresh_from_db()
    assert change.planned_start != at(10, 22) and not change.conflicts

    # gets a risk level: high, so the CAB decides
    page.select_option("[data-testid=assess] select", "1")  # "No": high risk → CAB
    page.click("[data-testid=assess-submit]")
    page.wait_for_selector('[data-transition="request_approval"]')
    change.refresh_from_db()
    assert (change.risk_level, change.approval_path) == ("high", "cab")
    with translation.override(language):
        assert str(RiskLevel.HIGH.label) in page.inner_text("[data-testid=risk-level]")
    assert service.number in page.inner_text("[data-testid=impact-services]")  # kept
    page.click('[data-transition="request_approval"]')
    page.wait_for_selector("[data-testid=change-status][data-status=approval]")
    assert page.locator("[data-testid=decide]").count() == 0  # not for the requester

    # the CAB member approves it
    login(cab_members[0])
    page.goto(f"/changes/{change.pk}/")
    page.select_option("[data-testid=decide] select[name=vote]", "approve")
    page.fill("[data-testid=decide] textarea[name=comment]", "同意 Approved")
    page.click("[data-testid=decide-submit]")
    page.wait_for_selector("[data-testid=change-status][data-status=scheduled]")

    # the requester implements it and closes it after the review
    login(requester)
    page.goto(f"/changes/{change.pk}/")
    page.click('[data-transition="start"]')
    page.wait_for_selector("[data-testid=change-status][data-status=implementing]")
    page.click('[data-transition="complete"]')
    page.wait_for_selector("[data-testid=change-status][data-status=review]")
    page.fill("[data-testid=close] textarea[name=review_note]", "顺利完成 Went well")
    page.click("[data-testid=close-submit]")
    page.wait_for_selector("[data-testid=change-status][data-status=closed]")
    change.refresh_from_db()
    assert (change.status, change.rolled_back) == ("closed", False)

    # the CI's history shows the change
    page.goto(reverse("cmdb:ci_detail", args=[app.pk]))
    page.click("[data-testid=ci-history]")
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == language
    history = page.inner_text("[data-testid=history]")
    with translation.override(language):
        assert str(VERB_LABELS["change_implemented"]) in history
    assert change.number in history  # the event names the change (request chgj R1)

    # a second change fails and is rolled back, after the confirmation step
    second = _implementing(requester, manager, "HR 补丁 HR patch", [ci("hr")])
    page.goto(f"/changes/{second.pk}/")
    page.wait_for_selector("[data-testid=change-status][data-status=implementing]")
    page.fill(
        "[data-testid=fail] textarea[name=outcome_note]", "服务无法启动 Service did not start"
    )
    page.click("[data-testid=fail-submit]")
    page.click("[data-testid=confirm-submit]")  # the confirmation step
    page.wait_for_selector("[data-testid=change-status][data-status=failed]")
    second.refresh_from_db()
    assert (second.rolled_back, second.outcome_note) == (True, "服务无法启动 Service did not start")

    # the change success rate falls to 50 % on the KPI page of the month
    month = timezone.localtime(second.closed_at).strftime("%Y-%m")
    login(manager)
    page.goto(f"/kpi/?period={month}")
    assert page.locator("html").get_attribute("lang") == language
    row = page.locator("[data-testid=kpi-row][data-kpi=change_success_rate]")
    with translation.override(language):
        assert str(CHANGE_SUCCESS_RATE.name) in row.inner_text()
    assert row.locator("[data-testid=kpi-ratio]").inner_text().strip() == "1 / 2"
    assert row.locator("[data-testid=kpi-value]").inner_text().strip().startswith("50")


def test_sort_filter_choose_columns_and_export_the_change_list(page, login, requester, manager):
    made = [make_change(requester, title=f"Change {n}") for n in range(4)]
    for change in made[:2]:
        changes.submit(change, by=requester)
    numbers = sorted(c.number for c in made)

    login(manager)
    page.goto("/changes/")
    sort_by(page, "number", "descending")
    assert cells(page, "number") == numbers[::-1]

    page.select_option("[data-testid=filter-form] select[name=status]", "assessment")
    page.click("[data-testid=filter-form] button[type=submit]")
    page.wait_for_load_state()
    assert cells(page, "number") == sorted((c.number for c in made[:2]), reverse=True)

    choose_columns(page, hide=["risk_level", "planned_start", "planned_end"])
    assert headers(page) == ["number", "title", "kind", "status"]
    rows = xlsx_rows(download(page, "xlsx"))
    assert [row[0] for row in rows[1:]] == sorted((c.number for c in made[:2]), reverse=True)
