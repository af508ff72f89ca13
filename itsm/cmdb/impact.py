"""Impact analysis of configuration items (R-CMDB-04), re-exported by ``cmdb.selectors``.

Public entry point: ``impact(ci, *, direction, max_depth, user, limit) -> ImpactResult``.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

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
# breadth-first levels inside the database; the same statement returns, as rows of one
# ``UNION ALL`` told apart by their first column, the CIs found with their details (number,
# name, class, status, customer), every relation among them, the relation types and the
# totals that tell a truncated result. Python then assembles the result in one pass: the
# shortest path of every node is rebuilt from parent pointers (a parent of a node at depth d is
# any node at depth d - 1 with a relation to it; the smallest id wins, then the smallest type,
# so paths are deterministic).
#
# * PostgreSQL: a frontier BFS. Each row of the CTE is one level: ``(depth, ids[], seen[])``;
#   the next level is ``ARRAY(SELECT <neighbours of ids> EXCEPT SELECT unnest(seen))`` (a hash
#   set operation), so every CI is expanded once, at its minimal depth, whatever the number of
#   paths or cycles. The recursion stops at ``max_depth``, when a level is empty, or once more
#   than ``limit`` CIs are known (each level is capped at ``limit + 1``, lowest ids first).
#   The walk reads (source, target, type) from one index alone — the unique (source, target,
#   type) index for dependencies, the (target, source, type) index for dependents — so each
#   level's row keeps the relations its expansion read (three arrays), and the relations among
#   the CIs found are those kept (whose far end was found) plus those of the last level, which
#   was not expanded: one more index search per CI of that level only.
# * SQLite (no arrays, no aggregates in a recursive term): ``walk(id, depth)`` with ``UNION``;
#   a CI reachable at several depths is expanded at most ``max_depth + 1`` times and keeps its
#   minimal depth. A row cap bounds the work; hitting it reports ``truncated``. The relations
#   among the CIs found: both ends ``IN (SELECT id FROM found)``, an index search per CI (a
#   join from ``found`` makes SQLite build a Bloom filter over the whole relation table).
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


# The statement's rows, told apart by their first column (11 columns; unused ones are NULL):
NODE = 0  # id, depth, customer, supplier, class id, number, name, customer name, status,
#           criticality
EDGE = 1  # source, target, type id
KIND = 2  # relation type id, -, -, -, -, code, label
CLASS = 3  # class id, business service? (0/1), agreement? (0/1), -, -, code, label
TOTAL = 4  # CIs found before the limit, rows walked (SQLite's cap; PostgreSQL: 0)


def _nulls(count: int) -> str:
    """Empty columns that pad a row to the statement's 11."""
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
    """The part shared by both engines: the rows of the CIs in ``found(id, depth)``, of the
    relations *edges_sql* selects, of the relation types and of the classes (the caller
    appends the totals). Classes and types come as a few rows of their own rather than joined
    to every CI and relation: fewer bytes to read and a cheaper plan."""
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


