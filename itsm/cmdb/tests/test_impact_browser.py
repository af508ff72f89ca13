"""The impact graph draws in a real browser without script errors (R-CMDB-04)."""

from __future__ import annotations

import pytest

from itsm.cmdb.tests import factories_impact as f


@pytest.mark.browser
def test_impact_graph_draws(page, login, agent):
    service_class = f.ci_class("t-bs", business_service=True)
    host = f.ci("host")
    vm = f.ci("vm")
    service = f.ci("mail", cls=service_class)
    f.relate(vm, host)
    f.relate(service, vm)
    f.relate(host, service)  # a cycle
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    login(agent)
    page.goto(f"/cmdb/cis/{host.pk}/impact/?direction=dependents&depth=6")
    page.wait_for_selector("#impact-graph svg, #impact-graph canvas")
    assert page.inner_text('[data-testid="impact-services"]') == "1"
    assert page.locator('[data-testid="impact-table"] tbody tr').count() == 2
    assert errors == []
