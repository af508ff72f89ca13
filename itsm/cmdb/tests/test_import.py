"""Import of configuration items from CSV and Excel (R-CMDB-06, X-08)."""

from __future__ import annotations

import io
import json
from datetime import date

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation

from itsm.cmdb import importer, services
from itsm.cmdb.choices import CIStatus
from itsm.cmdb.models import ConfigurationItem
from itsm.core.choices import Role
from itsm.core.errors import ValidationFailed
from itsm.core.testing.api import assert_error, client_for
from itsm.core.testing.factories import UserFactory
from itsm.releases.tests.factories import implementing_change

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


@pytest.fixture
def manager(provider):
    return UserFactory(
        username="cfg-manager",
        organisation=provider,
        roles=[Role.CONFIGURATION_MANAGER],
        language="en",  # the API answers in the user's language
    )


def _import(text: str, by, *, encoding="utf-8", filename="cis.csv", **kwargs):
    return importer.import_cis(file=text.encode(encoding), filename=filename, by=by, **kwargs)


def test_csv_with_default_mapping(manager, customer_a):
    text = (
        "name,class,identifier,status,criticality,customer,owner,location,cpu_cores,Memory\n"
        "app-01,server,SRV-1,in_use,High,cust-a,cfg-manager,Rack 4,16,64\n"
        "vm-01,Virtual machine,VM-1,Under maintenance,,Customer A,,,,8\n"
    )
    with pytest.raises(ValidationFailed) as refused:
        _import(text, manager, change_reference="CHG-000042")  # no such change
    assert list(refused.value.fields) == ["change_reference"]
    number = implementing_change().number
    result = _import(text, manager, change_reference=number)
    assert (result.created, result.updated, result.dry_run) == (2, 0, False)
    assert result.mapping == {
        "name": "name",
        "class": "class",
        "identifier": "identifier",
        "status": "status",
        "criticality": "criticality",
        "customer": "customer",
        "owner": "owner",
        "location": "location",
        "cpu_cores": "attributes.cpu_cores",
        "Memory": "attributes.memory_gb",
    }
    app = ConfigurationItem.objects.get(identifier="SRV-1")
    assert (app.name, app.ci_class.code, app.status, app.criticality) == (
        "app-01",
        "server",
        "in_use",
        "high",
    )
    assert (app.customer, app.owner, app.location) == (customer_a, manager, "Rack 4")
    assert app.attributes == {"cpu_cores": 16, "memory_gb": 64}
    assert app.change_reference == number
    assert app.history.first().history_user == manager
    vm = ConfigurationItem.objects.get(identifier="VM-1")
    assert (vm.ci_class.code, vm.status, vm.attributes) == (
        "virtual_machine",
        "maintenance",
        {"memory_gb": 8},
    )
    assert [r["row"] for r in result.rows] == [2, 3]


def test_explicit_mapping_and_fixed_class(manager):
    text = "Host;Serial;RAM;Ignored\nweb-01;SN-77;32;whatever\n"
    result = _import(
        text,
        manager,
        mapping={
            "Host": "name",
            "Serial": "identifier",
            "RAM": "attributes.memory_gb",
            "Ignored": "",
        },
        ci_class=services.get_class("server"),
    )
    assert result.created == 1
    ci = ConfigurationItem.objects.get(identifier="SN-77")
    assert (ci.name, ci.ci_class.code, ci.attributes) == ("web-01", "server", {"memory_gb": 32})


def test_gbk_csv_with_chinese_headers(manager, customer_a):
    text = (
        "名称,类别,标识,状态,客户,位置,内存,操作系统\n"
        "核心数据库服务器,服务器,SRV-ZH-1,in_use,cust-a,北京亦庄机房,128,麒麟V10\n"
    )
    result = _import(text, manager, encoding="gbk")
    assert result.created == 1
    assert result.mapping["内存"] == "attributes.memory_gb"
    assert result.mapping["操作系统"] == "attributes.os"
    ci = ConfigurationItem.objects.get(identifier="SRV-ZH-1")
    assert (ci.name, ci.location, ci.customer) == ("核心数据库服务器", "北京亦庄机房", customer_a)
    assert ci.attributes == {"memory_gb": 128, "os": "麒麟V10"}


def test_all_or_nothing_reports_every_bad_row(manager):
    services.create_ci(
        name="taken", ci_class=services.get_class("server"), identifier="T-1", by=None
    )
    before = ConfigurationItem.objects.count()
    text = (
        "name,class,identifier,status,customer,cpu_cores\n"
        "good-1,server,G-1,in_use,,4\n"
        ",server,G-2,,,\n"
        "bad-class,spaceship,G-3,,,\n"
        "bad-cpu,server,G-4,,,many\n"
        "bad-status,server,G-5,sleeping,nobody,\n"
        "dup,server,G-1,,,\n"
        "wrong-class,network_device,T-1,,,\n"
    )
    with pytest.raises(ValidationFailed) as caught:
        _import(text, manager)
    assert caught.value.fields == {
        "rows.3": ["Row 3, column “name”: This field is required."],
        "rows.4": ["Row 4, column “class”: Unknown class “spaceship”."],
        "rows.5": ["Row 5, column “cpu_cores”: Enter a whole number."],
        "rows.6": [
            "Row 6, column “status”: Unknown status “sleeping”.",
            "Row 6, column “customer”: No Customer with code or name “nobody”.",
        ],
        "rows.7": ["Row 7, column “identifier”: The identifier “G-1” is already on row 2."],
        "rows.8": [
            "Row 8, column “class”: "
            + f"{ConfigurationItem.objects.get(identifier='T-1').number} with this "
            + "identifier is a “Server”, not a “Network device”."
        ],
    }
    assert str(caught.value.detail) == "Nothing was imported: 6 rows have errors."
    assert ConfigurationItem.objects.count() == before


