"""Human-readable numbers per record kind (X-04): INC-000123, CHG-000042, CI-001337 …

Numbers are **unique, not gap-free** (DESIGN rule 9), as in ServiceNow. ``next_number`` costs
one statement on both engines:

- **PostgreSQL**: one ``SEQUENCE`` per prefix (``itsm_number_<prefix>``), read with
  ``nextval`` through the function ``itsm_next_number(prefix)`` (core migration 0004).
  ``nextval`` never waits for another transaction, so concurrent creators do not serialise;
  it is not transactional either, so a creation that rolls back burns its number and leaves a
  gap. The function creates a prefix's sequence on first use, starting after the prefix's
  ``NumberSequence.last_value`` if a row exists (numbers handed out before the sequences
  existed, copied by migration 0004); two transactions creating the same sequence at once
  are handled (the loser waits for the winner's commit once, then uses its sequence).
- **SQLite**: one ``NumberSequence`` row per prefix, incremented by a single
  ``INSERT … ON CONFLICT DO UPDATE … RETURNING`` inside the caller's transaction. SQLite has
  one writer at a time (the IMMEDIATE transaction), so nothing is lost by the row lock, and a
  rolled-back creation gives its number back there.

A number is never handed out twice on either engine.

On PostgreSQL the number can also be taken inside the statement that inserts the record
(:data:`NUMBER_SQL`, used by ``core.writes.insert_record``): the same ``itsm_next_number`` and
the same text, without a round trip of its own.
"""

from __future__ import annotations

import sqlite3

from django.db import connection

from itsm.core.models import NumberSequence

#: Prefixes in use; a module adds its own here so that two kinds never share one.
PREFIXES = {
    "incident": "INC",
    "request": "REQ",
    "problem": "PRB",
    "known_error": "KE",
    "change": "CHG",
    "release": "REL",
    "ci": "CI",
    "knowledge": "KB",
    "agreement": "SLA",
    "ola": "OLA",
    "uc": "UC",
    "configuration_audit": "CFA",
    "sla_test_ticket": "SLT",
    "service": "SVC",
    "complaint": "CMP",
    "improvement": "SIP",
    "nonconformity": "NC",
    "risk": "RSK",
    "spare_request": "SPR",
    "audit": "AUD",
}
WIDTH = 6

#: the PostgreSQL sequence of a prefix is ``SEQUENCE_PREFIX + prefix.lower()``
SEQUENCE_PREFIX = "itsm_number_"

_TABLE = NumberSequence._meta.db_table
# SQLite ≥ 3.35 (2021) has RETURNING: one statement; older ones need UPSERT then SELECT.
_SQLITE_RETURNING = sqlite3.sqlite_version_info >= (3, 35)
_SQLITE_UPSERT = (
    f'INSERT INTO "{_TABLE}" ("prefix", "last_value") VALUES (%s, 1) '
    'ON CONFLICT ("prefix") DO UPDATE SET "last_value" = "last_value" + 1'
)


def _check_prefix(prefix: str) -> None:
    if not prefix or not prefix.isalnum() or not prefix.isascii() or prefix.upper() != prefix:
        raise ValueError(f"prefix must be upper-case letters or digits, got {prefix!r}")


def next_number(prefix: str, *, width: int = WIDTH) -> str:
    """Reserve and return the next number for *prefix*, e.g. ``INC-000124`` (one statement)."""
    _check_prefix(prefix)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT itsm_next_number(%s)", [prefix])
        elif _SQLITE_RETURNING:
            cursor.execute(_SQLITE_UPSERT + ' RETURNING "last_value"', [prefix])
        else:  # pragma: no cover - SQLite older than 3.35
            cursor.execute(_SQLITE_UPSERT, [prefix])
            cursor.execute(f'SELECT "last_value" FROM "{_TABLE}" WHERE "prefix" = %s', [prefix])
        value = cursor.fetchone()[0]
    return f"{prefix}-{value:0{width}d}"


#: PostgreSQL: an SQL expression whose value is the next number of a prefix, as
#: :func:`next_number` writes it (``lpad`` to the width, never cutting a longer number), for a
#: statement that inserts the numbered row itself (``core.writes.insert_record``): the same
#: sequence and semantics without a statement of its own. Parameters: :func:`number_params`.
NUMBER_SQL = (
    "(SELECT %s || '-' || lpad(n::text, greatest(%s, length(n::text)), '0') "
    "FROM itsm_next_number(%s) AS n)"
)


def number_params(prefix: str, *, width: int = WIDTH) -> list:
    """The parameters of :data:`NUMBER_SQL` for *prefix* (checked as by :func:`next_number`)."""
    _check_prefix(prefix)
    return [prefix, width, prefix]
