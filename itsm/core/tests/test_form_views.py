"""The generic write views (``core.form_views``) on the sample ticket: service errors on the
form, a stale version as a conflict with nothing saved, and the transition POST (confirmation
page, forbidden move as a message, 403 without the change permission, 404 for another
customer's row)."""

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from itsm.conftest import _user
from itsm.core import services
from itsm.core.choices import Role
from itsm.core.testing.sample.factories import SampleTicketFactory
from itsm.core.testing.sample.models import SampleTicket

pytestmark = [pytest.mark.django_db, pytest.mark.urls("itsm.core.testing.sample.page_urls")]


def _messages(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


@pytest.fixture
def english(admin_user, engineer, customer_user):
    for user in (admin_user, engineer, customer_user):
        services.set_language(user, language="en")


@pytest.fixture
def ticket(customer_a):
    return SampleTicketFactory(customer=customer_a, title="Printer jammed")


# --- create and edit --------------------------------------------------------------------------


def test_create_saves_through_the_service_and_goes_to_the_record(
    client, engineer, customer_a, english
):
    client.force_login(engineer)
    response = client.post(
        reverse("sample:ticket_add"), {"title": "Screen flickers", "customer": customer_a.pk}
    )
    ticket = SampleTicket.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("sample:ticket_detail", args=[ticket.pk])
    assert ticket.number.startswith("SMP-")
    assert _messages(response) == ["Saved."]


def test_create_shows_the_service_error_on_its_field(client, engineer, customer_a, english):
    client.force_login(engineer)
    response = client.post(
        reverse("sample:ticket_add"), {"title": "x" * 201, "customer": customer_a.pk}
    )
    assert response.status_code == 200
    form = response.context["form"]
    # the form has no length limit: the message comes from the service (full_clean)
    assert form.errors["title"] == ["Ensure this value has at most 200 characters (it has 201)."]
    assert 'class="form-control is-invalid"' in response.content.decode()
    assert not SampleTicket.objects.exists()


def test_edit_with_a_stale_version_is_a_conflict_on_the_form(client, engineer, ticket, english):
    services.update_record(ticket, by=engineer, expected_version=1, title="Renamed elsewhere")
    client.force_login(engineer)
    response = client.post(
        reverse("sample:ticket_edit", args=[ticket.pk]), {"title": "Mine", "version": 1}
    )
    assert response.status_code == 200
    errors = response.context["form"].non_field_errors()
    assert errors[0] == "The record was changed by someone else; reload it and try again."
    assert "title" not in response.context["form"].errors
    ticket.refresh_from_db()
    assert (ticket.title, ticket.version) == ("Renamed elsewhere", 2)


def test_edit_with_the_current_version_saves(client, engineer, ticket, english):
    client.force_login(engineer)
    response = client.post(
        reverse("sample:ticket_edit", args=[ticket.pk]), {"title": "Mine", "version": 1}
    )
    assert response.status_code == 302
    ticket.refresh_from_db()
    assert (ticket.title, ticket.version) == ("Mine", 2)
    assert _messages(response) == ["Saved."]


def test_edit_of_another_customers_row_is_404(client, other_customer_user, ticket):
    client.force_login(other_customer_user)
    url = reverse("sample:ticket_edit", args=[ticket.pk])
    assert client.get(url).status_code == 404
    assert client.post(url, {"title": "Mine", "version": 1}).status_code == 404
    ticket.refresh_from_db()
    assert ticket.title == "Printer jammed"


# --- transitions ------------------------------------------------------------------------------


def _transition(client, ticket, to, **extra):
    url = reverse("sample:ticket_transition", args=[ticket.pk])
    return client.post(url, {"to": to, "version": ticket.version, **extra})


def test_transition_moves_the_record(client, engineer, ticket, english):
    client.force_login(engineer)
    response = _transition(client, ticket, "in_progress")
    assert response.status_code == 302
    assert response["Location"] == reverse("sample:ticket_detail", args=[ticket.pk])
    ticket.refresh_from_db()
    assert ticket.status == "in_progress"
    assert _messages(response) == ["Status changed."]


def test_a_transition_declared_with_confirm_asks_first(client, admin_user, ticket, english):
    client.force_login(admin_user)
    response = _transition(client, ticket, "cancelled", note="duplicate")
    assert response.status_code == 200
    html = response.content.decode()
    assert "The ticket is cancelled for good; it cannot be reopened." in html
    assert 'name="confirmed" value="yes"' in html
    assert 'name="note" value="duplicate"' in html  # the same fields are posted again
    ticket.refresh_from_db()
    assert ticket.status == "new"
    response = _transition(client, ticket, "cancelled", note="duplicate", confirmed="yes")
    assert response.status_code == 302
    ticket.refresh_from_db()
    assert ticket.status == "cancelled"


def test_a_forbidden_transition_is_a_message_and_changes_nothing(
    client, engineer, customer_user, ticket, english
):
    client.force_login(customer_user)  # may change the ticket, but may not start work on it
    response = _transition(client, ticket, "in_progress")
    assert response.status_code == 302
    assert _messages(response) == ["Your roles do not allow this status change."]
    client.get(response["Location"])  # the record's page shows (and consumes) the message
    client.force_login(engineer)
    response = _transition(client, ticket, "closed")  # not a move from "new"
    assert _messages(response) == [
        "Cannot go from “New” to “Closed”.",
        "Status: Not allowed from the current status.",
    ]
    ticket.refresh_from_db()
    assert (ticket.status, ticket.version) == ("new", 1)


def test_a_stale_transition_is_a_conflict_message(client, engineer, ticket, english):
    services.update_record(ticket, by=engineer, expected_version=1, title="Renamed elsewhere")
    client.force_login(engineer)
    response = client.post(
        reverse("sample:ticket_transition", args=[ticket.pk]), {"to": "in_progress", "version": 1}
    )
    assert _messages(response) == [
        "The record was changed by someone else; reload it and try again."
    ]
    ticket.refresh_from_db()
    assert ticket.status == "new"


def test_transition_is_403_without_the_change_permission(client, provider, ticket):
    auditor = _user("auditor", provider, Role.QUALITY_MANAGER)  # may view, not change
    client.force_login(auditor)
    assert client.get(reverse("sample:ticket_detail", args=[ticket.pk])).status_code == 200
    assert _transition(client, ticket, "in_progress").status_code == 403
    ticket.refresh_from_db()
    assert ticket.status == "new"


def test_transition_of_another_customers_row_is_404(client, other_customer_user, ticket):
    client.force_login(other_customer_user)
    assert _transition(client, ticket, "cancelled", confirmed="yes").status_code == 404
    ticket.refresh_from_db()
    assert ticket.status == "new"


def test_transition_answers_only_post(client, engineer, ticket):
    client.force_login(engineer)
    url = reverse("sample:ticket_transition", args=[ticket.pk])
    assert client.get(url).status_code == 405
    assert client.post(url, {"version": 1}).status_code == 302  # no target: a message


# --- the record page --------------------------------------------------------------------------


def test_record_page_offers_the_moves_the_user_may_make(
    client, engineer, admin_user, provider, ticket
):
    client.force_login(engineer)
    page = client.get(reverse("sample:ticket_detail", args=[ticket.pk]))
    assert [t.name for t in page.context["transitions"]] == ["start"]  # cancel: admins only
    assert page.context["can_change"] is True
    assert 'data-transition="start"' in page.content.decode()
    client.force_login(admin_user)
    page = client.get(reverse("sample:ticket_detail", args=[ticket.pk]))
    assert [t.name for t in page.context["transitions"]] == ["cancel"]  # start: engineers
    auditor = _user("auditor", provider, Role.QUALITY_MANAGER)  # may view, not change
    client.force_login(auditor)
    page = client.get(reverse("sample:ticket_detail", args=[ticket.pk]))
    assert (page.context["can_change"], page.context["transitions"]) == (False, [])
    assert 'data-testid="edit"' not in page.content.decode()


# --- errors as messages -----------------------------------------------------------------------


def test_error_texts_name_the_field_by_its_label(english, admin_user):
    from django.core.exceptions import ValidationError
    from django.utils import translation

    from itsm.core.errors import InvalidTransition
    from itsm.core.form_views import error_texts
    from itsm.core.testing.sample.views import TicketForm

    with translation.override("en"):
        django_error = ValidationError({"title": ["Too long."], "__all__": ["Not now."]})
        assert error_texts(django_error, model=SampleTicket) == [
            "Some fields are not valid.",
            "Title: Too long.",
            "Not now.",
        ]
        domain_error = InvalidTransition("No.", fields={"resolution": ["Required."], "x": ["?"]})
        assert error_texts(domain_error, model=SampleTicket) == [
            "No.",
            "Resolution: Required.",
            "x: ?",
        ]
        form = TicketForm({"title": ""})
        assert not form.is_valid()
        assert error_texts(form) == [
            "Title: This field is required.",
            "Customer: This field is required.",
        ]


def test_an_error_on_a_reverse_relation_is_labelled_by_the_related_model():
    """A service may name a reverse relation (a calendar's ``days``): it has no verbose name
    of its own, so the message takes the related model's plural name instead of failing."""
    from django.utils import translation

    from itsm.core.calendars.models import BusinessCalendar, CalendarDay
    from itsm.core.errors import ValidationFailed
    from itsm.core.form_views import error_texts

    with translation.override("en"):
        error = ValidationFailed(fields={"days": ["Enter the days first."]})
        plural = str(CalendarDay._meta.verbose_name_plural)
        assert error_texts(error, model=BusinessCalendar) == [
            "Some fields are not valid.",
            f"{plural[0].upper()}{plural[1:]}: Enter the days first.",
        ]
