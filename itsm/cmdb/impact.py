"""Impact analysis of configuration items (R-CMDB-04), re-exported by ``cmdb.selectors``.

Public entry point: ``impact(ci, *, direction, max_depth, user, limit) -> ImpactResult``.
"""

from __future__ import annotations

import gc
import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from itertools import repeat
from typing import NamedTuple

from django.db import connection
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from itsm.cmdb.models import CIClass, ConfigurationItem, Relation, RelationType
from itsm.core import policy
from itsm.core.errors import NotFound, ValidationFailed
from itsm.core.models import Organisation

# --- impact analysis (R-CMDB-04) ----------------------------------------------------------------
#
# Relation semantics: ``source`` depends on ``target``. "dependencies" follows source → target
# (what the CI needs), "dependents" follows target → source (what a failure of the CI impacts).
#
# Algorithm: ONE statement per call (issue 10 item 4). A recursive CTE computes the
# breadth-first levels inside the database; Python assembles the result in one pass, rebuilding
# the shortest path of every node from parent pointers (a parent of a node at depth d is any
# node at depth d - 1 with a relation to it; the smallest id wins, then the smallest type, so
# paths are deterministic).
#
# * PostgreSQL: a frontier BFS whose rows are the answer. Each row of the CTE is one level: its
#   depth, its CIs with their details (ids, class, customer, supplier, number, name, status,
#   criticality: parallel arrays in id order), the ids seen so far, and the relations the expansion
#   of the level before read (source, target, type arrays). A level is expanded by reading the
#   relations of its CIs from one index alone — the unique (source, target, type) index for
#   dependencies, the (target, source, type) index for dependents — then ``far ends EXCEPT seen`` (a
#   hash set operation) gives the candidates, which are looked up once by id, with the tenancy
#   condition: that lookup both filters the next level and carries its details, so nothing is looked
#   up a second time. It reads the index ``(id) INCLUDE (those details)`` alone (migration
#   ``cmdb/0009``; 3 index pages a CI instead of 3 + a random heap page, as long as the page is
#   all-visible). Every CI is expanded once, at its minimal depth, whatever the number of paths or
#   cycles. The last level is expanded too (its relations, not its candidates), so every relation
#   among the CIs found has been read by the walk. Each level is capped at ``limit + 1`` CIs, lowest
#   ids first; the walk stops expanding at ``max_depth`` or once more than ``limit`` CIs are known,
#   and only the first ``limit + 1`` CIs in (depth, id) order are kept (so a relation is read only
#   from those). The statement returns one row per level plus one row each with the relation types,
#   the classes and the customers' names (arrays): a few rows, whose arrays the driver parses in C.
#   Python keeps the relations whose far end was found, the parent pointers with them.
# * SQLite (no arrays, no aggregates in a recursive term): ``walk(id, depth)`` with ``UNION``;
#   a CI reachable at several depths is expanded at most ``max_depth + 1`` times and keeps its
#   minimal depth. A row cap bounds the work; hitting it reports ``truncated``. One row per CI
#   found with its details, one per relation among them (both ends ``IN (SELECT id FROM
#   found)``, an index search per CI: a join from ``found`` makes SQLite build a Bloom filter
#   over the whole relation table), the types, the classes and the totals, grouped by Python
#   into the same levels.
#
# Tenancy: provider staff see everything. Other users must be able to view the starting CI
# (else NotFound). Their traversal is restricted to the CIs they may know of: their own (the
# policy's tenant/supplier field is their organisation) and shared infrastructure (customer
# empty). Other customers' CIs are not traversed at all, so what is reachable only through them
# is not reported (a customer learns nothing about other customers). Shared infrastructure
# they cannot view is returned *masked*: real id kept (it answers 404 to them anywhere else),
# number, name, class, status and criticality blanked, name "Shared infrastructure".

DIRECTIONS = ("dependents", "dependencies")
DEFAULT_IMPACT_LIMIT = 5000
MAX_IMPACT_DEPTH = 10


