"""Catalogue API: the shared endpoint tests plus lifecycle, published-only visibility and
filters."""

from __future__ import annotations

import pytest
from django.urls import reverse

from itsm.catalog.choices import ServiceStatus
from itsm.catalog.models import Service, ServiceCategory, ServiceItem
from itsm.catalog.tests.factories import (
    make_category,
    make_published,
    make_service,
    service_hours,
    service_owner,
)
from itsm.core.choices import Role
from itsm.core.testing.api import APIEndpointTests, assert_error, client_for

pytestmark = pytest.mark.django_db

SERVICE_URL = "api:catalog-api:service"


class TestCategoryAPI(APIEndpointTests):
    model = ServiceCategory
    url_name = "api:catalog-api:category"
    tenancy = "provider"
    required_fields = ("code", "name")
    writer_roles = (Role.ADMINISTRATOR,)
    deletable = True

    def make_row(self, owner):
        return make_category(name=f"Category of {owner.code}")

    def create_payload(self, env):
        parent = ServiceCategory.objects.order_by("code").first()
        return {"code": f"{parent.code}.07", "name": "Databases", "parent": parent.pk}

    def update_payload(self, env, row):
        return {"name": "Infrastructure services"}


class TestServiceAPI(APIEndpointTests):
    model = Service
    url_name = SERVICE_URL
    tenancy = "customer"
    required_fields = ("code", "name", "category")
    writer_roles = (Role.SERVICE_LEVEL_MANAGER,)
    invalid_filters = ({"status": "bogus"}, {"mode": "teleport"}, {"customer": "999999"})

    def make_row(self, owner):
        return make_published(customers=[owner])

    def create_payload(self, env):
        return {
            "code": "SVC-NEW-01",
            "name": "Backup service",
            "category": ServiceCategory.objects.order_by("id").first().pk,
            "description": "Nightly backups.",
            "owner": service_owner().pk,
            "modes": ["remote", "monitoring"],
            "service_hours": service_hours().pk,
            "charging_basis": "per_device",
            "price": "120.00",
            "customers": [env.customer_a.pk],
        }

    def update_payload(self, env, row):
        return {"name": "Renamed service", "modes": ["resident"]}


class TestItemAPI(APIEndpointTests):
    model = ServiceItem
    url_name = "api:catalog-api:item"
    tenancy = "customer"
    required_fields = ("service", "code", "name")
    writer_roles = (Role.SERVICE_LEVEL_MANAGER,)
    deletable = True

    def make_row(self, owner):
        from itsm.catalog import services

        service = make_published(customers=[owner])
        return services.add_item(service=service, code="IT-01", name="PC repair", by=None)

    def create_payload(self, env):
        return {"service": env.row_a.service_id, "code": "IT-02", "name": "Printer repair"}

    def update_payload(self, env, row):
        return {"name": "PC fault repair", "order": 5}


# --- lifecycle and visibility ---------------------------------------------------------------


def _transition(client, service, to, version, note=""):
    url = reverse(f"{SERVICE_URL}-transition", kwargs={"pk": service.pk})
    return client.post(url, {"to": to, "version": version, "note": note}, format="json")


def test_publish_through_the_api_records_who_and_when(slm, writer, customer_a, customer_user):
    service = make_service(customers=[customer_a], by=writer)
    customer = client_for(customer_user)
    detail = reverse(f"{SERVICE_URL}-detail", kwargs={"pk": service.pk})
    assert_error(customer.get(detail), 404, "not_found")  # a draft is not theirs to see
    submitted = _transition(client_for(writer), service, "in_review", 1)
    assert submitted.status_code == 200, submitted.json()
    assert submitted.json()["status"] == "in_review"
    assert submitted.json()["submitted_by"] == writer.pk
    assert submitted.json()["transitions"] == []  # a maintainer may not publish
    assert_error(_transition(client_for(writer), service, "published", 2), 403, "permission_denied")
    published = _transition(client_for(slm), service, "published", 2)
    assert published.status_code == 200, published.json()
    body = published.json()
    assert (body["status"], body["reviewed_by"], body["published_by"]) == (
        "published",
        slm.pk,
        slm.pk,
    )
    assert body["published_at"] is not None
    assert body["transitions"] == ["retire"]
    seen = customer.get(detail)
    assert seen.status_code == 200
    assert "submitted_by" not in seen.json() and "linked_cis" not in seen.json()
    assert seen.json()["customers"] == [customer_a.pk]
    history = client_for(slm).get(detail + "history/").json()
    # the creation is one row (field history and timeline merged), then the transitions
    assert [i["verb"] for i in history if i["kind"] != "changed"] == [
        "created",
        "submit",
        "publish",
    ]


