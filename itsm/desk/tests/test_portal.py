"""The customer portal's ordering (issue 11): the orderable catalogue, the order page built
from the item's form in the reader's language, the request with its answers and fulfilment
tasks, staff moving the tasks, the request details on the ticket page and the API order with
``Idempotency-Key``."""

from __future__ import annotations

import pytest
from django.db import connection
from django.template.loader import render_to_string
from django.test import Client, RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import path, reverse
from django.utils import translation

from itsm.catalog import services as catalog
from itsm.catalog.tests.factories import make_service
from itsm.config import urls as config_urls
from itsm.core import policy
from itsm.core.errors import ValidationFailed
from itsm.desk.api_portal import OrderViewSet
from itsm.desk.choices import Channel, TaskStatus, TicketKind
from itsm.desk.models import Task, Ticket
from itsm.desk.services import ordering

# ``POST /api/desk/orders/`` as config's API router is asked to mount it (see the report of
# the portal work); the rest of the URL tree as it is
urlpatterns = [
    path(
        "api/desk/orders/",
        OrderViewSet.as_view({"post": "create"}),
        name="portal-orders-under-test",
    ),
    *config_urls.urlpatterns,
]

pytestmark = [pytest.mark.django_db, pytest.mark.urls(__name__)]

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
        "label_en": "Needs backup",
        "type": "yesno",
        "required": False,
        "choices": [],
    },
    {
        "name": "needed_by",
        "label_zh": "需要日期",
        "label_en": "Needed by",
        "type": "date",
        "required": False,
        "choices": [],
    },
]
TASKS = [
    {"title": "Create the virtual machine", "group": "server"},
    {"title": "Hand over the access", "group": ""},
]


@pytest.fixture
def item(provider, group, service, matrix):
    """An item of customer A's published service, with an order form and two tasks."""
    return catalog.add_item(
        service=service,
        code="VM",
        name="Virtual machine",
        description="A virtual server in our data centre.",
        by=None,
        form_fields=FIELDS,
        fulfilment_tasks=TASKS,
    )


def browse(user, language="en") -> Client:
    type(user).objects.filter(pk=user.pk).update(language=language)
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    client.force_login(user)
    return client


def order_url(item) -> str:
    return reverse("desk:portal_order", args=[item.pk])


GOOD = {
    "answer_cpu": "4",
    "answer_os": "Linux",
    "answer_backup": "yes",
    "answer_needed_by": "2026-12-24",
    "description": "For the new billing system.",
    "urgency": "2",
}


# --- the catalogue and the order page -----------------------------------------------------------


def test_the_catalogue_lists_what_the_customer_may_order(item, customer_user):
    page = browse(customer_user).get(reverse("desk:portal_catalogue"))
    assert page.status_code == 200
    html = page.content.decode()
    assert "Virtual machine" in html
    assert f'href="{order_url(item)}"' in html


def test_a_customer_orders_an_item(item, customer_user, customer_a, group):
    client = browse(customer_user)
    page = client.get(order_url(item))
    assert page.status_code == 200
    html = page.content.decode()
    for label in ("CPU cores", "Operating system", "Needs backup", "Needed by"):
        assert label in html
    response = client.post(order_url(item), GOOD)
    ticket = Ticket.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("desk:ticket_detail", args=[ticket.pk])
    assert (ticket.kind, ticket.channel, ticket.customer, ticket.contact) == (
        TicketKind.REQUEST,
        Channel.PORTAL,
        customer_a,
        customer_user,
    )
    assert (ticket.service, ticket.service_item, ticket.title) == (
        item.service,
        item,
        "Virtual machine",
    )
    assert ticket.description == "For the new billing system."
    assert ticket.form_data == {
        "cpu": 4,
        "os": "Linux",
        "backup": True,
        "needed_by": "2026-12-24",
    }
    tasks = list(Task.objects.filter(ticket=ticket).order_by("order"))
    assert [(t.order, t.title, t.team, t.status) for t in tasks] == [
        (1, "Create the virtual machine", group, TaskStatus.OPEN),
        (2, "Hand over the access", None, TaskStatus.OPEN),
    ]


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"answer_cpu": ""}, "answer_cpu", "This field is required."),
        ({"answer_cpu": "four"}, "answer_cpu", "Enter a number."),
        ({"answer_os": "BeOS"}, "answer_os", "Select a valid choice."),
        ({"answer_needed_by": "24.12."}, "answer_needed_by", "Enter a valid date."),
    ],
)
def test_bad_answers_stay_on_the_form(item, customer_user, changes, field, message):
    response = browse(customer_user).post(order_url(item), {**GOOD, **changes})
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert list(errors) == [field]
    assert errors[field][0].startswith(message)
    assert not Ticket.objects.exists()
    assert not Task.objects.exists()


