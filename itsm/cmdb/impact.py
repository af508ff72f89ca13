"""Impact analysis of configuration items (R-CMDB-04), re-exported by ``cmdb.selectors``.

Public entry point: ``impact(ci, *, direction, max_depth, user, limit) -> ImpactResult``.
"""

from __future__ import annotations

import json
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
# Algorithm: one recursive CTE computes the breadth-first levels inside the database, then one
# query fetches the relations among the nodes found and one the node details; the shortest path
# of every node is rebuilt from parent pointers (a parent of a node at depth d is any node at
# depth d - 1 with a relation to it; the smallest id wins, so paths are deterministic).
#
# * PostgreSQL: a frontier BFS. Each row of the CTE is one level: ``(depth, ids[], seen[])``;
#   the next level is ``ARRAY(SELECT <neighbours of ids> EXCEPT SELECT unnest(seen))`` (a hash
#   set operation), so every CI is expanded once, at its minimal depth, whatever the number of
#   paths or cycles. The recursion stops at ``max_depth``, when a level is empty, or once more
#   than ``limit`` CIs are known (each level is capped at ``limit + 1``, lowest ids first).
# * SQLite (no arrays, no aggregates in a recursive term): ``walk(id, depth)`` with ``UNION``;
#   SQLite's FIFO queue yields rows in depth order, so the first (minimal) depth of each CI is
#   right, and a CI reachable at several depths is expanded at most ``max_depth + 1`` times.
#   A row cap bounds the work; hitting it reports ``truncated``.
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
    if not ConfigurationItem.objects.restrict(user, "view").filter(pk=ci.pk).exists():
        raise NotFound()
    field, organisation = scope
    return f"{field}_id", organisation


def _id_array(vendor: str, ids) -> tuple[str, list]:
    """SQL matching a column against a list of ids with ONE parameter."""
    if vendor == "postgresql":  # one text literal: far cheaper to send than a list adapter
        return "= ANY(%s::bigint[])", ["{" + ",".join(map(str, ids)) + "}"]
    return "IN (SELECT value FROM json_each(%s))", [json.dumps(list(ids))]


def _levels_postgresql(cursor, start, *, cur, nxt, max_depth, limit, scope_sql, scope_params):
    rel = Relation._meta.db_table
    ci = ConfigurationItem._meta.db_table
    join = f"JOIN {ci} c ON c.id = r.{nxt} AND {scope_sql}" if scope_sql else ""
    sql = f"""
        WITH RECURSIVE bfs(depth, ids, seen) AS (
            SELECT 0, ARRAY[%s]::bigint[], ARRAY[%s]::bigint[]
            UNION ALL
            SELECT b.depth + 1, n.ids, b.seen || n.ids
            FROM bfs b
            CROSS JOIN LATERAL (
                SELECT ARRAY(
                    SELECT r.{nxt} FROM {rel} r {join} WHERE r.{cur} = ANY(b.ids)
                    EXCEPT
                    SELECT unnest(b.seen)
                    ORDER BY 1
                    LIMIT %s
                ) AS ids
                OFFSET 0  -- a fence: evaluate the level once, not once per reference
            ) n
            WHERE b.depth < %s AND cardinality(n.ids) > 0 AND cardinality(b.seen) <= %s
        )
        SELECT depth, ids FROM bfs ORDER BY depth
    """
    cursor.execute(sql, [start, start, *scope_params, limit + 1, max_depth, limit + 1])
    depths: dict[int, int] = {}
    for depth, ids in cursor.fetchall():
        for node in ids:
            depths.setdefault(node, depth)
    return depths, False


def _levels_sqlite(cursor, start, *, cur, nxt, max_depth, limit, scope_sql, scope_params):
    rel = Relation._meta.db_table
    ci = ConfigurationItem._meta.db_table
    # Out-of-scope CIs become a NULL row (never expanded: no relation matches NULL) instead of
    # an extra WHERE term or join, which makes SQLite 3.38+ build a Bloom filter by scanning
    # the whole relation or CI table at every call (tens of ms at 1 M CIs).
    node = f"r.{nxt}"
    if scope_sql:
        node = f"CASE WHEN (SELECT {scope_sql} FROM {ci} c WHERE c.id = r.{nxt}) THEN r.{nxt} END"
    row_cap = (limit + 1) * 4
    sql = f"""
        WITH RECURSIVE walk(id, depth) AS (
            SELECT %s, 0
            UNION
            SELECT {node}, w.depth + 1 FROM walk w CROSS JOIN {rel} r ON r.{cur} = w.id
            WHERE w.depth < %s
            LIMIT %s
        )
        SELECT id, depth FROM walk
    """
    cursor.execute(sql, [start, *scope_params, max_depth, row_cap])
    rows = cursor.fetchall()
    depths: dict[int, int] = {}
    for node_id, depth in rows:  # FIFO order: the first depth seen is the minimal one
        if node_id is not None and (node_id not in depths or depth < depths[node_id]):
            depths[node_id] = depth
    return depths, len(rows) >= row_cap


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
    cur, nxt = f"{cur}_id", f"{nxt}_id"
    vendor = connection.vendor
    scope_sql, scope_params = "", []
    if scope is not None:
        # their own CIs, and shared infrastructure (the policy's ``shared_if_unowned``)
        scope_sql, scope_params = f"c.{scope[0]} = %s", [scope[1]]
        shared = policy.shared_column(ConfigurationItem)
        if shared:
            scope_sql = f"(c.{shared} IS NULL OR {scope_sql})"
    levels = _levels_postgresql if vendor == "postgresql" else _levels_sqlite
    with connection.cursor() as cursor:
        depths, capped = levels(
            cursor,
            ci.pk,
            cur=cur,
            nxt=nxt,
            max_depth=max_depth,
            limit=limit,
            scope_sql=scope_sql,
            scope_params=scope_params,
        )
        depths[ci.pk] = 0
        order = sorted(depths, key=lambda node: (depths[node], node))
        truncated = capped or len(order) > limit + 1
        order = order[: limit + 1]
        depths = {node: depths[node] for node in order}
        edges_raw = _edges_among(cursor, vendor, order)
        details = _details(cursor, vendor, order)
    types = {t.pk: t for t in RelationType.objects.only("code", "name_en", "name_zh")}
    return _assemble(
        ci.pk,
        direction,
        max_depth,
        limit,
        depths,
        order,
        edges_raw,
        details,
        types,
        scope,
        truncated,
    )


