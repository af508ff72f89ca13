"""Bad input to the CMDB's API and pages: each request answers exactly the status and error
code it must (API: ``{"code", "fields"}``; pages: the form field in error, or the message of a
redirect) — never a 500, and never a guess."""

import io

import pytest
from django.contrib.messages import get_messages
from django.test import Client
from django.utils import translation

from itsm.cmdb import services
from itsm.cmdb.tests.factories import CIFactory, RelationFactory

pytestmark = pytest.mark.django_db

BIG = "9" * 30  # an id no database integer holds


@pytest.fixture
def cis(customer_a):
    ci = CIFactory(customer=customer_a)
    shared = CIFactory(ci_class=services.get_class("virtual_machine"))
    RelationFactory(source=ci, target=shared)
    return ci, shared


def _api_answer(response) -> tuple:
    if response.status_code < 300:
        return (response.status_code,)
    body = response.json()
    return response.status_code, body["code"], tuple(sorted(body["fields"]))


def _compare(cases: list, answer) -> None:
    """Compare every (request, expected answer) at once, so a failure lists each mismatch."""
    got = {n: (request, answer(request)) for n, (request, _expected) in enumerate(cases)}
    assert got == dict(enumerate(cases))


def test_api_reads_with_bad_parameters(admin_user, client_for, cis):
    ci, _shared = cis
    api = client_for(admin_user)
    cases = [
        (f"/api/cmdb/cis/{ci.pk}/as-of/?at=xx", (400, "validation", ("at",))),
        (f"/api/cmdb/cis/{ci.pk}/as-of/?at=2026-13-45", (400, "validation", ("at",))),
        (f"/api/cmdb/cis/{ci.pk}/as-of/?at=99999-01-01", (400, "validation", ("at",))),
        (f"/api/cmdb/cis/{ci.pk}/as-of/?at=0001-01-01T00:00", (400, "validation", ("at",))),
        (f"/api/cmdb/cis/{ci.pk}/as-of/", (400, "validation", ("at",))),
        # a date before the CI existed: there is no state to show
        (f"/api/cmdb/cis/{ci.pk}/as-of/?at=1900-01-01", (404, "not_found", ())),
        (f"/api/cmdb/cis/{BIG}/", (404, "not_found", ())),
        (f"/api/cmdb/cis/{BIG}/as-of/?at=2026-01-01", (404, "not_found", ())),
        (f"/api/cmdb/cis/{BIG}/impact/", (404, "not_found", ())),
        (
            f"/api/cmdb/cis/{ci.pk}/impact/?depth=x&limit=999999999999999999999",
            (400, "validation", ("depth", "limit")),
        ),
        (f"/api/cmdb/cis/{ci.pk}/impact/?direction=zz", (400, "validation", ("direction",))),
        (f"/api/cmdb/cis/?ci_class={BIG}", (400, "validation", ("ci_class",))),
        (f"/api/cmdb/cis/?customer={BIG}", (400, "validation", ("customer",))),
        (f"/api/cmdb/relations/?source={BIG}", (400, "validation", ("source",))),
        ("/api/cmdb/relations/?target=abc&type=zz", (400, "validation", ("target", "type"))),
        (f"/api/cmdb/attributes/?ci_class={BIG}", (400, "validation", ("ci_class",))),
        (
            f"/api/cmdb/audits/?scope_class={BIG}&status=zz",
            (400, "validation", ("scope_class", "status")),
        ),
        (f"/api/cmdb/audits/{BIG}/", (404, "not_found", ())),
        (f"/api/cmdb/audits/{BIG}/differences/", (404, "not_found", ())),
        ("/api/cmdb/cis/?cursor=zzz", (404, "not_found", ())),  # DRF: "Invalid cursor"
        # free text and unknown names match nothing rather than fail
        ("/api/cmdb/cis/?owner=abc", (200,)),
        ("/api/cmdb/classes/?code=zz", (200,)),
        ("/api/cmdb/cis/?search=%00", (200,)),
        ("/api/cmdb/cis/?ordering=zz", (200,)),
    ]
    _compare(cases, lambda url: _api_answer(api.get(url)))