@dataclass(slots=True)
class ImpactNode:
    id: int
    number: str
    name: str
    class_code: str
    class_label: str
    customer_id: int | None
    status: str
    criticality: str
    depth: int
    path: list[int]
    via: str
    via_code: str
    masked: bool
    is_business_service: bool = False
    is_agreement: bool = False


@dataclass(slots=True)
class ImpactEdge:
    source: int
    target: int
    type_code: str
    type_label: str


@dataclass(frozen=True)
class ImpactCustomer:
    id: int
    name: str


@dataclass
class ImpactResult:
    start_id: int
    direction: str
    max_depth: int
    limit: int
    nodes: list[ImpactNode] = field(default_factory=list)
    edges: list[ImpactEdge] = field(default_factory=list)
    business_services: list[ImpactNode] = field(default_factory=list)
    agreements: list[ImpactNode] = field(default_factory=list)
    customers: list[ImpactCustomer] = field(default_factory=list)
    truncated: bool = False

    @property
    def impacted(self) -> list[ImpactNode]:
        """The nodes other than the starting CI."""
        return [node for node in self.nodes if node.depth > 0]


def _impact_scope(user, ci) -> tuple[str, int | None] | None:
    """None when *user* sees every CI; else ``(column, organisation id)`` of the CIs they may
    view. Raises NotFound when *user* may not view *ci*."""
    scope = None if user is None else policy.tenant_scope(user, ConfigurationItem)
    if scope is None:
        return None
    if not policy.may_view_row(user, ci):  # restrict(user, "view") on the loaded row
        raise NotFound()
    field, organisation = scope
    return f"{field}_id", organisation


# SQLite's rows, told apart by their first column (11 columns; unused ones are NULL):
NODE = 0  # id, depth, customer, supplier, class id, number, name, customer name, status,
#           criticality
EDGE = 1  # source, target, type id
KIND = 2  # relation type id, -, -, -, -, code, label
CLASS = 3  # class id, business service? (0/1), agreement? (0/1), -, -, code, label
TOTAL = 4  # CIs found before the limit, rows walked (SQLite's cap)

# PostgreSQL's rows: one a level — depth, ids, classes, customers, suppliers, numbers, names,
# statuses, criticalities, then the relations read from the level before (sources, targets,
# types) — and, on the start's row only, the relation types, the classes and the customers'
# names as one JSON document (scalar subqueries). No UNION ALL: a branch more costs ~0.2 ms of
# the database's CPU a call (planning), half of a small walk's.


def _nulls(count: int) -> str:
    """Empty columns that pad a row to the statement's width."""
    return ", ".join(["NULL"] * count)


def _tables() -> dict[str, str]:
    return {
        "rel": Relation._meta.db_table,
        "ci": ConfigurationItem._meta.db_table,
        "cls": CIClass._meta.db_table,
        "org": Organisation._meta.db_table,
        "kinds": RelationType._meta.db_table,
    }


def _label(alias: str, zh: bool) -> str:
    """A bilingual name in the active language, the other one when it is empty."""
    first, second = ("name_zh", "name_en") if zh else ("name_en", "name_zh")
    return f"COALESCE(NULLIF({alias}.{first}, ''), {alias}.{second})"


def _rest_sql(t: dict[str, str], zh: bool, edges_sql: str) -> str:
    """SQLite's rows of the CIs in ``found(id, depth)``, of the relations *edges_sql*
    selects, of the relation types and of the classes (the caller appends the totals)."""
    return f"""
        SELECT {NODE}, f.id, f.depth, c.customer_id, c.supplier_id, c.ci_class_id, c.number,
               c.name, o.name, c.status, c.criticality
        FROM found f
        JOIN {t["ci"]} c ON c.id = f.id
        LEFT JOIN {t["org"]} o ON o.id = c.customer_id
        UNION ALL
        {edges_sql}
        UNION ALL
        SELECT {KIND}, t.id, {_nulls(4)}, t.code, {_label("t", zh)}, {_nulls(3)}
        FROM {t["kinds"]} t
        UNION ALL
        SELECT {CLASS}, k.id, CASE WHEN k.is_business_service THEN 1 ELSE 0 END,
               CASE WHEN k.is_agreement THEN 1 ELSE 0 END, {_nulls(2)}, k.code,
               {_label("k", zh)}, {_nulls(3)}
        FROM {t["cls"]} k
        UNION ALL
    """