def test_the_order_page_speaks_chinese(item, customer_user):
    with translation.override("zh-hans"):
        html = browse(customer_user, "zh-hans").get(order_url(item)).content.decode()
    for label in ("CPU 核数", "操作系统", "需要备份", "需要日期"):
        assert label in html
    assert "CPU cores" not in html


def test_items_not_offered_or_not_published_answer_404(
    item, service, customer_a, other_customer_user, customer_user
):
    # another customer's item
    assert browse(other_customer_user).get(order_url(item)).status_code == 404
    assert browse(other_customer_user).post(order_url(item), GOOD).status_code == 404
    catalogue = browse(other_customer_user).get(reverse("desk:portal_catalogue"))
    assert "Virtual machine" not in catalogue.content.decode()
    # an item of a service offered to customer A but not published
    draft = make_service(customers=[customer_a])
    unpublished = catalog.add_item(service=draft, code="X", name="Draft item", by=None)
    assert browse(customer_user).get(order_url(unpublished)).status_code == 404
    assert browse(customer_user).post(order_url(unpublished), {}).status_code == 404
    assert not Ticket.objects.exists()


def test_staff_order_for_a_customer_the_service_is_offered_to(item, agent, customer_a):
    client = browse(agent)
    page = client.get(order_url(item))
    assert [c.pk for c in page.context["form"].fields["customer"].queryset] == [customer_a.pk]
    response = client.post(order_url(item), {**GOOD, "customer": customer_a.pk})
    assert response.status_code == 302
    ticket = Ticket.objects.get()
    assert (ticket.customer, ticket.contact, ticket.form_data["cpu"]) == (customer_a, None, 4)


# --- the service ---------------------------------------------------------------------------------


def test_the_service_names_each_wrong_answer_and_writes_nothing(item, customer_user):
    with pytest.raises(ValidationFailed) as caught:
        ordering.order_item(
            by=customer_user,
            item=item,
            answers={"cpu": True, "os": "BeOS", "colour": "red", "needed_by": "tomorrow"},
        )
    assert {k: [str(m) for m in v] for k, v in caught.value.fields.items()} == {
        "answers.colour": ["The item's order form has no such field."],
        "answers.cpu": ["Enter a number."],
        "answers.os": ["Choose one of: Linux, Windows."],
        "answers.needed_by": ["Enter a date as YYYY-MM-DD."],
    }
    assert not Ticket.objects.exists()


def test_a_customer_cannot_order_for_another(item, other_customer_user):
    with pytest.raises(ValidationFailed) as caught:
        ordering.order_item(by=other_customer_user, item=item, answers={"cpu": 1, "os": "Linux"})
    assert list(caught.value.fields) == ["item"]
    assert not Ticket.objects.exists()


# --- the request on the ticket page --------------------------------------------------------------


def _details(ticket, user, language) -> str:
    request = RequestFactory().get("/")
    request.user = user
    with translation.override(language):
        return render_to_string(
            "desk/_request_details.html",
            {"ticket": ticket, "staff": policy.is_provider_staff(user)},
            request=request,
        )


@pytest.mark.parametrize(
    ("language", "labels", "yes"),
    [
        ("en", ["CPU cores", "Operating system", "Needs backup", "Needed by"], "Yes"),
        ("zh-hans", ["CPU 核数", "操作系统", "需要备份", "需要日期"], "是"),
    ],
)
def test_the_request_shows_its_answers_by_label(item, customer_user, language, labels, yes):
    ticket = ordering.order_item(
        by=customer_user,
        item=item,
        answers={"cpu": "8", "os": "Windows", "backup": True, "needed_by": "2026-12-24"},
    )
    html = _details(ticket, customer_user, language)
    for label in labels:
        assert label in html
    assert "needed_by" not in html  # names never show
    for value in ("8", "Windows", yes, "2026-12-24"):
        assert f'data-testid="answer-value">{value}<' in html
    assert "Create the virtual machine" in html
    assert 'data-testid="task-done"' not in html  # customers follow the tasks, staff move them