def test_api_writes_with_bad_bodies(admin_user, client_for, cis):
    ci, shared = cis
    server = services.get_class("server").pk
    runs_on = services.get_relation_type("runs_on").pk
    api = client_for(admin_user)
    attribute = {"ci_class": server, "name_zh": "k", "name_en": "k"}
    cases = [
        (("/api/cmdb/cis/", {"name": "x", "ci_class": BIG}), (400, "validation", ("ci_class",))),
        (
            ("/api/cmdb/cis/", {"name": "x", "ci_class": server, "attributes": [1, 2]}),
            (400, "validation", ("attributes",)),
        ),
        (
            (
                "/api/cmdb/cis/",
                {
                    "name": "x",
                    "ci_class": server,
                    "attributes": {"cpu_cores": "abc", "ram_gb": [1], "zz": {"a": 1}},
                },
            ),
            (400, "validation", ("attributes.cpu_cores", "attributes.ram_gb", "attributes.zz")),
        ),
        (
            (
                "/api/cmdb/cis/",
                {"name": "x", "ci_class": server, "attributes": {"cpu_cores": 10**40}},
            ),
            (400, "validation", ("attributes.cpu_cores",)),
        ),
        (
            ("/api/cmdb/cis/", {"name": "x", "ci_class": server, "customer": BIG, "owner": "x"}),
            (400, "validation", ("customer", "owner")),
        ),
        (
            ("/api/cmdb/cis/", {"name": "x" * 5000, "ci_class": server, "identifier": "y" * 5000}),
            (400, "validation", ("identifier", "name")),
        ),
        (
            ("/api/cmdb/relations/", {"source": ci.pk, "target": ci.pk, "type": runs_on}),
            (400, "validation", ("target",)),
        ),
        (
            ("/api/cmdb/relations/", {"source": BIG, "target": "a", "type": None}),
            (400, "validation", ("source", "target", "type")),
        ),
        (
            ("/api/cmdb/relations/", {"source": ci.pk, "target": shared.pk, "type": runs_on}),
            (400, "duplicate", ("target",)),
        ),
        (
            (f"/api/cmdb/cis/{ci.pk}/transition/", {"to": "zz", "version": "a"}),
            (400, "validation", ("to", "version")),
        ),
        (
            (f"/api/cmdb/cis/{ci.pk}/transition/", {"to": "retired", "version": BIG}),
            (409, "conflict", ("version",)),
        ),
        (
            ("/api/cmdb/classes/", {"code": "a b/c", "name_zh": "x", "name_en": "x"}),
            (400, "validation", ("code",)),
        ),
        (
            ("/api/cmdb/classes/", {"code": "server", "name_zh": "x", "name_en": "x"}),
            (400, "validation", ("code",)),
        ),
        (
            (
                "/api/cmdb/attributes/",
                {**attribute, "key": "k", "type": "choice", "choices": "abc"},
            ),
            (400, "validation", ("choices",)),
        ),
        (
            (
                "/api/cmdb/attributes/",
                {
                    **attribute,
                    "key": "k2",
                    "type": "integer",
                    "min_value": "x",
                    "max_value": 10**40,
                },
            ),
            (400, "validation", ("max_value", "min_value")),
        ),
        (
            (
                "/api/cmdb/attributes/",
                {**attribute, "key": "k3", "type": "integer", "min_value": 10, "max_value": 1},
            ),
            (400, "validation", ("max_value",)),
        ),
        (
            (
                "/api/cmdb/relation-types/",
                {
                    "code": "x",
                    "name_zh": "x",
                    "name_en": "x",
                    "reverse_zh": "x",
                    "reverse_en": "x",
                    "source_classes": [BIG],
                },
            ),
            (400, "validation", ("source_classes",)),
        ),
        (("/api/cmdb/audits/", {"title": "t"}), (400, "validation", ("file",))),
        (
            ("/api/cmdb/audits/", {"title": "t", "items": "notalist"}),
            (400, "validation", ("items",)),
        ),
        (
            ("/api/cmdb/audits/", {"title": "t", "items": [1, "a", None]}),
            (400, "validation", ("items.2",)),
        ),
        (
            ("/api/cmdb/audits/", {"title": "t", "scope_class": BIG, "items": []}),
            (400, "validation", ("scope_class",)),
        ),
        # the import takes a file (multipart), not JSON
        (("/api/cmdb/import/", {}), (415, "unsupported_media_type", ())),
    ]
    _compare(cases, lambda request: _api_answer(api.post(*request, format="json")))
    malformed = api.post("/api/cmdb/cis/", "{bad json", content_type="application/json")
    assert _api_answer(malformed) == (400, "parse_error", ())


