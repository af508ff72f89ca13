"""CMDB API: the shared endpoint tests for every viewset, plus transitions, attribute
errors, relation rules and the as-of view."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime

import pytest
from django.urls import reverse

from itsm.cmdb import services
from itsm.cmdb.models import AttributeDefinition, CIClass, ConfigurationItem, Relation, RelationType
from itsm.cmdb.tests.factories import CIFactory
from itsm.core.choices import Role
from itsm.core.testing.api import APIEndpointTests, assert_error, client_for
from itsm.core.testing.factories import UserFactory
from itsm.releases.tests.factories import implementing_change

pytestmark = pytest.mark.django_db

WRITERS = (Role.CONFIGURATION_MANAGER,)
_seq = itertools.count(1)


class TestCIAPI(APIEndpointTests):
    model = ConfigurationItem
    url_name = "api:cmdb-api:ci"
    tenancy = "customer"
    required_fields = ("name", "ci_class")
    # deleting is for administrators, who get 400 delete_not_allowed (retire instead)
    invalid_filters = ({"status": "bogus"}, {"ci_class": "nope"}, {"criticality": "x"})

    def make_row(self, owner):
        return CIFactory(customer=owner)

    def create_payload(self, env):
        return {
            "name": "db-01",
            "ci_class": services.get_class("database").pk,
            "customer": env.customer_a.pk,
            "identifier": "db-01.example",
            "attributes": {"engine": "kingbase", "port": 54321},
            "change_reference": implementing_change().number,
        }

    def update_payload(self, env, row):
        return {"name": "billing-renamed", "attributes": {"version": "2.1"}}


class TestCIClassAPI(APIEndpointTests):
    model = CIClass
    url_name = "api:cmdb-api:ci-class"
    tenancy = "provider"
    required_fields = ("code", "name_zh", "name_en")
    # deleting is for administrators, who get 400 delete_not_allowed (retire instead)

    def make_row(self, owner):
        n = next(_seq)
        return services.create_class(code=f"k{n}", name_zh=f"类{n}", name_en=f"Kind {n}", by=None)

    def create_payload(self, env):
        return {"code": "printer", "name_zh": "打印机", "name_en": "Printer", "is_hardware": True}

    def update_payload(self, env, row):
        return {"name_en": "Printers"}


class TestAttributeDefinitionAPI(APIEndpointTests):
    model = AttributeDefinition
    url_name = "api:cmdb-api:attribute"
    tenancy = "provider"
    required_fields = ("ci_class", "key", "type")
    writer_roles = WRITERS
    deletable = True
    invalid_filters = ({"type": "bogus"},)

    def make_row(self, owner):
        n = next(_seq)
        return services.create_attribute(
            ci_class=services.get_class("server"),
            key=f"extra_{n}",
            name_zh=f"扩展{n}",
            name_en=f"Extra {n}",
            type="string",
            by=None,
        )

    def create_payload(self, env):
        return {
            "ci_class": services.get_class("server").pk,
            "key": "rack",
            "name_zh": "机柜",
            "name_en": "Rack",
            "type": "choice",
            "choices": ["A01", "A02"],
        }

    def update_payload(self, env, row):
        return {"name_en": "Renamed", "required": True}


class TestRelationTypeAPI(APIEndpointTests):
    model = RelationType
    url_name = "api:cmdb-api:relation-type"
    tenancy = "provider"
    required_fields = ("code", "name_zh", "name_en", "reverse_zh", "reverse_en")
    # deleting is for administrators, who get 400 delete_not_allowed (retire instead)

    def make_row(self, owner):
        n = next(_seq)
        return services.create_relation_type(
            code=f"rel{n}",
            name_zh=f"关系{n}",
            name_en=f"rel {n}",
            reverse_zh=f"反{n}",
            reverse_en=f"rev {n}",
            by=None,
        )

    def create_payload(self, env):
        return {
            "code": "monitors",
            "name_zh": "监控",
            "name_en": "monitors",
            "reverse_zh": "被监控",
            "reverse_en": "is monitored by",
            "source_classes": [services.get_class("application").pk],
            "target_classes": [],
        }

    def update_payload(self, env, row):
        return {"name_en": "watches", "target_classes": [services.get_class("server").pk]}


class TestRelationAPI(APIEndpointTests):
    model = Relation
    url_name = "api:cmdb-api:relation"
    tenancy = "customer"
    required_fields = ("source", "target", "type")
    writer_roles = WRITERS
    deletable = True
    invalid_filters = ({"ci": "x"}, {"source": "99999999999999999999"})

    def make_row(self, owner):
        app = CIFactory(customer=owner)
        vm = CIFactory(customer=owner, ci_class=services.get_class("virtual_machine"))
        return services.create_relation(
            source=app, target=vm, type=services.get_relation_type("runs_on"), by=None
        )

    def create_payload(self, env):
        bs = CIFactory(customer=env.customer_a, ci_class=services.get_class("business_service"))
        app = CIFactory(customer=env.customer_a)
        return {
            "source": bs.pk,
            "target": app.pk,
            "type": services.get_relation_type("uses").pk,
            "note": "front end",
            "change_reference": implementing_change().number,
        }

    def update_payload(self, env, row):
        return {"note": "moved to cluster B"}


# --- behaviour beyond the shared tests --------------------------------------------------------


@pytest.fixture
def manager(provider):
    return UserFactory(username="cm", organisation=provider, roles=WRITERS)


def test_attribute_errors_name_the_field(manager):
    response = client_for(manager).post(
        reverse("api:cmdb-api:ci-list"),
        {
            "name": "db",
            "ci_class": services.get_class("database").pk,
            "attributes": {"engine": "db2", "port": 0, "colour": "red"},
        },
        format="json",
    )
    body = assert_error(
        response,
        400,
        "validation",
        fields=("attributes.engine", "attributes.port", "attributes.colour"),
    )
    assert set(body["fields"]) == {"attributes.engine", "attributes.port", "attributes.colour"}


def test_transition_and_history(manager):
    ci = CIFactory(by=manager)
    client = client_for(manager)
    url = reverse("api:cmdb-api:ci-transition", kwargs={"pk": ci.pk})
    refused = client.post(
        url, {"to": "in_use", "version": 1, "change_reference": "CHG-5"}, format="json"
    )
    assert_error(refused, 400, "validation", fields=("change_reference",))
    number = implementing_change().number
    response = client.post(
        url, {"to": "in_use", "version": 1, "change_reference": number.lower()}, format="json"
    )
    assert response.status_code == 200, response.json()
    assert (response.json()["status"], response.json()["change_reference"]) == ("in_use", number)
    assert_error(
        client.post(url, {"to": "planned", "version": 2}, format="json"), 422, "invalid_transition"
    )
    history = client.get(reverse("api:cmdb-api:ci-history", kwargs={"pk": ci.pk})).json()
    assert [item["verb"] for item in history if item["kind"] != "changed"] == [
        "created",
        "commission",
    ]


def test_relation_duplicate_and_class_rules(manager):
    app = CIFactory(by=manager)
    vm = CIFactory(by=manager, ci_class=services.get_class("virtual_machine"))
    client = client_for(manager)
    url = reverse("api:cmdb-api:relation-list")
    runs_on = services.get_relation_type("runs_on").pk
    payload = {"source": app.pk, "target": vm.pk, "type": runs_on}
    assert client.post(url, payload, format="json").status_code == 201
    assert_error(client.post(url, payload, format="json"), 400, "duplicate", fields=("target",))
    assert_error(
        client.post(url, {**payload, "source": vm.pk, "target": app.pk}, format="json"),
        400,
        "validation",
        fields=("target",),
    )
    assert_error(
        client.post(url, {**payload, "target": app.pk}, format="json"),
        400,
        "validation",
        fields=("target",),
    )


def test_as_of(manager, customer_a, customer_user):
    ci = CIFactory(by=manager, customer=customer_a, name="old name")
    ConfigurationItem.history.filter(id=ci.pk).update(history_date=datetime(2026, 1, 1, tzinfo=UTC))
    services.update_ci(ci, by=manager, name="new name", change_reference="CHG-8")
    url = reverse("api:cmdb-api:ci-as-of", kwargs={"pk": ci.pk})
    client = client_for(manager)
    body = client.get(url, {"at": "2026-01-02T00:00:00+00:00"}).json()
    assert (body["ci"]["name"], body["change_reference"], body["ci"]["version"]) == (
        "old name",
        "",
        1,
    )
    body = client.get(url, {"at": datetime.now(UTC).isoformat()}).json()
    assert (body["ci"]["name"], body["change_reference"]) == ("new name", "CHG-8")
    assert client_for(customer_user).get(url, {"at": "2026-01-02"}).json()["ci"]["id"] == ci.pk
    assert_error(client.get(url), 400, "validation", fields=("at",))
    assert_error(client.get(url, {"at": "yesterday"}), 400, "validation", fields=("at",))
    assert_error(client.get(url, {"at": "2025-12-31"}), 404, "not_found")


def test_customer_cannot_see_shared_or_foreign(manager, customer_user, customer_b):
    shared = CIFactory(by=manager, ci_class=services.get_class("server"))
    foreign = CIFactory(by=manager, customer=customer_b)
    client = client_for(customer_user)
    for ci in (shared, foreign):
        assert_error(
            client.get(reverse("api:cmdb-api:ci-detail", kwargs={"pk": ci.pk})), 404, "not_found"
        )
        assert_error(
            client.get(
                reverse("api:cmdb-api:ci-as-of", kwargs={"pk": ci.pk}), {"at": "2026-01-01"}
            ),
            404,
            "not_found",
        )
    assert client.get(reverse("api:cmdb-api:ci-list")).json()["results"] == []


def test_configuration_manager_writes_cis_but_not_deletes(manager, customer_a):
    client = client_for(manager)
    response = client.post(
        reverse("api:cmdb-api:ci-list"),
        {"name": "web-01", "ci_class": services.get_class("server").pk, "customer": customer_a.pk},
        format="json",
    )
    assert response.status_code == 201, response.json()
    ci_id = response.json()["id"]
    response = client.patch(
        reverse("api:cmdb-api:ci-detail", kwargs={"pk": ci_id}),
        {"location": "IDC-1", "version": 1, "change_reference": implementing_change().number},
        format="json",
    )
    assert (response.status_code, response.json()["location"]) == (200, "IDC-1")
    assert_error(
        client.delete(reverse("api:cmdb-api:ci-detail", kwargs={"pk": ci_id})),
        403,
        "permission_denied",
    )


def test_customer_relation_hides_shared_end(manager, customer_a, customer_user):
    app = CIFactory(by=manager, customer=customer_a, name="portal")
    host = CIFactory(by=manager, ci_class=services.get_class("virtual_machine"), name="shared-vm")
    services.create_relation(
        source=app, target=host, type=services.get_relation_type("runs_on"), by=manager
    )
    rows = client_for(customer_user).get(reverse("api:cmdb-api:relation-list")).json()["results"]
    assert [(r["source_display"], r["target_display"]) for r in rows] == [(str(app), None)]
    staff_rows = client_for(manager).get(reverse("api:cmdb-api:relation-list")).json()["results"]
    assert [r["target_display"] for r in staff_rows] == [str(host)]
