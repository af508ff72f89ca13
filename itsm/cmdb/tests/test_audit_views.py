"""HTML pages of configuration audits and of the CI import."""

from __future__ import annotations

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import translation

from itsm.cmdb import services
from itsm.cmdb.audit import services as audits
from itsm.cmdb.choices import CIStatus
from itsm.cmdb.models import ConfigurationAudit, ConfigurationItem
from itsm.core.choices import Role
from itsm.core.testing.factories import UserFactory

pytestmark = pytest.mark.django_db

SNAPSHOT = [
    {"identifier": "V-1", "class": "server", "name": "v-1", "attributes": {"cpu_cores": 8}},
    {"identifier": "V-2", "class": "server", "name": "v-2", "attributes": {"cpu_cores": 4}},
]


@pytest.fixture(autouse=True)
def english(settings, tmp_path):
    settings.DATA_DIR = tmp_path
    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield


@pytest.fixture
def manager(provider):
    return UserFactory(
        username="cfg-manager",
        organisation=provider,
        roles=[Role.CONFIGURATION_MANAGER],
        language="en",
    )


def _client(user) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    return client


@pytest.fixture
def servers(db):
    return [
        services.create_ci(
            name=name,
            ci_class=services.get_class("server"),
            identifier=identifier,
            attributes={"cpu_cores": cpu},
            status=CIStatus.IN_USE,
            by=None,
        )
        for name, identifier, cpu in (("v-1", "V-1", 8), ("v-2", "V-2", 2), ("v-3", "V-3", 2))
    ]


def test_audit_pages_flow(servers, manager):
    client = _client(manager)
    assert client.get(reverse("cmdb:audit_list")).status_code == 200
    upload = SimpleUploadedFile("scan.json", json.dumps(SNAPSHOT).encode())
    response = client.post(reverse("cmdb:audit_create"), {"title": "Web audit", "file": upload})
    audit = ConfigurationAudit.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("cmdb:audit_detail", args=[audit.pk])
    page = client.get(response["Location"])
    assert page.status_code == 200
    html = page.content.decode()
    assert 'data-testid="accuracy">33' in html  # 1 of 3 match
    drift = audit.differences.get(kind="drifted")
    response = client.post(
        reverse("cmdb:audit_decide", args=[audit.pk]),
        {"decision": "accept", "difference": drift.pk},
    )
    assert response.status_code == 302
    servers[1].refresh_from_db()
    assert servers[1].attributes["cpu_cores"] == 4
    close = reverse("cmdb:audit_close", args=[audit.pk])
    asked = client.post(close, {"force": "on"})  # closing is for good: a confirmation first
    assert asked.status_code == 200
    assert "can no longer be accepted or rejected" in asked.content.decode()
    audit.refresh_from_db()
    assert audit.status == "open"
    client.post(close, {"confirmed": "yes"})
    audit.refresh_from_db()
    assert audit.status == "open"  # one difference still pending, no force
    client.post(close, {"force": "on", "confirmed": "yes"})
    audit.refresh_from_db()
    assert audit.status == "closed"
    listing = client.get(reverse("cmdb:audit_list")).content.decode()
    assert audit.number in listing
    assert 'data-testid="overall-accuracy">33' in listing


def test_invalid_snapshot_page_lists_rows(servers, manager):
    upload = SimpleUploadedFile("scan.csv", b"identifier,class,name\nX,robot,x\nY,server,\n")
    response = _client(manager).post(reverse("cmdb:audit_create"), {"title": "Bad", "file": upload})
    assert response.status_code == 200
    html = response.content.decode()
    assert "Row 2: Unknown class “robot”." in html
    assert "Row 3: The name is missing." in html
    assert ConfigurationAudit.objects.count() == 0


def test_audit_permissions(servers, manager, engineer, customer_user):
    audit = audits.create_audit(title="Q", by=manager, items=SNAPSHOT)
    engineer_client = _client(engineer)
    assert engineer_client.get(reverse("cmdb:audit_detail", args=[audit.pk])).status_code == 200
    assert engineer_client.get(reverse("cmdb:audit_create")).status_code == 403
    decide = reverse("cmdb:audit_decide", args=[audit.pk])
    assert engineer_client.post(decide, {"decision": "accept"}).status_code == 403
    customer = _client(customer_user)
    assert customer.get(reverse("cmdb:audit_list")).status_code == 403
    assert customer.get(reverse("cmdb:audit_detail", args=[audit.pk])).status_code == 403
    assert customer.get(reverse("cmdb:import")).status_code == 403
    assert engineer_client.get(reverse("cmdb:import")).status_code == 403
    assert audit.differences.filter(decision="pending").count() == 2


