"""Impact view (issue 8, item 12): nodes and result rows link to the CI (masked shared
infrastructure does not), labels are laid out without overlap, and an agreement CI's own entry
is not counted among the agreements affected."""

from __future__ import annotations

import json

import pytest
from django.urls import reverse
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

from itsm.cmdb.impact import impact
from itsm.cmdb.tests import factories_impact as f
from itsm.core.choices import Role
from itsm.core.testing.factories import UserFactory


@pytest.fixture
def chain(customer_a):
    """host (shared) ← app (customer A) ← mail service ← SLA (covers the service)."""
    service_class = f.ci_class("t-bs", business_service=True)
    agreement_class = f.ci_class("t-sla", agreement=True)
    host = f.ci("host")
    app = f.ci("app", customer=customer_a)
    service = f.ci("mail", cls=service_class, customer=customer_a)
    sla = f.ci("sla", cls=agreement_class, customer=customer_a)
    f.relate(app, host)
    f.relate(service, app)
    f.relate(sla, service)
    return {"host": host, "app": app, "service": service, "sla": sla}


@pytest.mark.django_db
def test_an_agreement_is_not_affected_by_itself(chain):
    sla = chain["sla"]
    own = impact(sla, direction="dependencies", max_depth=6)
    assert [n.id for n in own.nodes] == [
        sla.pk,
        chain["service"].pk,
        chain["app"].pk,
        chain["host"].pk,
    ]
    assert own.agreements == []
    # reached from below, the agreement is affected
    assert [
        n.id for n in impact(chain["host"], direction="dependents", max_depth=6).agreements
    ] == [sla.pk]


def _page(client, user, ci, direction):
    client.force_login(user)
    response = client.get(
        reverse("cmdb:impact", args=[ci.pk]), {"direction": direction, "depth": 6}
    )
    assert response.status_code == 200
    return response


@pytest.mark.django_db
def test_the_agreement_card_does_not_count_the_start(client, chain):
    agent = UserFactory(roles=[Role.SERVICE_DESK])
    html = _page(client, agent, chain["sla"], "dependencies").content.decode()
    assert '<div class="h1 mb-1" data-testid="impact-agreements">0</div>' in html


@pytest.mark.django_db
def test_rows_and_graph_nodes_link_to_the_ci(client, chain):
    agent = UserFactory(roles=[Role.SERVICE_DESK])
    response = _page(client, agent, chain["host"], "dependents")
    html = response.content.decode()
    for name in ("app", "service", "sla"):
        ci = chain[name]
        assert f'<a href="/cmdb/cis/{ci.pk}/">{ci.number} {ci.name}</a>' in html
    urls = {node["id"]: node["url"] for node in response.context["graph"]["nodes"]}
    assert urls == {str(ci.pk): f"/cmdb/cis/{ci.pk}/" for ci in chain.values()}


@pytest.mark.django_db
def test_masked_shared_nodes_are_not_linked(client, chain, customer_a):
    customer = UserFactory(organisation=customer_a, roles=[Role.CUSTOMER_USER])
    response = _page(client, customer, chain["sla"], "dependencies")
    nodes = {node["id"]: node for node in response.context["graph"]["nodes"]}
    host = chain["host"]
    assert nodes[str(host.pk)]["masked"] is True and nodes[str(host.pk)]["url"] is None
    assert nodes[str(chain["app"].pk)]["url"] == f"/cmdb/cis/{chain['app'].pk}/"
    html = response.content.decode()
    assert f"/cmdb/cis/{host.pk}/" not in html
    assert host.number not in html
    payload = json.loads(
        html.split('id="impact-data" type="application/json">', 1)[1].split("<", 1)[0]
    )
    assert payload["nodes"] == response.context["graph"]["nodes"]


@pytest.mark.browser
def test_clicking_a_node_opens_the_ci_and_labels_do_not_overlap(page, login, agent, customer_a):
    service_class = f.ci_class("t-bs", business_service=True)
    host = f.ci("host")
    app = f.ci("app", customer=customer_a)
    service = f.ci("mail", cls=service_class, customer=customer_a)
    f.relate(app, host)
    f.relate(service, app)
    login(agent)
    page.goto(f"/cmdb/cis/{host.pk}/impact/?direction=dependents&depth=6")
    page.wait_for_selector('#impact-graph[data-rendered="1"]')
    option = page.evaluate(
        """() => {
          const chart = echarts.getInstanceByDom(document.getElementById("impact-graph"));
          const series = chart.getOption().series[0];
          return {hideOverlap: series.labelLayout.hideOverlap,
                  urls: series.data.map((n) => n.url)};
        }"""
    )
    assert option["hideOverlap"] is True
    assert sorted(option["urls"]) == sorted(f"/cmdb/cis/{ci.pk}/" for ci in (host, app, service))
    # click the service's node: first with the mouse where the layout drew it; if a busy
    # machine still moves the node, hand the same click to ECharts' event layer (zrender) on
    # the node itself, so the page's own click handler is what navigates
    point = page.evaluate(
        """(id) => {
          const chart = echarts.getInstanceByDom(document.getElementById("impact-graph"));
          const data = chart.getModel().getSeriesByIndex(0).getData();
          const index = data.mapArray((i) => data.getId(i)).indexOf(id);
          const m = data.getItemGraphicEl(index).transform || [1, 0, 0, 1, 0, 0];
          return [m[4], m[5]];
        }""",
        str(service.pk),
    )
    box = page.locator("#impact-graph").bounding_box()
    page.mouse.click(box["x"] + point[0], box["y"] + point[1])
    try:
        page.wait_for_url(f"**/cmdb/cis/{service.pk}/", timeout=3000)
    except PlaywrightTimeoutError:
        page.evaluate(
            """(id) => {
              const chart = echarts.getInstanceByDom(document.getElementById("impact-graph"));
              const data = chart.getModel().getSeriesByIndex(0).getData();
              const el = data.getItemGraphicEl(data.mapArray((i) => data.getId(i)).indexOf(id));
              chart.getZr().handler.dispatchToElement({target: el, topTarget: el}, "click", {});
            }""",
            str(service.pk),
        )
    page.wait_for_url(f"**/cmdb/cis/{service.pk}/")
