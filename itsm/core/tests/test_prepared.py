"""Only the statements the code marks are prepared on PostgreSQL (``core.prepared``): a
report's statement planned for any month took the desk report 1.5 times the database CPU."""

from __future__ import annotations

import pytest
from django.db import connection

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
