"""Type-ahead pickers of CIs (issue 8 item 7): the lookup endpoint answers only rows the user
may see, the relation form validates the picked CI through the same rows, and a rejected value
keeps the rest of the form filled in."""

from __future__ import annotations

import json

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation

from itsm.cmdb import services
from itsm.cmdb.forms import RelationForm
from itsm.cmdb.models import ConfigurationItem, Relation
from itsm.cmdb.tests.factories import CIFactory
from itsm.core.choices import Role
from itsm.core.pickers import LIMIT
from itsm.core.testing.factories import UserFactory
from itsm.releases.tests.factories import implementing_change

pytestmark = pytest.mark.django_db

LOOKUP = "/core/lookup/cmdb.ci/"


def logged_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def manager(provider):
    return UserFactory(
        username="cm", organisation=provider, roles=[Role.CONFIGURATION_MANAGER], language="en"
    )


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def values(response) -> list[str]:
    assert response.status_code == 200
    return [row["value"] for row in response.json()["results"]]


def test_lookup_searches_number_and_name_of_visible_rows_only(
    manager, customer_user, customer_a, customer_b
):
    own = CIFactory(name="Core banking", customer=customer_a)
    foreign = CIFactory(name="Core ledger", customer=customer_b)
    shared = CIFactory(name="Core switch")
    staff = logged_in(manager)
    assert reverse("core:lookup", args=["cmdb.ci"]) == LOOKUP
    assert values(staff.get(LOOKUP, {"q": "core"})) == [own.number, foreign.number, shared.number]
    assert values(staff.get(LOOKUP, {"q": foreign.number.lower()})) == [foreign.number]
    row = staff.get(LOOKUP, {"q": "ledger"}).json()["results"][0]
    assert row == {"value": foreign.number, "text": f"{foreign.number} · Core ledger"}
    # the customer sees their own CIs only (the CI policy), never another customer's
    customer = logged_in(customer_user)
    assert values(customer.get(LOOKUP, {"q": "core"})) == [own.number]
    assert values(customer.get(LOOKUP, {"q": foreign.number})) == []
    assert values(customer.get(LOOKUP)) == [own.number]


def test_lookup_answers_at_most_limit_rows(manager):
    for n in range(LIMIT + 5):
        CIFactory(name=f"node-{n:02d}")
    assert len(values(logged_in(manager).get(LOOKUP, {"q": "node"}))) == LIMIT


def test_lookup_needs_a_login_and_a_known_name(manager):
    assert Client().get(LOOKUP).status_code == 302
    assert logged_in(manager).get("/core/lookup/nope.nothing/").status_code == 404
    assert logged_in(manager).post(LOOKUP).status_code == 405


def test_business_ci_lookup_offers_business_services_only(manager):
    portal = CIFactory(name="Portal", ci_class=services.get_class("business_service"))
    CIFactory(name="Portal server", ci_class=services.get_class("server"))
    found = values(logged_in(manager).get("/core/lookup/cmdb.business_ci/", {"q": "portal"}))
    assert found == [portal.number]


def test_relation_form_rejects_a_foreign_ci_with_a_field_error(
    customer_user, customer_a, customer_b
):
    foreign = CIFactory(name="Their box", customer=customer_b)
    own = CIFactory(name="My box", customer=customer_a)
    runs_on = services.get_relation_type("runs_on")
    for value in (foreign.number, str(foreign.pk), "CI-999999"):
        form = RelationForm(
            {"type": runs_on.pk, "direction": "out", "other": value}, user=customer_user
        )
        assert not form.is_valid()
        assert list(form.errors) == ["other"]
        assert form.errors["other"] == [
            f"No configuration item “{value}” that you may choose: pick one from the list."
        ]
    form = RelationForm(
        {"type": runs_on.pk, "direction": "out", "other": own.number}, user=customer_user
    )
    assert form.is_valid(), form.errors
    assert form.cleaned_data["other"] == own


def test_relation_accepts_number_identifier_or_id(manager):
    vm = CIFactory(name="vm-1", ci_class=services.get_class("virtual_machine"), identifier="vm-1")
    runs_on = services.get_relation_type("runs_on")
    for value in (vm.number, vm.number.lower(), "vm-1", str(vm.pk)):
        form = RelationForm({"type": runs_on.pk, "direction": "out", "other": value}, user=manager)
        assert form.is_valid(), (value, form.errors)
        assert form.cleaned_data["other"] == vm


def test_rejected_relation_keeps_the_other_values(manager):
    app = CIFactory(name="crm")
    runs_on = services.get_relation_type("runs_on")
    number = implementing_change().number
    response = logged_in(manager).post(
        reverse("cmdb:relation_add", args=[app.pk]),
        {
            "type": runs_on.pk,
            "direction": "in",
            "other": "CI-999999",
            "note": "moved last week",
            "change_reference": number,
        },
    )
    assert response.status_code == 200
    assert Relation.objects.count() == 0
    form = response.context["relation_form"]
    assert form.errors == {
        "other": ["No configuration item “CI-999999” that you may choose: pick one from the list."]
    }
    body = response.content.decode()
    assert 'value="moved last week"' in body
    assert f'value="{number}"' in body
    assert f'<option value="{runs_on.pk}" selected>' in body
    assert '<option value="in" selected>' in body
    # the picker shows the rejected text so the user can correct it
    assert 'name="other" value="CI-999999"' in body


def test_picker_renders_the_chosen_ci_for_the_type_ahead(manager):
    app = CIFactory(name="crm")
    vm = CIFactory(name="vm-2", ci_class=services.get_class("virtual_machine"))
    response = logged_in(manager).post(
        reverse("cmdb:relation_add", args=[app.pk]),
        {"type": "", "direction": "out", "other": vm.number},
    )
    assert response.status_code == 200
    other = response.context["relation_form"]["other"]
    html = str(other)
    assert 'data-picker="remote"' in html
    assert f'data-picker-url="{LOOKUP}"' in html
    items = json.loads(
        other.field.widget.get_context("other", other.value(), {})["widget"]["attrs"][
            "data-picker-items"
        ]
    )
    assert items == [{"value": vm.number, "text": f"{vm.number} · vm-2"}]


def test_ci_form_picks_customer_and_owner_and_keeps_values_on_refusal(manager, customer_a):
    client = logged_in(manager)
    url = reverse("cmdb:ci_create") + "?ci_class=application"
    application = services.get_class("application").pk
    data = {"ci_class": application, "name": "Payroll", "criticality": "high"}
    refused = client.post(url, {**data, "customer": "no-such-customer", "owner": manager.username})
    assert refused.status_code == 200
    assert refused.context["form"].errors == {
        "customer": [
            "No organisation “no-such-customer” that you may choose: pick one from the list."
        ]
    }
    body = refused.content.decode()
    assert 'value="Payroll"' in body
    assert f'name="owner" value="{manager.username}"' in body
    saved = client.post(url, {**data, "customer": customer_a.code, "owner": manager.username})
    assert saved.status_code == 302
    ci = ConfigurationItem.objects.get(name="Payroll")
    assert (ci.customer, ci.owner) == (customer_a, manager)
    # the edit page shows the chosen records by name for the type-ahead
    edit = client.get(reverse("cmdb:ci_edit", args=[ci.pk])).content.decode()
    assert f'name="customer" value="{customer_a.code}"' in edit
    assert "Customer A" in edit
