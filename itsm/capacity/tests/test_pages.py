"""Capacity pages: metric list, page (chart data, forecast date and method), forms, CSV upload
with line errors, plans with their lifecycle, the breach list; both languages; tenancy."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import formats, timezone, translation

from itsm.capacity import services
from itsm.capacity.models import CapacityPlan, Metric, Sample
from itsm.capacity.tests.factories import ci, daily, make_metric, make_service, start_day

pytestmark = pytest.mark.django_db


def _growing(planner, owner, **fields):
    metric = make_metric(planner, owner=owner, forecast_method="linear", **fields)
    services.record_samples(
        by=planner, metric=metric, samples=daily(start_day(), [50 + 0.5 * d for d in range(60)])
    )
    metric.refresh_from_db()
    return metric


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_metric_page_shows_the_forecast_date_and_method(planner, customer_a, browse, language):
    metric = _growing(planner, customer_a)
    client = browse(planner, language)
    response = client.get(reverse("capacity:metric_detail", args=[metric.pk]))
    assert response.status_code == 200
    content = response.content.decode()
    expected = timezone.localtime(start_day()).date() + timedelta(days=60)
    assert f'data-warning-on="{expected.isoformat()}"' in content
    assert 'data-method="linear"' in content
    with translation.override(language):
        assert formats.date_format(expected, "DATE_FORMAT") in content
    chart = json.loads(
        content.split('id="capacity-chart-data" type="application/json">')[1].split("</script>")[0]
    )
    assert len(chart["samples"]) == 60
    assert (chart["warning"], chart["critical"]) == (80.0, 90.0)
    seasonal = client.get(
        reverse("capacity:metric_detail", args=[metric.pk]), {"method": "seasonal"}
    ).content.decode()
    assert 'data-method="seasonal"' in seasonal
    bad = client.get(reverse("capacity:metric_detail", args=[metric.pk]), {"days": "x"})
    assert bad.status_code == 200  # an invalid choice falls back to the metric's own method


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_lists_render(planner, customer_a, browse, language):
    metric = _growing(planner, customer_a)
    services.record_samples(
        by=planner, metric=metric, samples=[{"at": timezone.now(), "value": 85.0}]
    )
    client = browse(planner, language)
    for name in ("metric_list", "plan_list", "breaches", "metric_create", "plan_create", "upload"):
        response = client.get(reverse(f"capacity:{name}"))
        assert response.status_code == 200, name
    breaches = client.get(reverse("capacity:breaches")).content.decode()
    assert f'data-metric="{metric.pk}" data-level="warning"' in breaches
    assert 'data-testid="forecast-breach"' in breaches
    invalid = client.get(reverse("capacity:breaches"), {"days": "0"})
    assert invalid.status_code == 200  # the filter's error is shown, the default horizon used
    assert 'data-testid="forecast-breach"' in invalid.content.decode()


def test_customer_sees_only_metrics_of_their_cis(
    planner, customer_a, customer_b, customer_user, browse
):
    own = make_metric(planner, owner=customer_a, name="Own disk")
    other = make_metric(planner, owner=customer_b, name="Other disk")
    shared = make_metric(planner, ci_row=ci("shared switch"), name="Shared uplink")
    client = browse(customer_user)
    content = client.get(reverse("capacity:metric_list")).content.decode()
    assert "Own disk" in content
    assert "Other disk" not in content and "Shared uplink" not in content
    assert client.get(reverse("capacity:metric_detail", args=[own.pk])).status_code == 200
    for metric in (other, shared):
        assert client.get(reverse("capacity:metric_detail", args=[metric.pk])).status_code == 404
    assert client.get(reverse("capacity:plan_list")).status_code == 403
    assert client.get(reverse("capacity:metric_create")).status_code == 403
    assert client.get(reverse("capacity:upload")).status_code == 403


def test_metric_form_and_edit(planner, customer_a, browse):
    server = ci("db server", customer=customer_a)
    client = browse(planner)
    response = client.post(
        reverse("capacity:metric_create"),
        {
            "name": "Disk",
            "unit": "%",
            "ci": server.number,
            "direction": "up",
            "warning_threshold": "95",
            "critical_threshold": "90",
            "forecast_method": "auto",
            "season_days": "7",
        },
    )
    assert response.status_code == 200  # refused: the warning comes after the critical one
    assert "The warning threshold must be reached before the critical one." in (
        response.content.decode()
    )
    response = client.post(
        reverse("capacity:metric_create"),
        {
            "name": "Disk",
            "unit": "%",
            "ci": server.number,
            "direction": "up",
            "warning_threshold": "80",
            "critical_threshold": "90",
            "forecast_method": "auto",
            "season_days": "7",
        },
    )
    metric = Metric.objects.get(name="Disk")
    assert response.status_code == 302
    assert metric.customer == customer_a
    edit = client.post(
        reverse("capacity:metric_edit", args=[metric.pk]),
        {
            "name": "Disk usage",
            "unit": "%",
            "ci": server.number,
            "direction": "up",
            "warning_threshold": "75",
            "critical_threshold": "90",
            "forecast_method": "linear",
            "season_days": "7",
            "version": metric.version,
        },
    )
    assert edit.status_code == 302
    metric.refresh_from_db()
    assert (metric.name, metric.warning_threshold, metric.version) == ("Disk usage", 75.0, 2)


def test_csv_upload_page_names_bad_lines(planner, customer_a, browse):
    from django.core.files.uploadedfile import SimpleUploadedFile

    metric = make_metric(planner, owner=customer_a)
    client = browse(planner)
    url = reverse("capacity:upload") + f"?metric={metric.pk}"
    at = (timezone.now() - timedelta(hours=2)).replace(microsecond=0).isoformat()
    bad = SimpleUploadedFile("s.csv", f"at,value\n{at},1\n{at},oops\n".encode(), "text/csv")
    response = client.post(url, {"file": bad})
    assert response.status_code == 200
    assert "Line 3: the value “oops” is not a number" in response.content.decode()
    assert not Sample.objects.exists()
    good = SimpleUploadedFile("s.csv", f"at,value\n{at},1\n".encode(), "text/csv")
    response = client.post(url, {"file": good})
    assert response.status_code == 302
    assert Sample.objects.filter(metric=metric).count() == 1
    assert client.get(reverse("capacity:upload") + "?metric=abc").status_code == 404


def test_plan_lifecycle_through_the_pages(planner, approver, customer_a, browse):
    service = make_service(customers=[customer_a])
    metric = _growing(planner, customer_a)
    client = browse(planner)
    response = client.post(
        reverse("capacity:plan_create"),
        {
            "title": "Storage 2027",
            "service": service.code,
            "period_start": "2027-01-01",
            "period_end": "2026-01-01",
        },
    )
    assert "The period ends before it starts." in response.content.decode()
    response = client.post(
        reverse("capacity:plan_create"),
        {
            "title": "Storage 2027",
            "service": service.code,
            "period_start": "2027-01-01",
            "period_end": "2027-12-31",
            "current_demand": "70 %",
            "forecast_demand": "85 %",
            "upgrade_cost": "48000",
            "metrics": str(metric.pk),
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    plan = CapacityPlan.objects.get()
    assert list(plan.metrics.all()) == [metric]
    detail = client.get(reverse("capacity:plan_detail", args=[plan.pk])).content.decode()
    assert f'data-metric="{metric.pk}"' in detail
    assert 'data-transition="approve"' not in detail  # an engineer does not approve
    approve = browse(approver).post(
        reverse("capacity:plan_transition", args=[plan.pk]),
        {"to": "approved", "version": plan.version},
    )
    assert approve.status_code == 302
    plan.refresh_from_db()
    assert plan.status == "approved" and plan.approved_at is not None
    assert client.get(reverse("capacity:plan_edit", args=[plan.pk])).status_code == 200
    archive = client.post(
        reverse("capacity:plan_transition", args=[plan.pk]),
        {"to": "archived", "version": plan.version},
    )
    assert archive.status_code == 200  # asks first: the confirmation page
    plan.refresh_from_db()
    assert plan.status == "approved"
