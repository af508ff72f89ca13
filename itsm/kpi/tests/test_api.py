"""``GET /api/kpi/`` and ``GET /api/kpi/<id>/``: shape, figures, tenancy and errors."""

from __future__ import annotations

import pytest
from django.urls import reverse

from itsm.core.testing.api import assert_error, client_for

pytestmark = pytest.mark.django_db

LIST = "/api/kpi/"


#: the KPIs these tests set figures up for (other apps declare more: their own tests)
OWN = ("sla_achievement", "configuration_accuracy")


def _own(results):
    return [r for r in results if r["id"] in OWN]


def test_urls():
    assert reverse("api:kpi-api:kpi-list") == LIST
    assert reverse("api:kpi-api:kpi-detail", args=["sla_achievement"]) == (
        "/api/kpi/sla_achievement/"
    )


def test_list_for_staff(data, en, customer_a):
    body = client_for(en).get(LIST, {"period": "2026-03"}, HTTP_ACCEPT_LANGUAGE="en").json()
    assert set(body) == {"period", "period_start", "period_end", "customer", "results"}
    assert (body["period"], body["customer"]) == ("2026-03", None)
    assert body["period_start"] == "2026-03-01T00:00:00+08:00"
    assert body["period_end"] == "2026-04-01T00:00:00+08:00"
    sla, accuracy = _own(body["results"])
    assert sla == {
        "id": "sla_achievement",
        "name": "SLA achievement",
        "description": sla["description"],
        "unit": "percent",
        "unit_symbol": "%",
        "direction": "higher",
        "period_kind": "month",
        "scope": "customer",
        "source": "seed 000 §3.5 (SLA 达成率); seed 003 §7",
        "value": "54.5",
        "numerator": "6",
        "denominator": "11",
        "target": "100",
        "status": "not_met",
        "report_url": "/slm/reports/?start=2026-03&end=2026-03&group_by=customer",
    }
    assert (accuracy["id"], accuracy["scope"], accuracy["value"]) == (
        "configuration_accuracy",
        "provider",
        "42.9",
    )
    assert (accuracy["numerator"], accuracy["denominator"], accuracy["target"]) == ("3", "7", None)
    assert (accuracy["status"], accuracy["report_url"]) == ("no_target", "/cmdb/audits/")


def test_list_for_one_customer(data, en, customer_a):
    body = client_for(en).get(LIST, {"period": "2026-03", "customer": customer_a.pk})
    body = body.json()
    assert body["customer"] == {"id": customer_a.pk, "name": "Customer A"}
    figures = {
        r["id"]: (r["value"], r["numerator"], r["denominator"]) for r in _own(body["results"])
    }
    assert figures == {
        "sla_achievement": ("55.6", "5", "9"),
        "configuration_accuracy": ("42.9", "3", "7"),
    }
    assert body["results"][0]["report_url"].endswith(f"&customer={customer_a.pk}")


def test_detail(data, admin_user, customer_b):
    response = client_for(admin_user).get(
        "/api/kpi/sla_achievement/", {"period": "2026-03", "customer": customer_b.pk}
    )
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"period", "period_start", "period_end", "customer", "kpi"}
    assert (body["kpi"]["id"], body["kpi"]["value"], body["kpi"]["numerator"]) == (
        "sla_achievement",
        "50.0",
        "1",
    )


def test_names_in_the_reader_language(data, admin_user):
    body = client_for(admin_user).get(LIST, {"period": "2026-03"}).json()  # zh-Hans: default
    assert body["results"][0]["name"] == "SLA 达成情况"


def test_customer_user_sees_own_figures_only(data, customer_user, customer_a, customer_b):
    client = client_for(customer_user)
    body = client.get(LIST, {"period": "2026-03"}).json()
    assert body["customer"] == {"id": customer_a.pk, "name": "Customer A"}
    assert [(r["id"], r["value"], r["denominator"]) for r in _own(body["results"])] == [
        ("sla_achievement", "55.6", "9")
    ]
    assert client.get(LIST, {"period": "2026-03", "customer": customer_a.pk}).status_code == 200
    assert_error(client.get(LIST, {"customer": customer_b.pk}), 404, "not_found")
    assert_error(
        client.get("/api/kpi/sla_achievement/", {"customer": customer_b.pk}), 404, "not_found"
    )
    # a provider-wide KPI does not exist for them
    assert_error(client.get("/api/kpi/configuration_accuracy/"), 404, "not_found")


def test_bad_parameters(data, admin_user, provider):
    client = client_for(admin_user)
    for query, field in (
        ({"period": "2026-13"}, "period"),
        ({"period": "03/2026"}, "period"),
        ({"customer": "abc"}, "customer"),
        ({"customer": str(2**64)}, "customer"),
        ({"customer": provider.pk}, "customer"),
        ({"customer": "999999"}, "customer"),
    ):
        body = assert_error(client.get(LIST, query), 400, "validation", fields=(field,))
        assert list(body["fields"]) == [field], query
    assert_error(client.get("/api/kpi/sla_achievement/", {"period": "x"}), 400, "validation")
    assert_error(client.get("/api/kpi/no_such_kpi/"), 404, "not_found")


def test_anonymous_is_refused(data):
    assert_error(client_for(None).get(LIST), 401, "not_authenticated")


def test_openapi_documents_the_endpoints(admin_user):
    schema = client_for(admin_user).get("/api/schema/", {"format": "json"}).json()
    assert "/api/kpi/" in schema["paths"]
    assert "/api/kpi/{kpi_id}/" in schema["paths"]
    parameters = {p["name"] for p in schema["paths"]["/api/kpi/"]["get"]["parameters"]}
    assert {"period", "customer"} <= parameters