def test_api_uploads_with_bad_files(admin_user, client_for):
    api = client_for(admin_user)
    imports = [
        ((b"\xff\xfe\x00garbage", "a.csv", {}), (400, "validation", ("file",))),
        ((b"name,class\nx,unknown_class\n", "a.csv", {}), (400, "validation", ("rows.2",))),
        (
            (b"name,class\nx,server\n", "a.csv", {"mapping": '{"nope": "zz", "name": "name"}'}),
            (400, "validation", ("mapping",)),
        ),
        (
            (b"name,class\nx,server\n", "a.csv", {"mapping": "[1,2]"}),
            (400, "validation", ("mapping",)),
        ),
        ((b"PK\x03\x04garbage", "a.xlsx", {}), (400, "validation", ("file",))),
        ((b"", "a.csv", {}), (400, "validation", ("file",))),
    ]

    def upload(url, content, name, extra):
        f = io.BytesIO(content)
        f.name = name
        return _api_answer(api.post(url, {"file": f, **extra}, format="multipart"))

    _compare(imports, lambda case: upload("/api/cmdb/import/", *case))
    snapshots = [
        (b"not json", (400, "validation", ("file",))),
        (b'{"a":1}', (400, "validation", ("file",))),
        (b"[1,2]", (400, "validation", ("rows.1", "rows.2"))),
        (b'[{"identifier": [1], "class": {}, "attributes": 5}]', (400, "validation", ("rows.1",))),
    ]
    _compare(
        snapshots, lambda content: upload("/api/cmdb/audits/", content, "a.json", {"title": "t"})
    )


def _page_answer(client, response) -> tuple:
    """(status, fields in error of the page's forms and list filter) or, for a redirect,
    (302, its target, its first message — the headline; details may follow)."""
    if response.status_code == 302:
        messages = [str(m) for m in get_messages(response.wsgi_request)]
        client.cookies.pop("messages", None)  # shown: the next answer starts without them
        return 302, response["Location"], messages[0] if messages else None
    if response.status_code != 200:
        return (response.status_code,)
    errors = []
    context = response.context or {}
    forms = {name: context.get(name) for name in ("form", "relation_form")}
    if context.get("filterset") is not None:
        forms["filter"] = context["filterset"].form
    for name, form in forms.items():
        if form is not None and form.is_bound:
            errors += [f"{name}.{field}" for field in sorted(form.errors)]
    return 200, tuple(errors)


def test_pages_with_bad_parameters(admin_user, cis):
    ci, _shared = cis
    client = Client()
    client.force_login(admin_user)
    with translation.override(admin_user.language or "zh-hans"):
        expired = (
            302,
            "/cmdb/import/",
            translation.gettext("Upload the file again (the upload expired)."),
        )
    cases = [
        # an unknown class on the new-CI page: the form starts without one
        (f"/cmdb/cis/new/?ci_class={BIG}", (200, ())),
        ("/cmdb/cis/new/?ci_class=zz", (200, ())),
        (f"/cmdb/cis/{ci.pk}/edit/?ci_class={BIG}", (200, ())),
        (f"/cmdb/cis/{ci.pk}/as-of/?at=xx", (200, ("form.at",))),
        (f"/cmdb/cis/{ci.pk}/as-of/?at=99999-01-01", (200, ("form.at",))),
        (f"/cmdb/cis/{ci.pk}/as-of/?at=0001-01-01 00:00", (200, ("form.at",))),
        (
            f"/cmdb/cis/{ci.pk}/impact/?depth=x&direction=zz&limit=-1",
            (200, ("form.depth", "form.direction")),
        ),
        (
            f"/cmdb/cis/{ci.pk}/impact/?depth=99999999999999999999999",
            (200, ("form.depth", "form.direction")),
        ),
        # list filters: the filter names the values it refuses (and the list shows no rows)
        (
            f"/cmdb/?ci_class={BIG}&customer=x&status=zz",
            (200, ("filter.ci_class", "filter.customer", "filter.status")),
        ),
        ("/cmdb/audits/?status=zz", (200, ("filter.status",))),
        ("/cmdb/?cursor=zz", (400,)),  # a page link the list did not make
        ("/cmdb/import/map/?token=zz", expired),
    ]
    _compare(cases, lambda url: _page_answer(client, client.get(url)))


