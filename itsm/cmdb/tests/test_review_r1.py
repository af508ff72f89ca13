"""Review regressions: bad input never answers 500; customers see nothing foreign."""

import io

import pytest
from django.test import Client

from itsm.cmdb import services
from itsm.cmdb.tests.factories import CIFactory, RelationFactory

pytestmark = pytest.mark.django_db


def test_bad_inputs_never_answer_500(admin_user, customer_a, client_for):
    ci = CIFactory(customer=customer_a)
    shared = CIFactory(ci_class=services.get_class("virtual_machine"))
    RelationFactory(source=ci, target=shared)
    api = client_for(admin_user)
    bad = []
    big = "9" * 30
    gets = [
        f"/api/cmdb/cis/{ci.pk}/as-of/?at=xx",
        f"/api/cmdb/cis/{ci.pk}/as-of/?at=2026-13-45",
        f"/api/cmdb/cis/{ci.pk}/as-of/?at=99999-01-01",
        f"/api/cmdb/cis/{ci.pk}/as-of/?at=0001-01-01T00:00",
        f"/api/cmdb/cis/{ci.pk}/as-of/?at=1900-01-01",
        f"/api/cmdb/cis/{ci.pk}/as-of/",
        f"/api/cmdb/cis/{big}/",
        f"/api/cmdb/cis/{big}/as-of/?at=2026-01-01",
        f"/api/cmdb/cis/{big}/impact/",
        f"/api/cmdb/cis/{ci.pk}/impact/?depth=x&limit=999999999999999999999",
        f"/api/cmdb/cis/{ci.pk}/impact/?direction=zz",
        f"/api/cmdb/cis/?ci_class={big}",
        f"/api/cmdb/cis/?customer={big}",
        "/api/cmdb/cis/?owner=abc",
        f"/api/cmdb/relations/?source={big}",
        "/api/cmdb/relations/?target=abc&type=zz",
        "/api/cmdb/classes/?code=zz",
        f"/api/cmdb/attributes/?ci_class={big}",
        f"/api/cmdb/audits/?scope_class={big}&status=zz",
        f"/api/cmdb/audits/{big}/",
        f"/api/cmdb/audits/{big}/differences/",
        "/api/cmdb/cis/?cursor=zzz",
        "/api/cmdb/cis/?search=%00",
        "/api/cmdb/cis/?ordering=zz",
    ]
    for url in gets:
        r = api.get(url)
        if r.status_code >= 500:
            bad.append((url, r.status_code))
    posts = [
        ("/api/cmdb/cis/", {"name": "x", "ci_class": big}),
        ("/api/cmdb/cis/", {"name": "x", "ci_class": "server", "attributes": "notadict"}),
        (
            "/api/cmdb/cis/",
            {"name": "x", "ci_class": services.get_class("server").pk, "attributes": [1, 2]},
        ),
        (
            "/api/cmdb/cis/",
            {
                "name": "x",
                "ci_class": services.get_class("server").pk,
                "attributes": {"cpu_cores": "abc", "ram_gb": [1], "zz": {"a": 1}},
            },
        ),
        (
            "/api/cmdb/cis/",
            {
                "name": "x",
                "ci_class": services.get_class("server").pk,
                "attributes": {"cpu_cores": 10**40},
            },
        ),
        (
            "/api/cmdb/cis/",
            {
                "name": "x",
                "ci_class": services.get_class("server").pk,
                "customer": big,
                "owner": "x",
            },
        ),
        (
            "/api/cmdb/cis/",
            {
                "name": "x" * 5000,
                "ci_class": services.get_class("server").pk,
                "identifier": "y" * 5000,
            },
        ),
        (
            "/api/cmdb/relations/",
            {"source": ci.pk, "target": ci.pk, "type": services.get_relation_type("runs_on").pk},
        ),
        ("/api/cmdb/relations/", {"source": big, "target": "a", "type": None}),
        (
            "/api/cmdb/relations/",
            {
                "source": ci.pk,
                "target": shared.pk,
                "type": services.get_relation_type("runs_on").pk,
            },
        ),
        (f"/api/cmdb/cis/{ci.pk}/transition/", {"to": "zz", "version": "a"}),
        (f"/api/cmdb/cis/{ci.pk}/transition/", {"to": "retired", "version": big}),
        ("/api/cmdb/classes/", {"code": "a b/c", "name_zh": "x", "name_en": "x"}),
        ("/api/cmdb/classes/", {"code": "server", "name_zh": "x", "name_en": "x"}),
        (
            "/api/cmdb/attributes/",
            {
                "ci_class": services.get_class("server").pk,
                "key": "k",
                "name_zh": "k",
                "name_en": "k",
                "type": "choice",
                "choices": "abc",
            },
        ),
        (
            "/api/cmdb/attributes/",
            {
                "ci_class": services.get_class("server").pk,
                "key": "k2",
                "name_zh": "k",
                "name_en": "k",
                "type": "integer",
                "min_value": "x",
                "max_value": 10**40,
            },
        ),
        (
            "/api/cmdb/attributes/",
            {
                "ci_class": services.get_class("server").pk,
                "key": "k3",
                "name_zh": "k",
                "name_en": "k",
                "type": "integer",
                "min_value": 10,
                "max_value": 1,
            },
        ),
        (
            "/api/cmdb/relation-types/",
            {
                "code": "x",
                "name_zh": "x",
                "name_en": "x",
                "reverse_zh": "x",
                "reverse_en": "x",
                "source_classes": [big],
            },
        ),
        ("/api/cmdb/audits/", {"title": "t"}),
        ("/api/cmdb/audits/", {"title": "t", "snapshot": "notalist"}),
        (
            "/api/cmdb/audits/",
            {
                "title": "t",
                "snapshot": [{"identifier": 5, "class": 7, "name": None, "attributes": "x"}],
            },
        ),
        ("/api/cmdb/audits/", {"title": "t", "snapshot": [1, "a", None]}),
        ("/api/cmdb/audits/", {"title": "t", "scope_class": big, "snapshot": []}),
        ("/api/cmdb/import/", {}),
        ("/api/cmdb/import/", {"mapping": "x"}),
    ]
    for url, data in posts:
        r = api.post(url, data, format="json")
        if r.status_code >= 500:
            bad.append((url, data if len(str(data)) < 200 else "...", r.status_code))
    r = api.post("/api/cmdb/cis/", "{bad json", content_type="application/json")
    if r.status_code >= 500:
        bad.append(("badjson", r.status_code))
    for f, extra in [
        (io.BytesIO(b"\xff\xfe\x00garbage"), {}),
        (io.BytesIO(b"name,class\nx,unknown_class\n"), {}),
        (io.BytesIO(b"name,class\nx,server\n"), {"mapping": '{"nope": "zz", "name": "name"}'}),
        (io.BytesIO(b"name,class\nx,server\n"), {"mapping": "[1,2]"}),
        (io.BytesIO(b"PK\x03\x04garbage"), {}),
        (io.BytesIO(b""), {}),
    ]:
        f.name = "a.xlsx" if f.getvalue().startswith(b"PK") else "a.csv"
        r = api.post("/api/cmdb/import/", {"file": f, **extra}, format="multipart")
        if r.status_code >= 500:
            bad.append(("import", f.name, extra, r.status_code))
    for f in [
        io.BytesIO(b"not json"),
        io.BytesIO(b'{"a":1}'),
        io.BytesIO(b"[1,2]"),
        io.BytesIO(b'[{"identifier": [1], "class": {}, "attributes": 5}]'),
    ]:
        f.name = "a.json"
        r = api.post("/api/cmdb/audits/", {"title": "t", "file": f}, format="multipart")
        if r.status_code >= 500:
            bad.append(("auditfile", f.getvalue(), r.status_code))
    # HTML
    c = Client()
    c.force_login(admin_user)
    for url in [
        f"/cmdb/cis/new/?ci_class={big}",
        "/cmdb/cis/new/?ci_class=zz",
        f"/cmdb/cis/{ci.pk}/as-of/?at=xx",
        f"/cmdb/cis/{ci.pk}/as-of/?at=99999-01-01",
        f"/cmdb/cis/{ci.pk}/as-of/?at=0001-01-01 00:00",
        f"/cmdb/cis/{ci.pk}/impact/?depth=x&direction=zz&limit=-1",
        f"/cmdb/cis/{ci.pk}/impact/?depth=99999999999999999999999",
        f"/cmdb/cis/{ci.pk}/edit/?ci_class={big}",
        f"/cmdb/?ci_class={big}&customer=x&status=zz&cursor=zz",
        "/cmdb/audits/?status=zz",
        "/cmdb/import/map/?token=zz",
        "/cmdb/classes/",
        "/cmdb/relation-types/",
        "/cmdb/audits/new/",
    ]:
        r = c.get(url)
        if r.status_code >= 500:
            bad.append((url, r.status_code))
    for url, data in [
        (f"/cmdb/cis/{ci.pk}/transition/", {"to": "zz", "version": big}),
        (f"/cmdb/cis/{ci.pk}/transition/", {"to": "retired", "version": big}),
        (f"/cmdb/cis/{ci.pk}/relations/", {"other": big, "type": big, "direction": "zz"}),
        (
            f"/cmdb/cis/{ci.pk}/relations/",
            {
                "other": shared.number,
                "type": services.get_relation_type("runs_on").pk,
                "direction": "out",
            },
        ),
        (f"/cmdb/cis/{ci.pk}/relations/{big}/remove/", {}),
        (
            f"/cmdb/cis/{ci.pk}/edit/",
            {"name": "n", "version": big, "attr_cpu": "x", "ci_class": "server"},
        ),
        (
            "/cmdb/cis/new/?ci_class=server",
            {"name": "n", "customer": big, "owner": "x", "supplier": big},
        ),
        ("/cmdb/classes/new/", {"code": "!!", "name_zh": "x"}),
        ("/cmdb/relation-types/new/", {"code": "zz", "source_classes": [big]}),
        ("/cmdb/audits/new/", {"title": "t"}),
        ("/cmdb/audits/new/", {"title": "t", "file": io.BytesIO(b"junk")}),
        ("/cmdb/import/", {"file": io.BytesIO(b"")}),
        ("/cmdb/import/map/", {"token": "zz"}),
    ]:
        if "file" in data:
            data["file"].name = "x.exe"
        r = c.post(url, data)
        if r.status_code >= 500:
            bad.append((url, r.status_code))
    assert bad == []