def test_identifier_of_existing_ci_updates_it(manager):
    existing = services.create_ci(
        name="old-name",
        ci_class=services.get_class("server"),
        identifier="SRV-U",
        attributes={"cpu_cores": 8, "os": "CentOS"},
        status=CIStatus.IN_USE,
        by=manager,
    )
    text = (
        "identifier,name,class,status,cpu_cores\n"
        "SRV-U,new-name,server,retired,16\n"
        "SRV-V,brand-new,server,,\n"
    )
    number = implementing_change().number
    result = _import(text, manager, change_reference=number)
    assert (result.created, result.updated) == (1, 1)
    existing.refresh_from_db()
    assert existing.name == "new-name"
    assert existing.attributes == {"cpu_cores": 16, "os": "CentOS"}  # merged
    assert existing.status == CIStatus.RETIRED
    assert existing.change_reference == number
    assert [r["action"] for r in result.rows] == ["update", "create"]
    again = _import("identifier,name,class\nSRV-V,brand-new,server\n", manager)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 1)
    refused = "identifier,name,class,status\nSRV-U,new-name,server,planned\n"
    with pytest.raises(ValidationFailed) as caught:
        _import(refused, manager)
    assert list(caught.value.fields) == ["rows.2"]


def test_dry_run_previews_and_writes_nothing(manager):
    before = ConfigurationItem.objects.count()
    result = _import("name,class\na,server\nb,storage\n", manager, dry_run=True)
    assert result.dry_run is True
    assert [(r["row"], r["action"], r["name"], r["ci_class"], r["id"]) for r in result.rows] == [
        (2, "create", "a", "server", None),
        (3, "create", "b", "storage", None),
    ]
    assert ConfigurationItem.objects.count() == before


def _xlsx(rows) -> bytes:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def test_xlsx_with_chinese_headers_and_typed_cells(manager, customer_a):
    content = _xlsx(
        [
            ["名称", "类别", "标识", "客户", "CPU核数", "内存", "保修截止", "位置"],
            [
                "财务系统服务器",
                "服务器",
                "XL-1",
                "Customer A",
                32,
                256.0,
                date(2028, 6, 30),
                "上海机房",
            ],
            ["网关交换机", "网络设备", "XL-2", None, None, None, None, "上海机房"],
        ]
    )
    result = importer.import_cis(file=content, filename="台账.xlsx", by=manager)
    assert result.created == 2
    server = ConfigurationItem.objects.get(identifier="XL-1")
    assert (server.name, server.ci_class.code, server.customer) == (
        "财务系统服务器",
        "server",
        customer_a,
    )
    assert server.attributes == {"cpu_cores": 32, "memory_gb": 256, "warranty_until": "2028-06-30"}
    switch = ConfigurationItem.objects.get(identifier="XL-2")
    assert (switch.ci_class.code, switch.location, switch.customer) == (
        "network_device",
        "上海机房",
        None,
    )


def test_xlsx_errors_name_the_row(manager):
    content = _xlsx([["名称", "类别", "内存"], ["a", "服务器", "十六"], ["b", "服务器", 0]])
    with pytest.raises(ValidationFailed) as caught:
        importer.import_cis(file=content, filename="bad.xlsx", by=manager)
    assert caught.value.fields == {
        "rows.2": ["Row 2, column “内存”: Enter a whole number."],
        "rows.3": ["Row 3, column “内存”: Enter a value of at least 1."],
    }


@pytest.mark.parametrize(
    ("content", "filename"),
    [
        (b"name,class\na,server\n", "cis.txt"),
        (b"this is not a workbook", "cis.xlsx"),
        (b"PK\x03\x04garbage", "cis.xlsx"),
        (b"name,class\x00\n", "cis.csv"),
        (b"", "cis.csv"),
        (b"name,class\n", "cis.csv"),
        (b"{not json", "cis.json"),
        (b'{"hosts": []}', "cis.json"),
        (b"[1, 2]", "cis.json"),
    ],
)
def test_unsafe_or_empty_files_are_refused(manager, content, filename):
    with pytest.raises(ValidationFailed) as caught:
        importer.import_cis(file=content, filename=filename, by=manager)
    assert list(caught.value.fields) == ["file"]


