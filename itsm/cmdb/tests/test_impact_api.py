"""Impact analysis API and page (R-CMDB-04)."""

from __future__ import annotations

import json
import re

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation

from itsm.cmdb.tests import factories_impact as f
from itsm.core.testing.api import assert_error

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


@pytest.fixture
def graph(customer_a, customer_b):
    service_class = f.ci_class("t-bs", business_service=True)
    g = {
        "host": f.ci("host"),
        "vm_a": f.ci("vm a", customer=customer_a),
        "svc_a": f.ci("svc a", cls=service_class, customer=customer_a),
        "vm_b": f.ci("vm b", customer=customer_b),
    }
    f.relate(g["vm_a"], g["host"])
    f.relate(g["svc_a"], g["vm_a"])
    f.relate(g["vm_b"], g["host"])
    return g


def _url(ci, **query):
    url = reverse("api:cmdb-api:ci-impact", kwargs={"pk": ci.pk})
    assert url == f"/api/cmdb/cis/{ci.pk}/impact/"
    return url


def test_staff_get_the_whole_impact(graph, agent, client_for, customer_a, customer_b):
    response = client_for(agent).get(_url(graph["host"]), {"direction": "dependents", "depth": 6})
    assert response.status_code == 200
    body = response.json()
    assert body["start"] == graph["host"].pk
    assert (body["direction"], body["depth"], body["truncated"]) == ("dependents", 6, False)
    assert [(n["id"], n["depth"], n["path"]) for n in body["nodes"]] == [
        (graph["host"].pk, 0, [graph["host"].pk]),
        (graph["vm_a"].pk, 1, [graph["host"].pk, graph["vm_a"].pk]),
        (graph["vm_b"].pk, 1, [graph["host"].pk, graph["vm_b"].pk]),
        (graph["svc_a"].pk, 2, [graph["host"].pk, graph["vm_a"].pk, graph["svc_a"].pk]),
    ]
    assert body["nodes"][3]["via_code"] == "t-dep"
    assert body["nodes"][3]["number"] == graph["svc_a"].number
    assert body["business_services"] == [graph["svc_a"].pk]
    assert body["agreements"] == []
    assert body["customers"] == [
        {"id": customer_a.pk, "name": "Customer A"},
        {"id": customer_b.pk, "name": "Customer B"},
    ]
    assert len(body["edges"]) == 3


def test_defaults_and_depth_one(graph, agent, client_for):
    client = client_for(agent)
    default = client.get(_url(graph["host"])).json()
    assert (default["direction"], default["depth"], default["limit"]) == ("dependents", 6, 5000)
    shallow = client.get(_url(graph["host"]), {"depth": 1}).json()
    assert [n["id"] for n in shallow["nodes"]] == [
        graph["host"].pk,
        graph["vm_a"].pk,
        graph["vm_b"].pk,
    ]
    up = client.get(_url(graph["svc_a"]), {"direction": "dependencies"}).json()
    assert [n["id"] for n in up["nodes"]] == [
        graph["svc_a"].pk,
        graph["vm_a"].pk,
        graph["host"].pk,
    ]


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"direction": "sideways"}, "direction"),
        ({"depth": "0"}, "depth"),
        ({"depth": "11"}, "depth"),
        ({"depth": "two"}, "depth"),
        ({"limit": "0"}, "limit"),
    ],
)
def test_bad_parameters_answer_400_naming_the_field(graph, agent, client_for, query, field):
    response = client_for(agent).get(_url(graph["host"]), query)
    assert_error(response, 400, "validation", fields=(field,))


def test_customer_masking_and_foreign_404(graph, customer_user, client_for, customer_a):
    client = client_for(customer_user)
    client.credentials(HTTP_ACCEPT_LANGUAGE="en")  # force_authenticate: no saved language
    body = client.get(_url(graph["svc_a"]), {"direction": "dependencies"}).json()
    assert [(n["id"], n["masked"]) for n in body["nodes"]] == [
        (graph["svc_a"].pk, False),
        (graph["vm_a"].pk, False),
        (graph["host"].pk, True),
    ]
    masked = body["nodes"][2]
    assert (masked["number"], masked["name"], masked["class_code"], masked["customer"]) == (
        "",
        "Shared infrastructure",
        "",
        None,
    )
    assert body["customers"] == [{"id": customer_a.pk, "name": "Customer A"}]
    down = client.get(_url(graph["vm_a"])).json()
    assert [n["id"] for n in down["nodes"]] == [graph["vm_a"].pk, graph["svc_a"].pk]
    assert_error(client.get(_url(graph["vm_b"])), 404, "not_found")
    assert_error(client.get(_url(graph["host"])), 404, "not_found")
    assert_error(client.get("/api/cmdb/cis/999999/impact/"), 404, "not_found")


