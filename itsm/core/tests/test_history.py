"""The history page: a creation shows once, and every row names its actor (issue 8, item 13)."""

from django.urls import reverse

from itsm.core import services
from itsm.core.choices import OrganisationKind


def _history_url(obj):
    return reverse("core:history", args=[obj._meta.app_label, obj._meta.model_name, obj.pk])


def test_creation_shows_once_with_its_actor(client, admin_user):
    services.set_language(admin_user, language="en")
    org = services.create_organisation(
        code="c", name="C", kind=OrganisationKind.CUSTOMER, by=admin_user
    )
    client.force_login(admin_user)
    response = client.get(_history_url(org))
    assert response.status_code == 200
    items = response.context["items"]
    assert [(item.kind, item.label, item.actor) for item in items] == [
        ("created", "Created", admin_user)
    ]
    html = response.content.decode()
    assert html.count('data-kind="created"') == 1
    assert html.count('data-kind="event"') == 0


def test_a_service_edit_outside_a_request_records_its_actor(admin_user, agent, customer_a):
    # no web request (API token, worker, import, demo): the service names the actor itself
    services.update_record(customer_a, by=agent, expected_version=1, name="Customer A Ltd")
    latest = customer_a.history.order_by("-history_id").first()
    assert latest.history_type == "~"
    assert latest.history_user == agent


def test_a_transition_outside_a_request_records_its_actor(admin_user, engineer, customer_a):
    from itsm.core.testing.sample.services import create_sample_ticket

    ticket = create_sample_ticket(title="Printer", customer=customer_a, by=admin_user)
    services.transition(ticket, "in_progress", by=engineer, expected_version=1)
    assert ticket.history.order_by("-history_id").first().history_user == engineer


def test_the_history_page_shows_the_actor_of_a_field_change(client, admin_user, agent, customer_a):
    services.set_language(admin_user, language="en")
    services.update_record(customer_a, by=agent, expected_version=1, name="Customer A Ltd")
    client.force_login(admin_user)
    items = client.get(_history_url(customer_a)).context["items"]
    changed = [item for item in items if item.kind == "changed"]
    assert [(item.actor, item.changes) for item in changed] == [
        (agent, (("name", "Customer A", "Customer A Ltd"),))
    ]
