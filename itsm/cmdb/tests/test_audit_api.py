"""API of configuration audits and differences (R-CMDB-05)."""

from __future__ import annotations

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation

from itsm.cmdb import services
from itsm.cmdb.audit import services as audits
from itsm.cmdb.choices import CIStatus
from itsm.cmdb.models import AuditDifference, ConfigurationAudit
from itsm.core.choices import Role
from itsm.core.testing.api import APIEndpointTests, assert_error, client_for
from itsm.core.testing.factories import UserFactory

pytestmark = pytest.mark.django_db

SNAPSHOT = [
    {"identifier": "API-1", "class": "server", "name": "api-1", "attributes": {"cpu_cores": 8}},
    {"identifier": "API-2", "class": "server", "name": "api-2", "attributes": {"cpu_cores": "4"}},
]


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def _server(identifier, name, **attributes):
    return services.create_ci(
        name=name,
        ci_class=services.get_class("server"),
        identifier=identifier,
        attributes=attributes,
        status=CIStatus.IN_USE,
        by=None,
    )


class TestConfigurationAuditAPI(APIEndpointTests):
    model = ConfigurationAudit
    url_name = "api:cmdb-api:audit"
    tenancy = "staff"  # view=STAFF: customers are refused (403) rather than shown an empty list
    required_fields = ("title",)
    write_only_fields = ("items",)
    writer_roles = (Role.CONFIGURATION_MANAGER,)
    limited_roles = (Role.ENGINEER_L2,)
    invalid_filters = ({"status": "bogus"},)

    def make_row(self, owner):
        # audits are provider-internal: *owner* does not own them
        return audits.create_audit(title=f"Audit for {owner.code}", by=None, items=SNAPSHOT)

    def create_payload(self, env):
        return {"title": "Quarterly discovery", "items": SNAPSHOT}

    def update_payload(self, env, row):
        return {"title": "Renamed audit"}

    def test_delete(self, api_env, admin_user):
        # delete is administrators' only (policy); even they are told audits are kept
        url = self.detail_url(api_env.row_a.pk)
        assert_error(client_for(api_env.writer).delete(url), 403, "permission_denied")
        assert_error(client_for(admin_user).delete(url), 400, "delete_not_allowed")
        assert ConfigurationAudit.objects.filter(pk=api_env.row_a.pk).exists()

    def test_customer_users_are_refused_differences_and_create(self, api_env):
        client = client_for(api_env.customer)
        url = reverse("api:cmdb-api:audit-differences", kwargs={"pk": api_env.row_a.pk})
        assert_error(client.get(url), 403, "permission_denied")
        assert_error(
            client.post(self.list_url(), self.create_payload(api_env), format="json"),
            403,
            "permission_denied",
        )


@pytest.fixture
def manager(provider):
    return UserFactory(
        username="cfg-manager",
        organisation=provider,
        roles=[Role.CONFIGURATION_MANAGER],
        language="en",  # the API answers in the user's language
    )


@pytest.fixture
def servers(db):
    return {
        "one": _server("API-1", "api-1", cpu_cores=8),
        "two": _server("API-2", "api-2", cpu_cores=2),
        "gone": _server("API-3", "api-3"),
    }


def test_create_from_uploaded_json_and_detail_figures(servers, manager):
    client = client_for(manager)
    upload = SimpleUploadedFile(
        "scan.json", json.dumps({"items": SNAPSHOT}).encode(), "application/json"
    )
    response = client.post(
        reverse("api:cmdb-api:audit-list"), {"title": "Upload", "file": upload}, format="multipart"
    )
    assert response.status_code == 201, response.json()
    data = response.json()
    assert (data["source_name"], data["checked_count"], data["matched_count"]) == (
        "scan.json",
        3,
        1,
    )
    assert data["accuracy"] == pytest.approx(1 / 3)
    detail = client.get(reverse("api:cmdb-api:audit-detail", kwargs={"pk": data["id"]})).json()
    assert detail["figures"] == {
        "checked": 3,
        "matched": 1,
        "accuracy": pytest.approx(1 / 3),
        "corrected": 0,
        "accuracy_after": pytest.approx(1 / 3),
        "pending": 2,
        "counts": {"missing": 1, "unexpected": 0, "drifted": 1},
    }


