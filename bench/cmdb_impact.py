"""Impact analysis at scale (R-CMDB-04, issue 10 item 4): the selector against its recursive
CTE, at 1 M CIs / 3 M relations by default.

Run (on ``bench/harness.py``: ``--engine``, ``--db``, ``--pg-url``, ``--keep``, ``--repeats``)::

    .venv/bin/python bench/cmdb_impact.py --engine postgres --db impact_pg --keep   # 1 M / 3 M
    .venv/bin/python bench/cmdb_impact.py --engine postgres --db impact_pg --reuse  # same data
    .venv/bin/python bench/cmdb_impact.py --engine sqlite --cis 100000 --relations 300000

The database is created (PostgreSQL: on ``--pg-url``; SQLite: a file), migrated and filled
inside the database with ``INSERT … SELECT`` over ``generate_series`` (PostgreSQL) or a
recursive counter CTE (SQLite), no Python rows; ``--reuse`` keeps a database a previous run
left with ``--keep`` and skips the generation when it already holds the graph:

    agreements → business services → applications → middleware / databases → VMs
    → hosts → storage / network, plus VMs → storage / network directly,
    and pseudo-random cross links (application → application, middleware → database,
    service → service, network → network, host → application: these close cycles).

Then four cases — dependents and dependencies, each as provider staff and as a customer user
(random CIs of their organisation; shared infrastructure masked, other customers' CIs not
traversed) — time ``itsm.cmdb.selectors.impact`` at depth 6 (the real selector, through
Django) on ``--samples`` CIs, interleaved sample by sample with its floor: the selector's
recursive CTE alone (the traversal that finds the CIs and their depths, with the same start,
depth, limit and tenancy scope, as 567322d ran it and as the selector's one statement starts)
run as raw SQL on the same connection. Each statistic is min / median
over ``--repeats`` repeats, with the CPU per call of the application and of the PostgreSQL
backend (``harness.measure``). ``--replay`` adds, per case, the selector against the very
SQL it sent replayed raw (what Django and the Python assembly add). ``--networkx`` adds the
same breadth-first search on an in-memory networkx graph as a reference and cross-checks the
staff node counts.
The generation ends with ``VACUUM ANALYZE``: the walk reads its CIs' details from an index
alone (migration ``cmdb/0009``), which needs the visibility map; a CI written since the last
vacuum is read from the heap as well, so a reused database written to since (e.g. by the
create bench) should be vacuumed first to compare figures (the JSON's ``ci_all_visible``:
the share of the CI table's pages all-visible, as of its last vacuum or analyze).
Prints ONE JSON object.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import harness  # noqa: E402

DEPTH = 6

# layer name, share of the CIs, class code, business service?, agreement?, owned by customers?
LAYERS = [
    ("agreement", 0.04, "b-agreement", False, True, True),
    ("service", 0.01, "b-service", True, False, True),
    ("application", 0.10, "b-application", False, False, True),
    ("middleware", 0.10, "b-middleware", False, False, True),
    ("database", 0.05, "b-database", False, False, True),
    ("vm", 0.50, "b-vm", False, False, True),
    ("host", 0.12, "b-host", False, False, False),
    ("storage", 0.04, "b-storage", False, False, False),
    ("network", 0.04, "b-network", False, False, False),
]
# source layer, target layer, relations per source CI, type code (source depends on target)
STRUCTURE = [
    ("agreement", "service", 1, "b-covers"),
    ("service", "application", 5, "b-uses"),
    ("application", "middleware", 2, "b-depends"),
    ("application", "database", 2, "b-depends"),
    ("middleware", "vm", 2, "b-runs"),
    ("database", "vm", 2, "b-runs"),
    ("vm", "host", 1, "b-runs"),
    ("vm", "storage", 1, "b-backup"),
    ("vm", "network", 1, "b-connected"),
    ("host", "storage", 2, "b-uses"),
    ("host", "network", 2, "b-connected"),
]
# random cross links: source layer, target layer, share of the remaining relations, type
CROSS = [
    ("application", "application", 0.40, "b-depends"),
    ("middleware", "database", 0.30, "b-depends"),
    ("service", "service", 0.10, "b-uses"),
    ("network", "network", 0.10, "b-connected"),
    ("host", "application", 0.10, "b-monitors"),  # closes cycles through the stack
]
TYPES = ["b-covers", "b-uses", "b-depends", "b-runs", "b-backup", "b-connected", "b-monitors"]
CUSTOMERS = 100
PRIME = 4294967291  # largest prime below 2**32: the pseudo-random hash modulus


# --- database set-up ------------------------------------------------------------------------------


def _layer_ranges(cis: int) -> dict[str, tuple[int, int]]:
    ranges, start = {}, 1
    for index, (name, share, *_rest) in enumerate(LAYERS):
        size = cis - start + 1 if index == len(LAYERS) - 1 else max(1, round(cis * share))
        ranges[name] = (start, start + size)
        start += size
    return ranges


def _series(vendor: str, first: int, stop: int, alias: str) -> str:
    """A FROM item yielding the integers first … stop - 1 as ``alias.n``."""
    if vendor == "postgresql":
        return f"generate_series({first}::bigint, {stop - 1}::bigint) AS {alias}(n)"
    return (
        f"(WITH RECURSIVE c(n) AS (SELECT {first} UNION ALL SELECT n + 1 FROM c "
        f"WHERE n < {stop - 1}) SELECT n FROM c) AS {alias}"
    )


def _drop_indexes(cursor, vendor: str, tables: list[str]) -> list[str]:
    """Drop the secondary indexes and unique constraints of *tables* (bulk loading is much
    faster without them); return the statements that rebuild them."""
    rebuild, drop = [], []
    if vendor == "postgresql":
        cursor.execute(
            "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) "
            "FROM pg_constraint WHERE contype = 'u' AND conrelid::regclass::text = ANY(%s)",
            [tables],
        )
        constraints = cursor.fetchall()
        for table, name, definition in constraints:
            drop.append(f"ALTER TABLE {table} DROP CONSTRAINT {name}")
            rebuild.append(f"ALTER TABLE {table} ADD CONSTRAINT {name} {definition}")
        owned = {name for _table, name, _definition in constraints}
        cursor.execute(
            "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = ANY(%s) "
            "AND indexname NOT LIKE '%%pkey'",
            [tables],
        )
        for name, definition in cursor.fetchall():
            if name not in owned:
                drop.append(f"DROP INDEX {name}")
                rebuild.append(definition)
    else:
        placeholders = ", ".join(["%s"] * len(tables))
        cursor.execute(
            "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL "
            f"AND tbl_name IN ({placeholders})",
            tables,
        )
        for name, definition in cursor.fetchall():
            drop.append(f'DROP INDEX "{name}"')
            rebuild.append(definition)
        cursor.execute("PRAGMA foreign_keys = OFF")
    for statement in drop:
        cursor.execute(statement)
    return rebuild


def _target(raw: str, source: str, first: int, size: int, same_customer: bool) -> str:
    """SQL of a target id from a pseudo-random offset *raw* in ``[0, size)``; with
    *same_customer*, moved within its block of 100 so that it has the source's customer
    (customers are assigned ``id % 100``): a customer's stack is its own, down to the VMs."""
    if not same_customer:
        return f"{first} + {raw}"
    residue = f"((({source}) - {first}) %% {CUSTOMERS} + {CUSTOMERS}) %% {CUSTOMERS}"
    return f"{first} + (({raw}) - ({raw}) %% {CUSTOMERS} + {residue}) %% {size}"