def _edges_among(cursor, vendor, ids) -> list[tuple[int, int, int]]:
    rel = Relation._meta.db_table
    id_sql, id_params = _id_array(vendor, ids)
    if vendor == "postgresql":  # drive from the sources, filter the targets with a hash
        sql = (
            f"SELECT r.source_id, r.target_id, r.type_id FROM unnest(%s::bigint[]) AS s(id) "
            f"JOIN {rel} r ON r.source_id = s.id WHERE r.target_id {id_sql}"
        )
    else:
        sql = (
            f"SELECT source_id, target_id, type_id FROM {rel} "
            f"WHERE source_id {id_sql} AND target_id {id_sql}"
        )
    cursor.execute(sql, [*id_params, *id_params])  # the same id list for both ends
    return sorted(cursor.fetchall())


def _details(cursor, vendor, ids) -> dict[int, tuple]:
    ci = ConfigurationItem._meta.db_table
    cls = CIClass._meta.db_table
    org = Organisation._meta.db_table
    id_sql, id_params = _id_array(vendor, ids)
    cursor.execute(
        f"SELECT c.id, c.number, c.name, k.code, k.name_en, k.name_zh, k.is_business_service, "
        f"k.is_agreement, c.customer_id, o.name, c.status, c.criticality, c.supplier_id "
        f"FROM {ci} c JOIN {cls} k ON k.id = c.ci_class_id "
        f"LEFT JOIN {org} o ON o.id = c.customer_id WHERE c.id {id_sql}",
        id_params,
    )
    return {row[0]: row for row in cursor.fetchall()}


def _assemble(
    start,
    direction,
    max_depth,
    limit,
    depths,
    order,
    edges_raw,
    details,
    types,
    scope,
    truncated,
) -> ImpactResult:
    zh = (get_language() or "").startswith("zh")
    labels = {
        pk: ((kind.name_zh or kind.name_en) if zh else (kind.name_en or kind.name_zh))
        for pk, kind in types.items()
    }
    codes = {pk: kind.code for pk, kind in types.items()}
    # parent pointers: for a node at depth d, the smallest parent at depth d - 1 (then type);
    # edges_raw is sorted by (source, target, type), so the first match wins in either direction
    parents: dict[int, tuple[int, int]] = {}
    dependents = direction == "dependents"
    for source, target, type_id in edges_raw:
        before, after = (target, source) if dependents else (source, target)
        depth_after = depths.get(after)
        if depth_after is None or depths.get(before) != depth_after - 1:
            continue
        known = parents.get(after)
        if known is None or (before, type_id) < known:
            parents[after] = (before, type_id)
    paths: dict[int, list[int]] = {start: [start]}
    for node in order:  # depth order: the parent's path is always known first
        if node != start:
            paths[node] = [*paths[parents[node][0]], node]

    result = ImpactResult(
        start_id=start, direction=direction, max_depth=max_depth, limit=limit, truncated=truncated
    )
    customers: dict[int, str] = {}
    shared_label = str(_("Shared infrastructure"))
    nodes, services, agreements = result.nodes, result.business_services, result.agreements
    column, organisation = scope if scope is not None else ("", None)
    by_supplier = column.startswith("supplier")
    for node in order:
        (
            _pk,
            number,
            name,
            code,
            name_en,
            name_zh,
            is_bs,
            is_agr,
            customer_id,
            org_name,
            status,
            criticality,
            supplier_id,
        ) = details[node]
        parent = parents.get(node)
        via = labels.get(parent[1], "") if parent else ""
        via_code = codes.get(parent[1], "") if parent else ""
        masked = scope is not None and (supplier_id if by_supplier else customer_id) != organisation
        if masked:
            item = ImpactNode(
                node,
                "",
                shared_label,
                "",
                "",
                None,
                "",
                "",
                depths[node],
                paths[node],
                via,
                via_code,
                True,
            )
        else:
            item = ImpactNode(
                node,
                number,
                name,
                code,
                (name_zh or name_en) if zh else (name_en or name_zh),
                customer_id,
                status,
                criticality,
                depths[node],
                paths[node],
                via,
                via_code,
                False,
                bool(is_bs),
                bool(is_agr),
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
        ImpactEdge(source, target, codes.get(type_id, ""), labels.get(type_id, ""))
        for source, target, type_id in edges_raw
    ]
    return result