def test_anonymous_is_refused(graph, api_client):
    assert_error(api_client.get(_url(graph["host"])), 401, "not_authenticated")


# --- the page -------------------------------------------------------------------------------


@pytest.fixture
def customer_user(customer_user):
    """The customer user of the shared fixtures, reading English (the texts asserted here)."""
    type(customer_user).objects.filter(pk=customer_user.pk).update(language="en")
    customer_user.refresh_from_db()
    return customer_user


def _page_client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_page_renders_summary_table_and_graph_data(graph, agent):
    url = reverse("cmdb:impact", kwargs={"pk": graph["host"].pk})
    assert url == f"/cmdb/cis/{graph['host'].pk}/impact/"
    response = _page_client(agent).get(url, {"direction": "dependents", "depth": 6})
    assert response.status_code == 200
    html = response.content.decode()
    match = re.search(
        r'<script id="impact-data" type="application/json">(.*?)</script>', html, re.S
    )
    assert match
    data = json.loads(match.group(1))
    assert data["start"] == str(graph["host"].pk)
    assert [(n["id"], n["depth"], n["start"]) for n in data["nodes"]] == [
        (str(graph["host"].pk), 0, True),
        (str(graph["vm_a"].pk), 1, False),
        (str(graph["vm_b"].pk), 1, False),
        (str(graph["svc_a"].pk), 2, False),
    ]
    assert {(e["source"], e["target"]) for e in data["edges"]} == {
        (str(graph["vm_a"].pk), str(graph["host"].pk)),
        (str(graph["svc_a"].pk), str(graph["vm_a"].pk)),
        (str(graph["vm_b"].pk), str(graph["host"].pk)),
    }
    path = " → ".join(graph[k].number for k in ("host", "vm_a", "svc_a"))
    assert path in html
    assert 'data-testid="impact-services">1<' in html
    assert 'data-testid="impact-customers">2<' in html
    assert "/static/cmdb/impact-graph.js" in html
    assert "vendor/echarts/echarts.min.js" in html


def test_page_masks_shared_infrastructure_for_customers(graph, customer_user):
    url = reverse("cmdb:impact", kwargs={"pk": graph["vm_a"].pk})
    response = _page_client(customer_user).get(url, {"direction": "dependencies", "depth": 3})
    assert response.status_code == 200
    data = response.context["graph"]
    assert [(n["name"], n["masked"]) for n in data["nodes"]] == [
        (f"{graph['vm_a'].number} vm a", False),
        ("Shared infrastructure", True),
    ]
    html = response.content.decode()
    assert graph["host"].number not in html
    assert f"{graph['vm_a'].number} → Shared infrastructure" in html
    foreign = reverse("cmdb:impact", kwargs={"pk": graph["vm_b"].pk})
    assert _page_client(customer_user).get(foreign).status_code == 404


def test_page_shows_form_errors(graph, agent):
    url = reverse("cmdb:impact", kwargs={"pk": graph["host"].pk})
    response = _page_client(agent).get(url, {"direction": "dependents", "depth": 42})
    assert response.status_code == 200
    assert response.context["result"] is None
    assert "depth" in response.context["form"].errors
    assert 'id="impact-data"' not in response.content.decode()


def test_the_api_body_is_what_the_serializers_make(graph, agent, customer_user):
    """The view builds its body directly (``result_data``): the same keys, order and values as
    the documented serializers, for staff, a customer (masked nodes) and a truncated result."""
    from itsm.cmdb.api.impact import ImpactResultSerializer, result_data
    from itsm.cmdb.selectors import impact

    agreement_class = f.ci_class("t-agr", agreement=True)
    contract = f.ci("contract", cls=agreement_class, customer=graph["svc_a"].customer)
    f.relate(contract, graph["svc_a"])
    results = [
        impact(graph["host"], user=agent),
        impact(graph["host"], user=agent, limit=1),
        impact(graph["svc_a"], direction="dependencies", user=customer_user),
        impact(graph["vm_a"], user=customer_user),
    ]
    assert any(r.agreements for r in results) and any(r.truncated for r in results)
    assert any(n.masked for r in results for n in r.nodes)
    for result in results:
        expected = ImpactResultSerializer(result).data
        assert json.dumps(result_data(result)) == json.dumps(expected)
