"""The SQL statements of the CMDB's hot writes, counted exactly (issue 10: a lean write path).

Each count is the engine's own (PostgreSQL: a create is one statement — the number through
``itsm_next_number``, the CI, its history row and its timeline row, ``core.writes``; SQLite: one
``INSERT … ON CONFLICT DO UPDATE … RETURNING`` on the counter row, then the CI, history and
timeline rows), and the comment beside it names every statement. A new statement on these
paths must be a deliberate change of the count and its comment.

These tests run inside a transaction (pytest-django's), where a create's write is a savepoint;
``test_api_create_statements_as_served`` counts a request as a server runs it, outside one.
"""

from __future__ import annotations

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import translation
from rest_framework.test import APIClient

from itsm.cmdb import services
from itsm.cmdb.choices import CIStatus
from itsm.cmdb.tests.factories import CIFactory
from itsm.core.tokens import create_token

pytestmark = pytest.mark.django_db

POSTGRES = connection.vendor == "postgresql"


def _per_engine(*, postgresql: int, sqlite: int) -> int:
    return postgresql if POSTGRES else sqlite


def _token_client(user) -> APIClient:
    """An API client signed in with a new token of *user*, as a script or integration is."""
    _row, token = create_token(user, name="bench", days=1)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    return client


@pytest.fixture
def server_class():
    return services.get_class("server")


@pytest.fixture
def warm(admin_user, customer_a, server_class):
    """The first number of a prefix creates its counter (row or sequence): not the case
    measured. The user's roles are read once per request, not per test."""
    CIFactory(customer=customer_a, ci_class=server_class)


def test_create_ci_statements(
    warm, admin_user, customer_a, server_class, django_assert_num_queries
):
    # class, customer and owner come as instances (already read): no lookups again;
    # the identifier is empty: no duplicate lookup
    count = _per_engine(
        # attribute definitions of the class (validated before the write); SAVEPOINT;
        # WITH … INSERT the CI numbered by itsm_next_number('CI'), INSERT its field-history
        # row, INSERT its timeline row; RELEASE SAVEPOINT
        postgresql=4,
        # attribute definitions; BEGIN (IMMEDIATE); counter row upsert … RETURNING;
        # INSERT the CI; INSERT history; INSERT timeline; COMMIT
        sqlite=7,
    )
    with django_assert_num_queries(count):
        services.create_ci(
            name="db-1", ci_class=server_class, customer=customer_a, owner=admin_user, by=admin_user
        )


def test_create_ci_with_identifier_looks_it_up_once(
    warm, admin_user, customer_a, server_class, django_assert_num_queries
):
    # the statements above plus one: the CI that already has the identifier (the message
    # names it); the model's unique constraint is not queried a second time
    with django_assert_num_queries(_per_engine(postgresql=5, sqlite=8)):
        services.create_ci(
            name="db-2",
            ci_class=server_class,
            customer=customer_a,
            identifier="sn-2",
            by=admin_user,
        )


def test_api_create_statements(
    warm, admin_user, customer_a, server_class, django_assert_num_queries
):
    client = _token_client(admin_user)
    body = {"name": "db-3", "ci_class": server_class.pk, "customer": customer_a.pk}
    count = _per_engine(
        # the token with its user, organisation and roles (one row per role) and whether a
        # failure is on record for the token's prefix or the address (login protection);
        # the class and the customer of the body (serializer, among the rows the user may
        # view); the class's attribute definitions; then PostgreSQL: SAVEPOINT, the write
        # (number, CI, history row, timeline row), RELEASE SAVEPOINT; SQLite: BEGIN, the
        # number, INSERT the CI, its history row, its timeline row, COMMIT. The customer is
        # a configuration row read through ``core.stamps``: here (``ITSM_STAMP_TTL=0``) its
        # stamps' tokens and the row; a server reads neither while the stamp stands
        postgresql=8,
        sqlite=11,
    )
    with django_assert_num_queries(count):
        response = client.post("/api/cmdb/cis/", body, format="json")
    assert response.status_code == 201, response.content
    assert response.json()["number"].startswith("CI-")


@pytest.mark.django_db(transaction=True)
def test_api_create_statements_as_served(admin_user, customer_a, server_class):
    """Outside a transaction, as a server handles the request: on PostgreSQL the write is one
    statement, a transaction of its own, with no BEGIN and COMMIT around it."""
    CIFactory(customer=customer_a, ci_class=server_class)  # the prefix's first number
    client = _token_client(admin_user)
    body = {"name": "db-5", "ci_class": server_class.pk, "customer": customer_a.pk}
    count = _per_engine(
        # the token (with user, organisation, roles, failures on record); the class; the
        # customer (and its stamps' tokens, as above); the attribute definitions; the write
        # (number, CI, history, timeline)
        postgresql=6,
        # the same reads; BEGIN; the number; INSERT the CI, history, timeline; COMMIT
        sqlite=11,
    )
    assert not connection.in_atomic_block
    with CaptureQueriesContext(connection) as statements:
        response = client.post("/api/cmdb/cis/", body, format="json")
    assert response.status_code == 201, response.content
    assert len(statements) == count, [q["sql"][:80] for q in statements.captured_queries]


def test_transition_statements(
    warm, admin_user, customer_a, server_class, django_assert_num_queries
):
    ci = services.create_ci(
        name="db-4", ci_class=server_class, customer=customer_a, identifier="sn-4", by=admin_user
    )
    count = _per_engine(
        # BEGIN; SELECT … FOR UPDATE of the version; UPDATE the CI; INSERT history;
        # INSERT timeline; COMMIT — no lookup of the class, customer, number or identifier
        postgresql=6,
        sqlite=6,
    )
    with django_assert_num_queries(count):
        services.transition_ci(ci, to=CIStatus.IN_USE, by=admin_user)


def test_a_duplicate_identifier_committed_meanwhile_is_the_same_field_error(
    warm, admin_user, server_class
):
    """The service looks a duplicate up once, before its transaction; one committed after
    that look-up is refused by the database's unique index, and reported as the same error
    naming the field and the other CI (not a 500)."""
    from itsm.cmdb.models import ConfigurationItem
    from itsm.cmdb.services.items import _unique_identifier
    from itsm.core.errors import ValidationFailed

    first = services.create_ci(name="a", ci_class=server_class, identifier="sn-dup", by=admin_user)
    late = ConfigurationItem(name="b", ci_class=server_class, identifier="sn-dup", number="X-1")
    with translation.override("en"), pytest.raises(ValidationFailed) as caught:
        with _unique_identifier("sn-dup"), transaction.atomic():
            late.save()  # as create_ci would, after its look-up found nothing
    assert {k: [str(m) for m in v] for k, v in caught.value.fields.items()} == {
        "identifier": [f"{first.number} already has this identifier."]
    }