# a CI's details as the walk carries them (text, so both terms of the CTE agree on the types)
_DETAILS = (
    "c.id, c.ci_class_id, c.customer_id, c.supplier_id, c.number::text AS number, "
    "c.name::text AS name, c.status::text AS status, c.criticality::text AS criticality"
)


def _statement_postgresql(start, *, cur, nxt, max_depth, limit, scope_sql, scope_params, zh):
    t = _tables()
    far = "src" if nxt == "source_id" else "dst"  # the array of the far ends
    scope = f"AND {scope_sql}" if scope_sql else ""
    # the CIs of a level within the cap: all of them but, maybe, the last level's tail
    kept = "b.ids[:%s - cardinality(b.seen) + cardinality(b.ids)]"
    sql = f"""
        WITH RECURSIVE bfs(depth, ids, seen, cls, cus, sup, num, nam, sta, cri, src, dst,
                           kind) AS (
            SELECT 0, ARRAY[c.id], ARRAY[c.id], ARRAY[c.ci_class_id], ARRAY[c.customer_id],
                   ARRAY[c.supplier_id], ARRAY[c.number::text], ARRAY[c.name::text],
                   ARRAY[c.status::text], ARRAY[c.criticality::text],
                   NULL::bigint[], NULL::bigint[], NULL::bigint[]
            FROM {t["ci"]} c WHERE c.id = %s
            UNION ALL
            SELECT b.depth + 1, n.ids, b.seen || n.ids, n.cls, n.cus, n.sup, n.num, n.nam,
                   n.sta, n.cri, e.src, e.dst, e.kind
            FROM bfs b
            CROSS JOIN LATERAL (  -- the relations of the level, from one index alone
                SELECT array_agg(r.source_id), array_agg(r.target_id), array_agg(r.type_id)
                FROM {t["rel"]} r WHERE r.{cur} = ANY({kept})
            ) AS e(src, dst, kind)
            CROSS JOIN LATERAL (  -- the next level: new far ends in scope, with their details
                SELECT array_agg(s.id), array_agg(s.ci_class_id), array_agg(s.customer_id),
                       array_agg(s.supplier_id), array_agg(s.number), array_agg(s.name),
                       array_agg(s.status), array_agg(s.criticality)
                FROM (
                    SELECT {_DETAILS} FROM {t["ci"]} c
                    WHERE c.id = ANY(ARRAY(SELECT unnest(e.{far}) EXCEPT SELECT unnest(b.seen)))
                      {scope} AND b.depth < %s AND cardinality(b.seen) <= %s
                    ORDER BY c.id
                    LIMIT %s
                ) s
            ) AS n(ids, cls, cus, sup, num, nam, sta, cri)
            WHERE cardinality(b.ids) > 0
        )
        SELECT b.depth, b.ids, b.cls, b.cus, b.sup, b.num, b.nam, b.sta, b.cri, b.src, b.dst,
               b.kind,
               CASE WHEN b.depth = 0 THEN json_build_array(
                   (SELECT json_agg(json_build_array(t.id, t.code, {_label("t", zh)}))
                    FROM {t["kinds"]} t),
                   (SELECT json_agg(json_build_array(k.id, k.code, {_label("k", zh)},
                                                     k.is_business_service, k.is_agreement))
                    FROM {t["cls"]} k),
                   (SELECT json_agg(json_build_array(o.id, o.name)) FROM {t["org"]} o
                    WHERE o.id = ANY(ARRAY(SELECT unnest(x.cus) FROM bfs x)))
               ) END
        FROM bfs b
    """
    cap = limit + 1
    params = [start, cap, *scope_params, max_depth, cap, cap]
    return sql, params