def test_as_of_page_refuses_dates_the_database_cannot_hold(admin_user, customer_a):
    """Was a 500 (OverflowError): year 1 shifted to UTC leaves the datetime range."""
    ci = CIFactory(customer=customer_a)
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(admin_user)
    for value in ("0001-01-01 00:00", "9999-12-31"):
        response = client.get(f"/cmdb/cis/{ci.pk}/as-of/", {"at": value})
        assert response.status_code == 200
        assert response.context["snapshot"] is None
        assert list(response.context["form"].errors) == ["at"]


def test_relation_type_form_refuses_ids_the_database_cannot_hold(admin_user):
    """Was a 500 (OverflowError on SQLite, DataError on PostgreSQL)."""
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(admin_user)
    response = client.post(
        "/cmdb/relation-types/new/",
        {
            "code": "zz",
            "name_zh": "z",
            "name_en": "z",
            "reverse_zh": "z",
            "reverse_en": "z",
            "source_classes": ["9" * 30],
        },
    )
    assert response.status_code == 200
    assert list(response.context["form"].errors) == ["source_classes"]


def test_customer_sees_nothing_foreign(customer_user, customer_a, customer_b, client_for):
    mine = CIFactory(customer=customer_a, name="MINE")
    foreign = CIFactory(customer=customer_b, name="FOREIGNCI")
    shared = CIFactory(ci_class=services.get_class("virtual_machine"), name="SHAREDVM")
    RelationFactory(source=mine, target=shared)
    r2 = RelationFactory(source=foreign, target=shared)
    r3 = RelationFactory(source=foreign, target=mine, type=services.get_relation_type("depends_on"))
    api = client_for(customer_user)
    out = {}
    for url in [
        "/api/cmdb/cis/",
        f"/api/cmdb/cis/{foreign.pk}/",
        f"/api/cmdb/cis/{shared.pk}/",
        f"/api/cmdb/cis/{foreign.pk}/as-of/?at=2030-01-01",
        f"/api/cmdb/cis/{mine.pk}/as-of/?at=2030-01-01",
        f"/api/cmdb/cis/{foreign.pk}/impact/",
        f"/api/cmdb/cis/{mine.pk}/impact/",
        f"/api/cmdb/cis/{mine.pk}/impact/?direction=dependencies",
        f"/cmdb/cis/{mine.pk}/impact/?direction=dependencies",
        f"/api/cmdb/cis/{shared.pk}/impact/",
        "/api/cmdb/relations/",
        f"/api/cmdb/relations/{r2.pk}/",
        f"/api/cmdb/relations/{r3.pk}/",
        f"/api/cmdb/relations/?target={mine.pk}",
        "/api/cmdb/audits/",
        "/api/cmdb/classes/",
        "/api/cmdb/relation-types/",
        "/api/cmdb/attributes/",
    ]:
        r = api.get(url)
        out[url] = (r.status_code, r.content.decode()[:3000])
    r = api.post("/api/cmdb/import/", {})
    out["import"] = (r.status_code, r.content.decode()[:300])
    r = api.post(
        f"/api/cmdb/cis/{mine.pk}/transition/", {"to": "retired", "version": 1}, format="json"
    )
    out["trans"] = (r.status_code, r.content.decode()[:300])
    c = Client()
    c.force_login(customer_user)
    for url in [
        "/cmdb/",
        f"/cmdb/cis/{foreign.pk}/",
        f"/cmdb/cis/{shared.pk}/",
        f"/cmdb/cis/{mine.pk}/",
        f"/cmdb/cis/{foreign.pk}/as-of/?at=2030-01-01",
        f"/cmdb/cis/{mine.pk}/as-of/?at=2030-01-01",
        f"/cmdb/cis/{foreign.pk}/impact/",
        f"/cmdb/cis/{mine.pk}/impact/",
        f"/cmdb/cis/{foreign.pk}/edit/",
        "/cmdb/audits/",
        "/cmdb/import/",
        "/cmdb/classes/",
        "/cmdb/relation-types/",
        "/cmdb/audits/new/",
        "/cmdb/cis/new/",
    ]:
        r = c.get(url)
        out["H" + url] = (r.status_code, r.content.decode())
    for k, (_code, body) in out.items():
        leak = [n for n in ("FOREIGNCI", "SHAREDVM", foreign.number, shared.number) if n in body]
        assert leak == [], k
    assert out["/api/cmdb/cis/"][0] == 200 and out["H/cmdb/"][0] == 200
    foreign = [
        f"/api/cmdb/cis/{foreign.pk}/",
        f"/api/cmdb/cis/{shared.pk}/",
        f"/api/cmdb/cis/{foreign.pk}/as-of/?at=2030-01-01",
        f"/api/cmdb/cis/{foreign.pk}/impact/",
        f"/api/cmdb/cis/{shared.pk}/impact/",
        f"/api/cmdb/relations/{r2.pk}/",
        f"/api/cmdb/relations/{r3.pk}/",
        f"H/cmdb/cis/{foreign.pk}/",
        f"H/cmdb/cis/{shared.pk}/",
        f"H/cmdb/cis/{foreign.pk}/as-of/?at=2030-01-01",
        f"H/cmdb/cis/{foreign.pk}/impact/",
        f"H/cmdb/cis/{foreign.pk}/edit/",
    ]
    assert {k: out[k][0] for k in foreign} == {k: 404 for k in foreign}
    staff_only = [
        "/api/cmdb/audits/",
        "import",
        "trans",
        "H/cmdb/audits/",
        "H/cmdb/import/",
        "H/cmdb/classes/",
        "H/cmdb/relation-types/",
        "H/cmdb/audits/new/",
        "H/cmdb/cis/new/",
    ]
    assert {k: out[k][0] for k in staff_only} == {k: 403 for k in staff_only}


