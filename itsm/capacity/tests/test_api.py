"""Capacity management API: the shared endpoint tests for metrics and plans; the samples
endpoint (batch ingest idempotent on (metric, at), CSV with line numbers, tenancy) and the
forecast."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from itsm.capacity import services
from itsm.capacity.models import CapacityPlan, Metric, Sample
from itsm.capacity.tests.factories import ci, daily, make_metric, make_service, start_day
from itsm.core.choices import Role
from itsm.core.testing.api import APIEndpointTests, assert_error, client_for
from itsm.core.testing.factories import UserFactory

pytestmark = pytest.mark.django_db


def _planner():
    from itsm.core.models import User
    from itsm.core.testing.factories import get_provider

    return User.objects.filter(username="cap-api-planner").first() or UserFactory(
        username="cap-api-planner", organisation=get_provider(), roles=(Role.ENGINEER_L2,)
    )


class TestMetricAPI(APIEndpointTests):
    model = Metric
    url_name = "api:capacity-api:metric"
    tenancy = "customer"
    required_fields = ("name",)
    writer_roles = (Role.ENGINEER_L2,)
    limited_roles = (Role.SERVICE_DESK,)
    invalid_filters = ({"direction": "sideways"}, {"ci": "x"})

    def make_row(self, owner):
        return make_metric(_planner(), owner=owner)

    def create_payload(self, env):
        return {
            "name": "Disk usage",
            "unit": "%",
            "ci": ci("db server", customer=env.customer_a).pk,
            "direction": "up",
            "warning_threshold": 80.0,
            "critical_threshold": 90.0,
            "forecast_method": "linear",
        }

    def update_payload(self, env, row):
        return {"warning_threshold": 75.0, "forecast_method": "seasonal"}


class TestCapacityPlanAPI(APIEndpointTests):
    model = CapacityPlan
    url_name = "api:capacity-api:plan"
    tenancy = "staff"
    required_fields = ("title", "service", "period_start", "period_end")
    writer_roles = (Role.ENGINEER_L2,)
    limited_roles = (Role.QUALITY_MANAGER,)
    invalid_filters = ({"status": "bogus"},)

    def make_row(self, owner):
        return services.create_plan(
            by=_planner(),
            service=make_service(customers=[owner]),
            title=f"Plan of {owner.code}",
            period_start=timezone.localdate(),
            period_end=timezone.localdate() + timedelta(days=90),
        )

    def create_payload(self, env):
        return {
            "title": "Storage 2027",
            "service": make_service(customers=[env.customer_a]).pk,
            "period_start": "2027-01-01",
            "period_end": "2027-12-31",
            "upgrade_cost": 48000.0,
            "current_demand": "80 % used",
        }

    def update_payload(self, env, row):
        return {"forecast_demand": "95 % by June", "upgrade_due": "2027-03-01"}


SAMPLES = "api:capacity-api:sample-list"


def test_batch_ingest_is_idempotent(planner, customer_a):
    metric = make_metric(planner, owner=customer_a, key="db:disk")
    at = (timezone.now() - timedelta(hours=1)).replace(microsecond=0).isoformat()
    body = {"samples": [{"metric": "db:disk", "at": at, "value": 71.5}]}
    client = client_for(planner)
    first = client.post(reverse(SAMPLES), body, format="json")
    assert first.status_code == 201, first.json()
    assert first.json() == {"created": 1, "updated": 0, "unchanged": 0}
    again = client.post(reverse(SAMPLES), body, format="json")
    assert again.status_code == 200
    assert again.json() == {"created": 0, "updated": 0, "unchanged": 1}
    assert Sample.objects.filter(metric=metric).count() == 1


def test_batch_errors_name_the_rows(planner, customer_a):
    make_metric(planner, owner=customer_a, key="db:disk")
    body = {"samples": [{"metric": "db:disk", "at": "soon", "value": 1}]}
    response = client_for(planner).post(
        reverse(SAMPLES), body, format="json", HTTP_ACCEPT_LANGUAGE="en"
    )
    error = assert_error(response, 400, "validation", fields=("samples",))
    assert error["fields"]["samples"] == [
        "Row 1: the time “soon” is not a date and time (ISO 8601)"
    ]
    not_a_list = client_for(planner).post(reverse(SAMPLES), {"samples": 3}, format="json")
    assert_error(not_a_list, 400, "validation", fields=("samples",))
    assert not Sample.objects.exists()


def test_csv_endpoint_names_lines(planner, customer_a):
    metric = make_metric(planner, owner=customer_a)
    url = reverse("api:capacity-api:sample-csv") + f"?metric={metric.pk}"
    at = (timezone.now() - timedelta(hours=1)).replace(microsecond=0).isoformat()
    good = client_for(planner).post(url, data=f"at,value\n{at},5\n", content_type="text/csv")
    assert good.status_code == 201, good.json()
    bad = client_for(planner).post(
        url, data=f"at,value\n{at},5\nx,1\n", content_type="text/csv", HTTP_ACCEPT_LANGUAGE="en"
    )
    error = assert_error(bad, 400, "validation", fields=("file",))
    assert error["fields"]["file"] == ["Line 3: the time “x” is not a date and time (ISO 8601)"]
    assert Sample.objects.filter(metric=metric).count() == 1


def test_customers_see_only_samples_of_their_own_metrics(
    planner, customer_a, customer_b, customer_user
):
    own = make_metric(planner, owner=customer_a)
    other = make_metric(planner, owner=customer_b)
    at = timezone.now() - timedelta(hours=1)
    for metric in (own, other):
        services.record_samples(by=planner, metric=metric, samples=[{"at": at, "value": 1}])
    client = client_for(customer_user)
    rows = client.get(reverse(SAMPLES)).json()["results"]
    assert {row["metric"] for row in rows} == {own.pk}
    foreign = Sample.objects.get(metric=other)
    assert_error(
        client.get(reverse("api:capacity-api:sample-detail", args=[foreign.pk])), 404, "not_found"
    )
    assert_error(
        client.get(reverse("api:capacity-api:metric-forecast", args=[other.pk])), 404, "not_found"
    )
    refused = client.post(
        reverse(SAMPLES), {"samples": [{"metric": own.pk, "at": at.isoformat(), "value": 2}]}
    )
    assert_error(refused, 403, "permission_denied")


def test_forecast_endpoint(planner, customer_a):
    metric = make_metric(planner, owner=customer_a, forecast_method="linear")
    start = start_day()
    services.record_samples(
        by=planner, metric=metric, samples=daily(start, [50 + 0.5 * d for d in range(60)])
    )
    url = reverse("api:capacity-api:metric-forecast", args=[metric.pk])
    data = client_for(planner).get(url).json()
    first = timezone.localtime(start).date()
    assert data["method"] == "linear"
    assert data["warning_on"] == (first + timedelta(days=60)).isoformat()
    assert data["critical_on"] == (first + timedelta(days=80)).isoformat()
    assert len(data["line"]) == 91
    assert_error(
        client_for(planner).get(url, {"method": "magic"}), 400, "validation", fields=("method",)
    )


def test_plan_transition_api(planner, approver, customer_a):
    plan = services.create_plan(
        by=planner,
        service=make_service(customers=[customer_a]),
        title="Plan",
        period_start=timezone.localdate(),
        period_end=timezone.localdate() + timedelta(days=30),
    )
    url = reverse("api:capacity-api:plan-transition", args=[plan.pk])
    missing = client_for(approver).post(url, {"to": "approved", "version": 1}, format="json")
    assert_error(missing, 400, "validation", fields=("current_demand", "forecast_demand"))
    services.update_plan(
        plan, by=planner, expected_version=1, current_demand="70 %", forecast_demand="85 %"
    )
    refused = client_for(planner).post(url, {"to": "approved", "version": 2}, format="json")
    assert_error(refused, 403, "permission_denied")
    done = client_for(approver).post(url, {"to": "approved", "version": 2}, format="json")
    assert done.status_code == 200, done.json()
    assert done.json()["status"] == "approved"
    edit = client_for(planner).patch(
        reverse("api:capacity-api:plan-detail", args=[plan.pk]),
        {"title": "Late", "version": 3},
        format="json",
    )
    assert_error(edit, 422, "invalid_transition")
