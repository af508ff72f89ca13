"""The order form and fulfilment tasks of a service item: the services' checks (each error
names the entry), the line editor of the item's page, and the API fields."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from itsm.catalog import orderforms, services
from itsm.catalog.tests.factories import make_published, make_service
from itsm.core import services as core_services
from itsm.core.errors import ValidationFailed

pytestmark = pytest.mark.django_db

FIELDS = [
    {
        "name": "cpu",
        "label_zh": "CPU 核数",
        "label_en": "CPU cores",
        "type": "number",
        "required": True,
        "choices": [],
    },
    {
        "name": "os",
        "label_zh": "操作系统",
        "label_en": "Operating system",
        "type": "choice",
        "required": True,
        "choices": ["Linux", "Windows"],
    },
    {
        "name": "backup",
        "label_zh": "需要备份",
        "label_en": "",
        "type": "yesno",
        "required": False,
        "choices": [],
    },
]


@pytest.fixture
def server_team(provider):
    return core_services.create_team(
        code="server", name="Server team", organisation=provider, members=[], by=None
    )


def _errors(call) -> dict:
    with pytest.raises(ValidationFailed) as caught:
        call()
    return {name: [str(m) for m in messages] for name, messages in caught.value.fields.items()}


def test_an_item_keeps_its_form_and_tasks(slm, customer_a, server_team):
    service = make_service(customers=[customer_a], by=slm)
    item = services.add_item(
        service=service,
        code="VM",
        name="Virtual machine",
        by=slm,
        form_fields=FIELDS,
        fulfilment_tasks=[{"title": " Create the VM ", "group": "server"}, {"title": "Tell"}],
    )
    item.refresh_from_db()
    assert item.form_fields == FIELDS
    assert item.fulfilment_tasks == [
        {"title": "Create the VM", "group": "server"},
        {"title": "Tell", "group": ""},
    ]


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        (
            [FIELDS[0], {**FIELDS[1], "choices": []}],
            "Form field 2: a choice field needs choices.",
        ),
        ([{**FIELDS[0], "name": "CPU"}], "Form field 1: the name must start with a lower-case"),
        ([FIELDS[0], {**FIELDS[0]}], "Form field 2: the name “cpu” is used twice."),
        (
            [{**FIELDS[0], "label_zh": "", "label_en": " "}],
            "Form field 1: give a Chinese or an English label.",
        ),
        ([{**FIELDS[0], "type": "colour"}], "Form field 1: unknown type “colour”; use one of:"),
        ([{**FIELDS[0], "choices": ["a"]}], "Form field 1: only a choice field has choices."),
        ([{**FIELDS[0], "required": "yes"}], "Form field 1: “required” is true or false."),
        ([{**FIELDS[0], "colour": "red"}], "Form field 1: unknown key “colour”."),
        (["cpu"], "Form field 1: give the field as an object."),
        ({"name": "cpu"}, "Give a list of form fields."),
    ],
)
def test_bad_form_fields_name_the_entry(slm, customer_a, fields, message):
    service = make_service(customers=[customer_a], by=slm)
    errors = _errors(
        lambda: services.add_item(service=service, code="VM", name="VM", by=slm, form_fields=fields)
    )
    assert list(errors) == ["form_fields"]
    assert errors["form_fields"][0].startswith(message)
    assert not service.items.exists()


def test_bad_tasks_name_the_entry(slm, customer_a, server_team):
    service = make_service(customers=[customer_a], by=slm)
    item = services.add_item(service=service, code="VM", name="VM", by=slm)
    for tasks, message in [
        ([{"title": "ok", "group": "server"}, {"title": " "}], "Fulfilment task 2: the title"),
        (
            [{"title": "ok", "group": "nobody"}],
            "Fulfilment task 1: no group has the code “nobody”.",
        ),
    ]:
        errors = _errors(
            lambda tasks=tasks: services.update_item(item, by=slm, fulfilment_tasks=tasks)
        )
        assert errors == {"fulfilment_tasks": [errors["fulfilment_tasks"][0]]}
        assert errors["fulfilment_tasks"][0].startswith(message)
    item.refresh_from_db()
    assert item.fulfilment_tasks == []


def test_the_line_editor_round_trips():
    text = orderforms.format_form_fields(FIELDS)
    assert (
        text.splitlines()[1]
        == "os | 操作系统 | Operating system | choice | required | Linux;Windows"
    )
    assert orderforms.clean_form_fields(orderforms.parse_form_fields(text)) == FIELDS
    # Chinese words and separators are understood too
    parsed = orderforms.parse_form_fields("size | 大小 | | choice | 必填 | 小；大\n# a comment\n\n")
    assert parsed == [
        {
            "name": "size",
            "label_zh": "大小",
            "label_en": "",
            "type": "choice",
            "required": True,
            "choices": ["小", "大"],
        }
    ]
    tasks = [{"title": "Create", "group": "server"}, {"title": "Tell", "group": ""}]
    assert orderforms.parse_fulfilment_tasks(orderforms.format_fulfilment_tasks(tasks)) == tasks


def test_labels_follow_the_language():
    assert orderforms.field_label(FIELDS[0], "zh-hans") == "CPU 核数"
    assert orderforms.field_label(FIELDS[0], "en") == "CPU cores"
    assert orderforms.field_label(FIELDS[2], "en") == "需要备份"  # the other label stands in


def _client(user):
    """A client of *user*, whose pages are in English (a user's saved language wins over the
    browser's: zh-Hans by default)."""
    core_services.set_language(user, language="en")
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    return client


def test_the_item_page_edits_the_form_as_lines(slm, customer_a, server_team):
    service = make_service(customers=[customer_a], by=slm)
    item = services.add_item(service=service, code="VM", name="VM", by=slm, form_fields=FIELDS)
    client = _client(slm)
    url = reverse("catalog:item_edit", args=[service.pk, item.pk])
    page = client.get(url).content.decode()
    assert "cpu | CPU 核数 | CPU cores | number | required" in page
    base = {"version": item.version, "code": "VM", "name": "VM", "order": 100}
    # a choice without choices: the error is on the field, nothing is written
    response = client.post(
        url,
        {**base, "form_fields": "os | 操作系统 | OS | choice | required", "fulfilment_tasks": ""},
    )
    assert response.status_code == 200
    assert response.context["form"].errors == {
        "form_fields": ["Form field 1: a choice field needs choices."]
    }
    item.refresh_from_db()
    assert item.form_fields == FIELDS
    # a line with a wrong required word names the line
    response = client.post(url, {**base, "form_fields": "os | 系统 | OS | text | maybe"})
    assert response.context["form"].errors == {
        "form_fields": ["Line 1: write “required” or “optional” in the fifth part."]
    }
    response = client.post(
        url,
        {
            **base,
            "form_fields": "os | 操作系统 | OS | choice | required | Linux;Windows\r\n",
            "fulfilment_tasks": "Create the VM | server\r\nTell the customer",
        },
    )
    assert response.status_code == 302
    item.refresh_from_db()
    assert item.form_fields == [
        {
            "name": "os",
            "label_zh": "操作系统",
            "label_en": "OS",
            "type": "choice",
            "required": True,
            "choices": ["Linux", "Windows"],
        }
    ]
    assert item.fulfilment_tasks == [
        {"title": "Create the VM", "group": "server"},
        {"title": "Tell the customer", "group": ""},
    ]
    # saving the page unchanged changes nothing
    version = item.version
    page = client.get(url)
    form = page.context["form"]
    unchanged = {**base, "version": version}
    unchanged["form_fields"] = form["form_fields"].value()
    unchanged["fulfilment_tasks"] = form["fulfilment_tasks"].value()
    assert client.post(url, unchanged).status_code == 302
    item.refresh_from_db()
    assert item.version == version


def test_the_add_form_takes_the_order_form(slm, customer_a):
    service = make_service(customers=[customer_a], by=slm)
    client = _client(slm)
    client.post(
        reverse("catalog:item_add", args=[service.pk]),
        {
            "code": "PC",
            "name": "PC repair",
            "order": 10,
            "form_fields": "asset | 资产编号 | Asset number | text | required",
        },
    )
    item = service.items.get()
    assert [f["name"] for f in item.form_fields] == ["asset"]
    page = client.get(reverse("catalog:service_detail", args=[service.pk])).content.decode()
    assert "1 field · 0 tasks" in page


def test_the_api_reads_and_writes_the_lists(
    slm, customer_a, customer_user, client_for, server_team
):
    service = make_published(customers=[customer_a])
    item = services.add_item(
        service=service,
        code="VM",
        name="VM",
        by=slm,
        form_fields=FIELDS,
        fulfilment_tasks=[{"title": "Create", "group": "server"}],
    )
    url = f"/api/catalog/items/{item.pk}/"
    staff = client_for(slm).get(url).json()
    assert staff["form_fields"] == FIELDS
    assert staff["fulfilment_tasks"] == [{"title": "Create", "group": "server"}]
    # customers read the form, not which groups fulfil it
    customer = client_for(customer_user).get(url).json()
    assert customer["form_fields"] == FIELDS
    assert "fulfilment_tasks" not in customer
    response = client_for(slm).patch(
        url,
        {"version": item.version, "form_fields": [{**FIELDS[1], "choices": []}]},
        format="json",
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 400
    body = response.json()
    assert body["fields"] == {"form_fields": ["Form field 1: a choice field needs choices."]}


def test_the_portal_links_items_to_their_order_page(slm, customer_a, customer_user):
    service = make_published(customers=[customer_a])
    item = services.add_item(service=service, code="VM", name="VM", by=slm, form_fields=FIELDS)
    order_url = reverse("desk:portal_order", args=[item.pk])
    page = _client(customer_user).get(reverse("catalog:portal")).content.decode()
    assert f'href="{order_url}"' in page
    assert f'href="{reverse("desk:portal_catalogue")}"' in page
    # a catalogue manager logs no tickets: no order links
    staff_page = _client(slm).get(reverse("catalog:portal")).content.decode()
    assert order_url not in staff_page


def test_the_demo_offers_items_with_order_forms():
    from itsm.catalog.demo import load_catalog
    from itsm.catalog.models import ServiceItem
    from itsm.core.demo import _calendars, _organisations, _people

    _organisations()
    _people()
    _calendars()
    load_catalog()
    item = ServiceItem.objects.get(code="DSK-02")
    assert [f["name"] for f in item.form_fields] == ["asset", "os", "software", "needed_by"]
    assert [t["group"] for t in item.fulfilment_tasks] == ["desktop", "desktop", ""]
    version = item.version
    load_catalog()  # idempotent: a form once given is kept
    item.refresh_from_db()
    assert item.version == version
    assert ServiceItem.objects.exclude(form_fields=[]).count() == 3
