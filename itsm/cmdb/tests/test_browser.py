"""One browser journey: a configuration manager builds a piece of topology in the UI."""

from __future__ import annotations

import pytest

from itsm.cmdb.models import ConfigurationItem, Relation
from itsm.core.choices import Role
from itsm.core.testing.browser import pick
from itsm.core.testing.factories import UserFactory

pytestmark = pytest.mark.browser


def test_build_topology_in_the_ui(page, login, provider):
    manager = UserFactory(
        username="cm-browser",
        organisation=provider,
        roles=[Role.CONFIGURATION_MANAGER],
        language="en",
    )
    login(manager)
    for name, label, identifier in (
        ("vm-web-01", "Virtual machine", "vm-web-01"),
        ("Web shop", "Application", "web-shop"),
    ):
        page.goto("/cmdb/")
        page.click("[data-testid=ci-create]")
        page.select_option("select[name=ci_class]", label=label)
        page.click("[data-testid=class-chooser] button")
        page.fill("input[name=name]", name)
        page.fill("input[name=identifier]", identifier)
        if label == "Virtual machine":
            page.fill("input[name=attr__vcpu]", "4")
            page.fill("input[name=attr__ip]", "10.9.9.9")
        page.click("[data-testid=ci-save]")
        page.wait_for_selector("[data-testid=ci-attributes]")
    vm = ConfigurationItem.objects.get(identifier="vm-web-01")
    assert vm.attributes == {"vcpu": 4, "ip": "10.9.9.9"}
    # relation: the web shop runs on the VM, picked by typing part of its name (issue 8 item 7)
    page.select_option("select[name=type]", label="runs on")
    pick(page, "[data-testid=relation-form] [data-field=other]", "web-0", vm.number)
    assert page.input_value("input[name=other]") == vm.number
    page.click("[data-testid=relation-add]")
    page.wait_for_selector("[data-testid=ci-relations] tr[data-direction=out]")
    relation = Relation.objects.get()
    assert (relation.source.identifier, relation.type.code, relation.target.identifier) == (
        "web-shop",
        "runs_on",
        "vm-web-01",
    )
    page.click("[data-testid=transition-commission]")
    page.wait_for_selector("text=In use")
    assert ConfigurationItem.objects.get(identifier="web-shop").status == "in_use"
