"""factory_boy factories of the core models. They create rows through ``core.services``,
the way the application does, so timeline rows, role checks and validation all happen.

    customer = CustomerFactory()
    user = UserFactory(organisation=customer, roles=[Role.CUSTOMER_USER])
    team = TeamFactory(members=[engineer])
"""

from __future__ import annotations

import factory

from itsm.core import services
from itsm.core.choices import OrganisationKind
from itsm.core.models import Organisation, Team, User

PASSWORD = "Itsm-demo-2026!"


class ServiceFactory(factory.Factory):
    """A factory whose ``_create`` calls the subclass's ``_service(**attributes)``."""

    class Meta:
        abstract = True

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        return cls._service(**kwargs)

    @classmethod
    def _build(cls, model_class, *args, **kwargs):
        return model_class(**kwargs)


class OrganisationFactory(ServiceFactory):
    class Meta:
        model = Organisation

    code = factory.Sequence(lambda n: f"org-{n}")
    name = factory.Sequence(lambda n: f"Organisation {n}")
    kind = OrganisationKind.CUSTOMER

    @classmethod
    def _service(cls, **kwargs):
        return services.create_organisation(**kwargs)


class CustomerFactory(OrganisationFactory):
    code = factory.Sequence(lambda n: f"customer-{n}")
    name = factory.Sequence(lambda n: f"Customer {n}")
    kind = OrganisationKind.CUSTOMER


class SupplierFactory(OrganisationFactory):
    code = factory.Sequence(lambda n: f"supplier-{n}")
    name = factory.Sequence(lambda n: f"Supplier {n}")
    kind = OrganisationKind.SUPPLIER


def get_provider() -> Organisation:
    """The provider organisation (there is exactly one), created on first use."""
    existing = Organisation.objects.filter(kind=OrganisationKind.PROVIDER).first()
    if existing is not None:
        return existing
    return services.create_organisation(
        code="provider", name="Provider Ltd", kind=OrganisationKind.PROVIDER
    )


class UserFactory(ServiceFactory):
    """A user of ``organisation`` (default: the provider) holding ``roles``."""

    class Meta:
        model = User

    username = factory.Sequence(lambda n: f"user{n}")
    organisation = factory.LazyFunction(get_provider)
    email = factory.LazyAttribute(lambda o: f"{o.username}@example.com")
    display_name = factory.Sequence(lambda n: f"User {n}")
    password = PASSWORD
    roles: tuple = ()

    @classmethod
    def _service(cls, *, roles=(), **kwargs):
        return services.create_user(roles=tuple(roles), **kwargs)


class TeamFactory(ServiceFactory):
    """An assignment group of the provider."""

    class Meta:
        model = Team

    code = factory.Sequence(lambda n: f"team-{n}")
    name = factory.Sequence(lambda n: f"Team {n}")
    organisation = factory.LazyFunction(get_provider)
    members: tuple = ()

    @classmethod
    def _service(cls, **kwargs):
        return services.create_team(**kwargs)