def _statement_sqlite(start, *, cur, nxt, max_depth, limit, scope_sql, scope_params, zh):
    t = _tables()
    # Out-of-scope CIs become a NULL row (never expanded: no relation matches NULL) instead of
    # an extra WHERE term or join, which makes SQLite 3.38+ build a Bloom filter by scanning
    # the whole relation or CI table at every call (tens of ms at 1 M CIs).
    node = f"r.{nxt}"
    if scope_sql:
        node = (
            f"CASE WHEN (SELECT {scope_sql} FROM {t['ci']} c WHERE c.id = r.{nxt}) THEN r.{nxt} END"
        )
    row_cap = (limit + 1) * 4
    edges = f"""
        SELECT {EDGE}, r.source_id, r.target_id, r.type_id, {_nulls(7)}
        FROM {t["rel"]} r
        WHERE r.{cur} IN (SELECT id FROM found) AND r.{nxt} IN (SELECT id FROM found)
    """
    sql = f"""
        WITH RECURSIVE walk(id, depth) AS (
            SELECT %s, 0
            UNION
            SELECT {node}, w.depth + 1 FROM walk w CROSS JOIN {t["rel"]} r ON r.{cur} = w.id
            WHERE w.depth < %s
            LIMIT %s
        ),
        reached AS MATERIALIZED (  -- each CI once at its minimal depth, with the totals
            SELECT id, min(depth) AS depth, count(id) OVER () AS ids,
                   sum(count(*)) OVER () AS walked
            FROM walk GROUP BY id
        ),
        found AS MATERIALIZED (
            SELECT id, depth FROM reached WHERE id IS NOT NULL ORDER BY depth, id LIMIT %s
        )
        {_rest_sql(t, zh, edges)}
        SELECT * FROM (SELECT {TOTAL}, ids, walked, {_nulls(8)} FROM reached LIMIT 1)
    """
    params = [start, *scope_params, max_depth, row_cap, limit + 1]
    return sql, params, row_cap


def impact(
    ci,
    *,
    direction: str = "dependents",
    max_depth: int = 6,
    user=None,
    limit: int = DEFAULT_IMPACT_LIMIT,
) -> ImpactResult:
    """Impact analysis of *ci*: every CI reachable in *direction* within *max_depth* relations,
    each once with its minimal depth and one shortest path (see the comment above)."""
    if direction not in DIRECTIONS:
        raise ValidationFailed(fields={"direction": [_("Choose dependents or dependencies.")]})
    if not isinstance(max_depth, int) or not 1 <= max_depth <= MAX_IMPACT_DEPTH:
        raise ValidationFailed(
            fields={
                "depth": [_("Enter a whole number from 1 to %(max)s.") % {"max": MAX_IMPACT_DEPTH}]
            }
        )
    if limit < 1:
        raise ValidationFailed(fields={"limit": [_("Enter a positive whole number.")]})
    scope = _impact_scope(user, ci)
    cur, nxt = ("target", "source") if direction == "dependents" else ("source", "target")
    scope_sql, scope_params = "", []
    if scope is not None:
        # their own CIs, and shared infrastructure (the policy's ``shared_if_unowned``)
        scope_sql, scope_params = f"c.{scope[0]} = %s", [scope[1]]
        shared = policy.shared_column(ConfigurationItem)
        if shared:
            scope_sql = f"(c.{shared} IS NULL OR {scope_sql})"
    zh = (get_language() or "").startswith("zh")
    arguments = {
        "cur": f"{cur}_id",
        "nxt": f"{nxt}_id",
        "max_depth": max_depth,
        "limit": limit,
        "scope_sql": scope_sql,
        "scope_params": scope_params,
        "zh": zh,
    }
    with collector_paused():
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                sql, params = _statement_postgresql(ci.pk, **arguments)
                cursor.execute(sql, params)
                walk = _walk_postgresql(cursor.fetchall(), limit)
            else:
                sql, params, row_cap = _statement_sqlite(ci.pk, **arguments)
                cursor.execute(sql, params)
                walk = _walk_sqlite(cursor.fetchall(), limit, row_cap, direction == "dependents")
        return _assemble(ci.pk, direction, max_depth, limit, walk, scope)


