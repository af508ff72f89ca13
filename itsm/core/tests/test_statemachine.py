"""Declared state machines (DESIGN rule 2), proven on the test-only sample app."""

import pytest
from django.utils import translation

from itsm.core import services
from itsm.core.choices import Role
from itsm.core.errors import Conflict, Forbidden, InvalidTransition, ValidationFailed
from itsm.core.statemachine import ANY_STATE, StateMachine, Transition, ensure_transition
from itsm.core.testing.api import APIEndpointTests, assert_error, client_for
from itsm.core.testing.factories import UserFactory
from itsm.core.testing.sample.choices import SAMPLE_MACHINE, SampleStatus
from itsm.core.testing.sample.factories import SampleTicketFactory
from itsm.core.testing.sample.models import SampleTicket
from itsm.core.timeline import timeline_for

S = SampleStatus


class TestSampleTicketAPI(APIEndpointTests):
    model = SampleTicket
    url_name = "api:sample-api:sampleticket"
    tenancy = "customer"
    deletable = True
    required_fields = ("title", "customer")
    writer_roles = (Role.SERVICE_DESK,)
    limited_roles = (Role.QUALITY_MANAGER,)
    invalid_filters = ({"status": "bogus"}, {"customer": "not-a-number"})

    def make_row(self, owner):
        return SampleTicketFactory(customer=owner)

    def create_payload(self, env):
        return {"title": "VPN drops every hour", "customer": env.customer_a.pk}

    def update_payload(self, env, row):
        return {"title": "VPN drops every ten minutes"}


@pytest.fixture
def desk(provider):
    return UserFactory(organisation=provider, roles=[Role.SERVICE_DESK])


@pytest.fixture
def ticket(customer_a):
    return SampleTicketFactory(customer=customer_a)


def url(ticket, action=""):
    return f"/api/sample/tickets/{ticket.pk}/{action}"


# --- the mechanism ------------------------------------------------------------------------------


def test_legal_transition_returns_the_transition(ticket, desk):
    step = ensure_transition(ticket, S.IN_PROGRESS, by=desk)
    assert step.name == "start"


def test_illegal_transition_names_the_status_field(ticket, desk):
    with pytest.raises(InvalidTransition) as info, translation.override("en"):
        ensure_transition(ticket, S.CLOSED, by=desk)
    assert info.value.code == "invalid_transition"
    assert info.value.status == 422
    assert list(info.value.fields) == ["status"]
    with translation.override("en"):
        assert str(info.value.detail) == "Cannot go from “New” to “Closed”."


def test_role_not_named_by_the_transition_is_forbidden(ticket, customer_user):
    with pytest.raises(Forbidden):
        ensure_transition(ticket, S.IN_PROGRESS, by=customer_user)


def test_superuser_may_make_any_declared_transition(ticket, provider):
    root = UserFactory(organisation=provider, is_superuser=True)
    assert ensure_transition(ticket, S.CANCELLED, by=root).name == "cancel"


def test_required_fields_are_named(ticket, desk):
    ticket.status = S.IN_PROGRESS
    with pytest.raises(ValidationFailed) as info:
        ensure_transition(ticket, S.RESOLVED, by=desk)
    assert list(info.value.fields) == ["resolution"]
    ticket.resolution = "Replaced the cable"
    assert ensure_transition(ticket, S.RESOLVED, by=desk).name == "resolve"


def test_any_state_source_excludes_the_target_itself(ticket, admin_user):
    assert ensure_transition(ticket, S.CANCELLED, by=admin_user).name == "cancel"
    ticket.status = S.CANCELLED
    with pytest.raises(InvalidTransition):
        ensure_transition(ticket, S.CANCELLED, by=admin_user)


def test_available_lists_the_moves_the_user_may_make(ticket, desk, customer_user, admin_user):
    assert [t.name for t in SAMPLE_MACHINE.available(ticket, desk)] == ["start"]
    assert [t.name for t in SAMPLE_MACHINE.available(ticket, customer_user)] == []
    assert [t.name for t in SAMPLE_MACHINE.available(ticket, admin_user)] == ["cancel"]


def test_transition_names_must_be_unique():
    with pytest.raises(ValueError):
        StateMachine(
            field="status",
            initial="a",
            transitions=[
                Transition("a", "b", "go"),
                Transition("b", "c", "go"),
            ],
        )
    machine = StateMachine(
        field="status",
        initial="a",
        transitions=[
            Transition(ANY_STATE, "z", "stop"),
            Transition(("a", "b"), "c", "go"),
        ],
    )
    assert machine.by_name("go").target == "c"
    assert machine.find("b", "c").name == "go"
    assert machine.find("c", "c") is None


def test_service_transition_saves_versions_and_records_the_event(ticket, desk):
    services.transition(ticket, S.IN_PROGRESS, by=desk, note="on it", expected_version=1)
    ticket.refresh_from_db()
    assert (ticket.status, ticket.version) == (S.IN_PROGRESS, 2)
    entry = list(timeline_for(ticket))[-1]
    assert (entry.verb, entry.actor, entry.note) == ("start", desk, "on it")
    assert entry.data == {"from": "new", "to": "in_progress"}