def test_import_pages_upload_map_preview_import(manager):
    client = _client(manager)
    text = "主机名,类别,内存,Comment\nweb-9,服务器,16,x\ndb-9,服务器,32,y\n"
    upload = SimpleUploadedFile("cis.csv", text.encode("gbk"))
    response = client.post(reverse("cmdb:import"), {"file": upload})
    assert response.status_code == 302
    map_url = response["Location"]
    token = map_url.split("token=")[1]
    page = client.get(map_url).content.decode()
    assert 'value="attributes.memory_gb" selected' in page  # 内存 recognised
    mapping = {"token": token, "col_0": "name", "col_1": "class", "col_2": "attributes.memory_gb"}
    preview = client.post(map_url, {**mapping, "preview": "1"})
    assert "Preview (nothing written yet): 2 to create" in preview.content.decode()
    assert ConfigurationItem.objects.count() == 0
    bad = client.post(map_url, {**mapping, "col_3": "status", "import": "1"})
    html = bad.content.decode()
    assert "Nothing was imported: 2 rows have errors." in html
    assert "Row 2, column “Comment”: Unknown status “x”." in html
    assert ConfigurationItem.objects.count() == 0
    done = client.post(map_url, {**mapping, "import": "1"})
    assert done.status_code == 200
    assert "2 created, 0 updated, 0 unchanged." in done.content.decode()
    assert sorted(ConfigurationItem.objects.values_list("name", "attributes")) == [
        ("db-9", {"memory_gb": 32}),
        ("web-9", {"memory_gb": 16}),
    ]
    # the stored upload is gone with the session entry
    assert client.get(map_url).status_code == 302


def test_import_page_lists_errors_by_row(manager):
    client = _client(manager)
    text = "name,class,memory\n,server,16\nx,server,lots\n"
    response = client.post(
        reverse("cmdb:import"), {"file": SimpleUploadedFile("c.csv", text.encode())}
    )
    map_url = response["Location"]
    token = map_url.split("token=")[1]
    page = client.post(
        map_url,
        {
            "token": token,
            "col_0": "name",
            "col_1": "class",
            "col_2": "attributes.memory_gb",
            "import": "1",
        },
    )
    html = page.content.decode()
    assert "Nothing was imported: 2 rows have errors." in html
    assert "Row 2, column “name”: This field is required." in html
    assert "Row 3, column “memory”: Enter a whole number." in html
    assert ConfigurationItem.objects.count() == 0


def test_import_upload_refuses_other_files(manager):
    response = _client(manager).post(
        reverse("cmdb:import"), {"file": SimpleUploadedFile("x.exe", b"MZ\x00\x00")}
    )
    assert response.status_code == 200
    assert "Upload a .csv, .xlsx or .json file." in response.content.decode()


def test_audit_list_filters_by_status_search_and_class(servers, manager):
    """The audit list has the audit FilterSet (shared with the API): status, search, class."""
    open_audit = audits.create_audit(title="Web audit", items=SNAPSHOT, by=manager)
    closed = audits.create_audit(title="Storage audit", items=SNAPSHOT, by=manager)
    audits.close_audit(closed, by=manager, force=True)
    client = _client(manager)
    listing = reverse("cmdb:audit_list")

    def numbers(query: dict) -> set[str]:
        response = client.get(listing, query)
        assert response.status_code == 200
        html = response.content.decode()
        return {a.number for a in (open_audit, closed) if a.number in html}

    assert numbers({}) == {open_audit.number, closed.number}
    assert numbers({"status": "closed"}) == {closed.number}
    assert numbers({"q": "web"}) == {open_audit.number}
    assert numbers({"scope_class": servers[0].ci_class_id}) == set()
    bad = client.get(listing, {"status": "nonsense"})
    assert bad.status_code == 200
    assert 'data-testid="filter-errors"' in bad.content.decode()
    api = client.get("/api/cmdb/audits/", {"q": "storage"})
    assert [row["number"] for row in api.json()["results"]] == [closed.number]
