"""The API's writes go through services and its tenancy through the policy (issue 9, item 3):
a viewset without a service-backed update answers 405; the one serializer mixin restricts
related rows (failing closed without a request) and leaves out the policy's internal fields;
the one filter-choice helper restricts filter choices; ``administrators()`` is the one answer
to "whom do we alert"."""

import pytest
from django.test import RequestFactory
from django.urls import reverse
from rest_framework.test import APIRequestFactory, force_authenticate

from itsm.core import policy, services
from itsm.core.api.base import DomainViewSet
from itsm.core.api.serializers import OrganisationSerializer
from itsm.core.choices import OrganisationKind, Role
from itsm.core.errors import ValidationFailed
from itsm.core.filtersets import UserFilterSet, restrict_filter_choices
from itsm.core.models import Organisation
from itsm.core.outbox.models import OutboxMessage
from itsm.core.outbox.services import notify_administrators
from itsm.core.selectors import administrators
from itsm.core.testing.api import assert_error
from itsm.core.testing.factories import SupplierFactory, UserFactory
from itsm.core.testing.sample.api import SampleTicketSerializer, SampleTicketViewSet
from itsm.core.testing.sample.factories import SampleTicketFactory
from itsm.core.testing.sample.models import SampleTicket

# --- updates: only through a service ----------------------------------------------------------


class NoUpdateViewSet(DomainViewSet):
    """A viewset that declares create but no ``update_fields``."""

    queryset = SampleTicket.objects.all()
    serializer_class = SampleTicketSerializer
    filterset_class = None

    def create_record(self, data, *, by):  # pragma: no cover - not called
        raise AssertionError


def test_viewset_without_update_fields_offers_no_update():
    assert "put" not in NoUpdateViewSet.http_method_names
    assert "patch" not in NoUpdateViewSet.http_method_names
    assert {"put", "patch"} <= set(SampleTicketViewSet.http_method_names)


@pytest.mark.parametrize("method", ["put", "patch"])
def test_viewset_without_update_fields_answers_405_with_the_error_code(admin_user, method):
    ticket = SampleTicketFactory()
    request = getattr(APIRequestFactory(), method)(
        "/", {"title": "changed", "version": ticket.version}, format="json"
    )
    force_authenticate(request, user=admin_user)
    view = NoUpdateViewSet.as_view({method: "partial_update" if method == "patch" else "update"})
    response = view(request, pk=ticket.pk)
    assert response.status_code == 405
    assert response.data["code"] == "method_not_allowed", response.data
    ticket.refresh_from_db()
    assert (ticket.title, ticket.version) != ("changed", ticket.version + 1)


def test_update_refuses_fields_its_service_does_not_own(admin_user, client_for):
    ticket = SampleTicketFactory()
    url = reverse("api:sample-api:sampleticket-detail", args=[ticket.pk])
    response = client_for(admin_user).patch(
        url, {"title": "x", "resolution": "sneaked in", "version": 1}, format="json"
    )
    # ``resolution`` is read-only on the serializer; the service is the second fence
    assert response.status_code == 200
    ticket.refresh_from_db()
    assert ticket.resolution == ""
    with pytest.raises(ValidationFailed) as error:
        services.update_organisation(
            ticket.customer, by=admin_user, expected_version=1, created_at=None
        )
    assert set(error.value.fields) == {"created_at"}


def test_organisation_kind_never_changes_through_the_service(admin_user, customer_a):
    with pytest.raises(ValidationFailed) as error:
        services.update_organisation(
            customer_a, by=admin_user, expected_version=1, kind=OrganisationKind.SUPPLIER
        )
    assert set(error.value.fields) == {"kind"}
    customer_a.refresh_from_db()
    assert (customer_a.kind, customer_a.version) == (OrganisationKind.CUSTOMER, 1)


def test_user_update_through_the_service_sets_roles_and_password(admin_user, customer_a):
    person = UserFactory(organisation=customer_a, roles=[Role.CUSTOMER_USER])
    services.update_user(
        person,
        by=admin_user,
        expected_version=person.version,
        display_name="Renamed",
        roles=[Role.CUSTOMER_CONTACT],
        password="a-new-password-1",
    )
    person.refresh_from_db()
    assert person.display_name == "Renamed"
    assert person.roles == {Role.CUSTOMER_CONTACT}
    assert person.check_password("a-new-password-1")
    assert person.history.latest().history_user_id == admin_user.pk


# --- the tenancy serializer mixin -------------------------------------------------------------


def test_serializer_without_request_offers_no_related_rows(customer_a):
    """Fails closed: without a request nobody may point a record at any customer."""
    body = SampleTicketSerializer(data={"title": "x", "customer": customer_a.pk})
    assert not body.is_valid()
    assert set(body.errors) == {"customer"}
    assert body.errors["customer"][0].code == "does_not_exist"


