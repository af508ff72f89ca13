"""Configuration read once per process, behind stamps (DESIGN, PERFORMANCE).

A ticket's create reads configuration that changes a few times a month — the priority
matrix, the dispatch rules, the groups' members, the customer's agreement and its targets, the
services offered — and would otherwise read it again for every ticket. ``memo`` keeps such a
read per process, keyed by the *stamps* of the tables it came from:

- an app declares a stamp over its configuration tables in ``ready()``:
  ``watch("desk.config", PriorityRule, DispatchRule, …)``. Every save, delete or
  many-to-many change of one of their rows (``post_save``, ``post_delete``, ``m2m_changed``)
  gives the stamp a new random token in ``ConfigStamp``, inside the writing transaction, so the
  token and the rows commit or roll back together;
- ``memo(("desk.config",), key, load)`` returns what ``load()`` returned under the current
  tokens of those stamps, and calls it again once one of them changed.

The tokens are read in one statement, at most once per ``settings.ITSM_STAMP_TTL`` seconds
per thread (1 s; 0 in the tests, so each ``memo`` reads them): another process sees a change
within that time, the thread that made it at once. A stamp without a row is never memoised
(``post_migrate`` gives every watched stamp its first token).

Writes that send no signal — ``QuerySet.update``/``bulk_create``/``delete`` and raw SQL — must
call ``bump(name)`` themselves, or touch only columns no memo reads (the round-robin pointer
of a dispatch rule is read fresh by its only reader). Memoised values are shared between
threads and requests: callers read them and never change them.
"""

from __future__ import annotations

import random
import threading
import time
from collections.abc import Callable, Hashable, Iterable
from typing import Any, TypeVar

from django.conf import settings
from django.db import connection, transaction
from django.db.models.signals import m2m_changed, post_delete, post_migrate, post_save

from itsm.core.models import ConfigStamp

T = TypeVar("T")

_TABLE = ConfigStamp._meta.db_table
_UPSERT = (
    f'INSERT INTO "{_TABLE}" ("name", "token") VALUES (%s, %s) '
    'ON CONFLICT ("name") DO UPDATE SET "token" = excluded."token"'
)
#: a memo bigger than this is emptied (keys carry dates and records: bounded, not fixed)
MAX_ENTRIES = 5_000

_WATCHED: dict[str, set] = {}
#: model → the stamp watching it (the first one named; ``stamp_of``)
_STAMP_OF: dict[type, str] = {}
_MEMO: dict[tuple, tuple[tuple, Any]] = {}
_local = threading.local()
# raised by every bump and every commit after one: a thread's snapshot of the tokens from an
# older generation is read again, so this process sees its own changes at once
_generation = 0


def watch(name: str, *models) -> None:
    """Give the stamp *name* a new token whenever a row of one of *models* (models or
    many-to-many ``through`` models) is saved, deleted or (for ``through`` models) changed."""
    senders = _WATCHED.setdefault(name, set())
    for model in models:
        if model in senders:
            continue
        senders.add(model)
        _STAMP_OF.setdefault(model, name)
        uid = f"itsm.core.stamps:{name}:{model._meta.label}"

        def receiver(sender, *, _name=name, **kwargs):
            if kwargs.get("raw"):  # fixtures being loaded: the post_migrate stamp covers them
                return
            if kwargs.get("action", "post_add") not in ("post_add", "post_remove", "post_clear"):
                return
            bump(_name, using=kwargs.get("using"))

        post_save.connect(receiver, sender=model, weak=False, dispatch_uid=uid + ":save")
        post_delete.connect(receiver, sender=model, weak=False, dispatch_uid=uid + ":delete")
        if model._meta.auto_created:  # a many-to-many table: add/remove/clear send m2m_changed
            m2m_changed.connect(receiver, sender=model, weak=False, dispatch_uid=uid + ":m2m")


def stamp_of(model) -> str | None:
    """The stamp whose token changes with every write of *model*'s rows, or ``None``."""
    return _STAMP_OF.get(model)


def bump(name: str, *, using: str | None = None) -> None:
    """Give the stamp *name* a new token (in the current transaction)."""
    global _generation
    from django.db import connections

    conn = connections[using] if using else connection
    with conn.cursor() as cursor:
        cursor.execute(_UPSERT, [name, random.getrandbits(62)])
    _generation += 1
    transaction.on_commit(_committed, using=using)


def _committed() -> None:
    global _generation
    _generation += 1


def _tokens() -> dict[str, int]:
    now = time.monotonic()
    snapshot = getattr(_local, "snapshot", None)
    if (
        snapshot is not None
        and snapshot[0] == _generation
        and now - snapshot[1] < settings.ITSM_STAMP_TTL
        and snapshot[3] == id(connection.connection)
    ):
        return snapshot[2]
    with connection.cursor() as cursor:
        cursor.execute(f'SELECT "name", "token" FROM "{_TABLE}"')
        tokens = dict(cursor.fetchall())
    _local.snapshot = (_generation, now, tokens, id(connection.connection))
    return tokens


def memo(names: Iterable[str], key: Hashable, load: Callable[[], T]) -> T:
    """What ``load()`` returns for *key*, read again only when a stamp of *names* changed."""
    names = tuple(names)
    tokens = _tokens()
    current = tuple(tokens.get(name) for name in names)
    if None in current:
        return load()
    entry = _MEMO.get((names, key))
    if entry is not None and entry[0] == current:
        return entry[1]
    value = load()
    if len(_MEMO) >= MAX_ENTRIES:
        _MEMO.clear()
    _MEMO[(names, key)] = (current, value)
    return value


def forget() -> None:
    """Drop every memo of this process (tests that change the database behind its back)."""
    global _generation
    _MEMO.clear()
    _generation += 1


def _stamp_all(sender, *, using: str | None = None, **kwargs) -> None:
    """After ``migrate``: every watched stamp gets a token, so its configuration is memoised
    from the start (migrations write rows without the signals)."""
    names = list(_WATCHED)
    if not names or sender.label != "core":
        return
    from django.db import connections

    with connections[using or "default"].cursor() as cursor:
        for name in names:
            cursor.execute(_UPSERT, [name, random.getrandbits(62)])
    forget()


post_migrate.connect(_stamp_all, dispatch_uid="itsm.core.stamps:post_migrate")
