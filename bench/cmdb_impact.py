"""Impact analysis at scale (R-CMDB-04: depth ≤ 6 over 1 M CIs / 3 M relations, p95 ≤ 100 ms).

Run::

    .venv/bin/python bench/cmdb_impact.py --engine postgres          # 1 M CIs, 3 M relations
    .venv/bin/python bench/cmdb_impact.py --engine sqlite --cis 100000 --relations 300000
    .venv/bin/python bench/cmdb_impact.py --engine both --samples 200

PostgreSQL: creates (and at the end drops) its own database ``itsm_bench_impact`` on
``postgres://postgres@127.0.0.1:5432`` (``--pg-url`` to change; ``--keep`` keeps it).
SQLite: a file under ``/tmp/itsm_bench_impact/``. Each engine runs in its own process: the
Django migrations are applied to the empty database, then the topology is generated inside
the database with ``INSERT … SELECT`` over ``generate_series`` (PostgreSQL) or a recursive
counter CTE (SQLite), no Python rows:

    agreements → business services → applications → middleware / databases → VMs
    → hosts → storage / network, plus VMs → storage / network directly,
    and pseudo-random cross links (application → application, middleware → database,
    service → service, network → network, host → application: these close cycles).

Then ``itsm.cmdb.selectors.impact`` (the real selector, through Django, as provider staff and
as a customer user) is timed downstream (dependents) and upstream (dependencies) at depth 6
for ``--samples`` random CIs, and the same breadth-first search with networkx on an in-memory
DiGraph (loaded once) as a reference; node counts are cross-checked. Prints ONE JSON object.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

PG_DB = "itsm_bench_impact"
SQLITE_DIR = Path("/tmp/itsm_bench_impact")
SQLITE_PATH = SQLITE_DIR / "bench.sqlite3"

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


def _percentiles(values: list[float]) -> dict:
    ordered = sorted(values)

    def pick(q: float) -> float:
        return ordered[min(len(ordered) - 1, max(0, round(q * len(ordered)) - 1))]

    return {
        "p50_ms": round(statistics.median(ordered) * 1000, 2),
        "p95_ms": round(pick(0.95) * 1000, 2),
        "max_ms": round(ordered[-1] * 1000, 2),
    }


def _counts(values: list[int]) -> dict:
    ordered = sorted(values)
    return {
        "nodes_p50": ordered[len(ordered) // 2],
        "nodes_p95": ordered[min(len(ordered) - 1, round(0.95 * len(ordered)) - 1)],
        "nodes_max": ordered[-1],
    }


# --- database set-up ----------------------------------------------------------------------------


def _prepare_engine(engine: str, pg_url: str) -> None:
    """Create an empty database and point Django at it (before ``django.setup()``)."""
    os.environ.setdefault("SECRET_KEY", "bench-only")
    os.environ["DJANGO_SETTINGS_MODULE"] = "itsm.config.settings"
    data_dir = SQLITE_DIR / "data"
    data_dir.mkdir(parents=True, exist_ok=True)
    os.environ["ITSM_DATA_DIR"] = str(data_dir)
    if engine == "postgres":
        import psycopg

        with psycopg.connect(f"{pg_url}/postgres", autocommit=True) as admin:
            admin.execute(f"DROP DATABASE IF EXISTS {PG_DB}")
            admin.execute(f"CREATE DATABASE {PG_DB}")
        os.environ["DATABASE_URL"] = f"{pg_url}/{PG_DB}"
    else:
        _remove_sqlite()
        os.environ["DATABASE_URL"] = f"sqlite:///{SQLITE_PATH}"


def _drop_engine(engine: str, pg_url: str) -> None:
    if engine == "postgres":
        import psycopg
        from django.db import connections

        connections.close_all()
        with psycopg.connect(f"{pg_url}/postgres", autocommit=True) as admin:
            admin.execute(f"DROP DATABASE IF EXISTS {PG_DB}")
    else:
        _remove_sqlite()


def _remove_sqlite() -> None:
    for suffix in ("", "-wal", "-shm"):
        Path(f"{SQLITE_PATH}{suffix}").unlink(missing_ok=True)


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


# --- timing -------------------------------------------------------------------------------------


def _time_impact(cis, direction: str, user=None) -> tuple[dict, list]:
    from itsm.cmdb.selectors import impact

    for ci in cis[:5]:  # warm-up: connection, plans, relation types
        impact(ci, direction=direction, max_depth=6, user=user)
    seconds, counts, truncated, results = [], [], 0, []
    for ci in cis:
        began = time.perf_counter()
        result = impact(ci, direction=direction, max_depth=6, user=user)
        seconds.append(time.perf_counter() - began)
        counts.append(len(result.nodes) - 1)
        truncated += result.truncated
        results.append((ci.pk, len(result.nodes), result.truncated))
    return {**_percentiles(seconds), **_counts(counts), "truncated": truncated}, results


def _time_cte_only(cis, direction: str) -> dict:
    """The recursive CTE alone (the database floor of the selector)."""
    from django.db import connection

    from itsm.cmdb import impact as module

    cur, nxt = (
        ("target_id", "source_id") if direction == "dependents" else ("source_id", "target_id")
    )
    levels = (
        module._levels_postgresql if connection.vendor == "postgresql" else module._levels_sqlite
    )
    seconds = []
    with connection.cursor() as cursor:
        for ci in cis:
            began = time.perf_counter()
            levels(
                cursor,
                ci.pk,
                cur=cur,
                nxt=nxt,
                max_depth=6,
                limit=module.DEFAULT_IMPACT_LIMIT,
                scope_sql="",
                scope_params=[],
            )
            seconds.append(time.perf_counter() - began)
    return _percentiles(seconds)


def _networkx(sample_ids, reference) -> dict:
    import networkx as nx
    from django.db import connection

    from itsm.cmdb.models import Relation

    began = time.perf_counter()
    graph = nx.DiGraph()
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT source_id, target_id FROM {Relation._meta.db_table}")
        while rows := cursor.fetchmany(200_000):
            graph.add_edges_from(rows)
    out = {"load_seconds": round(time.perf_counter() - began, 1)}
    mismatches = 0
    for direction in ("dependents", "dependencies"):
        oriented = graph.reverse(copy=False) if direction == "dependents" else graph
        seconds = []
        for ci_id in sample_ids:
            began = time.perf_counter()
            found = (
                nx.single_source_shortest_path_length(oriented, ci_id, cutoff=6)
                if ci_id in graph
                else {ci_id: 0}
            )
            seconds.append(time.perf_counter() - began)
            count, truncated = reference[direction][ci_id]
            if not truncated and count != len(found):
                mismatches += 1
        out[direction] = _percentiles(seconds)
    out["node_count_mismatches"] = mismatches
    return out


def run_engine(engine: str, args) -> dict:
    _prepare_engine(engine, args.pg_url)
    import django

    django.setup()
    from django.core.management import call_command

    from itsm.cmdb.models import ConfigurationItem
    from itsm.core import services
    from itsm.core.choices import Role
    from itsm.core.models import Organisation

    began = time.perf_counter()
    call_command("migrate", verbosity=0, interactive=False)
    migrate_seconds = round(time.perf_counter() - began, 1)
    try:
        sizes = generate(args.cis, args.relations)
        rng = random.Random(args.seed)
        sample_ids = rng.sample(range(1, args.cis + 1), args.samples)
        cis = list(ConfigurationItem.objects.filter(pk__in=sample_ids).only("pk"))
        rng.shuffle(cis)
        out = {
            "engine": engine,
            "cis": sizes["cis"],
            "relations": sizes["relations"],
            "generation_seconds": sizes["generation_seconds"],
            "analyze_seconds": sizes["analyze_seconds"],
            "migrate_seconds": migrate_seconds,
            "samples": len(cis),
            "max_depth": 6,
            "impact": {},
            "cte_only": {},
        }
        reference = {}
        for direction in ("dependents", "dependencies"):
            out["impact"][direction], results = _time_impact(cis, direction)
            reference[direction] = {ci_id: (count, trunc) for ci_id, count, trunc in results}
            out["cte_only"][direction] = _time_cte_only(cis, direction)
        # a customer user: random CIs of their organisation (shared infrastructure masked)
        organisation = Organisation.objects.get(pk=sizes["customer_ids"][0])
        user = services.create_user(
            username="bench-customer",
            organisation=organisation,
            password="Bench-only-2026!",
            roles=[Role.CUSTOMER_USER],
            email="bench@example.com",
        )
        own = list(
            ConfigurationItem.objects.filter(customer=organisation)
            .order_by("?")
            .only("pk")[: args.samples]
        )
        out["customer_user"] = {
            direction: _time_impact(own, direction, user=user)[0]
            for direction in ("dependents", "dependencies")
        }
        if not args.no_networkx:
            out["networkx"] = _networkx([ci.pk for ci in cis], reference)
        return out
    finally:
        if not args.keep:
            _drop_engine(engine, args.pg_url)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--engine", choices=["postgres", "sqlite", "both"], default="postgres")
    parser.add_argument("--cis", type=int, default=1_000_000)
    parser.add_argument("--relations", type=int, default=3_000_000)
    parser.add_argument("--samples", type=int, default=200)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--pg-url", default="postgres://postgres@127.0.0.1:5432")
    parser.add_argument("--keep", action="store_true", help="keep the generated database")
    parser.add_argument("--no-networkx", action="store_true")
    args = parser.parse_args()
    if args.engine == "both":
        combined = {}
        for engine in ("postgres", "sqlite"):
            command = [
                sys.executable,
                __file__,
                "--engine",
                engine,
                "--cis",
                str(args.cis),
                "--relations",
                str(args.relations),
                "--samples",
                str(args.samples),
                "--seed",
                str(args.seed),
                "--pg-url",
                args.pg_url,
            ]
            command += ["--keep"] * args.keep + ["--no-networkx"] * args.no_networkx
            done = subprocess.run(command, capture_output=True, text=True, check=True)
            combined[engine] = json.loads(done.stdout.strip().splitlines()[-1])
        print(json.dumps({"benchmark": "cmdb.impact", **combined}))
        return
    print(json.dumps({"benchmark": "cmdb.impact", **run_engine(args.engine, args)}))


if __name__ == "__main__":
    main()
