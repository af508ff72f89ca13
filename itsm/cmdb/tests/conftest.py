"""Fixtures of the CMDB tests.

The built-in classes and relation types come from a data migration; a transactional test
elsewhere in the same run (browser tests, thread tests) flushes them. Every CMDB test that
uses the database gets them back first.
"""

import pytest


@pytest.fixture(autouse=True)
def _cmdb_builtins(request):
    names = set(request.fixturenames)
    marker = request.node.get_closest_marker("django_db")
    if "transactional_db" in names or (marker and marker.kwargs.get("transaction")):
        request.getfixturevalue("transactional_db")
    elif "db" in names or marker is not None:
        request.getfixturevalue("db")
    else:
        return
    from itsm.cmdb.models import CIClass, RelationType
    from itsm.cmdb.services import ensure_builtins

    if CIClass.objects.filter(is_builtin=True).count() < 11 or RelationType.objects.count() < 7:
        ensure_builtins()


@pytest.fixture
def readers(provider, customer_a):
    """Who reads the CI list: provider staff (configuration manager) and a customer user."""
    from itsm.core.choices import Role
    from itsm.core.testing.factories import UserFactory

    return {
        "staff": UserFactory(
            username="ci-reader", organisation=provider, roles=(Role.CONFIGURATION_MANAGER,)
        ),
        "customer": UserFactory(
            username="ci-customer", organisation=customer_a, roles=(Role.CUSTOMER_USER,)
        ),
    }
