"""Browser: open an SLA test ticket in the past, let the sweeper run, read the warning and
breach lines on the clock timeline."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from itsm.slm.clocks import services
from itsm.slm.clocks.tests.factories import make_all_day, signed_sla, slm_manager

pytestmark = pytest.mark.browser


def test_past_ticket_breaches_and_the_timeline_explains_it(page, login, customer_a):
    agreement = signed_sla(customer_a, calendar=make_all_day())
    manager = slm_manager()
    type(manager).objects.filter(pk=manager.pk).update(language="en")
    login(manager)
    page.goto(f"/clocks/test-tickets/new/?agreement={agreement.pk}")
    page.fill("input[name=title]", "Payroll system down")
    page.select_option("select[name=priority]", "p1")
    opened = timezone.localtime() - timedelta(days=1)
    page.fill("input[name=opened_at]", opened.strftime("%Y-%m-%dT%H:%M"))
    page.click(".page-body form button.btn-primary")
    page.wait_for_url("**/clocks/test-tickets/*/")
    # the sweeper runs (the worker's periodic job does this every minute)
    assert services.sweep(now=timezone.now()) == 4  # response and resolution: warn + breach
    page.reload()
    lines = page.locator('[data-testid="clock-resolution"] [data-testid="clock-lines"] li')
    texts = lines.all_inner_texts()
    assert texts[0].startswith("running since ")
    assert any(t.startswith("warning at ") and "(at 75%)" in t for t in texts)
    assert any(t.startswith("breached at ") for t in texts)
    assert page.locator(
        '[data-testid="clock-resolution"] [data-testid="clock-breached"]'
    ).is_visible()
    timeline = page.locator('[data-testid="ticket-timeline"]').inner_text()
    assert "SLA breached" in timeline and "Escalated to the group leader." in timeline
    # pausing from the page explains the pause
    page.fill("input[name=reason]", "waiting for customer")
    page.click('[data-testid="action-pause"]')
    page.wait_for_selector('[data-testid="action-resume"]')
    assert (
        "waiting for customer"
        in page.locator('[data-testid="clock-resolution"] [data-testid="clock-lines"]').inner_text()
    )