@contextmanager
def collector_paused() -> Iterator[None]:
    """Python's cyclic garbage collector paused while an impact result is read and built (and,
    in the page and the API, turned into rows). A large result is ~15 000 new container
    objects (rows, nodes, paths, edges, then dicts), all alive until the block ends: the
    collector would run every 700 of them, promote them all and walk the older objects of the
    process again and again — at 2 400 CIs 6–8 ms of a 12–14 ms selector call, and most of
    the API's CPU. Nothing here makes reference cycles, so nothing is left for the collector;
    it runs again right after. Another thread only sees the collector paused for those
    milliseconds; it is resumed only if it was running when the block began."""
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


class _Walk(NamedTuple):
    """What either engine's statement found, in one shape for :func:`_assemble`."""

    # per level, in depth order: (depth, ids, class ids, customer ids, supplier ids, numbers,
    # names, statuses, criticalities), each a sequence in id order (the cap may cut the last)
    levels: list[tuple]
    # relations read from the CIs of one depth: (depth, sources, targets, type ids); their far
    # end may not have been found
    relations: list[tuple]
    kinds: dict[int, tuple[str, str]]  # relation type id: (code, label)
    classes: dict[int, tuple[str, str, bool, bool]]  # id: (code, label, service?, agreement?)
    names: dict[int, str]  # customer id: name
    truncated: bool


def _walk_postgresql(rows, limit) -> _Walk:
    levels, relations = [], []
    reference: list = [None, None, None]
    for row in rows:
        if row[1]:
            levels.append(row[:9])
        if row[9]:
            relations.append((row[0] - 1, row[9], row[10], row[11]))
        if row[12] is not None:
            reference = json.loads(row[12]) if isinstance(row[12], str) else row[12]
    kinds_rows, classes_rows, names_rows = (part or () for part in reference)
    levels.sort(key=_depth)
    found = sum(len(level[1]) for level in levels)
    return _Walk(
        levels,
        relations,
        {key: (code, label) for key, code, label in kinds_rows},
        {key: (code, label, bs, agr) for key, code, label, bs, agr in classes_rows},
        dict(names_rows),
        found > limit + 1,
    )


def _walk_sqlite(rows, limit, row_cap, dependents: bool) -> _Walk:
    nodes, edges = [], []
    kinds, classes, names = {}, {}, {}
    found = walked = 0
    for row in rows:
        kind = row[0]
        if kind == EDGE:
            edges.append(row[1:4])
        elif kind == NODE:
            nodes.append(row)
            if row[3] is not None:
                names[row[3]] = row[8]
        elif kind == KIND:
            kinds[row[1]] = (row[6], row[7])
        elif kind == CLASS:
            classes[row[1]] = (row[6], row[7], bool(row[2]), bool(row[3]))
        else:
            found, walked = row[1] or 0, row[2] or 0
    nodes.sort(key=_depth_then_id)
    levels: dict[int, list[list]] = {}
    for _kind, node, depth, customer, supplier, cls, number, name, _org, status, crit in nodes:
        level = levels.get(depth)
        if level is None:
            level = levels[depth] = [[] for _ in range(8)]
        for column, value in zip(
            level, (node, cls, customer, supplier, number, name, status, crit), strict=True
        ):
            column.append(value)
    depths = {row[1]: row[2] for row in nodes}
    # the relations by the depth of their near end (the one the walk reads them from)
    groups: dict[int, tuple[list, list, list]] = {}
    for source, target, type_id in edges:
        group = groups.setdefault(depths[target if dependents else source], ([], [], []))
        group[0].append(source)
        group[1].append(target)
        group[2].append(type_id)
    truncated = found > limit + 1 or walked >= row_cap
    return _Walk(
        [(depth, *columns) for depth, columns in sorted(levels.items())],
        [(depth, *group) for depth, group in groups.items()],
        kinds,
        classes,
        names,
        truncated,
    )


