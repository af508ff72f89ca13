"""The one tenancy and permission policy (X-01, X-02)."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import IntegrityError, transaction

from itsm.core import policy, services
from itsm.core.choices import OrganisationKind, Role
from itsm.core.errors import ValidationFailed
from itsm.core.models import Organisation, Team, User
from itsm.core.policy import ModelPolicy
from itsm.core.testing.factories import SupplierFactory, TeamFactory, UserFactory
from itsm.core.testing.sample.factories import SampleTicketFactory
from itsm.core.testing.sample.models import SampleTicket


@pytest.fixture
def supplier(db):
    return SupplierFactory(code="supp", name="Supplier")


@pytest.fixture
def supplier_contact(supplier):
    return UserFactory(
        username="supp-contact", organisation=supplier, roles=[Role.SUPPLIER_CONTACT]
    )


@pytest.fixture
def tickets(customer_a, customer_b):
    return SampleTicketFactory(customer=customer_a), SampleTicketFactory(customer=customer_b)


def visible(model, user, action="view"):
    return set(model.objects.restrict(user, action).values_list("pk", flat=True))


def test_customer_user_sees_only_their_organisation(customer_user, customer_a, tickets, provider):
    ticket_a, _ = tickets
    assert visible(SampleTicket, customer_user) == {ticket_a.pk}
    assert visible(Organisation, customer_user) == {customer_a.pk}
    assert visible(User, customer_user) == set(customer_a.users.values_list("pk", flat=True))
    assert visible(Team, customer_user) == set()  # provider-internal model


def test_supplier_contact_sees_through_supplier_field(
    supplier_contact, supplier, tickets, customer_user
):
    assert visible(Organisation, supplier_contact) == {supplier.pk}
    assert visible(User, supplier_contact) == {supplier_contact.pk}
    assert visible(SampleTicket, supplier_contact) == set()  # no supplier_field declared


def test_provider_staff_see_everything(engineer, tickets, customer_user):
    TeamFactory()
    assert visible(SampleTicket, engineer) == set(SampleTicket.objects.values_list("pk", flat=True))
    assert visible(User, engineer) == set(User.objects.values_list("pk", flat=True))
    assert visible(Organisation, engineer) == set(Organisation.objects.values_list("pk", flat=True))
    assert visible(Team, engineer) == set(Team.objects.values_list("pk", flat=True))
    assert policy.is_provider_staff(engineer)
    assert not policy.is_provider_staff(customer_user)


def test_inactive_anonymous_and_unattached_users_see_nothing(engineer, tickets, db):
    engineer.is_active = False
    assert visible(SampleTicket, engineer) == set()
    assert visible(SampleTicket, AnonymousUser()) == set()
    assert not policy.is_provider_staff(AnonymousUser())
    loose = User.objects.create_user(username="loose")  # no organisation
    assert visible(SampleTicket, loose) == set()
    assert not policy.can(loose, SampleTicket, "view")


def test_superuser_sees_and_may_do_everything(tickets, db):
    root = User.objects.create_superuser(username="root", password="x" * 12)
    assert visible(SampleTicket, root, "delete") == set(
        SampleTicket.objects.values_list("pk", flat=True)
    )


@pytest.mark.parametrize(
    ("roles", "model", "action", "allowed"),
    [
        ((Role.ADMINISTRATOR,), Organisation, "add", True),
        ((Role.ENGINEER_L2,), Organisation, "view", True),
        ((Role.ENGINEER_L2,), Organisation, "add", False),
        ((Role.ENGINEER_L2,), Organisation, "change", False),
        ((Role.ENGINEER_L2,), Organisation, "delete", False),
        ((Role.SERVICE_DESK,), SampleTicket, "add", True),
        ((Role.SERVICE_DESK,), SampleTicket, "delete", True),
        ((Role.QUALITY_MANAGER,), SampleTicket, "view", True),
        ((Role.QUALITY_MANAGER,), SampleTicket, "change", False),
        ((Role.ADMINISTRATOR,), SampleTicket, "delete", True),  # provider admin: everything
    ],
)
def test_role_checks_per_action(provider, roles, model, action, allowed):
    user = UserFactory(organisation=provider, roles=roles)
    assert policy.can(user, model, action) is allowed


def test_customer_roles_per_action(customer_user, tickets):
    ticket_a, ticket_b = tickets
    assert policy.can(customer_user, SampleTicket, "change")
    assert not policy.can(customer_user, SampleTicket, "delete")
    assert visible(SampleTicket, customer_user, "change") == {ticket_a.pk}
    assert visible(SampleTicket, customer_user, "delete") == set()
    assert not policy.can(customer_user, Organisation, "change")


def test_customer_administrator_role_is_not_a_provider_bypass(customer_a, tickets):
    # the provider-admin bypass needs a provider organisation; roles are validated anyway
    with pytest.raises(ValidationFailed):
        UserFactory(organisation=customer_a, roles=[Role.ADMINISTRATOR])


def test_model_without_policy_is_a_programming_error():
    with pytest.raises(TypeError):
        policy.policy_for(type("Plain", (), {}))
    with pytest.raises(ValueError):
        ModelPolicy().roles_for("approve")


@pytest.mark.parametrize(
    ("kind", "roles", "ok"),
    [
        (OrganisationKind.CUSTOMER, (Role.CUSTOMER_USER, Role.CUSTOMER_CONTACT), True),
        (OrganisationKind.CUSTOMER, (Role.ENGINEER_L1,), False),
        (OrganisationKind.CUSTOMER, (Role.SUPPLIER_CONTACT,), False),
        (OrganisationKind.SUPPLIER, (Role.SUPPLIER_CONTACT,), True),
        (OrganisationKind.SUPPLIER, (Role.CUSTOMER_USER,), False),
        (OrganisationKind.PROVIDER, (Role.ENGINEER_L1, Role.CHANGE_MANAGER), True),
        (OrganisationKind.PROVIDER, (Role.CUSTOMER_USER,), False),
        (OrganisationKind.PROVIDER, (Role.SUPPLIER_CONTACT,), False),
    ],
)
def test_roles_are_validated_per_organisation_kind(provider, kind, roles, ok):
    organisation = (
        provider
        if kind == OrganisationKind.PROVIDER
        else services.create_organisation(code="org-x", name="Org X", kind=kind)
    )
    if ok:
        user = UserFactory(organisation=organisation, roles=roles)
        assert user.roles == frozenset(roles)
    else:
        with pytest.raises(ValidationFailed) as info:
            UserFactory(username="refused", organisation=organisation, roles=roles)
        assert list(info.value.fields) == ["roles"]
        assert not User.objects.filter(username="refused").exists()


def test_set_roles_refuses_unknown_and_records_changes(engineer, admin_user):
    with pytest.raises(ValidationFailed):
        services.set_roles(engineer, roles=["astronaut"], by=admin_user)
    services.set_roles(engineer, roles=[Role.ENGINEER_L1, Role.GROUP_LEADER], by=admin_user)
    engineer = User.objects.get(pk=engineer.pk)
    assert engineer.roles == {Role.ENGINEER_L1, Role.GROUP_LEADER}


def test_exactly_one_provider(provider):
    with pytest.raises(ValidationFailed) as info:
        services.create_organisation(code="p2", name="P2", kind=OrganisationKind.PROVIDER)
    assert list(info.value.fields) == ["kind"]
    # the database refuses it too, whatever writes the row
    with pytest.raises(IntegrityError), transaction.atomic():
        Organisation.objects.create(code="p3", name="P3", kind=OrganisationKind.PROVIDER)
    assert Organisation.objects.filter(kind=OrganisationKind.PROVIDER).count() == 1


def test_may_view_row_reads_the_owner_column_not_the_related_row(
    customer_user, tickets, django_assert_num_queries
):
    """The owner is read from the foreign key's column: checking a page of rows costs no
    query per row (the related organisation was loaded once per row before)."""
    ticket_a, ticket_b = (SampleTicket.objects.get(pk=t.pk) for t in tickets)
    with django_assert_num_queries(0):
        assert policy.may_view_row(customer_user, ticket_a)
        assert not policy.may_view_row(customer_user, ticket_b)
