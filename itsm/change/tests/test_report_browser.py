"""The change report in a browser, in English and in Chinese: the figures of this year's
changes, the three ECharts charts drawn from the product's own static files, a customer picked
by name narrowing the report, and the Excel download of the same scope."""

from __future__ import annotations

import pytest

from itsm.change.choices import Vote
from itsm.change.models import RiskQuestion
from itsm.change.services import approval, assessment, changes, config
from itsm.change.tests.factories import at, ci, make_change
from itsm.core.testing.browser import pick

pytestmark = pytest.mark.browser


def _finished(requester, manager, title, cis, *, fail: bool):
    change = changes.submit(make_change(requester, title=title, cis=cis), by=requester)
    answers = {str(pk): 0 for pk in RiskQuestion.objects.values_list("pk", flat=True)}
    change = assessment.assess(change, by=requester, answers=answers)
    change = assessment.request_approval(change, by=requester)
    change = approval.decide(change, by=manager, vote=Vote.APPROVE, comment="Go.")
    change = changes.start(change, by=requester)
    if fail:
        return changes.fail(
            change, by=requester, outcome_note="回退 Rolled back.", rolled_back=True
        )
    change = changes.complete(change, by=requester)
    return changes.close(change, by=requester, review_note="OK.")


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_report_charts_customer_and_excel(page, login, requester, manager, customer_a, language):
    type(manager).objects.filter(pk=manager.pk).update(language=language)
    config.create_question(
        by=manager,
        text="Tested?",
        answers=[{"label": "Yes", "weight": 0}, {"label": "No", "weight": 5}],
    )
    config.set_threshold(by=manager, level="low", min_score=0, approval_path="change_manager")
    ok = _finished(
        requester, manager, "邮件升级 Mail upgrade", [ci("mail", customer=customer_a)], fail=False
    )
    failed = _finished(requester, manager, "网络割接 Network cutover", [ci("core-sw")], fail=True)
    make_change(requester, title="紧急补丁 Hotfix", kind="emergency", start=at(12, 1))

    login(manager)
    page.goto("/changes/report/")
    for chart in ("trend-chart", "status-chart", "risk-chart"):
        page.wait_for_selector(f"[data-testid={chart}][data-rendered='1'] svg")
    assert page.inner_text("[data-testid=kpi-success-rate]").strip() == "50.0 %"
    assert page.inner_text("[data-testid=kpi-emergency-share]").strip() == "33.3 %"
    failures = page.inner_text("[data-testid=report-failures]")
    assert failed.number in failures and ok.number not in failures
    title = "变更报告" if language == "zh-hans" else "Change report"
    assert title in page.inner_text(".page-title")

    pick(page, "[data-field=customer]", "Customer", customer_a.code)
    page.click("[data-testid=report-form] button[type=submit]")
    page.wait_for_url(f"**customer={customer_a.code}**")
    assert customer_a.name in page.inner_text("[data-testid=report-scope]")
    # customer A: only the mail upgrade (the cutover's switch has no customer)
    assert page.inner_text("[data-testid=kpi-success-rate]").strip() == "100.0 %"
    assert failed.number not in page.inner_text("[data-testid=report-failures]")
    with page.expect_download() as download:
        page.click("[data-testid=report-excel]")
    assert download.value.suggested_filename.startswith("change-report-")