def generate(cis: int, relations: int) -> dict:
    """Fill the CMDB tables; returns sizes and seconds."""
    from django.db import connection, transaction
    from django.utils import timezone

    from itsm.cmdb.models import CIClass, ConfigurationItem, Relation, RelationType
    from itsm.core import services
    from itsm.core.choices import OrganisationKind

    vendor = connection.vendor
    began = time.perf_counter()
    customers = [
        services.create_organisation(
            code=f"bench-{n}", name=f"Bench customer {n}", kind=OrganisationKind.CUSTOMER
        )
        for n in range(CUSTOMERS)
    ]
    customer_ids = sorted(c.pk for c in customers)
    assert customer_ids == list(range(customer_ids[0], customer_ids[0] + CUSTOMERS))
    classes = {
        code: CIClass.objects.create(
            code=code,
            name_en=name,
            name_zh=name,
            is_business_service=bs,
            is_agreement=agreement,
        ).pk
        for name, _share, code, bs, agreement, _owned in LAYERS
    }
    types = {
        code: RelationType.objects.create(
            code=code, name_en=code, name_zh=code, reverse_en=code, reverse_zh=code
        ).pk
        for code in TYPES
    }
    ranges = _layer_ranges(cis)
    ci_table = ConfigurationItem._meta.db_table
    rel_table = Relation._meta.db_table
    now = timezone.now()
    stamp = now.isoformat() if vendor == "postgresql" else now.strftime("%Y-%m-%d %H:%M:%S.%f")
    number = (
        "'B-' || lpad(s.n::text, 8, '0')"
        if vendor == "postgresql"
        else "'B-' || substr('00000000' || s.n, -8, 8)"
    )
    attrs = "'{}'::jsonb" if vendor == "postgresql" else "'{}'"
    ignore = "ON CONFLICT DO NOTHING" if vendor == "postgresql" else ""
    insert_rel = "INSERT OR IGNORE INTO" if vendor == "sqlite" else "INSERT INTO"
    rel_columns = (
        "created_at, updated_at, version, source_id, target_id, type_id, note, change_reference"
    )
    with connection.cursor() as cursor:
        rebuild = _drop_indexes(cursor, vendor, [ci_table, rel_table])
    with transaction.atomic(), connection.cursor() as cursor:
        if vendor == "postgresql":  # no per-row foreign-key triggers while loading
            cursor.execute("SET LOCAL session_replication_role = replica")
        for name, _share, code, _bs, _agreement, owned in LAYERS:
            first, stop = ranges[name]
            customer = f"{customer_ids[0]} + (s.n %% {CUSTOMERS})" if owned else "NULL"
            cursor.execute(
                f"INSERT INTO {ci_table} (id, created_at, updated_at, version, number, name, "
                f"ci_class_id, identifier, status, criticality, owner_id, customer_id, "
                f"supplier_id, location, description, attributes, change_reference) "
                f"SELECT s.n, %s, %s, 1, {number}, '{name} ' || s.n, {classes[code]}, '', "
                f"'in_use', 'medium', NULL, {customer}, NULL, '', '', {attrs}, '' "
                f"FROM {_series(vendor, first, stop, 's')}",
                [stamp, stamp],
            )
        owned = {name for name, *_rest, is_owned in LAYERS if is_owned}
        structured = 0
        for salt, (source, target, per, kind) in enumerate(STRUCTURE, start=1):
            s0, s1 = ranges[source]
            t0, t1 = ranges[target]
            size = t1 - t0
            stride = max(1, size // per)
            raw = f"((s.n * 2654435761 + {salt * 7919}) %% {PRIME} + j.n * {stride}) %% {size}"
            same_customer = source in owned and target in owned
            cursor.execute(
                f"{insert_rel} {rel_table} ({rel_columns}) "
                f"SELECT %s, %s, 1, x.src, x.dst, {types[kind]}, '', '' FROM ("
                f"SELECT {'DISTINCT' if same_customer else ''} s.n AS src, "
                f"{_target(raw, 's.n', t0, size, same_customer)} AS dst "
                f"FROM {_series(vendor, s0, s1, 's')} CROSS JOIN {_series(vendor, 0, per, 'j')}"
                f") x {ignore}",
                [stamp, stamp],
            )
            structured += (s1 - s0) * per
        remaining = max(0, relations - structured)
        for salt, (source, target, share, kind) in enumerate(CROSS, start=100):
            count = round(remaining * share)
            if not count:
                continue
            s0, s1 = ranges[source]
            t0, t1 = ranges[target]
            src = f"({s0} + (s.n * 2654435761 + {salt}) %% {PRIME} %% {s1 - s0})"
            raw = f"((s.n * 40503 + {salt * 31}) %% {PRIME} %% {t1 - t0})"
            same_customer = source in owned and target in owned
            cursor.execute(
                f"{insert_rel} {rel_table} ({rel_columns}) "
                f"SELECT %s, %s, 1, x.src, x.dst, {types[kind]}, '', '' FROM ("
                f"SELECT DISTINCT {src} AS src, "
                f"{_target(raw, src, t0, t1 - t0, same_customer)} AS dst "
                f"FROM {_series(vendor, 0, count, 's')}) x WHERE x.src <> x.dst {ignore}",
                [stamp, stamp],
            )
        if vendor == "postgresql":
            cursor.execute(f"SELECT setval(pg_get_serial_sequence('{ci_table}', 'id'), {cis})")
    loaded = time.perf_counter() - began
    with connection.cursor() as cursor:
        if vendor == "postgresql":
            cursor.execute("SET maintenance_work_mem = '512MB'")
        for statement in rebuild:
            cursor.execute(statement)
    generated = time.perf_counter() - began
    began = time.perf_counter()
    with connection.cursor() as cursor:
        if vendor == "postgresql":
            cursor.execute(f"VACUUM ANALYZE {ci_table}")
            cursor.execute(f"VACUUM ANALYZE {rel_table}")
        else:
            cursor.execute("ANALYZE")
        cursor.execute(f"SELECT count(*) FROM {rel_table}")
        relation_count = cursor.fetchone()[0]
    return {
        "cis": cis,
        "relations": relation_count,
        "generation_seconds": round(generated, 1),
        "load_seconds": round(loaded, 1),
        "analyze_seconds": round(time.perf_counter() - began, 1),
        "customer_ids": customer_ids,
        "ranges": ranges,
    }


# --- the floor: the selector's recursive CTE ------------------------------------------------------

# The traversal alone: the recursive CTE that finds the CIs and their depths, as the selector
# ran it before issue 10 (commit 567322d, ``_levels_postgresql`` / ``_levels_sqlite``) and as
# its one statement still starts (which also keeps the relations each level reads). The same
# SQL in runs against either commit, so their floors are the same work.
_OLD_POSTGRESQL = """
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
            OFFSET 0
        ) n
        WHERE b.depth < %s AND cardinality(n.ids) > 0 AND cardinality(b.seen) <= %s
    )
    SELECT depth, ids FROM bfs ORDER BY depth
"""
_OLD_SQLITE = """
    WITH RECURSIVE walk(id, depth) AS (
        SELECT %s, 0
        UNION
        SELECT {node}, w.depth + 1 FROM walk w CROSS JOIN {rel} r ON r.{cur} = w.id
        WHERE w.depth < %s
        LIMIT %s
    )
    SELECT id, depth FROM walk
"""


def _old_traversal_sql(vendor, *, direction, scope_sql, scope_params, start, max_depth, limit):
    from itsm.cmdb.models import ConfigurationItem, Relation

    cur, nxt = (
        ("target_id", "source_id") if direction == "dependents" else ("source_id", "target_id")
    )
    rel, ci = Relation._meta.db_table, ConfigurationItem._meta.db_table
    if vendor == "postgresql":
        join = f"JOIN {ci} c ON c.id = r.{nxt} AND {scope_sql}" if scope_sql else ""
        sql = _OLD_POSTGRESQL.format(rel=rel, cur=cur, nxt=nxt, join=join)
        return sql, [start, start, *scope_params, limit + 1, max_depth, limit + 1]
    node = f"r.{nxt}"
    if scope_sql:
        node = f"CASE WHEN (SELECT {scope_sql} FROM {ci} c WHERE c.id = r.{nxt}) THEN r.{nxt} END"
    sql = _OLD_SQLITE.format(rel=rel, cur=cur, node=node)
    return sql, [start, *scope_params, max_depth, (limit + 1) * 4]


def _scope_sql(user) -> tuple[str, list]:
    """The tenancy condition the selector puts in its CTE for *user* (as in 567322d)."""
    from itsm.cmdb.models import ConfigurationItem
    from itsm.core import policy

    scope = policy.tenant_scope(user, ConfigurationItem)
    if scope is None:
        return "", []
    sql, params = f"c.{scope[0]}_id = %s", [scope[1]]
    shared = policy.shared_column(ConfigurationItem)
    if shared:
        sql = f"(c.{shared} IS NULL OR {sql})"
    return sql, params


def floor_statement(ci_id: int, *, direction: str, user) -> tuple[str, list]:
    """The SQL and parameters of the traversal CTE for this call of the selector."""
    from django.db import connection

    from itsm.cmdb import impact as module

    scope_sql, scope_params = _scope_sql(user)
    return _old_traversal_sql(
        connection.vendor,
        direction=direction,
        scope_sql=scope_sql,
        scope_params=scope_params,
        start=ci_id,
        max_depth=DEPTH,
        limit=module.DEFAULT_IMPACT_LIMIT,
    )


# --- the cases -----------------------------------------------------------------------------------


def _cycle(values):
    """A function returning the next of *values* on each call (round robin)."""
    state = {"i": -1}

    def following():
        state["i"] = (state["i"] + 1) % len(values)
        return values[state["i"]]

    return following


def _case(cis, direction: str, user, sizes: dict):
    """(product, raw) for harness.measure: both walk *cis* in the same order, so sample k of
    the product and sample k of the floor start from the same CI."""
    from django.db import connection

    from itsm.cmdb.selectors import impact

    statements = {ci.pk: floor_statement(ci.pk, direction=direction, user=user) for ci in cis}
    next_product, next_raw = _cycle(cis), _cycle(cis)

    def product():
        ci = next_product()
        result = impact(ci, direction=direction, max_depth=DEPTH, user=user)
        sizes[ci.pk] = (len(result.nodes), len(result.edges), result.truncated)

    def raw():
        sql, params = statements[next_raw().pk]
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            cursor.fetchall()

    return product, raw


def _replay_case(cis, direction: str, user):
    """(product, raw) where raw replays the very statements the selector sent for that CI
    (SQL and parameters, captured from one call) on the same connection: the product's time
    over it is what Django and the Python assembly add to the database's work."""
    from django.db import connection

    from itsm.cmdb.selectors import impact

    sent: dict[int, list] = {}

    def record(execute, sql, params, many, context):
        sent.setdefault(current[0], []).append((sql, params))
        return execute(sql, params, many, context)

    current = [0]
    for ci in cis:
        impact(ci, direction=direction, max_depth=DEPTH, user=user)  # what a user row loads once
        current[0] = ci.pk
        with connection.execute_wrapper(record):
            impact(ci, direction=direction, max_depth=DEPTH, user=user)
    next_product, next_raw = _cycle(cis), _cycle(cis)

    def product():
        impact(next_product(), direction=direction, max_depth=DEPTH, user=user)

    def raw():
        with connection.cursor() as cursor:
            for sql, params in sent.get(next_raw().pk, []):
                cursor.execute(sql, params)
                cursor.fetchall()

    return product, raw


def _size_summary(sizes: dict) -> dict:
    nodes = sorted(n for n, _e, _t in sizes.values())
    edges = sorted(e for _n, e, _t in sizes.values())
    return {
        "nodes_p50": nodes[len(nodes) // 2],
        "nodes_p95": harness.percentile(nodes, 95),
        "nodes_max": nodes[-1],
        "edges_p50": edges[len(edges) // 2],
        "edges_max": edges[-1],
        "truncated": sum(1 for _n, _e, t in sizes.values() if t),
    }


def _queries_per_call(ci, direction: str, user) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from itsm.cmdb.selectors import impact

    # counted on the second call: the first one of a user object may read its roles for the
    # policy check (a request's user comes with them, read by the authentication's statement)
    impact(ci, direction=direction, max_depth=DEPTH, user=user)
    with CaptureQueriesContext(connection) as queries:
        impact(ci, direction=direction, max_depth=DEPTH, user=user)
    return len(queries)


def _networkx(sample_ids, sizes_by_direction) -> dict:
    import networkx as nx
    from django.db import connection

    from itsm.cmdb.models import Relation

    began = time.perf_counter()
    graph = nx.DiGraph()
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT source_id, target_id FROM {Relation._meta.db_table}")
        while rows := cursor.fetchmany(200_000):
            graph.add_edges_from(rows)
    out: dict = {"load_seconds": round(time.perf_counter() - began, 1)}
    mismatches = 0
    for direction in ("dependents", "dependencies"):
        oriented = graph.reverse(copy=False) if direction == "dependents" else graph
        walls = []
        for ci_id in sample_ids:
            began = time.perf_counter()
            found = (
                nx.single_source_shortest_path_length(oriented, ci_id, cutoff=DEPTH)
                if ci_id in graph
                else {ci_id: 0}
            )
            walls.append((time.perf_counter() - began) * 1000)
            count, _edges, truncated = sizes_by_direction[direction][ci_id]
            if not truncated and count != len(found):
                mismatches += 1
        out[direction] = {
            "p50_ms": round(harness.percentile(walls, 50), 2),
            "p95_ms": round(harness.percentile(walls, 95), 2),
        }
    out["node_count_mismatches"] = mismatches
    return out


# --- the run -------------------------------------------------------------------------------------


def _loaded(cis: int) -> bool:
    """Whether the database already holds a generated graph of *cis* CIs."""
    from django.db import connection

    from itsm.cmdb.models import ConfigurationItem

    if ConfigurationItem._meta.db_table not in connection.introspection.table_names():
        return False
    return ConfigurationItem.objects.filter(pk=cis, number=f"B-{cis:08d}").exists()


def _users(customer_ids: list[int]):
    from itsm.core import services
    from itsm.core.choices import OrganisationKind, Role
    from itsm.core.models import Organisation, User

    provider = Organisation.objects.filter(kind=OrganisationKind.PROVIDER).first()
    if provider is None:
        provider = services.create_organisation(
            code="bench-provider", name="Bench provider", kind=OrganisationKind.PROVIDER
        )
    users = []
    for username, organisation, role in (
        ("bench-staff", provider, Role.CONFIGURATION_MANAGER),
        ("bench-customer", Organisation.objects.get(pk=customer_ids[0]), Role.CUSTOMER_USER),
    ):
        user = User.objects.filter(username=username).first()
        if user is None:
            user = services.create_user(
                username=username,
                organisation=organisation,
                password="Bench-only-2026!",
                roles=(role,),
                email=f"{username}@example.com",
            )
        users.append(user)
    return users


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    harness.add_database_options(parser, default_name="itsm_bench_impact")
    parser.add_argument("--cis", type=int, default=1_000_000)
    parser.add_argument("--relations", type=int, default=3_000_000)
    parser.add_argument("--samples", type=int, default=100, help="CIs per case and repeat")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--reuse", action="store_true", help="reuse the database if it holds the graph already"
    )
    parser.add_argument("--networkx", action="store_true", help="add the networkx reference")
    parser.add_argument(
        "--replay",
        action="store_true",
        help="also time the selector against its own SQL replayed raw (Django + Python cost)",
    )
    args = parser.parse_args()
    harness.use_database(args, fresh=not args.reuse)
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    import itsm
    from itsm.cmdb.models import ConfigurationItem
    from itsm.core.models import Organisation

    out: dict = {
        "benchmark": "cmdb.impact",
        "engine": connection.vendor,
        "db": str(args.db),
        "code": str(Path(itsm.__file__).resolve().parent.parent),
        "machine": harness.machine(),
    }
    try:
        began = time.perf_counter()
        call_command("migrate", verbosity=0, interactive=False)
        out["migrate_seconds"] = round(time.perf_counter() - began, 1)
        if args.reuse and _loaded(args.cis):
            out["generation"] = "reused"
        else:
            sizes = generate(args.cis, args.relations)
            out["generation"] = {
                key: sizes[key] for key in ("generation_seconds", "load_seconds", "analyze_seconds")
            }
        customer_ids = sorted(
            Organisation.objects.filter(code__startswith="bench-", kind="customer").values_list(
                "pk", flat=True
            )
        )
        from itsm.cmdb.models import Relation

        out["cis"] = ConfigurationItem.objects.count()
        out["relations"] = Relation.objects.count()
        out["max_depth"] = DEPTH
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT relallvisible::float / greatest(relpages, 1) FROM pg_class "
                    "WHERE oid = %s::regclass",
                    [ConfigurationItem._meta.db_table],
                )
                out["ci_all_visible"] = round(cursor.fetchone()[0], 3)
        out["samples"] = args.samples
        staff, customer = _users(customer_ids)
        rng = random.Random(args.seed)
        sample_ids = rng.sample(range(1, args.cis + 1), args.samples)
        # whole rows, as the page and the API pass them (the selector checks the start's
        # visibility on the loaded row)
        anyone = list(ConfigurationItem.objects.filter(pk__in=sample_ids))
        rng.shuffle(anyone)
        # the customer's own CIs (customers are assigned by id % 100 in their layers)
        owned = list(
            ConfigurationItem.objects.filter(customer_id=customer_ids[0])
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        own = list(ConfigurationItem.objects.filter(pk__in=rng.sample(owned, args.samples)))
        rng.shuffle(own)
        sizes: dict[str, dict] = {}
        cases = {}
        for who, user, cis in (("staff", staff, anyone), ("customer", customer, own)):
            for direction in ("dependents", "dependencies"):
                name = f"{direction}/{who}"
                sizes[name] = {}
                cases[name] = _case(cis, direction, user, sizes[name])
                if args.replay:
                    cases[f"{name}/sql replayed"] = _replay_case(cis, direction, user)
        out["queries_per_call"] = {
            name: _queries_per_call(
                (anyone if name.endswith("staff") else own)[0],
                name.split("/")[0],
                staff if name.endswith("staff") else customer,
            )
            for name in sizes
        }
        measured = harness.measure(
            cases,
            samples=args.samples,
            repeats=args.repeats,
            backend_pids=harness.backend_pids(),
        )
        for name, figures in measured.items():
            if name in sizes:
                figures["sizes"] = _size_summary(sizes[name])
            figures["ratio_p95"] = _ratio_p95(figures)
        out["cases"] = measured
        out["floor"] = (
            "<direction>/<user>: the traversal CTE (CIs and depths) as raw SQL, same parameters;"
            " <direction>/<user>/sql replayed: the SQL the selector sent, replayed raw"
        )
        if args.networkx:
            out["networkx"] = _networkx(
                [ci.pk for ci in anyone],
                {d: sizes[f"{d}/staff"] for d in ("dependents", "dependencies")},
            )
    finally:
        harness.drop_database(args)
    harness.emit(out)


def _ratio_p95(figures: dict) -> dict:
    """product p95 / floor p95, from the min and from the median over the repeats."""
    product, raw = figures["product"]["p95_ms"], figures["raw"]["p95_ms"]
    return {key: round(product[key] / max(raw[key], 1e-6), 1) for key in ("min", "median")}


if __name__ == "__main__":
    main()
