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
"""

from __future__ import annotations

import functools
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
