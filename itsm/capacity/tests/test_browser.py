"""Capacity in the browser, in zh-Hans and in English: the metric list, a metric's page whose
ECharts chart renders (samples, forecast, thresholds) with the forecast date in the reader's
local format and the method shown, a CSV upload naming a bad line, and a plan drafted with a
metric picked by name."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import formats, timezone, translation

from itsm.capacity import services
from itsm.capacity.models import CapacityPlan
from itsm.capacity.tests.factories import daily, make_metric, make_service, start_day
from itsm.conftest import _user
from itsm.core.choices import Role
from itsm.core.testing.browser import pick

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_metric_chart_forecast_upload_and_plan(
    page, login, language, provider, customer_a, tmp_path
):
    planner = _user("cap-planner-b", provider, Role.ENGINEER_L2, language=language)
    metric = make_metric(
        planner, owner=customer_a, name="磁盘使用率 Disk usage", forecast_method="linear"
    )
    services.record_samples(
        by=planner, metric=metric, samples=daily(start_day(), [50 + 0.5 * d for d in range(60)])
    )
    service = make_service(customers=[customer_a])
    expected = timezone.localtime(start_day()).date() + timedelta(days=60)
    with translation.override(language):
        shown = formats.date_format(expected, "DATE_FORMAT")

    login(planner)
    page.goto("/capacity/")
    assert page.locator("html").get_attribute("lang") == language
    page.click(f"[data-testid=metric-table] a[href='/capacity/{metric.pk}/']")
    page.wait_for_selector("[data-testid=metric-chart][data-rendered='1']")
    assert page.locator("[data-testid=metric-chart] svg path").count() > 0
    assert page.inner_text("[data-testid=warning-date]").strip() == shown
    assert page.get_attribute("[data-testid=forecast]", "data-method") == "linear"
    assert page.inner_text("[data-testid=forecast-method]").strip() != ""

    # a CSV with a bad line: the line is named, nothing is written
    page.click("[data-testid=metric-upload]")
    at = (timezone.now() - timedelta(hours=1)).replace(microsecond=0).isoformat()
    bad = tmp_path / "samples.csv"
    bad.write_text(f"at,value\n{at},81\n{at},???\n", encoding="utf-8")
    page.set_input_files("input[name=file]", str(bad))
    page.click("[data-testid=upload-submit]")
    page.wait_for_selector("[data-testid=upload-form] .invalid-feedback")
    assert "3" in page.inner_text("[data-testid=upload-form] .invalid-feedback")
    good = tmp_path / "good.csv"
    good.write_text(f"at,value\n{at},81\n", encoding="utf-8")
    page.set_input_files("input[name=file]", str(good))
    page.click("[data-testid=upload-submit]")
    page.wait_for_selector("[data-testid=forecast]")
    metric.refresh_from_db()
    assert metric.last_value == 81

    # a plan of the service watching the metric, picked by name
    page.goto("/capacity/plans/new/")
    page.fill("input[name=title]", "存储扩容 Storage")
    pick(page, "[data-field=service]", service.code, service.code)
    page.fill("input[name=period_start]", "2027-01-01")
    page.fill("input[name=period_end]", "2027-12-31")
    pick(page, "[data-field=metrics]", "Disk", str(metric.pk))
    page.click("[data-testid=save]")
    page.wait_for_selector("[data-testid=plan-status][data-status=draft]")
    plan = CapacityPlan.objects.get()
    assert list(plan.metrics.all()) == [metric]
    assert page.locator(f"[data-testid=plan-metrics] tr[data-metric='{metric.pk}']").count() == 1
