"""The model choices of a list's filter form, kept per process while their table is unchanged.

Every list page offers the same few choices (the CI classes, the customers a user may see);
reading them made model instances and their labels on every request, about a millisecond of
the CI list (issue 10). A list form's model-choice fields (``widgets.choices_in_one_query``)
keep what their query gave — each choice's value and label — in the process, under what
selects the query's rows (model, conditions, order: the user's restriction is among the
conditions), the field's kind and the active language, with the *stamp* of the table read:
its number of rows, highest id, latest ``updated_at`` and sum of ``version`` (what a
service's save, an added or a deleted row changes). A later page reads the stamp — one
statement instead of the choices' query — and uses the kept choices only when it is the same,
so a class renamed or a customer added in another process shows on the next page in every
process. Choices not kept are read with their table's stamp (a scalar subquery): the same
number of statements as before, one more on the page after a change (stamp, then choices).

Kept only outside a transaction (rows it wrote are not everyone's yet; tests run in one:
their choices are read as before), and only for a query over its model's table alone with
plain conditions — its columns compared with constants, no join, no subquery, no expression,
so its rows change only when that table does — of a model with ``updated_at``.
"""

from __future__ import annotations

import threading

from django.db import connections
from django.db.models import CharField, Lookup
from django.db.models.expressions import Col, RawSQL
from django.db.models.sql.where import WhereNode
from django.utils.translation import get_language

STAMP = "_list_choices_stamp"
#: kept choice lists at most (keys: a few lists × users' restrictions × languages)
LIMIT = 512

_kept: dict[tuple, tuple[str, list[tuple[object, str]], dict]] = {}
_lock = threading.Lock()


def stamp_sql(model, connection) -> str:
    """A scalar ``SELECT`` of *model*'s table stamp, as text (see the module docstring)."""
    quote = connection.ops.quote_name
    opts = model._meta
    parts = ["COUNT(*)", f"MAX({quote(opts.pk.column)})"]
    names = {field.name: field for field in opts.concrete_fields}
    parts.append(f"MAX({quote(names['updated_at'].column)})")
    if "version" in names:
        parts.append(f"SUM({quote(names['version'].column)})")
    text = " || '/' || ".join(f"COALESCE(CAST({part} AS TEXT), '')" for part in parts)
    return f"SELECT {text} FROM {quote(opts.db_table)}"


_PLAIN = (int, str, bool, float, type(None))


def _condition(node):
    """A hashable form of a WHERE tree of plain comparisons of the table's own columns with
    constants (``kind = 'customer' AND id IN (3, 4)``), or ``None`` for anything else."""
    if isinstance(node, WhereNode):
        children = tuple(_condition(child) for child in node.children)
        if None in children:
            return None
        return (node.connector, node.negated, children)
    if not isinstance(node, Lookup) or type(node.lhs) is not Col:
        return None
    value = node.rhs
    if isinstance(value, list | tuple | set | frozenset):
        if not all(isinstance(item, _PLAIN) for item in value):
            return None
        value = (
            tuple(sorted(value, key=repr)) if isinstance(value, set | frozenset) else tuple(value)
        )
    elif not isinstance(value, _PLAIN):
        return None
    return (node.lookup_name, node.lhs.target.column, value)


def _query_key(query) -> tuple | None:
    """What selects *query*'s rows, when it reads its model's table alone with plain
    conditions (then its rows change only when that table does); else ``None``."""
    if (
        len(query.alias_map) > 1
        or query.annotations
        or query.extra
        or query.extra_tables
        or query.combinator
        or query.distinct
        or query.select
        or query.values_select
        or query.select_related
        or query.group_by is not None
        or query.low_mark
        or query.high_mark is not None
        or query.deferred_loading != (frozenset(), True)
        or not all(isinstance(part, str) for part in query.order_by)
    ):
        return None
    condition = _condition(query.where)
    if condition is None:
        return None
    return (
        query.model._meta.label,
        condition,
        tuple(query.order_by),
        query.default_ordering,
        query.standard_ordering,
    )