def test_serializer_with_a_customer_request_offers_only_their_rows(
    customer_user, customer_a, customer_b
):
    request = RequestFactory().post("/")
    request.user = customer_user
    context = {"request": request}
    own = SampleTicketSerializer(data={"title": "x", "customer": customer_a.pk}, context=context)
    assert own.is_valid(), own.errors
    other = SampleTicketSerializer(data={"title": "x", "customer": customer_b.pk}, context=context)
    assert not other.is_valid()
    assert set(other.errors) == {"customer"}


def test_internal_fields_are_left_out_without_request_and_for_customers(
    admin_user, customer_user, customer_a
):
    assert policy.policy_for(Organisation).internal_fields == ("notes",)
    services.update_organisation(customer_a, by=admin_user, expected_version=1, notes="pays late")
    assert "notes" not in OrganisationSerializer(customer_a).data
    request = RequestFactory().get("/")
    request.user = customer_user
    assert "notes" not in OrganisationSerializer(customer_a, context={"request": request}).data
    request.user = admin_user
    data = OrganisationSerializer(customer_a, context={"request": request}).data
    assert data["notes"] == "pays late"


def test_customer_never_receives_internal_fields_from_the_api_or_the_page(
    admin_user, customer_user, customer_a, client_for, client
):
    services.update_organisation(customer_a, by=admin_user, expected_version=1, notes="pays late")
    url = reverse("api:core-api:organisation-detail", args=[customer_a.pk])
    as_customer = client_for(customer_user).get(url).json()
    assert "notes" not in as_customer and "pays late" not in str(as_customer)
    assert client_for(admin_user).get(url).json()["notes"] == "pays late"
    page = reverse("core:organisation_detail", args=[customer_a.pk])
    client.force_login(customer_user)
    response = client.get(page)
    assert response.status_code == 200
    assert "pays late" not in response.content.decode()
    client.force_login(admin_user)
    assert "pays late" in client.get(page).content.decode()


def test_customer_cannot_write_an_internal_field(customer_a, provider):
    contact = UserFactory(organisation=customer_a, roles=[Role.CUSTOMER_CONTACT])
    request = RequestFactory().patch("/")
    request.user = contact
    body = OrganisationSerializer(
        customer_a, data={"notes": "we pay on time"}, partial=True, context={"request": request}
    )
    assert body.is_valid(), body.errors
    assert "notes" not in body.validated_data


# --- the filter-choice helper -----------------------------------------------------------------


def test_filter_choices_list_only_rows_the_user_may_view(customer_user, customer_a, customer_b):
    request = RequestFactory().get("/")
    request.user = customer_user
    filterset = UserFilterSet({}, queryset=customer_user.__class__.objects.all(), request=request)
    choices = set(filterset.filters["organisation"].queryset.values_list("pk", flat=True))
    assert choices == {customer_a.pk}
    bare = UserFilterSet({}, queryset=customer_user.__class__.objects.all())
    assert not bare.filters["organisation"].queryset.exists()  # no request: no rows


def test_filter_choice_helper_fails_closed_without_user(customer_a):
    filterset = UserFilterSet({}, queryset=Organisation.objects.none())
    restrict_filter_choices(filterset, None)
    assert not filterset.filters["organisation"].queryset.exists()


def test_api_filter_by_another_customers_id_is_400(customer_user, customer_b, client_for):
    response = client_for(customer_user).get(
        reverse("api:core-api:user-list"), {"organisation": customer_b.pk}
    )
    assert_error(response, 400, "validation", fields=("organisation",))


# --- administrators() -------------------------------------------------------------------------


def test_administrators_are_the_active_provider_administrators(admin_user, provider, agent):
    second = UserFactory(username="admin2", organisation=provider, roles=[Role.ADMINISTRATOR])
    UserFactory(
        username="admin-off", organisation=provider, roles=[Role.ADMINISTRATOR], is_active=False
    )
    UserFactory(
        username="admin-and-desk",
        organisation=provider,
        roles=[Role.ADMINISTRATOR, Role.SERVICE_DESK],
    )
    SupplierFactory(code="s1", name="S1")
    names = list(administrators().values_list("username", flat=True))
    assert names == ["admin", "admin2", "admin-and-desk"]  # by id, each once
    assert second.pk in set(administrators().values_list("pk", flat=True))
    assert policy.is_administrator(admin_user)
    assert not policy.is_administrator(agent)


def test_notify_administrators_writes_to_exactly_the_administrators(admin_user, agent):
    UserFactory(username="mute", roles=[Role.ADMINISTRATOR], email="")
    created = notify_administrators(key="test-alert", subject="s", body="b")
    assert created == 1
    assert list(OutboxMessage.objects.values_list("target", flat=True)) == [admin_user.email]
