"""The lean create of a record (issue 10): the row, its field-history row and its timeline row
written by statements compiled once per process, instead of the ORM compiling each of them
again for every create.

:func:`insert_record` writes what this writes::

    with transaction.atomic():
        if number_prefix:
            obj.number = next_number(number_prefix)
        obj.save()                                   # and django-simple-history's "+" row
        record_event(obj, verb, by=by, note=note, data=data)

— the same rows, column by column: the row's values are prepared by its fields, as
``Model.save`` prepares them (``pre_save(obj, add=True)``, then ``get_db_prep_save``); the
history row is a copy of the inserted row's tracked columns with the history columns
simple-history would write (through its own ``get_history_user`` and
``get_change_reason_for_object``); the timeline row is :func:`core.timeline.record_event`'s.
Only the SQL text is built once per model, numbered field and database (``_PLANS``).

- **PostgreSQL**: one statement — ``WITH new AS (INSERT … RETURNING …), history AS (INSERT …
  SELECT … FROM new), timeline AS (INSERT … SELECT … FROM new) SELECT …`` — with the number
  taken inside it (``core.numbering.NUMBER_SQL``). A statement is a transaction of its own:
  outside a transaction it needs no ``BEGIN``/``COMMIT``; inside one it runs in a savepoint, as
  the ``atomic`` block above does, so a refused row (a duplicate) leaves the caller's
  transaction usable — unless the caller passes ``savepoint=False`` because its transaction is
  all or nothing (a ticket's create): two statements fewer.
- **SQLite** (one writer at a time): the same statements one after the other in a transaction:
  the number, the row (``… RETURNING`` its id), the history row copied from it, the timeline row.

Whatever this path would not write as ``save()`` does takes the code above instead: a model
with ``pre_save``/``post_save`` receivers other than simple-history's own (signals other code
relies on), a history model with receivers, extra columns or many-to-many fields, multi-table
inheritance, database defaults, an expression as a value, a row that is not new.

The package: ``record`` (:func:`insert_record`: the plan and the write), ``rows``
(:func:`insert_rows`, :class:`Rows`, :func:`known_related`), ``preparing`` (the values,
prepared as their fields prepare them), which the other two share, and ``building``
(:func:`new_row`: the new instances themselves, as ``Model(**values)`` builds them, in less
than half its time).
"""

from __future__ import annotations

from psycopg import _queries as _psycopg_queries

# psycopg parses a statement's ``%s`` placeholders at every execute unless the statement has at
# most MAX_CACHED_STATEMENT_PARAMS (50) parameters, when it keeps the parse in an LRU cache. The
# statements compiled here have more: a ticket's row with its history and timeline (56), two
# clocks (58); each was parsed again at every create (0.5 ms of a create's 9 ms CPU). The cache
# is keyed by the statement's text and still bounded by its length and its 128 entries.
# ``core/tests/test_writes.py`` fails if a psycopg release drops the name.
_psycopg_queries.MAX_CACHED_STATEMENT_PARAMS = max(
    _psycopg_queries.MAX_CACHED_STATEMENT_PARAMS, 200
)

from itsm.core.writes.building import new_row  # noqa: E402
from itsm.core.writes.preparing import prepare, preparers, value_of  # noqa: E402
from itsm.core.writes.record import history_model_of, insert_record  # noqa: E402
from itsm.core.writes.rows import Rows, insert_rows, known_related  # noqa: E402

__all__ = [
    "Rows",
    "history_model_of",
    "insert_record",
    "insert_rows",
    "known_related",
    "new_row",
    "prepare",
    "preparers",
    "value_of",
]
