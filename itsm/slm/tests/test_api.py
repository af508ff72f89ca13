"""API of agreements, targets, requirements, reviews and action items."""

from __future__ import annotations

import datetime

import pytest

from itsm.core.choices import Role
from itsm.core.testing.api import APIEndpointTests, assert_error, client_for
from itsm.core.testing.factories import SupplierFactory, UserFactory
from itsm.releases.tests.factories import implementing_change
from itsm.slm.models import ActionItem, Agreement, Requirement, ReviewMeeting, Target
from itsm.slm.services import agreements as agreement_services
from itsm.slm.services import requirements as requirement_services
from itsm.slm.services import reviews as review_services
from itsm.slm.tests.factories import (
    calendar_7x24,
    make_signed_sla,
    make_sla,
    published_service,
    slm_manager,
)

pytestmark = pytest.mark.django_db

SLM = (Role.SERVICE_LEVEL_MANAGER, Role.AGREEMENT_MAINTAINER)


class TestAgreementAPI(APIEndpointTests):
    model = Agreement
    url_name = "api:slm-api:agreement"
    tenancy = "customer"
    required_fields = ("kind", "title")
    invalid_filters = ({"status": "bogus"}, {"kind": "bogus"})

    def make_row(self, owner):
        return make_sla(owner)

    def create_payload(self, env):
        return {
            "kind": "sla",
            "title": "Desktop support SLA",
            "customer": env.customer_a.pk,
            "warning_percent": 80,
        }

    def update_payload(self, env, row):
        return {"title": "Desktop support SLA 2026", "valid_from": "2026-01-01"}


class TestTargetAPI(APIEndpointTests):
    model = Target
    url_name = "api:slm-api:target"
    tenancy = "customer"
    required_fields = ("agreement", "metric", "target_value")
    write_only_fields = ("change_reference",)
    deletable = True
    writer_roles = SLM
    invalid_filters = ({"metric": "bogus"},)

    def make_row(self, owner):
        sla = make_sla(owner)
        return agreement_services.add_target(
            agreement=sla, by=None, metric="resolution", priority="p1", target_value=240
        )

    def create_payload(self, env):
        return {
            "agreement": env.row_a.agreement_id,
            "metric": "response",
            "priority": "p2",
            "target_value": "30.000",
        }

    def update_payload(self, env, row):
        return {"target_value": "200.000"}


class TestRequirementAPI(APIEndpointTests):
    model = Requirement
    url_name = "api:slm-api:requirement"
    tenancy = "customer"
    required_fields = ("customer", "kind", "title")
    invalid_filters = ({"status": "bogus"},)

    def make_row(self, owner):
        return requirement_services.create_requirement(
            customer=owner, kind="availability", title="99.9 % online", by=None
        )

    def create_payload(self, env):
        return {"customer": env.customer_a.pk, "kind": "reporting", "title": "Monthly report"}

    def update_payload(self, env, row):
        return {"title": "Monthly report by the 5th"}


class TestReviewMeetingAPI(APIEndpointTests):
    model = ReviewMeeting
    url_name = "api:slm-api:review"
    tenancy = "customer"
    required_fields = ("kind", "title", "due_date")
    invalid_filters = ({"kind": "bogus"}, {"year": "x"})

    def make_row(self, owner):
        return review_services.create_review(
            kind="half_yearly_customer",
            title="SLA review",
            due_date=datetime.date(2026, 7, 15),
            customer=owner,
            by=None,
        )

    def create_payload(self, env):
        return {
            "kind": "half_yearly_customer",
            "title": "Extra review",
            "due_date": "2026-03-16",
            "customer": env.customer_a.pk,
        }

    def update_payload(self, env, row):
        return {"minutes": "Targets met.", "held_on": "2026-01-15", "status": "held"}


class TestActionItemAPI(APIEndpointTests):
    model = ActionItem
    url_name = "api:slm-api:action"
    tenancy = "staff"  # action items are provider-internal: customers get 403, not a list
    required_fields = ("meeting", "description", "owner", "due_date")
    deletable = True
    writer_roles = SLM
    invalid_filters = ({"status": "bogus"},)

    def make_row(self, owner):
        meeting = review_services.create_review(
            kind="half_yearly_customer",
            title="SLA review",
            due_date=datetime.date(2026, 7, 15),
            customer=owner,
            by=None,
        )
        user = UserFactory()
        return review_services.add_action_item(
            meeting=meeting,
            description="Tune alerts",
            owner=user,
            due_date=datetime.date(2026, 8, 1),
            by=None,
        )

    def create_payload(self, env):
        return {
            "meeting": env.row_a.meeting_id,
            "description": "Add a dashboard",
            "owner": env.writer.pk,
            "due_date": "2026-08-15",
        }

    def update_payload(self, env, row):
        return {"status": "done"}