def test_page_forms_with_bad_posts(admin_user, cis):
    ci, shared = cis
    client = Client()
    client.force_login(admin_user)
    runs_on = services.get_relation_type("runs_on").pk
    with translation.override(admin_user.language or "zh-hans"):
        gettext = translation.gettext
        expired = (302, "/cmdb/import/", gettext("Upload the file again (the upload expired)."))
        unreadable = (
            302,
            f"/cmdb/cis/{ci.pk}/",
            gettext("The status change could not be read; reload the page."),
        )
        stale = (
            302,
            f"/cmdb/cis/{ci.pk}/",
            gettext("The record was changed by someone else; reload it and try again."),
        )
    junk, empty = io.BytesIO(b"junk"), io.BytesIO(b"")
    junk.name = empty.name = "x.exe"
    cases = [
        ((f"/cmdb/cis/{ci.pk}/transition/", {"to": "zz", "version": BIG}), unreadable),
        (
            (
                f"/cmdb/cis/{ci.pk}/transition/",
                {"to": "retired", "version": BIG, "confirmed": "yes"},
            ),
            stale,
        ),
        (
            (f"/cmdb/cis/{ci.pk}/relations/", {"other": BIG, "type": BIG, "direction": "zz"}),
            (200, ("relation_form.direction", "relation_form.other", "relation_form.type")),
        ),
        (
            (
                f"/cmdb/cis/{ci.pk}/relations/",
                {"other": shared.number, "type": runs_on, "direction": "out"},
            ),
            (200, ("relation_form.other",)),  # the relation exists already
        ),
        ((f"/cmdb/cis/{ci.pk}/relations/{BIG}/remove/", {}), (404,)),
        (
            (f"/cmdb/cis/{ci.pk}/edit/", {"name": "n", "version": BIG, "ci_class": "server"}),
            (200, ("form.ci_class", "form.criticality")),
        ),
        (
            (
                "/cmdb/cis/new/?ci_class=server",
                {"name": "n", "customer": BIG, "owner": "x", "supplier": BIG},
            ),
            (
                200,
                (
                    "form.ci_class",
                    "form.criticality",
                    "form.customer",
                    "form.owner",
                    "form.supplier",
                ),
            ),
        ),
        (
            ("/cmdb/classes/new/", {"code": "!!", "name_zh": "x"}),
            (200, ("form.code", "form.name_en", "form.order")),
        ),
        (
            ("/cmdb/relation-types/new/", {"code": "zz", "source_classes": [BIG]}),
            (
                200,
                (
                    "form.name_en",
                    "form.name_zh",
                    "form.reverse_en",
                    "form.reverse_zh",
                    "form.source_classes",
                ),
            ),
        ),
        (("/cmdb/audits/new/", {"title": "t"}), (200, ("form.file",))),
        (("/cmdb/audits/new/", {"title": "t", "file": junk}), (200, ("form.file",))),
        (("/cmdb/import/", {"file": empty}), (200, ("form.file",))),
        (("/cmdb/import/map/", {"token": "zz"}), expired),
    ]
    _compare(cases, lambda request: _page_answer(client, client.post(*request)))


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
            "source_classes": [BIG],
        },
    )
    assert response.status_code == 200
    assert list(response.context["form"].errors) == ["source_classes"]
