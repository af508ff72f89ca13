"""The desk's journey in the browser, in zh-Hans and in English (issue 11, "Done when"): an
agent logs a call at the console, a rule dispatches it to the server group's engineer, the
engineer starts work and waits for the customer (the resolution clock pauses), the customer
answers in the portal (work resumes), the engineer resolves, the customer confirms and rates."""

from __future__ import annotations

import pytest

from itsm.core import services as core_services
from itsm.core.testing.browser import pick
from itsm.desk.choices import TicketStatus
from itsm.desk.models import Call, Ticket
from itsm.desk.services import config
from itsm.slm.clocks import services as clocks


def _resolution_clock(ticket):
    return next(c for c in clocks.clocks_of(ticket) if c.metric == "resolution")


@pytest.mark.browser
@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_call_to_rating(
    page,
    login,
    language,
    customer_a,
    customer_user,
    agent,
    engineers,
    group,
    category,
    service,
    matrix,
):
    for user in (agent, engineers[0], customer_user):
        core_services.set_language(user, language=language)
    config.create_dispatch_rule(
        by=None, name="Hardware", category=category, team=group, assign_mode="round_robin"
    )

    # the agent logs the call in a few keystrokes
    login(agent)
    page.goto("/desk/console/")
    assert page.locator("html").get_attribute("lang") == language
    pick(
        page,
        "[data-testid=console] [data-field=caller]",
        customer_user.username[:6],
        customer_user.username,
    )
    pick(page, "[data-testid=console] [data-field=service]", service.code[-3:], service.code)
    page.select_option("select[name=category]", str(category.pk))
    page.fill("input[name=title]", "打印机无法打印 / printer does not print")
    page.select_option("select[name=urgency]", "1")
    page.click("[data-testid=console-save]")
    page.wait_for_selector("[data-testid=ticket-status]")
    ticket = Ticket.objects.get()
    assert ticket.assignment_group == group and ticket.assignee == engineers[0]
    assert ticket.status == TicketStatus.ASSIGNED and ticket.priority == "p2"
    assert Call.objects.get().ticket == ticket
    assert group.name in page.inner_text("[data-testid=ticket-group]")

    # the engineer works it and waits for the customer: the clock pauses
    login(engineers[0])
    page.goto(f"/desk/tickets/{ticket.pk}/")
    page.click("[data-testid=action-start]")
    page.wait_for_selector("[data-testid=wait-form]")
    page.select_option("[data-testid=wait-form] select[name=on]", "pending_customer")
    page.fill("[data-testid=wait-form] input[name=note]", "型号？ Which model?")
    page.click("[data-testid=action-wait]")
    page.wait_for_selector("[data-testid=action-resume]")
    ticket.refresh_from_db()
    assert ticket.status == TicketStatus.PENDING_CUSTOMER
    assert _resolution_clock(ticket).state == "paused"

    # the customer answers in the portal: work resumes, the clock runs again
    login(customer_user)
    page.goto(f"/desk/tickets/{ticket.pk}/")
    page.fill("[data-testid=reply-form] textarea[name=body]", "HP M404")
    page.click("[data-testid=reply-submit]")
    page.wait_for_selector("text=HP M404")
    ticket.refresh_from_db()
    assert ticket.status == TicketStatus.IN_PROGRESS
    assert _resolution_clock(ticket).state == "running"

    # the engineer resolves
    login(engineers[0])
    page.goto(f"/desk/tickets/{ticket.pk}/")
    page.select_option("[data-testid=resolve-form] select[name=resolution_code]", "solved")
    page.fill("[data-testid=resolve-form] textarea[name=resolution]", "更换定影器 / new fuser")
    page.click("[data-testid=action-resolve]")
    page.wait_for_selector("[data-testid=ticket-resolution]")
    ticket.refresh_from_db()
    assert ticket.status == TicketStatus.RESOLVED

    # the customer confirms (asked first) and rates
    login(customer_user)
    page.goto(f"/desk/tickets/{ticket.pk}/")
    page.click("[data-testid=action-confirm]")
    page.click("[data-testid=confirm-submit]")
    page.wait_for_selector("[data-testid=rate-card]")
    page.check("[data-testid=rate-card] input[name=score][value='5']")
    page.click("[data-testid=action-rate]")
    page.wait_for_selector("[data-testid=rating]")
    ticket.refresh_from_db()
    assert ticket.status == TicketStatus.CLOSED and ticket.satisfaction == 5
    assert _resolution_clock(ticket).state == "stopped"