def test_service_transition_with_stale_version_conflicts_and_writes_nothing(ticket, desk):
    services.transition(ticket, S.IN_PROGRESS, by=desk, expected_version=1)
    stale = SampleTicket.objects.get(pk=ticket.pk)
    stale.status, stale.version = S.IN_PROGRESS, 1
    events = timeline_for(ticket).count()
    with pytest.raises(Conflict):
        services.transition(stale, S.RESOLVED, by=desk, expected_version=1, resolution="done")
    ticket.refresh_from_db()
    assert (ticket.status, ticket.version, ticket.resolution) == (S.IN_PROGRESS, 2, "")
    assert timeline_for(ticket).count() == events


def test_refused_transition_writes_nothing(ticket, desk):
    with pytest.raises(InvalidTransition):
        services.transition(ticket, S.CLOSED, by=desk, expected_version=1)
    ticket.refresh_from_db()
    assert (ticket.status, ticket.version) == (S.NEW, 1)
    assert [e.verb for e in timeline_for(ticket)] == ["created"]


# --- through the API ----------------------------------------------------------------------------


def test_api_legal_transition(ticket, desk):
    response = client_for(desk).post(
        url(ticket, "transition/"),
        {"to": S.IN_PROGRESS, "version": 1, "note": "taking it"},
        format="json",
    )
    assert response.status_code == 200, response.json()
    assert (response.json()["status"], response.json()["version"]) == ("in_progress", 2)


def test_api_illegal_transition_is_422_naming_status(ticket, desk):
    response = client_for(desk).post(
        url(ticket, "transition/"), {"to": S.CLOSED, "version": 1}, format="json"
    )
    assert_error(response, 422, "invalid_transition", fields=("status",))


def test_api_role_forbidden_is_403(ticket, customer_user):
    response = client_for(customer_user).post(
        url(ticket, "transition/"), {"to": S.IN_PROGRESS, "version": 1}, format="json"
    )
    assert_error(response, 403, "permission_denied")
    ticket.refresh_from_db()
    assert ticket.status == S.NEW


def test_api_missing_required_field_is_400_naming_it(ticket, desk):
    client = client_for(desk)
    client.post(url(ticket, "transition/"), {"to": S.IN_PROGRESS, "version": 1}, format="json")
    response = client.post(
        url(ticket, "transition/"), {"to": S.RESOLVED, "version": 2}, format="json"
    )
    assert_error(response, 400, "validation", fields=("resolution",))
    response = client.post(
        url(ticket, "transition/"),
        {"to": S.RESOLVED, "version": 2, "resolution": "Replaced cable"},
        format="json",
    )
    assert response.status_code == 200, response.json()
    assert response.json()["resolution"] == "Replaced cable"


def test_api_stale_version_is_409(ticket, desk):
    client = client_for(desk)
    client.post(url(ticket, "transition/"), {"to": S.IN_PROGRESS, "version": 1}, format="json")
    response = client.post(
        url(ticket, "transition/"), {"to": S.CANCELLED, "version": 1}, format="json"
    )
    # the desk may not cancel, but the stale version is not even looked at: roles come first
    assert response.status_code == 403
    admin = UserFactory(roles=[Role.ADMINISTRATOR])
    response = client_for(admin).post(
        url(ticket, "transition/"), {"to": S.CANCELLED, "version": 1}, format="json"
    )
    assert_error(response, 409, "conflict", fields=("version",))


def test_api_transition_body_is_validated(ticket, desk):
    client = client_for(desk)
    assert_error(
        client.post(url(ticket, "transition/"), {"to": S.IN_PROGRESS}, format="json"),
        400,
        "validation",
        fields=("version",),
    )
    assert_error(
        client.post(url(ticket, "transition/"), {"to": "bogus", "version": 1}, format="json"),
        400,
        "validation",
        fields=("to",),
    )


def test_api_transition_of_a_foreign_ticket_is_404(customer_b, other_customer_user, ticket):
    response = client_for(other_customer_user).post(
        url(ticket, "transition/"), {"to": S.CLOSED, "version": 1}, format="json"
    )
    assert_error(response, 404, "not_found")


def test_api_history_shows_the_transition(ticket, desk):
    client = client_for(desk)
    client.post(
        url(ticket, "transition/"),
        {"to": S.IN_PROGRESS, "version": 1, "note": "mine"},
        format="json",
    )
    items = client.get(url(ticket, "history/"), headers={"Accept-Language": "en"}).json()
    events = [(i["kind"], i["verb"], i["note"]) for i in items if i["kind"] != "changed"]
    assert events == [("created", "created", ""), ("event", "start", "mine")]
    changes = [i["changes"] for i in items if i["kind"] == "changed"]
    assert changes == [[["status", "New", "In progress"]]]
    assert [i["label"] for i in items if i["kind"] != "changed"] == ["Created", "Start"]
    assert [i["actor"] for i in items if i["verb"] == "start"] == [str(desk)]


def test_number_comes_from_the_sequence(customer_a):
    first = SampleTicketFactory(customer=customer_a)
    second = SampleTicketFactory(customer=customer_a)
    assert (first.number, second.number) == ("SMP-000001", "SMP-000002")