def _query_counts(admin_user, client_for, ci, audit_record) -> dict:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    page = Client()
    page.force_login(admin_user)
    api = client_for(admin_user)
    counts = {}
    for client, url in [
        (page, "/cmdb/"),
        (page, "/cmdb/audits/"),
        (page, f"/cmdb/audits/{audit_record.pk}/"),
        (page, "/cmdb/classes/"),
        (page, "/cmdb/relation-types/"),
        (page, f"/cmdb/cis/{ci.pk}/"),
        (api, "/api/cmdb/cis/"),
        (api, "/api/cmdb/relations/"),
        (api, "/api/cmdb/audits/"),
        (api, "/api/cmdb/differences/"),
        (api, f"/api/cmdb/audits/{audit_record.pk}/differences/"),
    ]:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200, url
        counts[url.replace(f"/{audit_record.pk}/", "/<audit>/") if "audits" in url else url] = len(
            queries.captured_queries
        )
    return counts


def test_list_pages_do_not_query_per_row(admin_user, client_for, customer_a):
    from itsm.cmdb import audit

    hub = CIFactory(customer=customer_a, identifier="hub")
    cis, audits = [hub], []

    def grow(count):
        for _i in range(count):
            ci = CIFactory(customer=customer_a, identifier=f"id-{len(cis)}")
            RelationFactory(source=ci, target=CIFactory(ci_class=services.get_class("server")))
            RelationFactory(source=ci, target=hub, type=services.get_relation_type("depends_on"))
            cis.append(ci)
            items = [
                {"identifier": c.identifier, "class": "application", "name": "renamed"} for c in cis
            ]
            items.append({"identifier": f"new-{len(cis)}", "class": "server", "name": "n"})
            audits.append(audit.create_audit(title="scan", items=items, by=admin_user))

    grow(1)
    few = _query_counts(admin_user, client_for, hub, audits[0])
    grow(5)
    many = _query_counts(admin_user, client_for, hub, audits[-1])
    assert many == few
