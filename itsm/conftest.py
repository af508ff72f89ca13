"""Fixtures shared by every app's tests: organisations, users with roles, API clients."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from itsm.core import services
from itsm.core.choices import OrganisationKind, Role

pytest_plugins = ["itsm.core.testing.browser", "itsm.core.testing.crawl"]

PASSWORD = "Itsm-demo-2026!"

#: fixtures that load the whole demo data (seconds per test)
DEMO_FIXTURES = {"demo", "module_demo", "live_demo"}


def _takes_seconds(item: pytest.Item) -> bool:
    return (
        item.get_closest_marker("browser") is not None
        or item.get_closest_marker("slow") is not None
        or not DEMO_FIXTURES.isdisjoint(getattr(item, "fixturenames", ()))
    )


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The tests that take seconds (browser, ``slow``, the demo data) run first, each module's
    in their usual order: ``pytest -n 2`` hands the tests out in this order as the workers
    free up, so the run no longer ends with one worker on a long test while the other idles
    (the page walks and browser journeys of ``ui`` came last)."""
    items.sort(key=lambda item: not _takes_seconds(item))


@pytest.fixture
def provider(db):
    return services.create_organisation(
        code="provider", name="Provider Ltd", kind=OrganisationKind.PROVIDER
    )


@pytest.fixture
def customer_a(db):
    return services.create_organisation(
        code="cust-a", name="Customer A", kind=OrganisationKind.CUSTOMER
    )


@pytest.fixture
def customer_b(db):
    return services.create_organisation(
        code="cust-b", name="Customer B", kind=OrganisationKind.CUSTOMER
    )


def _user(username, organisation, *roles, **extra):
    return services.create_user(
        username=username,
        organisation=organisation,
        password=PASSWORD,
        roles=roles,
        email=f"{username}@example.com",
        **extra,
    )


@pytest.fixture
def admin_user(provider):
    return _user("admin", provider, Role.ADMINISTRATOR)


@pytest.fixture
def agent(provider):
    return _user("agent", provider, Role.SERVICE_DESK)


@pytest.fixture
def engineer(provider):
    return _user("engineer", provider, Role.ENGINEER_L2)


@pytest.fixture
def customer_user(customer_a):
    return _user("cust-a-user", customer_a, Role.CUSTOMER_USER)


@pytest.fixture
def other_customer_user(customer_b):
    return _user("cust-b-user", customer_b, Role.CUSTOMER_USER)


@pytest.fixture
def api_client():
    """An unauthenticated DRF client; call ``api_client.force_authenticate(user)``."""
    return APIClient()


@pytest.fixture
def client_for():
    """``client_for(user)`` → an APIClient authenticated as *user*."""

    def make(user):
        client = APIClient()
        client.force_authenticate(user)
        return client

    return make