def _assemble(start, direction, max_depth, limit, walk: _Walk, scope) -> ImpactResult:
    """The result from the walk, in one pass over the relations (the ones whose far end was
    found, with the parent pointers) and one over the CIs in depth order."""
    cap = limit + 1
    depths: dict[int, int] = {}
    for level in walk.levels:
        room = cap - len(depths)
        if room <= 0:
            break
        depths.update(zip(level[1][:room], repeat(level[0])))
    # the relations among the CIs found, as (near end, far end, type) in the walk's direction;
    # the parent of a CI at depth d is the smallest (near end, type) at depth d - 1
    dependents = direction == "dependents"
    parents: dict[int, tuple[int, int]] = {}
    among: list[tuple[int, int, int]] = []
    keep = among.append
    depth_of = depths.get
    for depth, sources, targets, types in walk.relations:
        near_ends, far_ends = (targets, sources) if dependents else (sources, targets)
        for near, far, type_id in zip(near_ends, far_ends, types, strict=True):
            far_depth = depth_of(far)
            if far_depth is None:
                continue
            keep((near, far, type_id))
            if far_depth == depth + 1:
                best = parents.get(far)
                if best is None or (near, type_id) < best:
                    parents[far] = (near, type_id)
    among.sort()  # presorted runs, one a level: cheap

    result = ImpactResult(
        start_id=start,
        direction=direction,
        max_depth=max_depth,
        limit=limit,
        truncated=walk.truncated,
    )
    kinds, classes, names = walk.kinds, walk.classes, walk.names
    customers: dict[int, str] = {}
    shared_label = str(_("Shared infrastructure"))
    nodes, services, agreements = result.nodes, result.business_services, result.agreements
    column, organisation = scope if scope is not None else ("", None)
    by_supplier = column.startswith("supplier")
    no_type = ("", "")
    paths: dict[int, list[int]] = {}
    room = cap
    for depth, ids, cls, cus, sup, numbers, labels, statuses, crits in walk.levels:
        if room <= 0:
            break
        for node, class_id, customer_id, supplier_id, number, name, status, criticality in zip(
            ids[:room], cls, cus, sup, numbers, labels, statuses, crits, strict=False
        ):
            parent = parents.get(node)
            if parent is None:  # the start
                path, via_code, via = [node], "", ""
            else:  # depth order: the parent's path is known already
                path = [*paths[parent[0]], node]
                via_code, via = kinds.get(parent[1], no_type)
            paths[node] = path
            if scope is not None and (supplier_id if by_supplier else customer_id) != organisation:
                item = ImpactNode(
                    node, "", shared_label, "", "", None, "", "", depth, path, via, via_code, True
                )
            else:
                code, class_label, is_bs, is_agr = classes[class_id]
                item = ImpactNode(
                    node,
                    number,
                    name,
                    code,
                    class_label,
                    customer_id,
                    status,
                    criticality,
                    depth,
                    path,
                    via,
                    via_code,
                    False,
                    is_bs,
                    is_agr,
                )
                if customer_id is not None and (scope is None or customer_id == organisation):
                    customers[customer_id] = names[customer_id]
                if is_bs:
                    services.append(item)
                if is_agr and node != start:  # an agreement's own CI is not "affected" by itself
                    agreements.append(item)
            nodes.append(item)
        room -= len(ids)
    result.customers = [
        ImpactCustomer(id=key, name=value)
        for key, value in sorted(customers.items(), key=lambda kv: (kv[1], kv[0]))
    ]
    edges = result.edges
    for near, far, type_id in among:
        code, label = kinds.get(type_id, no_type)
        edges.append(
            ImpactEdge(far, near, code, label) if dependents else ImpactEdge(near, far, code, label)
        )
    return result


def _depth(level) -> int:
    return level[0]


def _depth_then_id(row) -> tuple[int, int]:
    return row[2], row[1]