def test_staff_complete_and_reopen_tasks(item, customer_user, engineer):
    ticket = ordering.order_item(by=customer_user, item=item, answers={"cpu": 1, "os": "Linux"})
    task = Task.objects.get(ticket=ticket, order=1)
    assert 'data-testid="task-done"' in _details(ticket, engineer, "en")
    url = reverse("desk:portal_task_move", args=[task.pk])
    client = browse(engineer)
    response = client.post(url, {"to": "done", "version": task.version})
    assert response.status_code == 302
    assert response["Location"] == reverse("desk:ticket_detail", args=[ticket.pk])
    task.refresh_from_db()
    assert task.status == TaskStatus.DONE and task.done_at is not None
    # a stale version changes nothing
    client.post(url, {"to": "open", "version": task.version - 1})
    task.refresh_from_db()
    assert task.status == TaskStatus.DONE
    client.post(url, {"to": "open", "version": task.version})
    task.refresh_from_db()
    assert (task.status, task.done_at) == (TaskStatus.OPEN, None)
    # customers may not move tasks
    assert browse(customer_user).post(url, {"to": "done"}).status_code == 403
    task.refresh_from_db()
    assert task.status == TaskStatus.OPEN


# --- the API -------------------------------------------------------------------------------------

ORDERS = "/api/desk/orders/"


def api_client(client_for, user):
    client = client_for(user)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


def test_the_same_idempotency_key_twice_makes_one_ticket(item, customer_user, client_for):
    client = api_client(client_for, customer_user)
    body = {"item": item.pk, "answers": {"cpu": 2, "os": "Linux", "backup": False}}
    first = client.post(ORDERS, body, format="json", HTTP_IDEMPOTENCY_KEY="order-1")
    assert first.status_code == 201
    again = client.post(ORDERS, body, format="json", HTTP_IDEMPOTENCY_KEY="order-1")
    assert again.status_code == 201
    assert again["Idempotent-Replayed"] == "true"
    assert again.json()["number"] == first.json()["number"]
    ticket = Ticket.objects.get()
    assert ticket.channel == Channel.API
    assert ticket.form_data == {"cpu": 2, "os": "Linux", "backup": False}
    assert [t["title"] for t in first.json()["tasks"]] == [t["title"] for t in TASKS]
    assert Task.objects.count() == 2
    # the same key with another body is refused, and writes nothing
    other = client.post(
        ORDERS,
        {**body, "answers": {"cpu": 3, "os": "Linux"}},
        format="json",
        HTTP_IDEMPOTENCY_KEY="order-1",
    )
    assert other.status_code == 422
    assert other.json()["code"] == "idempotency_key_reused"
    assert Ticket.objects.count() == 1


def test_api_errors_name_the_field(item, customer_user, other_customer_user, client_for):
    client = api_client(client_for, customer_user)
    response = client.post(ORDERS, {"item": item.pk, "answers": {"os": "Linux"}}, format="json")
    assert response.status_code == 400
    assert response.json()["fields"] == {"answers.cpu": ["This field is required."]}
    foreign = api_client(client_for, other_customer_user).post(
        ORDERS, {"item": item.pk, "answers": {"cpu": 1, "os": "Linux"}}, format="json"
    )
    assert foreign.status_code == 400
    assert foreign.json()["fields"] == {"item": ["No item you may order has this id."]}
    assert not Ticket.objects.exists()


def test_an_item_with_requests_is_not_removed(item, customer_user):
    ordering.order_item(by=customer_user, item=item, answers={"cpu": 1, "os": "Linux"})
    with pytest.raises(ValidationFailed) as caught:
        catalog.remove_item(item, by=None)
    assert caught.value.code == "delete_not_allowed"
    assert item.service.items.filter(pk=item.pk).exists()


def test_the_catalogue_reads_a_fixed_number_of_statements(item, service, customer_user):
    client = browse(customer_user)
    url = reverse("desk:portal_catalogue")
    client.get(url)  # warm the per-process caches (menu, language)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for n in range(5):
        catalog.add_item(service=service, code=f"X{n}", name=f"Extra {n}", by=None)
    with CaptureQueriesContext(connection) as many:
        page = client.get(url)
    assert "Extra 4" in page.content.decode()
    assert len(many.captured_queries) == len(few.captured_queries)