def test_invalid_upload_answers_400_naming_rows(servers, manager):
    client = client_for(manager)
    client.credentials(HTTP_ACCEPT_LANGUAGE="en")  # force_authenticate: no saved language
    upload = SimpleUploadedFile(
        "scan.csv", b"identifier,class,name,cpu_cores\nX,server,x,lots\nY,robot,y,\n", "text/csv"
    )
    response = client.post(
        reverse("api:cmdb-api:audit-list"), {"title": "Bad", "file": upload}, format="multipart"
    )
    body = assert_error(response, 400, "validation", fields=("rows.2", "rows.3"))
    assert body["fields"]["rows.3"] == ["Row 3: Unknown class “robot”."]
    assert_error(
        client.post(reverse("api:cmdb-api:audit-list"), {"title": "Nothing"}, format="json"),
        400,
        "validation",
        fields=("file",),
    )
    assert ConfigurationAudit.objects.count() == 0


def test_differences_accept_reject_close(servers, manager):
    client = client_for(manager)
    audit = audits.create_audit(title="Q", by=manager, items=SNAPSHOT)
    url = reverse("api:cmdb-api:audit-differences", kwargs={"pk": audit.pk})
    listed = client.get(url, {"kind": "drifted"}).json()["results"]
    assert [
        (d["ci_number"], d["attribute"], d["cmdb_value"], d["discovered_value"]) for d in listed
    ] == [(servers["two"].number, "attributes.cpu_cores", 2, 4)]
    drift_id = listed[0]["id"]
    response = client.post(reverse("api:cmdb-api:audit-difference-accept", kwargs={"pk": drift_id}))
    assert response.status_code == 200, response.json()
    assert response.json()["decision"] == "accepted"
    servers["two"].refresh_from_db()
    assert servers["two"].attributes["cpu_cores"] == 4
    assert servers["two"].change_reference == audit.number
    again = client.post(reverse("api:cmdb-api:audit-difference-reject", kwargs={"pk": drift_id}))
    assert_error(again, 422, "invalid_transition")

    close = reverse("api:cmdb-api:audit-close", kwargs={"pk": audit.pk})
    assert_error(
        client.post(close, {}, format="json"), 400, "pending_differences", fields=("force",)
    )
    missing = AuditDifference.objects.get(audit=audit, kind="missing")
    response = client.post(
        reverse("api:cmdb-api:audit-difference-reject", kwargs={"pk": missing.pk}),
        {"note": "Powered off for the quarter"},
        format="json",
    )
    assert response.json()["note"] == "Powered off for the quarter"
    detail = client.get(reverse("api:cmdb-api:audit-detail", kwargs={"pk": audit.pk})).json()
    assert detail["status"] == "closed"  # nothing pending any more
    assert detail["figures"]["accuracy_after"] == pytest.approx(2 / 3)
    assert_error(client.post(close, {"force": True}, format="json"), 422, "invalid_transition")


def test_bulk_decide(servers, manager):
    audit = audits.create_audit(title="Q", by=manager, items=SNAPSHOT)
    response = client_for(manager).post(
        reverse("api:cmdb-api:audit-decide", kwargs={"pk": audit.pk}),
        {"decision": "accept"},
        format="json",
    )
    assert response.status_code == 200, response.json()
    assert response.json()["status"] == "closed"
    servers["gone"].refresh_from_db()
    assert servers["gone"].status == CIStatus.RETIRED


def test_engineer_and_customer_cannot_decide(servers, manager, engineer, customer_user):
    audit = audits.create_audit(title="Q", by=manager, items=SNAPSHOT)
    difference = audit.differences.first()
    accept = reverse("api:cmdb-api:audit-difference-accept", kwargs={"pk": difference.pk})
    assert_error(client_for(engineer).post(accept), 403, "permission_denied")
    assert (
        client_for(engineer)
        .get(reverse("api:cmdb-api:audit-difference-detail", kwargs={"pk": difference.pk}))
        .status_code
        == 200
    )
    assert_error(client_for(customer_user).post(accept), 403, "permission_denied")
    assert_error(
        client_for(customer_user).get(reverse("api:cmdb-api:audit-difference-list")),
        403,
        "permission_denied",
    )
    assert_error(
        client_for(engineer).post(
            reverse("api:cmdb-api:audit-decide", kwargs={"pk": audit.pk}),
            {"decision": "accept"},
            format="json",
        ),
        403,
        "permission_denied",
    )
    difference.refresh_from_db()
    assert difference.decision == "pending"
    assert_error(
        client_for(manager).post(
            reverse("api:cmdb-api:audit-difference-accept", kwargs={"pk": 99999999999999999999})
        ),
        404,
        "not_found",
    )


def test_a_class_code_with_a_nul_character_is_not_found(admin_user, client_for):
    """PostgreSQL cannot compare text holding NUL: the code is unknown (400), never a 500
    (found by the API fuzz test)."""
    response = client_for(admin_user).post(
        "/api/cmdb/audits/",
        {"title": "Snapshot", "scope_class": "ser\x00ver", "items": []},
        format="json",
    )
    assert response.status_code == 400
    assert "scope_class" in response.json()["fields"]
