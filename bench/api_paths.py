"""Create and list through a real ``itsm serve`` (issue 10 items 1, 2, 5, 6).

Run::

    .venv/bin/python bench/api_paths.py                                  # 1 000 000 CIs
    .venv/bin/python bench/api_paths.py --cis 100000 --creates 200 --samples 20 --keep
    .venv/bin/python bench/api_paths.py --reuse --keep                   # loaded database again

PostgreSQL only (the server's workers and their database backends are what is measured).
The database (``--db``, default ``itsm_bench_api``) is migrated, the demo is loaded
(``itsm demo``) and ``--cis`` configuration items are bulk-loaded with ``INSERT … SELECT``
over ``generate_series``: classes, statuses and criticalities in realistic proportions (one
rare class, one class left empty), 30 % shared infrastructure and the rest spread over the
demo customers, names ``<class>-<city>-<n>`` and identifiers ``SN-<n>`` for ``?q=``; then
``VACUUM ANALYZE``. ``--reuse`` keeps an already loaded database (re-running ``migrate`` on
it, so a newer schema's migrations apply) and loads only when it holds too few CIs.

Then ``itsm serve --workers 2`` (gunicorn, the code of ``--server-root``: a checkout of
another commit, for "before" figures) is started on a free port as a subprocess, with
``ITSM_EMBEDDED_WORKER=0`` (the default on PostgreSQL: no outbox thread in the workers), and
measured over real HTTP/1.1 keep-alive connections (``http.client``):

- **create**: ``POST /api/cmdb/cis/`` as provider staff (API token) with 1 and with 8
  clients, each client a separate process with its own connection; creates/s, p50/p95,
  application CPU per create (the gunicorn processes' CPU from ``/proc``), database backend
  CPU per create, transactions and rows written per create (``pg_stat_database``) and the
  statements of one create (counted in this process through Django's test client, the same
  code); interleaved with the raw floor: the same writes (number, CI row, history row,
  timeline row, one transaction) by psycopg with 1 and 8 connections, rows/s;
- **lists**: the CI list, API (``/api/cmdb/cis/``) and HTML (``/cmdb/``), as provider staff
  and as a customer user, for every filter the CI list offers (none, class: common, rare and
  empty, status, criticality, customer, shared, identifier, ``q``: name, number and a short
  query, class+status, class+status+criticality), each with the default sort and sorted by
  name, and the next page through the cursor; p50/p95, application and database CPU per
  request, with the raw floor (the same page ``SELECT`` by psycopg) interleaved per sample;
- **RSS** of the server (master + workers) at the end.

Every statistic is min / median over ``--repeats`` (3). Prints ONE JSON object.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import re
import signal
import statistics
import sys
import time
import urllib.parse
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import harness  # noqa: E402
from apipaths.data import (  # noqa: E402
    CREATE_CLASS,
    EMPTY_CLASS,
    RARE_CLASS,
    TABLE,
    data_facts,
    load,
)
from apipaths.server import (  # noqa: E402
    Client,
    Meter,
    Server,
    itsm_file,
    server_env,
    session_cookie,
    stat_database,
)

# --- creates -------------------------------------------------------------------------------------


def _create_client(port, token, body_base, count, barrier, queue, index):
    client = Client(port, {"Authorization": f"Token {token}", "Content-Type": "application/json"})
    client.request("GET", "/api/cmdb/cis/?page_size=1")  # open the connection
    latencies = []
    barrier.wait()
    began = time.perf_counter()
    for number in range(count):
        body = json.dumps({**body_base, "name": f"bench-api-{os.getpid()}-{index}-{number}"})
        sent = time.perf_counter()
        status, data, _response = client.request("POST", "/api/cmdb/cis/", body.encode())
        latencies.append((time.perf_counter() - sent) * 1000)
        if status != 201:
            queue.put(("error", f"{status} {data[:300]!r}"))
            return
    queue.put(("ok", began, time.perf_counter(), latencies))


def _raw_client(db_url, statements, count, barrier, queue, index):
    import psycopg

    conn = psycopg.connect(db_url)
    latencies = []
    barrier.wait()
    began = time.perf_counter()
    for _ in range(count):
        sent = time.perf_counter()
        with conn.transaction():
            number = conn.execute("SELECT nextval('bench_api_number')").fetchone()[0]
            ci_id = conn.execute(statements["ci"], {"number": f"R-{number:08d}"}).fetchone()[0]
            conn.execute(statements["history"], {"id": ci_id, "number": f"R-{number:08d}"})
            conn.execute(statements["timeline"], {"id": str(ci_id)})
        latencies.append((time.perf_counter() - sent) * 1000)
    queue.put(("ok", began, time.perf_counter(), latencies))
    conn.close()


def _run_parallel(target, clients: int, argsets) -> dict:
    context = multiprocessing.get_context("fork")
    barrier = context.Barrier(clients)
    queue = context.Queue()
    processes = [
        context.Process(target=target, args=(*argsets(index), barrier, queue, index))
        for index in range(clients)
    ]
    for process in processes:
        process.start()
    results = [queue.get(timeout=900) for _ in processes]
    for process in processes:
        process.join()
    errors = [result[1] for result in results if result[0] == "error"]
    if errors:
        raise SystemExit(f"create failed: {errors[0]}")
    began = min(result[1] for result in results)
    ended = max(result[2] for result in results)
    latencies = [value for result in results for value in result[3]]
    return {
        "rate": len(latencies) / (ended - began),
        "p50_ms": statistics.median(latencies),
        "p95_ms": harness.percentile(latencies, 95),
        "count": len(latencies),
    }


def raw_statements(db_url: str, facts: dict) -> dict:
    """The INSERTs a create makes, by hand: CI, its history row and its timeline row."""
    import psycopg

    with psycopg.connect(db_url, autocommit=True) as conn:
        conn.execute("CREATE SEQUENCE IF NOT EXISTS bench_api_number")
        content_type = conn.execute(
            "SELECT id FROM django_content_type WHERE app_label = 'cmdb' "
            "AND model = 'configurationitem'"
        ).fetchone()[0]
        history_columns = [
            row[0]
            for row in conn.execute(
                "SELECT column_name FROM information_schema.columns WHERE table_name = "
                "'cmdb_historicalconfigurationitem' AND is_generated = 'NEVER' "
                "AND column_name <> 'history_id' ORDER BY ordinal_position"
            ).fetchall()
        ]
        timeline_columns = [
            row[0]
            for row in conn.execute(
                "SELECT column_name FROM information_schema.columns WHERE table_name = "
                "'core_timelineentry' AND is_generated = 'NEVER' AND column_name <> 'id' "
                "ORDER BY ordinal_position"
            ).fetchall()
        ]
    ci_class = facts["classes"][CREATE_CLASS]
    values = {
        "created_at": "now()",
        "updated_at": "now()",
        "version": "1",
        "number": "%(number)s",
        "name": "'bench raw'",
        "ci_class_id": str(ci_class),
        "identifier": "''",
        "status": "'planned'",
        "criticality": "'high'",
        "owner_id": "NULL",
        "customer_id": str(facts["customer_id"]),
        "supplier_id": "NULL",
        "location": "'DC-A'",
        "description": "''",
        "attributes": "'{}'::jsonb",
        "change_reference": "''",
    }
    ci_columns = list(values)
    history_values = {
        **values,
        "id": "%(id)s",
        "history_date": "now()",
        "history_change_reason": "''",
        "history_type": "'+'",
        "history_user_id": str(facts["staff_id"]),
    }
    timeline_values = {
        "content_type_id": str(content_type),
        "object_id": "%(id)s",
        "verb": "'created'",
        "at": "now()",
        "actor_id": str(facts["staff_id"]),
        "note": "''",
        "data": "'{}'::jsonb",
    }
    history_columns = [c for c in history_columns if c in history_values]
    timeline_columns = [c for c in timeline_columns if c in timeline_values]
    return {
        "ci": f"INSERT INTO {TABLE} ({', '.join(ci_columns)}) VALUES "
        f"({', '.join(values[c] for c in ci_columns)}) RETURNING id",
        "history": f"INSERT INTO cmdb_historicalconfigurationitem ({', '.join(history_columns)}) "
        f"VALUES ({', '.join(history_values[c] for c in history_columns)})",
        "timeline": f"INSERT INTO core_timelineentry ({', '.join(timeline_columns)}) VALUES "
        f"({', '.join(timeline_values[c] for c in timeline_columns)})",
    }


def statements_per_request(facts: dict, staff_token: str) -> dict:
    """Statements of one create and one list request, counted in this process (Django's test
    client through the same URLs and code as the server)."""
    from django.db import connection
    from django.test import Client as DjangoClient
    from django.test.utils import CaptureQueriesContext

    client = DjangoClient(HTTP_AUTHORIZATION=f"Token {staff_token}")
    body = {
        "name": "bench statements",
        "ci_class": facts["classes"][CREATE_CLASS],
        "customer": facts["customer_id"],
        "criticality": "high",
        "location": "DC-A",
    }
    client.get("/api/cmdb/cis/?page_size=1")
    # one create first, as a server's worker has made before: it fills the per-process
    # caches (the content type of the timeline row), which a worker reads once, not per create
    response = client.post(
        "/api/cmdb/cis/",
        {**body, "name": "bench statements (warm-up)"},
        content_type="application/json",
    )
    assert response.status_code == 201, response.content[:300]
    with CaptureQueriesContext(connection) as create:
        response = client.post("/api/cmdb/cis/", body, content_type="application/json")
    assert response.status_code == 201, response.content[:300]
    with CaptureQueriesContext(connection) as listing:
        response = client.get("/api/cmdb/cis/?status=in_use")
    assert response.status_code == 200
    connection.close()
    return {"create": len(create), "api_list": len(listing)}


def measure_creates(args, port, token, facts, meter, db_url) -> dict:
    body_base = {
        "ci_class": facts["classes"][CREATE_CLASS],
        "customer": facts["customer_id"],
        "criticality": "high",
        "location": "DC-A",
    }
    statements = raw_statements(db_url, facts)
    clients_list = [int(c) for c in str(args.clients).split(",") if c]
    # warm up: every worker thread opens its database connection
    _run_parallel(
        _create_client,
        max(clients_list),
        lambda index: (port, token, body_base, 5),
    )
    runs: dict[str, list[dict]] = {}
    for _repeat in range(args.repeats):
        for clients in clients_list:
            per_client = max(1, args.creates // clients)
            for order in (0, 1) if _repeat % 2 == 0 else (1, 0):
                if order == 0:
                    meter.start()
                    before = stat_database(db_url, args.db)
                    result = _run_parallel(
                        _create_client,
                        clients,
                        lambda index, n=per_client: (port, token, body_base, n),
                    )
                    app_ms, db_ms = meter.stop()
                    time.sleep(1.2)  # backends flush their statistics within a second
                    after = stat_database(db_url, args.db)
                    count = result["count"]
                    result.update(
                        {
                            "cpu_app_ms": app_ms / count,
                            "cpu_db_ms": db_ms / count,
                            "transactions": (after["transactions"] - before["transactions"])
                            / count,
                            "rows_inserted": (after["inserted"] - before["inserted"]) / count,
                            "rows_updated": (after["updated"] - before["updated"]) / count,
                        }
                    )
                    runs.setdefault(f"api_{clients}", []).append(result)
                    print(f"create {clients} clients: {result['rate']:.1f}/s", file=sys.stderr)
                else:
                    result = _run_parallel(
                        _raw_client,
                        clients,
                        lambda index, n=per_client: (db_url, statements, n),
                    )
                    result["rows_per_s"] = result["rate"] * 3
                    runs.setdefault(f"raw_{clients}", []).append(result)
    summary = {
        name: {key: harness.over_repeats([run[key] for run in values]) for key in values[0]}
        for name, values in runs.items()
    }
    low, high = min(clients_list), max(clients_list)
    if low != high:
        scaling = [
            runs[f"api_{high}"][i]["rate"] / runs[f"api_{low}"][i]["rate"]
            for i in range(args.repeats)
        ]
        summary[f"scaling_{high}_over_{low}"] = harness.over_repeats(scaling)
    return summary


# --- lists ---------------------------------------------------------------------------------------


def list_cases(facts: dict) -> dict[str, dict[str, str]]:
    """Every filter combination of the CI list: name → query parameters (no sort)."""
    number = facts["number"]
    return {
        "none": {},
        "class_common": {"ci_class": "virtual_machine"},
        "class_rare": {"ci_class": RARE_CLASS},
        "class_empty": {"ci_class": EMPTY_CLASS},
        "status": {"status": "maintenance"},
        "criticality": {"criticality": "critical"},
        "customer": {"customer": str(facts["customer_id"])},
        "shared": {"shared": "true"},
        "identifier": {"identifier": facts["identifier"]},
        "q_name": {"q": "sh-4242"},
        "q_number": {"q": number},
        "q_name_common": {"q": "server-gz"},
        "q_short": {"q": "42"},
        "class_status": {"ci_class": "server", "status": "retired"},
        "class_status_criticality": {
            "ci_class": "server",
            "status": "in_use",
            "criticality": "critical",
        },
    }


def _raw_where(params: dict[str, str], facts: dict, customer_org: int | None) -> tuple[str, list]:
    """The WHERE of the same page, written by hand."""
    clauses, values = [], []
    for key, value in params.items():
        if key == "ci_class":
            clauses.append("ci_class_id = %s")
            values.append(facts["classes"][value])
        elif key in ("status", "criticality", "identifier"):
            clauses.append(f"{key} = %s")
            values.append(value)
        elif key == "customer":
            clauses.append("customer_id = %s")
            values.append(int(value))
        elif key == "shared":
            clauses.append("customer_id IS NULL")
        elif key == "q":
            # as itsm.cmdb.filtersets.ci_search_q writes it: the number itself, the text in
            # the name or identifier (UPPER … LIKE, which a pg_trgm index serves), shorter
            # than 3 characters at their start
            pattern = f"{value}%" if len(value) < 3 else f"%{value}%"
            clauses.append(
                "(number = upper(%s) OR upper(name) LIKE upper(%s) "
                "OR upper(identifier) LIKE upper(%s))"
            )
            values.extend([value, pattern, pattern])
    if customer_org is not None:
        clauses.append("customer_id = %s")
        values.append(customer_org)
    return (" WHERE " + " AND ".join(clauses)) if clauses else "", values


#: ``?sort=`` → (the raw SELECT's source, its extra sort-key column, its ORDER BY): the page
#: as one statement. A sort by another table's column (the HTML list's customer and class
#: columns, ``zh-hans`` names: the server's default language) reads its key through a join,
#: the order the product builds group by group (``core.lists.paging.joined_sort``)
RAW_SORTS = {
    "": (TABLE, "", "id DESC"),
    "name": (TABLE, "", "name, id"),
    "customer": (
        f"(SELECT t.*, o.name AS sort_key FROM {TABLE} t "
        "LEFT JOIN core_organisation o ON o.id = t.customer_id) AS t",
        ", sort_key",
        "sort_key NULLS LAST, id",
    ),
    "ci_class": (
        f"(SELECT t.*, c.name_zh AS sort_key FROM {TABLE} t "
        "JOIN cmdb_ciclass c ON c.id = t.ci_class_id) AS t",
        ", sort_key",
        "sort_key NULLS LAST, id",
    ),
}


def measure_lists(args, port, clients: dict, facts, meter, db_url, results, checks) -> None:
    """Fill *results* (case → statistics) and *checks* (case → first page against raw)."""
    import psycopg

    # values bound on the client, as Django does: the planner sees them (a rare class, a
    # search pattern) and plans for them
    raw = psycopg.connect(db_url, autocommit=True, cursor_factory=psycopg.ClientCursor)
    meter.exclude.add(raw.info.backend_pid)
    cases = list_cases(facts)
    for who in args.users.split(","):
        customer_org = facts["customer_user_org"] if who == "customer" else None
        for surface in ("api", "html"):
            client = clients[(who, surface)]
            base = "/api/cmdb/cis/" if surface == "api" else "/cmdb/"
            for case, params in cases.items():
                for sort in ("" if s == "default" else s for s in args.sorts.split(",")):
                    query = dict(params)
                    if sort:
                        query["sort"] = sort
                    path = base + ("?" + urllib.parse.urlencode(query) if query else "")
                    where, values = _raw_where(params, facts, customer_org)
                    source, key, order = RAW_SORTS[sort]
                    sql = (
                        f"SELECT id, number, name, ci_class_id, status, criticality, "
                        f"customer_id, identifier, location, updated_at{key} FROM "
                        f"{source}{where} ORDER BY {order} LIMIT 51"
                    )
                    status, body, _response = client.request("GET", path)
                    name = f"{who}.{surface}.{case}" + (f".sort_{sort}" if sort else "")
                    if status == 400 and who == "customer":
                        # a filter the customer may not use (its choices are restricted)
                        checks[name] = {
                            "status": 400,
                            "detail": body[:200].decode(errors="replace"),
                        }
                        continue
                    if status != 200:
                        raise SystemExit(f"{who} {surface} {path}: {status} {body[:200]!r}")
                    following = _next_path(surface, body, base)
                    checks[name] = _check(surface, body, raw, sql, values, bool(sort))
                    if sort and surface == "api" and not checks[name]["same_order"]:
                        # the API does not sort by this parameter: its floor is the page in
                        # the API's own order
                        sql = sql.replace(f"ORDER BY {order}", "ORDER BY id DESC")
                        checks[name] = _check(surface, body, raw, sql, values, False)
                        checks[name]["sort_ignored"] = True
                    targets = {"first": path}
                    if following and "next" in args.pages.split(","):
                        targets["next"] = following
                    for page, target in targets.items():
                        page_sql, page_values = sql, values
                        if page == "next":
                            page_sql, page_values = _next_sql(raw, sql, values)
                        results[f"{name}.{page}"] = _measure_one(
                            args, client, target, raw, page_sql, page_values, meter
                        )
                        print(
                            f"{name}.{page}: p95 {results[f'{name}.{page}']['p95_ms']}",
                            file=sys.stderr,
                            flush=True,
                        )
    raw.close()


def _next_sql(raw, sql: str, values: list) -> tuple[str, list]:
    """The raw floor of the page after the first: the same SELECT after its 50th row, as
    keyset pagination reads it."""
    rows = raw.execute(sql, values).fetchall()
    if len(rows) <= 50:
        return sql, values
    last = rows[49]
    head, order = sql.split(" ORDER BY ")
    if order.startswith("id DESC"):
        condition, extra = "id < %s", [last[0]]
    elif order.startswith("sort_key"):  # NULLs last, as the product orders them
        if last[-1] is None:
            condition, extra = "sort_key IS NULL AND id > %s", [last[0]]
        else:
            condition = "(sort_key > %s OR sort_key = %s AND id > %s OR sort_key IS NULL)"
            extra = [last[-1], last[-1], last[0]]
    else:  # name, id
        condition, extra = "(name, id) > (%s, %s)", [last[2], last[0]]
    joiner = " AND " if " WHERE " in head else " WHERE "
    return f"{head}{joiner}{condition} ORDER BY {order}", [*values, *extra]


def _next_path(surface: str, body: bytes, base: str) -> str | None:
    if surface == "api":
        following = json.loads(body).get("next")
        if not following:
            return None
        parts = urllib.parse.urlsplit(following)
        return parts.path + "?" + parts.query
    found = re.search(rb'href="([^"]*[?&](?:amp;)?cursor=[^"]+)"', body)
    if not found:
        return None
    href = found.group(1).decode().replace("&amp;", "&")
    return href if href.startswith("/") else base + href


def _check(surface, body, raw, sql, values, by_name) -> dict:
    """Does the first page hold the rows the raw SELECT finds (the API: same ids in order)?"""
    expected = [row[0] for row in raw.execute(sql, values).fetchall()][:50]
    if surface == "api":
        got = [row["id"] for row in json.loads(body)["results"]]
        return {"rows": len(got), "raw_rows": len(expected), "same_order": got == expected}
    return {"raw_rows": len(expected), "bytes": len(body)}


def _measure_one(args, client, path, raw, sql, values, meter) -> dict:
    per_repeat = []
    client.request("GET", path)
    raw.execute(sql, values).fetchall()
    for _repeat in range(args.repeats):
        product_ms, raw_ms = [], []
        app_ns = db_ns = 0
        for index in range(args.samples):
            order = (0, 1) if index % 2 == 0 else (1, 0)
            for which in order:
                if which == 0:
                    meter.start()
                    began = time.perf_counter()
                    status, _body, _response = client.request("GET", path)
                    product_ms.append((time.perf_counter() - began) * 1000)
                    app, db = meter.stop()
                    app_ns += app
                    db_ns += db
                    assert status == 200, status
                else:
                    began = time.perf_counter()
                    raw.execute(sql, values).fetchall()
                    raw_ms.append((time.perf_counter() - began) * 1000)
        per_repeat.append(
            {
                "p50_ms": statistics.median(product_ms),
                "p95_ms": harness.percentile(product_ms, 95),
                "cpu_app_ms": app_ns / args.samples,
                "cpu_db_ms": db_ns / args.samples,
                "raw_p50_ms": statistics.median(raw_ms),
                "raw_p95_ms": harness.percentile(raw_ms, 95),
            }
        )
    return {
        key: harness.over_repeats([run[key] for run in per_repeat], 3 if "raw" in key else 2)
        for key in per_repeat[0]
    }


def _worst(cases: dict, surface: str, key: str) -> dict:
    """The worst case's figure (by its median) on *surface*."""
    picked = {name: value[key] for name, value in cases.items() if f".{surface}." in name}
    name = max(picked, key=lambda n: picked[n]["median"])
    return {"case": name, **picked[name]}


