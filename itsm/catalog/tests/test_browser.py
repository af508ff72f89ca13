"""One end-to-end run: a service level manager publishes a service in the UI and the
customer finds it in their portal."""

from __future__ import annotations

import pytest

from itsm.catalog import services
from itsm.catalog.tests.factories import make_category, make_service


@pytest.mark.browser
def test_manager_publishes_and_customer_sees_it(
    page, login, slm, writer, customer_a, customer_user
):
    category = make_category(code="01", name="基础设施服务", by=slm)
    service = make_service(
        customers=[customer_a], category=category, by=writer, name="服务器运维服务"
    )
    services.add_item(service=service, code="SRV-01", name="服务器巡检", by=writer)
    services.submit_service(service, by=writer)

    login(customer_user)
    page.goto("/catalog/portal/")
    assert page.locator(f'[data-service="{service.code}"]').count() == 0

    login(slm)
    page.goto(f"/catalog/services/{service.pk}/")
    page.click('[data-transition="publish"]')
    page.wait_for_selector('[data-testid="service-status"][data-status="published"]')
    assert "slm" in page.inner_text('[data-step="published"]')

    login(customer_user)
    page.goto("/catalog/")  # the navigation's catalogue entry leads customers to their portal
    page.wait_for_url("**/catalog/portal/")
    card = page.locator(f'[data-service="{service.code}"]')
    assert card.count() == 1
    assert "服务器巡检" in card.inner_text()
