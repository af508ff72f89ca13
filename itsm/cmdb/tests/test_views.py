"""CMDB pages: list, detail, create/edit with class attributes, transitions, relations,
as-of, classes and relation types; tenancy (404 for foreign/shared CIs, 403 for writes)."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from itsm.cmdb import services
from itsm.cmdb.models import AttributeDefinition, ConfigurationItem, Relation
from itsm.cmdb.tests.factories import CIFactory
from itsm.core.choices import Role
from itsm.core.testing.factories import UserFactory
from itsm.releases.tests.factories import implementing_change

pytestmark = pytest.mark.django_db


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


def test_list_filters_and_query_count(manager, customer_a):
    client = logged_in(manager)
    server = services.get_class("server")
    CIFactory(name="host-a", ci_class=server, customer=customer_a)
    client.get(reverse("cmdb:ci_list"))
    with CaptureQueriesContext(connection) as few:
        assert client.get(reverse("cmdb:ci_list")).status_code == 200
    for n in range(10):
        CIFactory(name=f"app-{n}", customer=customer_a if n % 2 else None)
    with CaptureQueriesContext(connection) as many:
        page = client.get(reverse("cmdb:ci_list"))
    assert len(few) == len(many)
    assert len(re.findall(r'href="/cmdb/cis/\d+/"', page.content.decode())) == 11
    filtered = client.get(reverse("cmdb:ci_list"), {"ci_class": "server", "q": "host"})
    body = filtered.content.decode()
    assert "host-a" in body and "app-1" not in body
    assert client.get(reverse("cmdb:ci_list"), {"status": "bogus"}).status_code == 200
    body = page.content.decode()
    assert f'href="{reverse("cmdb:audit_list")}"' in body
    assert f'href="{reverse("cmdb:import")}"' in body


def test_detail_shows_attributes_relations_and_transitions(manager, customer_a):
    vm = CIFactory(
        name="vm-7",
        ci_class=services.get_class("virtual_machine"),
        customer=customer_a,
        attributes={"vcpu": 8, "ip": "10.0.0.7"},
    )
    app = CIFactory(name="billing", customer=customer_a)
    services.create_relation(
        source=app, target=vm, type=services.get_relation_type("runs_on"), by=manager
    )
    page = logged_in(manager).get(reverse("cmdb:ci_detail", args=[vm.pk]))
    body = page.content.decode()
    assert page.status_code == 200
    assert 'data-attribute="vcpu"><th class="w-50">vCPUs</th><td>8</td>' in body
    assert "IP address" in body and "10.0.0.7" in body
    assert "billing" in body and "hosts" in body  # incoming runs_on, reverse label
    assert 'data-testid="transition-commission"' in body
    assert reverse("core:history", args=["cmdb", "configurationitem", vm.pk]) in body
    assert f'href="{reverse("cmdb:impact", kwargs={"pk": vm.pk})}"' in body
    manager.language = "zh-hans"
    manager.save(update_fields=["language"])
    zh = logged_in(manager).get(reverse("cmdb:ci_detail", args=[vm.pk]))
    assert "虚拟CPU" in zh.content.decode()


def test_create_with_class_attributes_and_errors(manager, customer_a):
    client = logged_in(manager)
    db = services.get_class("database")
    url = reverse("cmdb:ci_create") + "?ci_class=database"
    form = client.get(url)
    assert 'name="attr__engine"' in form.content.decode()
    bad = client.post(
        url, {"ci_class": db.pk, "name": "db-1", "criticality": "high", "attr__port": "0"}
    )
    assert bad.status_code == 200
    errors = bad.context["form"].errors
    assert errors["attr__engine"] == ["This field is required."]
    assert errors["attr__port"] == ["Enter a value of at least 1."]
    refused = client.post(
        url,
        {
            "ci_class": db.pk,
            "name": "db-1",
            "criticality": "high",
            "customer": customer_a.pk,
            "attr__engine": "dm",
            "attr__port": "5236",
            "change_reference": "CHG-000010",
        },
    )
    assert refused.context["form"].errors["change_reference"] == [
        "No change CHG-000010: give the number of an approved change."
    ]
    first, second = implementing_change().number, implementing_change().number
    ok = client.post(
        url,
        {
            "ci_class": db.pk,
            "name": "db-1",
            "criticality": "high",
            "customer": customer_a.pk,
            "attr__engine": "dm",
            "attr__port": "5236",
            "change_reference": first,
        },
    )
    ci = ConfigurationItem.objects.get(name="db-1")
    assert ok.status_code == 302 and ok["Location"] == reverse("cmdb:ci_detail", args=[ci.pk])
    assert (ci.attributes, ci.change_reference) == ({"engine": "dm", "port": 5236}, first)
    # edit: change an attribute with another change reference
    edit_url = reverse("cmdb:ci_edit", args=[ci.pk])
    assert client.get(edit_url).status_code == 200
    client.post(
        edit_url,
        {
            "ci_class": db.pk,
            "name": "db-1",
            "criticality": "high",
            "customer": customer_a.pk,
            "attr__engine": "dm",
            "attr__port": "5237",
            "change_reference": second,
            "version": 1,
        },
    )
    ci.refresh_from_db()
    assert (ci.version, ci.attributes["port"], ci.change_reference) == (2, 5237, second)


def test_transition_relation_add_remove_and_as_of(manager):
    client = logged_in(manager)
    app = CIFactory(name="crm")
    vm = CIFactory(name="vm-9", ci_class=services.get_class("virtual_machine"), identifier="vm-9")
    client.post(reverse("cmdb:ci_transition", args=[app.pk]), {"to": "in_use", "version": 1})
    app.refresh_from_db()
    assert app.status == "in_use"
    runs_on = services.get_relation_type("runs_on")
    add = reverse("cmdb:relation_add", args=[app.pk])
    client.post(add, {"type": runs_on.pk, "direction": "out", "other": "vm-9"})
    relation = Relation.objects.get()
    assert (relation.source, relation.target) == (app, vm)
    again = client.post(
        add, {"type": runs_on.pk, "direction": "out", "other": vm.number}, follow=True
    )
    assert "already has the relation" in again.content.decode()
    assert Relation.objects.count() == 1
    client.post(reverse("cmdb:relation_remove", args=[app.pk, relation.pk]), {"confirmed": "yes"})
    assert Relation.objects.count() == 0
    ConfigurationItem.history.filter(id=app.pk).order_by("history_id").filter(
        history_type="+"
    ).update(history_date=datetime(2026, 1, 1, tzinfo=UTC))
    page = client.get(reverse("cmdb:ci_as_of", args=[app.pk]), {"at": "2026-01-02T10:00"})
    assert page.context["snapshot"].ci.status == "planned"
    early = client.get(reverse("cmdb:ci_as_of", args=[app.pk]), {"at": "2025-01-02T10:00"})
    assert early.context["missing"] is True


def test_customer_sees_own_ci_not_shared_or_foreign(manager, customer_a, customer_b, customer_user):
    own = CIFactory(name="own", customer=customer_a)
    shared = CIFactory(name="shared-host", ci_class=services.get_class("server"))
    foreign = CIFactory(name="foreign", customer=customer_b)
    services.create_relation(
        source=own,
        target=CIFactory(ci_class=services.get_class("virtual_machine")),
        type=services.get_relation_type("runs_on"),
        by=manager,
    )
    customer_user.language = "en"
    customer_user.save(update_fields=["language"])
    client = logged_in(customer_user)
    listing = client.get(reverse("cmdb:ci_list")).content.decode()
    assert "own" in listing and "shared-host" not in listing and "foreign" not in listing
    detail = client.get(reverse("cmdb:ci_detail", args=[own.pk]))
    assert detail.status_code == 200
    assert "Shared infrastructure" in detail.content.decode()  # the masked VM
    for ci in (shared, foreign):
        assert client.get(reverse("cmdb:ci_detail", args=[ci.pk])).status_code == 404
        assert client.get(reverse("cmdb:ci_as_of", args=[ci.pk])).status_code == 404
    assert client.get(reverse("cmdb:ci_edit", args=[own.pk])).status_code == 403
    assert client.get(reverse("cmdb:ci_create")).status_code == 403
    assert (
        client.post(reverse("cmdb:ci_transition", args=[own.pk]), {"to": "in_use"}).status_code
        == 403
    )
    assert client.get(reverse("cmdb:class_list")).status_code == 403
    assert client.get(reverse("cmdb:relation_type_list")).status_code == 403


def test_class_and_attribute_admin_pages(manager, engineer):
    client = logged_in(manager)
    assert client.get(reverse("cmdb:class_list")).status_code == 200
    client.post(
        reverse("cmdb:class_create"),
        {"code": "printer", "name_zh": "打印机", "name_en": "Printer", "order": 100},
    )
    printer = services.get_class("printer")
    detail = reverse("cmdb:class_detail", args=[printer.pk])
    client.post(
        detail,
        {
            "key": "colour",
            "name_zh": "彩色",
            "name_en": "Colour",
            "type": "choice",
            "choices_text": "mono\ncolour",
            "order": 10,
        },
    )
    definition = AttributeDefinition.objects.get(ci_class=printer, key="colour")
    assert definition.choices == ["mono", "colour"]
    bad = client.post(
        detail, {"key": "x", "name_zh": "x", "name_en": "x", "type": "choice", "order": 1}
    )
    assert bad.context["form"].errors["choices_text"] == ["List at least one allowed value (text)."]
    client.post(
        reverse("cmdb:attribute_edit", args=[definition.pk]),
        {
            "name_zh": "彩色",
            "name_en": "Colour mode",
            "type": "choice",
            "choices_text": "mono\ncolour",
            "order": 10,
            "version": 1,
        },
    )
    assert AttributeDefinition.objects.get(pk=definition.pk).name_en == "Colour mode"
    assert client.get(reverse("cmdb:relation_type_list")).status_code == 200
    assert client.get(reverse("cmdb:relation_type_create")).status_code == 200
    runs_on = services.get_relation_type("runs_on")
    assert client.get(reverse("cmdb:relation_type_edit", args=[runs_on.pk])).status_code == 200
    # provider staff without CMDB roles read, but cannot write
    reader = logged_in(engineer)
    assert reader.get(detail).status_code == 200
    assert reader.get(reverse("cmdb:class_create")).status_code == 403
    assert reader.post(detail, {"key": "y"}).status_code == 403