def test_transition_errors(slm, customer_a):
    service = make_service(customers=[customer_a], by=slm, description="")
    assert_error(_transition(client_for(slm), service, "published", 1), 422, "invalid_transition")
    assert_error(
        _transition(client_for(slm), service, "in_review", 1),
        400,
        "validation",
        fields=("description",),
    )
    assert_error(_transition(client_for(slm), service, "in_review", 9), 409, "conflict")
    assert_error(
        _transition(client_for(slm), service, "bogus", 1), 400, "validation", fields=("to",)
    )


def test_reject_without_a_note_names_the_note(slm, writer, customer_a):
    service = make_service(customers=[customer_a], by=writer)
    assert _transition(client_for(writer), service, "in_review", 1).status_code == 200
    assert_error(
        _transition(client_for(slm), service, "draft", 2), 400, "validation", fields=("note",)
    )
    back = _transition(client_for(slm), service, "draft", 2, note="Add the price")
    assert back.json()["status"] == ServiceStatus.DRAFT


def test_customer_sees_only_published_services_of_their_organisation(
    customer_a, customer_b, customer_user
):
    mine = make_published(customers=[customer_a])
    shared = make_published(customers=[customer_a, customer_b])
    make_published(customers=[customer_b])
    draft = make_service(customers=[customer_a])
    in_review = make_service(customers=[customer_a])
    from itsm.catalog import services
    from itsm.catalog.tests.factories import approver

    services.submit_service(in_review, by=approver())
    services.add_item(service=mine, code="IT-01", name="Visible item", by=None)
    services.add_item(service=draft, code="IT-01", name="Draft item", by=None)
    client = client_for(customer_user)
    listed = client.get(reverse(f"{SERVICE_URL}-list")).json()["results"]
    assert {row["id"] for row in listed} == {mine.pk, shared.pk}
    for hidden in (draft, in_review):
        url = reverse(f"{SERVICE_URL}-detail", kwargs={"pk": hidden.pk})
        assert_error(client.get(url), 404, "not_found")
    items = client.get(reverse("api:catalog-api:item-list")).json()["results"]
    assert [item["name"] for item in items] == ["Visible item"]
    url = reverse(f"{SERVICE_URL}-list")
    assert_error(
        client.get(url, {"customer": customer_b.pk}), 400, "validation", fields=("customer",)
    )
    # categories are provider-internal in the API; the portal shows those holding their services
    assert client.get(reverse("api:catalog-api:category-list")).json()["results"] == []


def test_filters(slm, customer_a, customer_b):
    root = make_category(code="01", by=slm)
    sub = make_category(code="01.01", parent=root, by=slm)
    other = make_category(code="02", by=slm)
    a = make_published(customers=[customer_a], category=sub, modes=["resident"])
    b = make_service(customers=[customer_b], category=other, modes=["remote"], name="Mail hosting")
    client = client_for(slm)
    url = reverse(f"{SERVICE_URL}-list")

    def ids(**params):
        response = client.get(url, params)
        assert response.status_code == 200, response.json()
        return {row["id"] for row in response.json()["results"]}

    assert ids(category="01") == {a.pk}
    assert ids(category="01.01") == {a.pk}
    assert ids(category="02") == {b.pk}
    assert ids(status="published") == {a.pk}
    assert ids(status="draft") == {b.pk}
    assert ids(mode="resident") == {a.pk}
    assert ids(mode="remote") == {b.pk}
    assert ids(customer=customer_b.pk) == {b.pk}
    assert ids(q="mail") == {b.pk}


def test_api_validation_names_the_field(slm, customer_a):
    from itsm.cmdb import services as cmdb_services

    client = client_for(slm)
    server = cmdb_services.create_ci(
        name="app01", ci_class=cmdb_services.get_class("server"), by=None
    )
    payload = {
        "code": "SVC-X-01",
        "name": "X",
        "category": make_category(by=slm).pk,
        "business_ci": server.pk,
    }
    url = reverse(f"{SERVICE_URL}-list")
    assert_error(
        client.post(url, payload, format="json"), 400, "validation", fields=("business_ci",)
    )
    payload.pop("business_ci")
    assert_error(
        client.post(url, {**payload, "modes": ["teleport"]}, format="json"),
        400,
        "validation",
        fields=("modes.0",),  # the list position is named
    )
    assert_error(
        client.post(url, {**payload, "charging_basis": "fixed", "price": "-5"}, format="json"),
        400,
        "validation",
        fields=("price",),
    )
    published = make_published(customers=[customer_a])
    detail = reverse(f"{SERVICE_URL}-detail", kwargs={"pk": published.pk})
    response = client.patch(detail, {"customers": [], "version": published.version}, format="json")
    assert_error(response, 400, "validation", fields=("customers",))
