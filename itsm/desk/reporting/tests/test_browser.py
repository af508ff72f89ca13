"""The desk report page in a real browser: both charts draw from the static script (no CSP
violation), the Excel file downloads."""

import pytest
from playwright.sync_api import expect

from itsm.desk.reporting.tests.factories import random_dataset

pytestmark = pytest.mark.browser


def test_charts_draw_and_excel_downloads(page, login, admin_user, customer_a, customer_b, provider):
    # given the random data set and a signed-in administrator
    random_dataset(customer_a, customer_b, provider, tickets=40)
    violations: list[str] = []
    page.on(
        "console",
        lambda message: (
            violations.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    login(admin_user)

    # when they open the report of March 2026
    page.goto("/desk/reports/?month=2026-03")

    # then the volumes list the three kinds and the total, and both charts are drawn
    expect(page.get_by_test_id("volume-row")).to_have_count(4)
    expect(page.locator("#desk-trend-chart[data-rendered='1'] svg")).to_have_count(1)
    expect(page.locator("#desk-satisfaction-chart[data-rendered='1'] svg")).to_have_count(1)
    expect(page.get_by_test_id("call-measures")).to_be_visible()
    assert violations == []

    # and the Excel file downloads
    with page.expect_download() as download:
        page.get_by_test_id("excel-link").click()
    assert download.value.suggested_filename == "desk-report-2026-03.xlsx"