def _keyable(field) -> tuple | None:
    """The key of *field*'s choices, or ``None`` when they are not kept."""
    queryset = field.queryset
    if not any(f.name == "updated_at" for f in queryset.model._meta.concrete_fields):
        return None
    query_key = _query_key(queryset.query)
    if query_key is None:
        return None
    label = field.label_from_instance
    return (
        type(field),
        getattr(label, "__func__", label),
        field.to_field_name,
        queryset.db,
        query_key,
        get_language(),
    )


def _stamp(model, connection) -> str | None:
    with connection.cursor() as cursor:
        cursor.execute(stamp_sql(model, connection))
        row = cursor.fetchone()
    return row[0] if row else None


def _read(field, queryset) -> tuple[list[tuple[object, str]], dict] | None:
    """*field*'s choices over *queryset* — ``(value, label)`` — and the primary key of each
    row by its key (``to_field_name`` or the primary key), kept per process while the table is
    unchanged; ``None`` when they are not kept (module docstring)."""
    connection = connections[queryset.db]
    # in a transaction, rows it wrote are not yet everyone's: read, not kept
    key = None if connection.in_atomic_block else _keyable(field)
    if key is None:
        return None
    model = queryset.model
    kept = _kept.get(key)
    if kept is not None and _stamp(model, connection) == kept[0]:
        return kept[1], kept[2]
    stamp = RawSQL(stamp_sql(model, connection), (), output_field=CharField())
    rows = list(queryset.annotate(**{STAMP: stamp}))
    made = [(field.prepare_value(obj), str(field.label_from_instance(obj))) for obj in rows]
    name = field.to_field_name or "pk"
    keys = {getattr(obj, name): obj.pk for obj in rows}
    if rows:
        with _lock:
            if len(_kept) >= LIMIT:
                _kept.clear()
            _kept[key] = (getattr(rows[0], STAMP), made, keys)
    return made, keys


def kept_choices(field) -> tuple[list[tuple[object, str]], dict] | None:
    """The choices of the model-choice *field* (``(value, label)``, without the empty choice)
    and the primary key of each row by its key (the field's ``to_field_name`` or the primary
    key: ``{"server": 6}``), kept per process while the table is unchanged; ``None`` when
    they are not kept — in a transaction, or over a query whose rows may change without its
    table (module docstring). Read once per *field*: a list's filter checks a value and
    renders its select with one statement (the table's stamp once kept)."""
    queryset = field.queryset
    memo = field.__dict__.get("_kept_choices")
    if memo is not None and memo[0] is queryset:
        return memo[1]
    read = _read(field, queryset)
    field._kept_choices = (queryset, read)
    return read


def read_stamps(fields) -> None:
    """Check, in one statement, the stamps of the tables whose choices are kept for the
    model-choice *fields* (a list form's): each field whose choices are still its table's
    then uses them with no statement of its own (``kept_choices``) — one statement for a
    form's several selects instead of one per table."""
    wanted: dict[tuple, list] = {}
    for field in fields:
        queryset = getattr(field, "queryset", None)
        if queryset is None or "_kept_choices" in field.__dict__:
            continue
        if connections[queryset.db].in_atomic_block:
            continue
        key = _keyable(field)
        kept = _kept.get(key) if key is not None else None
        if kept is not None:
            wanted.setdefault((queryset.db, queryset.model), []).append((field, kept))
    by_database: dict[str, list] = {}
    for (alias, model), kept_fields in wanted.items():
        by_database.setdefault(alias, []).append((model, kept_fields))
    for alias, tables in by_database.items():
        connection = connections[alias]
        sql = ", ".join(f"({stamp_sql(model, connection)})" for model, _fields in tables)
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT {sql}")
            stamps = cursor.fetchone()
        for (_model, kept_fields), stamp in zip(tables, stamps, strict=True):
            for field, kept in kept_fields:
                if stamp == kept[0]:
                    field._kept_choices = (field.queryset, (kept[1], kept[2]))


def model_choices(iterator):
    """The choices of a ``ModelChoiceIterator`` after its empty choice, ``(value, label)``,
    kept per process while the table is unchanged (module docstring)."""
    field, queryset = iterator.field, iterator.queryset
    read = kept_choices(field) if queryset is field.queryset else None
    if read is None:
        for obj in queryset:
            yield iterator.choice(obj)
        return
    yield from read[0]  # the values themselves: they render as the instances' values do


def forget() -> None:
    """Drop every kept choice list (tests)."""
    with _lock:
        _kept.clear()
