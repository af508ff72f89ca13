"""Prepared statements on PostgreSQL: only the ones the code marks.

A prepared statement is parsed once per connection and, after five runs, may be planned once
for any parameters (PostgreSQL's generic plan). For the lean writes and the look-ups by key,
whose text is built once per process and whose plan does not depend on the values
(``core.writes``: a record's insert with its history and timeline, ``insert_rows``;
``core.compiled.get_by_pk``; the API token's read, ``core.sessions.UserRows``), that is the
database's work of a ticket's create cut by a third (``bench/README.md``, issue 11). For a
report's statements it is harmful: a generic plan, made without the month or the customer,
took the desk report 1.5 times the database CPU. So statements are not prepared by default
(``prepare_threshold`` stays out of reach) and :func:`prepared` marks the ones that are: the
connection's cursor (:class:`PreparingCursor`, installed on every new PostgreSQL connection
with server-side binding) asks psycopg to prepare a statement whose text was marked.

``ITSM_PG_PREPARE=0`` (``settings.py``) prepares nothing, for a connection pooler that cannot
keep prepared statements.

The hot statements run on a cursor kept open per connection (:func:`kept_cursor`): opening
and closing a cursor for each (``with connection.cursor()``) cost as many instructions as
running the statement — 96 000 of 185 000 for a one-row ``SELECT`` — 0.6 million of a
ticket's create.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

#: the marked statements' texts (each built once per process, so the set stays small)
_MARKED: set[str] = set()


def prepared(sql: str) -> str:
    """Mark *sql* to be prepared on PostgreSQL, and return it."""
    _MARKED.add(sql)
    return sql


def is_marked(sql: Any) -> bool:
    return isinstance(sql, str) and sql in _MARKED


def install(sender, connection, **kwargs) -> None:
    """``connection_created``: a PostgreSQL connection with server-side binding gets the cursor
    that prepares the marked statements."""
    if connection.vendor != "postgresql":
        return
    if connection.settings_dict["OPTIONS"].get("server_side_binding") is not True:
        return
    connection.connection.cursor_factory = _cursor_class()


@functools.cache
def _cursor_class() -> type:
    from django.db.backends.postgresql import base

    server_binding: Any = base.ServerBindingCursor  # defined there when psycopg 3 is

    class PreparingCursor(server_binding):
        """Django's server-binding cursor; a marked statement is prepared."""

        def execute(self, query, params=None, *, prepare=None, binary=None):
            if prepare is None and is_marked(query):
                prepare = True
            return super().execute(query, params, prepare=prepare, binary=binary)

    return PreparingCursor


@contextmanager
def kept_cursor(connection) -> Iterator[Any]:
    """``with connection.cursor() as cursor`` for a hot statement, the cursor kept open
    between statements on PostgreSQL (psycopg reads each statement's whole result, so nothing
    stays pending on it): one per connection — each thread has its own — made again when the
    connection was closed or replaced. While queries are logged (``DEBUG``, a test's
    ``CaptureQueriesContext``), and on SQLite (a cursor holds its statement until read to the
    end), a new cursor each time, as Django gives it."""
    if connection.vendor != "postgresql" or connection.queries_logged:
        with connection.cursor() as cursor:
            yield cursor
        return
    connection.close_if_health_check_failed()
    connection.ensure_connection()
    connection.validate_thread_sharing()
    kept = getattr(connection, "_itsm_kept_cursor", None)
    if kept is None or kept[0] is not connection.connection or kept[1].cursor.closed:
        kept = (connection.connection, connection.cursor())
        connection._itsm_kept_cursor = kept
    yield kept[1]