def test_limits(manager, settings):
    settings.ITSM_UPLOAD_MAX_ROWS = 2
    with pytest.raises(ValidationFailed) as caught:
        _import("name,class\na,server\nb,server\nc,server\n", manager)
    assert caught.value.fields == {"file": ["The file has more than 2 rows; split it."]}
    settings.ITSM_UPLOAD_MAX_BYTES = 10
    with pytest.raises(ValidationFailed) as caught:
        importer.import_cis(file=b"name,class\na,server\n", filename="a.csv", by=manager)
    assert list(caught.value.fields) == ["file"]


def test_bad_mapping_is_reported(manager):
    with pytest.raises(ValidationFailed) as caught:
        _import(
            "A,B\nx,y\n",
            manager,
            mapping={"A": "attributes.nope", "B": "location", "C": "name"},
        )
    assert caught.value.fields == {
        "mapping": [
            "Column “A”: unknown field “attributes.nope”.",
            "The file has no column “C”.",
            "Map a column to the name.",
            "Map a column to the class, or choose one class for the whole file.",
        ]
    }


# --- API ----------------------------------------------------------------------------------------


def _upload(text: str, name="cis.csv"):
    return SimpleUploadedFile(name, text.encode(), "text/csv")


def test_api_import_dry_run_then_import(manager):
    client = client_for(manager)
    url = reverse("api:cmdb-api:import")
    text = "Host,RAM\napi-host,16\n"
    mapping = json.dumps({"Host": "name", "RAM": "attributes.memory_gb"})
    response = client.post(
        url,
        {"file": _upload(text), "mapping": mapping, "ci_class": "server", "dry_run": "true"},
        format="multipart",
    )
    assert response.status_code == 200, response.json()
    assert response.json()["rows"][0]["action"] == "create"
    assert not ConfigurationItem.objects.filter(name="api-host").exists()
    response = client.post(
        url, {"file": _upload(text), "mapping": mapping, "ci_class": "server"}, format="multipart"
    )
    assert response.status_code == 201, response.json()
    assert response.json()["created"] == 1
    ci = ConfigurationItem.objects.get(name="api-host")
    assert ci.attributes == {"memory_gb": 16}
    assert response.json()["rows"][0]["number"] == ci.number


def test_api_import_errors_are_400_naming_rows(manager):
    client = client_for(manager)
    client.credentials(HTTP_ACCEPT_LANGUAGE="en")  # force_authenticate: no saved language
    url = reverse("api:cmdb-api:import")
    response = client.post(
        url, {"file": _upload("name,class\n,server\nx,robot\n")}, format="multipart"
    )
    body = assert_error(response, 400, "validation", fields=("rows.2", "rows.3"))
    assert body["fields"]["rows.3"] == ["Row 3, column “class”: Unknown class “robot”."]
    assert_error(client.post(url, {}, format="multipart"), 400, "validation", fields=("file",))
    assert_error(
        client.post(url, {"file": _upload("name,class\na,server\n"), "mapping": "{oops"}),
        400,
        "validation",
        fields=("mapping",),
    )
    assert_error(
        client.post(url, {"file": _upload("a,b\n1,2\n", name="evil.exe")}, format="multipart"),
        400,
        "validation",
        fields=("file",),
    )


def test_api_import_permissions(engineer, customer_user):
    url = reverse("api:cmdb-api:import")
    for user in (engineer, customer_user):
        response = client_for(user).post(
            url, {"file": _upload("name,class\na,server\n")}, format="multipart"
        )
        assert_error(response, 403, "permission_denied")
    assert_error(
        client_for(None).post(url, {"file": _upload("name,class\na,server\n")}),
        401,
        "not_authenticated",
    )
    assert not ConfigurationItem.objects.filter(name="a").exists()


def test_discovery_json_with_nested_attributes(manager):
    snapshot = {
        "items": [
            {
                "name": "db-07",
                "class": "server",
                "identifier": "SN-7",
                "location": "机房 A",
                "attributes": {"cpu_cores": 16, "memory_gb": "64", "os": "麒麟 V10"},
            },
            {"name": "sw-09", "class": "network_device", "identifier": "SN-9"},
        ]
    }
    result = importer.import_cis(
        file=json.dumps(snapshot, ensure_ascii=False).encode(), filename="scan.json", by=manager
    )
    assert (result.created, result.updated) == (2, 0)
    server = ConfigurationItem.objects.get(identifier="SN-7")
    assert (server.name, server.location) == ("db-07", "机房 A")
    assert server.attributes == {"cpu_cores": 16, "memory_gb": 64, "os": "麒麟 V10"}


def test_discovery_json_errors_name_the_object(manager):
    before = ConfigurationItem.objects.count()
    items = [
        {"name": "ok", "class": "server", "identifier": "J-1"},
        {"name": "bad", "class": "server", "attributes": {"cpu_cores": "many"}},
    ]
    with pytest.raises(ValidationFailed) as caught:
        importer.import_cis(file=json.dumps(items).encode(), filename="scan.json", by=manager)
    assert caught.value.fields == {
        "rows.2": ["Row 2, column “attributes.cpu_cores”: Enter a whole number."]
    }
    assert ConfigurationItem.objects.count() == before
