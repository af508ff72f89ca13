"""The SLA report pages in a real browser: the chart draws, the monthly report opens from the
achievement table and offers its Excel file."""

import pytest
from playwright.sync_api import expect

from itsm.slm.tests.factories_reports import report_dataset

pytestmark = pytest.mark.browser


def test_report_chart_monthly_report_and_excel(page, login, admin_user, customer_a, customer_b):
    # given the crafted data set and a signed-in administrator
    data = report_dataset(customer_a, customer_b)
    login(admin_user)

    # when they open the achievement page for March 2026
    page.goto("/slm/reports/?start=2026-03&end=2026-03")

    # then the table has one row per agreement and the chart is drawn by the static ECharts
    expect(page.get_by_test_id("achievement-row")).to_have_count(3)
    expect(page.get_by_test_id("total-measured")).to_have_text("11")
    expect(page.locator("#slm-report-chart[data-rendered='1'] svg")).to_have_count(1)

    # when they open the monthly report of agreement A1
    page.locator(f"[data-key='{data.a1.pk}'] [data-testid=monthly-link]").click()

    # then it lists its three targets and three breaches, and the Excel file downloads
    expect(page.get_by_test_id("target-row")).to_have_count(3)
    expect(page.get_by_test_id("breach-row")).to_have_count(3)
    expect(page.get_by_test_id("summary-measured")).to_have_text("6")
    with page.expect_download() as download:
        page.get_by_test_id("excel-download").click()
    assert download.value.suggested_filename == "SLA-000101-2026-03.xlsx"
