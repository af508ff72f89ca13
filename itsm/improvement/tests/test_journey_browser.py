"""The improvement register in the browser, in zh-Hans and in English: the process owner
records an item (owner and customer picked by name, the KPI chosen from the catalogue, the
periods before and after) and plans it; the owner sees no approve button (four eyes); the
quality manager approves; the owner starts, records the implementation, measures the KPI before
and after (shown with its unit), records the effect and closes the item after confirming."""

from __future__ import annotations

import datetime

import pytest

from itsm.conftest import _user
from itsm.core.choices import Role
from itsm.core.testing.browser import pick
from itsm.improvement.choices import ItemStatus
from itsm.improvement.models import Item
from itsm.improvement.tests.factories import closed_item

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_an_item_from_plan_to_verified_closure(page, login, language, provider, customer_a):
    owner = _user("imp-po-b", provider, Role.PROCESS_OWNER, language=language)
    approver = _user("imp-qm-b", provider, Role.QUALITY_MANAGER, language=language)
    # the KPI "closed on time": 0 % in August (closed late), 100 % in October
    closed_item(
        owner,
        approver,
        customer=customer_a,
        closed_on=datetime.date(2026, 8, 20),
        due=datetime.date(2026, 8, 10),
    )
    closed_item(
        owner,
        approver,
        customer=customer_a,
        closed_on=datetime.date(2026, 10, 5),
        due=datetime.date(2026, 10, 9),
    )

    login(owner)
    page.goto("/improvement/")
    assert page.locator("html").get_attribute("lang") == language
    page.click("[data-testid=item-create]")
    page.select_option("select[name=source]", "audit")
    page.fill("input[name=source_key]", "AUD-2026-07")
    page.fill("input[name=title]", "按期关闭率 On-time closure")
    page.fill("textarea[name=goal]", "按期关闭 Close on time")
    pick(page, "[data-field=owner]", owner.username, owner.username)
    pick(page, "[data-field=customer]", customer_a.name, customer_a.code)
    page.fill("textarea[name=plan]", "每周跟踪 Weekly follow-up")
    page.fill("input[name=due_date]", "2026-12-31")
    page.select_option("select[name=kpi_id]", "improvement_on_time")
    page.fill("input[name=before_start]", "2026-08-01")
    page.fill("input[name=before_end]", "2026-08-31")
    page.fill("input[name=after_start]", "2026-10-01")
    page.fill("input[name=after_end]", "2026-10-31")
    page.click("[data-testid=save]")
    page.wait_for_selector("[data-testid=item-status][data-status=proposed]")
    item = Item.objects.get(source_key="AUD-2026-07")
    assert (item.owner, item.customer) == (owner, customer_a)

    page.click("button[data-transition=plan]")
    page.wait_for_selector("[data-testid=item-status][data-status=planned]")
    assert page.locator("button[data-transition=approve]").count() == 0
    assert page.locator("[data-testid=four-eyes]").count() == 1

    login(approver)
    page.goto(f"/improvement/{item.pk}/")
    page.click("button[data-transition=approve]")
    page.wait_for_selector("[data-testid=item-status][data-status=approved]")

    login(owner)
    page.goto(f"/improvement/{item.pk}/")
    page.click("button[data-transition=start]")
    page.wait_for_selector("[data-testid=item-status][data-status=implementing]")
    page.fill("[data-testid=implemented] textarea[name=implementation_notes]", "已执行 Done")
    page.click("[data-testid=implemented-submit]")
    page.wait_for_selector("[data-testid=item-status][data-status=verifying]")
    page.click("[data-testid=measure]")
    page.wait_for_selector("[data-testid=effect-after][data-value='100.0000']")
    assert "100" in page.inner_text("[data-testid=effect-after]")
    assert "%" in page.inner_text("[data-testid=effect-after]")
    assert page.get_attribute("[data-testid=effect-delta]", "data-better") == "yes"
    page.fill("[data-testid=record-effect] textarea[name=effect_note]", "按期率提升 Better")
    page.click("[data-testid=effect-submit]")
    page.wait_for_selector("[data-testid=effect-note]")
    page.click("button[data-transition=close]")
    page.click("[data-testid=confirm-submit]")
    page.wait_for_selector("[data-testid=item-status][data-status=closed]")
    assert Item.objects.get(pk=item.pk).status == ItemStatus.CLOSED
