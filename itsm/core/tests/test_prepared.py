"""Only the statements the code marks are prepared on PostgreSQL (``core.prepared``): a
report's statement planned for any month took the desk report 1.5 times the database CPU."""

from __future__ import annotations

import pytest
from django.db import DataError, connection, transaction

from itsm.core.models import User
from itsm.core.prepared import is_marked, prepared
from itsm.core.writes import insert_rows

POSTGRES = connection.vendor == "postgresql"


def _prepared_statements() -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements")
        return [row[0] for row in cursor.fetchall()]


@pytest.mark.skipif(not POSTGRES, reason="prepared statements of PostgreSQL")
@pytest.mark.django_db
def test_marked_statements_are_prepared_and_others_are_not():
    marked = prepared("SELECT count(*) FROM core_user WHERE id > %s /* marked */")
    unmarked = "SELECT count(*) FROM core_user WHERE id > %s /* not marked */"
    assert is_marked(marked) and not is_marked(unmarked)
    for _ in range(10):  # more than psycopg's default threshold (5)
        with connection.cursor() as cursor:
            cursor.execute(marked, [0])
            cursor.execute(unmarked, [0])
    statements = _prepared_statements()
    assert any("/* marked */" in text for text in statements)
    assert not any("/* not marked */" in text for text in statements)
    # the ORM's own statements (a count of users) are never prepared
    for _ in range(10):
        User.objects.filter(is_active=True).count()
    assert not any('"__count"' in text for text in _prepared_statements())


@pytest.mark.skipif(not POSTGRES, reason="prepared statements of PostgreSQL")
@pytest.mark.django_db
def test_the_lean_writes_are_marked():
    from django.utils import timezone

    from itsm.core.outbox.models import OutboxMessage

    row = OutboxMessage(
        key="prepared-1", channel="email", target="a@example.com", next_attempt_at=timezone.now()
    )
    insert_rows([row])
    assert row.pk is not None
    assert any("outbox_outboxmessage" in text for text in _prepared_statements())


@pytest.mark.django_db
def test_hot_statements_keep_one_cursor_per_connection_but_logged_ones_get_their_own():
    from django.test.utils import CaptureQueriesContext

    from itsm.core.prepared import kept_cursor

    def read(value):
        with kept_cursor(connection) as cursor:
            cursor.execute("SELECT %s", [value])
            return cursor, cursor.fetchone()[0]

    first, one = read(1)
    second, two = read(2)
    assert (one, two) == (1, 2)
    assert (first is second) == POSTGRES  # SQLite: a new cursor each time, as Django gives
    with CaptureQueriesContext(connection) as logged:
        third, _value = read(3)
        read(4)
    assert third is not first and len(logged.captured_queries) == 2  # each recorded
    if POSTGRES:
        assert read(5)[0] is first  # logging over: the kept one again
        # a cursor of another (an earlier, closed) connection is not used: a new one is made
        connection._itsm_kept_cursor = (object(), first)
        again, five = read(5)
        assert again is not first and five == 5
        with pytest.raises(DataError), transaction.atomic():  # a failed statement …
            with kept_cursor(connection) as cursor:
                cursor.execute("SELECT 1/0")
        # … leaves the kept cursor usable
        assert read(6) == (again, 6)