# --- main ----------------------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    harness.add_database_options(parser, default_name="itsm_bench_api")
    parser.add_argument("--cis", type=int, default=1_000_000)
    harness.add_server_root_option(parser)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--clients", default="1,8", help="client counts for the creates")
    parser.add_argument("--creates", type=int, default=400, help="creates per run")
    parser.add_argument("--samples", type=int, default=20, help="requests per list case")
    parser.add_argument(
        "--reuse", action="store_true", help="keep a loaded database (migrate, load if short)"
    )
    parser.add_argument(
        "--users", default="staff,customer", help="who lists: staff, customer or staff,customer"
    )
    parser.add_argument(
        "--pages", default="first,next", help="list pages: first, next or first,next"
    )
    parser.add_argument(
        "--sorts",
        default="default,name",
        help="list sorts, a comma list of: default, name, customer, ci_class (the last two: "
        "another table's column, HTML only — the API answers in its own order)",
    )
    parser.add_argument("--load-only", action="store_true", help="load the database and stop")
    parser.add_argument("--skip-creates", action="store_true")
    parser.add_argument("--skip-lists", action="store_true")
    args = parser.parse_args()
    unknown = {s for s in args.sorts.split(",") if s != "default"} - set(RAW_SORTS)
    if unknown:
        parser.error(f"unknown --sorts {', '.join(sorted(unknown))}")
    if args.engine != "postgres":
        parser.error("the server benchmark runs on PostgreSQL only")
    root = args.server_root.resolve()
    started = time.time()
    db_url = harness.use_database(args, fresh=not args.reuse)
    import django

    django.setup()
    import itsm

    loading = load(args, db_url)
    if args.load_only:
        harness.emit({"benchmark": "api_paths", "load": loading})
        return
    facts = data_facts(db_url)
    env = server_env(args, db_url, root)
    served_from = itsm_file(env, root)
    if not served_from.startswith(str(root) + "/"):
        raise SystemExit(f"the server would import itsm from {served_from}, not {root}")

    from itsm.core.models import User
    from itsm.core.tokens import create_token

    stamp = str(int(time.time()))
    staff = User.objects.get(username="cmdb")
    customer = User.objects.get(username="customer")
    staff_token = create_token(staff, name=f"bench-{stamp}", days=1)[1]
    customer_token = create_token(customer, name=f"bench-{stamp}", days=1)[1]
    statements = statements_per_request(facts, staff_token)
    from django.db import connections

    connections.close_all()

    from itsm.core.demo import DEMO_PASSWORD

    # SIGTERM stops the server too (the finally below)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    server = Server(args, env, root)
    try:
        meter = Meter(server, args.pg_url, args.db, set())
        rss_start = harness.rss_mb(server.pids())
        result: dict = {
            "benchmark": "api_paths",
            "machine": harness.machine(),
            "database": args.db,
            "server_root": str(root),
            "server_itsm": served_from,
            "bench_itsm": itsm.__file__,
            "workers": args.workers,
            "embedded_worker": False,
            "samples": args.samples,
            "repeats": args.repeats,
            "creates_per_run": args.creates,
            "users": args.users,
            "pages": args.pages,
            "sorts": args.sorts,
            "load": loading,
            "data": {
                "cis": facts["total_cis"],
                "class_counts": facts["class_counts"],
            },
            "statements_per_request": statements,
            "rss_mb_start": rss_start,
        }
        if not args.skip_creates:
            result["create"] = measure_creates(args, server.port, staff_token, facts, meter, db_url)
            print(json.dumps(result["create"]), file=sys.stderr, flush=True)
        if not args.skip_lists:
            clients = {
                ("staff", "api"): Client(server.port, {"Authorization": f"Token {staff_token}"}),
                ("customer", "api"): Client(
                    server.port, {"Authorization": f"Token {customer_token}"}
                ),
                ("staff", "html"): Client(
                    server.port, {"Cookie": session_cookie(server.port, "cmdb", DEMO_PASSWORD)}
                ),
                ("customer", "html"): Client(
                    server.port,
                    {"Cookie": session_cookie(server.port, "customer", DEMO_PASSWORD)},
                ),
            }
            cases: dict = {}
            result["lists_worst"] = {}
            result["lists"] = cases
            result["list_checks"] = {}
            try:
                measure_lists(
                    args, server.port, clients, facts, meter, db_url, cases, result["list_checks"]
                )
            finally:  # interrupted too: the worst of the cases measured so far
                result["lists_worst"] = {
                    surface: {
                        key: _worst(cases, surface, key)
                        for key in ("p95_ms", "cpu_app_ms", "cpu_db_ms")
                    }
                    for surface in ("api", "html")
                    if any(f".{surface}." in name for name in cases)
                }
        result["rss_mb_end"] = {
            "total": harness.rss_mb(server.pids()),
            "master": harness.rss_mb([server.process.pid]),
            "workers": [harness.rss_mb([pid]) for pid in server.workers()],
        }
    except SystemExit as stop:  # SIGTERM: report what was measured
        result["interrupted"] = str(stop)
    finally:
        server.stop()
    result["seconds"] = round(time.time() - started)
    result["loadavg_1m_end"] = round(os.getloadavg()[0], 2)
    harness.emit(result)
    harness.drop_database(args)


if __name__ == "__main__":
    main()