def _statement_postgresql(start, *, cur, nxt, max_depth, limit, scope_sql, scope_params, zh):
    t = _tables()
    join = f"JOIN {t['ci']} c ON c.id = r.{nxt} AND {scope_sql}" if scope_sql else ""
    far = "src" if nxt == "source_id" else "dst"  # the array of the far ends
    # the walk reads (cur, far end, type) from one index alone — the unique (source, target,
    # type) index for dependencies, (target, source, type) for dependents — so each level
    # keeps the relations it read; the last level, not expanded, is read here
    kept = "array_agg(r.source_id), array_agg(r.target_id), array_agg(r.type_id)"
    edges = f"""
        SELECT {EDGE}, e.src, e.dst, e.kind, {_nulls(7)}
        FROM (
            SELECT x.src, x.dst, x.kind
            FROM bfs b CROSS JOIN unnest(b.src, b.dst, b.kind) AS x(src, dst, kind)
            UNION ALL
            SELECT r.source_id, r.target_id, r.type_id
            FROM found f JOIN {t["rel"]} r ON r.{cur} = f.id
            WHERE f.depth = (SELECT max(depth) FROM bfs)
        ) e
        WHERE e.{far} IN (SELECT id FROM found)
    """
    sql = f"""
        WITH RECURSIVE bfs(depth, ids, seen, src, dst, kind) AS (
            SELECT 0, ARRAY[%s]::bigint[], ARRAY[%s]::bigint[],
                   NULL::bigint[], NULL::bigint[], NULL::bigint[]
            UNION ALL
            SELECT b.depth + 1, n.ids, b.seen || n.ids, e.src, e.dst, e.kind
            FROM bfs b
            CROSS JOIN LATERAL (  -- the relations this level's expansion reads
                SELECT {kept}
                FROM {t["rel"]} r {join} WHERE r.{cur} = ANY(b.ids)
            ) AS e(src, dst, kind)
            CROSS JOIN LATERAL (
                SELECT ARRAY(
                    SELECT unnest(e.{far})
                    EXCEPT
                    SELECT unnest(b.seen)
                    ORDER BY 1
                    LIMIT %s
                ) AS ids
                OFFSET 0  -- a fence: evaluate the level once, not once per reference
            ) n
            WHERE b.depth < %s AND cardinality(n.ids) > 0 AND cardinality(b.seen) <= %s
        ),
        found AS MATERIALIZED (
            SELECT u.id, b.depth FROM bfs b CROSS JOIN unnest(b.ids) AS u(id)
            ORDER BY b.depth, u.id
            LIMIT %s
        )
        {_rest_sql(t, zh, edges)}
        SELECT {TOTAL}, (SELECT sum(cardinality(ids)) FROM bfs), 0, {_nulls(8)}
    """
    params = [start, start, *scope_params, limit + 1, max_depth, limit + 1, limit + 1]
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
    row_cap = None
    if connection.vendor == "postgresql":
        sql, params = _statement_postgresql(ci.pk, **arguments)
    else:
        sql, params, row_cap = _statement_sqlite(ci.pk, **arguments)
    with collector_paused():
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            rows = cursor.fetchall()
        return _assemble(ci.pk, direction, max_depth, limit, rows, scope, row_cap)


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


def _assemble(start, direction, max_depth, limit, rows, scope, row_cap) -> ImpactResult:
    """The result from the statement's rows: one pass to sort them by kind, one over the
    relations for the parent pointers, one over the CIs in depth order."""
    nodes_rows, edges_raw, kinds, classes = [], [], {}, {}
    found = walked = 0
    for row in rows:
        kind = row[0]
        if kind == EDGE:
            edges_raw.append((row[1], row[2], row[3]))
        elif kind == NODE:
            nodes_rows.append(row)
        elif kind == KIND:
            kinds[row[1]] = (row[6], row[7])
        elif kind == CLASS:
            classes[row[1]] = (row[6], row[7], bool(row[2]), bool(row[3]))
        else:
            found, walked = row[1] or 0, row[2] or 0
    nodes_rows.sort(key=_depth_then_id)
    edges_raw.sort()
    depths = {row[1]: row[2] for row in nodes_rows}
    truncated = found > limit + 1 or (row_cap is not None and walked >= row_cap)

    # parent pointers: for a node at depth d, the smallest parent at depth d - 1 (then type);
    # edges_raw is sorted by (source, target, type), so the first match wins in either direction
    parents: dict[int, tuple[int, int]] = {}
    dependents = direction == "dependents"
    for source, target, type_id in edges_raw:
        before, after = (target, source) if dependents else (source, target)
        if after in parents and parents[after] <= (before, type_id):
            continue
        if depths[before] == depths[after] - 1:
            parents[after] = (before, type_id)

    result = ImpactResult(
        start_id=start, direction=direction, max_depth=max_depth, limit=limit, truncated=truncated
    )
    customers: dict[int, str] = {}
    shared_label = str(_("Shared infrastructure"))
    nodes, services, agreements = result.nodes, result.business_services, result.agreements
    column, organisation = scope if scope is not None else ("", None)
    by_supplier = column.startswith("supplier")
    no_type = ("", "")
    paths: dict[int, list[int]] = {}
    for (
        _kind,
        node,
        depth,
        customer_id,
        supplier_id,
        class_id,
        number,
        name,
        org_name,
        status,
        criticality,
    ) in nodes_rows:
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
                customers[customer_id] = org_name
            if is_bs:
                services.append(item)
            if is_agr and node != start:  # an agreement's own CI is not "affected" by itself
                agreements.append(item)
        nodes.append(item)
    result.customers = [
        ImpactCustomer(id=key, name=value)
        for key, value in sorted(customers.items(), key=lambda kv: (kv[1], kv[0]))
    ]
    result.edges = [
        ImpactEdge(source, target, *kinds.get(type_id, no_type))
        for source, target, type_id in edges_raw
    ]
    return result


def _depth_then_id(row) -> tuple[int, int]:
    return row[2], row[1]