# --- lifecycle, change reference and warnings through the API ---------------------------------


@pytest.fixture
def manager(provider):
    return slm_manager(username="slm-api")


def test_transitions_and_signed_change_reference(manager, customer_a):
    service = published_service(customers=[customer_a])
    client = client_for(manager)
    created = client.post(
        "/api/slm/agreements/",
        {
            "kind": "sla",
            "title": "Bank SLA",
            "customer": customer_a.pk,
            "services": [service.pk],
            "calendar": calendar_7x24().pk,
            "valid_from": "2026-01-01",
            "valid_to": "2026-12-31",
            "provider_signatory": "张敏 Zhang Min",
            "customer_signatory": "刘洋 Liu Yang",
        },
        format="json",
    )
    assert created.status_code == 201, created.json()
    pk = created.json()["id"]
    assert created.json()["number"] == "SLA-000001"
    url = f"/api/slm/agreements/{pk}/"
    target = client.post(
        "/api/slm/targets/",
        {"agreement": pk, "metric": "response", "priority": "p1", "target_value": 15},
        format="json",
    )
    assert target.status_code == 201, target.json()
    version = client.get(url).json()["version"]
    signer = slm_manager(username="slm-api-signer")
    for to, actor in (("negotiating", manager), ("signed", signer), ("active", manager)):
        response = client_for(actor).post(
            url + "transition/", {"to": to, "version": version}, format="json"
        )
        assert response.status_code == 200, response.json()
        version = response.json()["version"]
    assert response.json()["status"] == "active"
    assert response.json()["signed_by"] == signer.pk
    refused = client.patch(url, {"title": "Changed", "version": version}, format="json")
    assert_error(refused, 400, "validation", fields=("change_reference",))
    not_a_change = client.patch(
        url,
        {"title": "Changed", "version": version, "change_reference": "CHG-000042"},
        format="json",
    )
    body = assert_error(not_a_change, 400, "validation", fields=("change_reference",))
    [message] = body["fields"]["change_reference"]
    assert "CHG-000042" in message  # no such change
    number = implementing_change().number
    ok = client.patch(
        url,
        {"title": "Changed", "version": version, "change_reference": number},
        format="json",
    )
    assert ok.status_code == 200, ok.json()
    assert (ok.json()["title"], ok.json()["change_reference"]) == ("Changed", number)
    target_url = f"/api/slm/targets/{target.json()['id']}/"
    assert_error(client.delete(target_url), 400, "validation", fields=("change_reference",))
    refused = client.delete(target_url + "?change_reference=CHG-000043")
    assert_error(refused, 400, "validation", fields=("change_reference",))
    assert client.delete(target_url + f"?change_reference={number}").status_code == 204
    bad = client.post(url + "transition/", {"to": "draft", "version": 99}, format="json")
    assert_error(bad, 422, "invalid_transition")
    planned = client.post(url + "generate-reviews/", {"year": 2026}, format="json")
    assert planned.status_code == 200
    assert planned.json()["created"] == 15


def test_warnings_in_api_and_supplier_sees_own_uc(manager, customer_a):
    sla = make_signed_sla(customer_a, by=manager)
    supplier = SupplierFactory()
    uc = agreement_services.create_agreement(
        kind="uc", title="HW", by=manager, supplier=supplier, underpins=[sla]
    )
    agreement_services.add_target(
        agreement=uc, by=manager, metric="resolution", priority="p1", target_value=480
    )
    data = client_for(manager).get(f"/api/slm/agreements/{sla.pk}/").json()
    assert [
        (w["other"], w["metric"], w["contract_value"]) for w in data["underpinning_warnings"]
    ] == [(uc.number, "resolution", "480")]
    contact = UserFactory(organisation=supplier, roles=(Role.SUPPLIER_CONTACT,))
    ids = {r["id"] for r in client_for(contact).get("/api/slm/agreements/").json()["results"]}
    assert ids == {uc.pk}
    customer = UserFactory(organisation=customer_a, roles=(Role.CUSTOMER_USER,))
    ids = {r["id"] for r in client_for(customer).get("/api/slm/agreements/").json()["results"]}
    assert ids == {sla.pk}
    assert_error(client_for(customer).get(f"/api/slm/agreements/{uc.pk}/"), 404, "not_found")
