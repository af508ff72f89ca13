"""Service desk tickets through a real ``itsm serve`` (issue 11's benchmark).

Run::

    .venv/bin/python bench/ticket_api.py                         # PostgreSQL, 100 000 and 1 000 000
    .venv/bin/python bench/ticket_api.py --sizes 100000 --keep   # one size, keep its database
    .venv/bin/python bench/ticket_api.py --reuse --keep          # the loaded databases again
    .venv/bin/python bench/ticket_api.py --engine sqlite --sizes 10000,100000

Each size has its own database (``--db`` with the size appended: ``itsm_bench_tickets_100k``,
``…_1m``; on SQLite ``/tmp/<db>_<size>/db.sqlite3``), migrated, with the demo (``itsm demo``:
customers, people, calendars, the published services and their active SLAs), the desk's
configuration made through the services (``ticketapi.data.setup_desk``: the priority matrix,
five categories, four assignment groups of 2–4 engineers, four ordered dispatch rules — the
creates match the third, a round-robin rule of the SLA's service, after testing the first
two) and then the size in tickets loaded in bulk SQL (``INSERT … SELECT generate_series``;
a recursive CTE on SQLite) over two years: customers 55/30/15 %, groups spread over nine,
82 % closed, 4 % resolved, 2 % cancelled, the rest open (new, assigned, in progress, pending),
priorities 2/13/55/30 % P1–P4, the open tickets' due times from their priority's target, a
dispatch row per dispatched ticket, response and resolution clocks of every incident under
the SLA, a survey on a quarter of the resolved ones and a call for every second ticket;
then ``VACUUM ANALYZE``. ``--reuse`` keeps a database already loaded with that many tickets.

``itsm serve --workers 2`` runs the code of ``--server-root`` (default: this checkout) with
its production settings (``ITSM_DEBUG=0``, no embedded outbox worker), as
``bench/api_paths.py`` runs it, and is measured over HTTP/1.1 keep-alive connections:

(a) **create**: ``POST /api/desk/tickets/`` (an incident of huaxin-bank on its SLA's service,
    impact and urgency given: priority from the matrix, dispatch by the rules with
    round-robin, two SLA clocks, field history, timeline, the assignee's notification in the
    outbox) as the service desk agent (API token), by 1 and by 8 client processes; creates/s,
    p50/p95/p99, application CPU per create (the server's processes, all threads) and
    database backend CPU per create, transactions and rows written per create; interleaved
    run by run with the raw floor: the same rows written by hand (``ticketapi.raw``) by 1 and
    8 connections;
(b) **queue**: ``GET /api/desk/tickets/?status=assigned&status=in_progress&priority=p3&
    assignment_group=<server group>&customer=<huaxin-bank>&sort=due_at`` and the HTML page
    ``/desk/?…`` with the same query, the first page and a deep page (``--deep`` ``next`` /
    cursor links in), p50/p95 over ``--samples`` requests, application and database CPU per
    request; interleaved sample by sample with the raw floor: the statements the same page
    sends that read ``desk_ticket`` (captured once in this process through Django's test
    client, the same code and URL) replayed by psycopg / sqlite3;
(c) **monthly report** of the last full month: ``desk_report()`` (the selectors), the page
    ``/desk/reports/?month=`` and the API ``/api/desk/reports/?month=`` in this process
    (Django's test client, as ``bench/desk_report.py``), interleaved with the selectors'
    statements replayed raw; the JSON keeps the report's figures (``figures``) so two runs on
    one database can be compared;
(d) **RSS** of the server (master and workers) at the start and the end.

Every statistic is min / median over ``--repeats`` (3). Prints ONE JSON object.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import signal
import statistics
import sys
import time
import urllib.parse
from pathlib import Path
from queue import Empty

sys.path.insert(0, str(Path(__file__).resolve().parent))

import harness  # noqa: E402
from apipaths.server import (  # noqa: E402
    Client,
    Meter,
    Server,
    itsm_file,
    server_env,
    session_cookie,
    stat_database,
)
from ticketapi import data  # noqa: E402
from ticketapi import raw as rawfloor  # noqa: E402

AGENT = "agent"


def _size_label(n: int) -> str:
    if n % 1_000_000 == 0:
        return f"{n // 1_000_000}m"
    if n % 1000 == 0:
        return f"{n // 1000}k"
    return str(n)


class SqliteMeter(Meter):
    """SQLite runs inside the server's processes: all its CPU is the application's."""

    def backends(self) -> dict[int, int]:
        return {}


def _percentiles(values: list[float]) -> dict:
    return {
        "p50_ms": statistics.median(values),
        "p95_ms": harness.percentile(values, 95),
        "p99_ms": harness.percentile(values, 99),
    }


# --- (a) creates -----------------------------------------------------------------------------


def _api_client(port, token, body, count, idempotency, barrier, queue, index):
    client = Client(port, {"Authorization": f"Token {token}", "Content-Type": "application/json"})
    client.request("GET", "/api/desk/tickets/?page_size=1")  # open the connection
    latencies = []
    barrier.wait()
    began = time.perf_counter()
    for number in range(count):
        payload = json.dumps({**body, "title": f"Bench {os.getpid()}-{index}-{number}"})
        headers = {"Idempotency-Key": f"bench-{os.getpid()}-{number}-{time.time()}"}
        sent = time.perf_counter()
        status, answer, _response = client.request(
            "POST", "/api/desk/tickets/", payload.encode(), headers if idempotency else None
        )
        latencies.append((time.perf_counter() - sent) * 1000)
        if status != 201:
            queue.put(("error", f"{status} {answer[:300]!r}"))
            return
    queue.put(("ok", began, time.perf_counter(), latencies))


def _raw_client(vendor, target, template, count, barrier, queue, index):
    conn = rawfloor.connect(vendor, target)
    sql = template.statements()
    latencies = []
    barrier.wait()
    began = time.perf_counter()
    for _ in range(count):
        sent = time.perf_counter()
        template.create(conn, sql)
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
    results = []
    deadline = time.monotonic() + 900
    while len(results) < len(processes):
        try:
            results.append(queue.get(timeout=2))
        except Empty:
            failed = [p.exitcode for p in processes if p.exitcode not in (None, 0)]
            if failed or time.monotonic() > deadline:
                for process in processes:
                    process.kill()
                raise SystemExit(f"a client process failed (exit {failed}) or hung") from None
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
        **_percentiles(latencies),
        "count": len(latencies),
    }


class LockSampler:
    """Polls ``pg_stat_activity`` every 20 ms while a create run goes on: of the database's
    backends running a statement, the share waiting for a lock (another transaction's row
    lock, e.g. the round-robin rule's row every dispatched create updates) and the
    statements they wait in."""

    def __init__(self, db_url: str, db: str):
        import threading

        self.db_url, self.db = db_url, db
        self.stop_event = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.active = self.waiting = 0
        self.waits: dict[str, int] = {}

    def _run(self) -> None:
        import psycopg

        with psycopg.connect(self.db_url, autocommit=True) as conn:
            while not self.stop_event.is_set():
                rows = conn.execute(
                    "SELECT wait_event_type, left(query, 60) FROM pg_stat_activity "
                    "WHERE datname = %s AND state = 'active' AND pid <> pg_backend_pid()",
                    [self.db],
                ).fetchall()
                for wait_type, query in rows:
                    self.active += 1
                    if wait_type == "Lock":
                        self.waiting += 1
                        self.waits[query] = self.waits.get(query, 0) + 1
                time.sleep(0.02)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stop_event.set()
        self.thread.join()

    def summary(self) -> dict:
        top = sorted(self.waits.items(), key=lambda item: -item[1])[:2]
        return {
            "lock_wait_share": round(self.waiting / max(1, self.active), 3),
            "lock_waits_in": [query for query, _count in top],
        }


def create_body(facts: dict) -> dict:
    return {
        "kind": "incident",
        "title": "Bench",
        "description": "The core banking front end answers slowly since 09:10.",
        "customer": facts["customer_id"],
        "channel": "phone",
        "service": facts["service_id"],
        "category": facts["category_id"],
        "impact": "2",
        "urgency": "2",
    }


def measure_creates(args, ctx, port, token, facts, meter) -> dict:
    body = create_body(facts)
    clients_list = [int(c) for c in str(args.clients).split(",") if c]
    # warm up: every worker thread opens its database connection and fills its caches
    _run_parallel(
        _api_client, max(clients_list), lambda index: (port, token, body, 3, args.idempotency)
    )
    template = ctx["template"]()
    target = ctx["raw_target"]
    pg = ctx["vendor"] == "postgresql"
    runs: dict[str, list[dict]] = {}
    lock_waits: dict[int, list[str]] = {}
    for repeat in range(args.repeats):
        for clients in clients_list:
            per_client = max(1, args.creates // clients)
            for side in ("api", "raw") if repeat % 2 == 0 else ("raw", "api"):
                if side == "api":
                    meter.start()
                    before = stat_database(ctx["db_url"], ctx["db"]) if pg else None
                    sampler = LockSampler(ctx["db_url"], ctx["db"]) if pg else None
                    if sampler is not None:
                        sampler.__enter__()
                    try:
                        result = _run_parallel(
                            _api_client,
                            clients,
                            lambda index, n=per_client: (port, token, body, n, args.idempotency),
                        )
                    finally:
                        if sampler is not None:
                            sampler.__exit__()
                    app_ms, db_ms = meter.stop()
                    count = result["count"]
                    result["cpu_app_ms"] = app_ms / count
                    if sampler is not None:
                        locks = sampler.summary()
                        result["lock_wait_share"] = locks["lock_wait_share"]
                        lock_waits.setdefault(clients, locks["lock_waits_in"])
                    if pg:
                        result["cpu_db_ms"] = db_ms / count
                        time.sleep(1.2)  # backends flush their statistics within a second
                        after = stat_database(ctx["db_url"], ctx["db"])
                        for key in ("transactions", "inserted", "updated"):
                            result[f"{key}_per_create"] = (after[key] - before[key]) / count
                else:
                    result = _run_parallel(
                        _raw_client,
                        clients,
                        lambda index, n=per_client: (ctx["vendor"], target, template, n),
                    )
                runs.setdefault(f"{side}_{clients}", []).append(result)
                print(
                    f"create {side} {clients} clients: {result['rate']:.1f}/s "
                    f"p50 {result['p50_ms']:.1f} ms",
                    file=sys.stderr,
                    flush=True,
                )
    summary: dict = {
        name: {key: harness.over_repeats([run[key] for run in values]) for key in values[0]}
        for name, values in runs.items()
    }
    for clients in clients_list:
        ratios = [
            runs[f"raw_{clients}"][i]["rate"] / runs[f"api_{clients}"][i]["rate"]
            for i in range(args.repeats)
        ]
        summary[f"raw_over_api_rate_{clients}"] = harness.over_repeats(ratios, 1)
    if lock_waits:
        summary["lock_waits_in"] = {str(k): v for k, v in lock_waits.items()}
    low, high = min(clients_list), max(clients_list)
    if low != high:
        scaling = [
            runs[f"api_{high}"][i]["rate"] / runs[f"api_{low}"][i]["rate"]
            for i in range(args.repeats)
        ]
        summary[f"api_scaling_{high}_over_{low}"] = harness.over_repeats(scaling)
    return summary


def statements_of_create(token: str, facts: dict) -> dict:
    """The statements of one create (after one warm-up create), counted in this process
    through Django's test client: the same URL and code as the server's."""
    from django.db import connection
    from django.test import Client as DjangoClient
    from django.test.utils import CaptureQueriesContext

    client = DjangoClient(HTTP_AUTHORIZATION=f"Token {token}")
    body = create_body(facts)
    response = client.post("/api/desk/tickets/", body, content_type="application/json")
    assert response.status_code == 201, response.content[:300]
    with CaptureQueriesContext(connection) as captured:
        response = client.post("/api/desk/tickets/", body, content_type="application/json")
    assert response.status_code == 201, response.content[:300]
    answer = json.loads(response.content)
    sqls = [q["sql"].lstrip().split(None, 1)[0].upper() for q in captured.captured_queries]
    return {
        "statements": len(sqls),
        "by_verb": {verb: sqls.count(verb) for verb in sorted(set(sqls))},
        "dispatched_to": {"group": answer["assignment_group"], "assignee": answer["assignee"]},
        "priority": answer["priority"],
        "due_at": answer["due_at"],
        "ticket_id": answer["id"],
    }


# --- (b) the queue ---------------------------------------------------------------------------


def queue_query(facts: dict) -> str:
    params = [("status", s) for s in data.QUEUE_STATUSES] + [
        ("priority", data.QUEUE_PRIORITY),
        ("assignment_group", str(facts["teams"][data.QUEUE_GROUP])),
        ("customer", str(facts["customer_id"])),
        ("sort", "due_at"),
    ]
    return urllib.parse.urlencode(params)


def _next_path(surface: str, body: bytes, base: str) -> str | None:
    from api_paths import _next_path as following

    return following(surface, body, base)


def _captured(django_client, path: str) -> tuple[list[str], int, bytes]:
    """The statements reading ``desk_ticket`` that *path* sends (the page's own reads), the
    number of statements in all, and the response body."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    django_client.get(path)  # caches (content types, choices) as a worker has them
    with CaptureQueriesContext(connection) as captured:
        response = django_client.get(path)
    assert response.status_code == 200, (path, response.status_code)
    statements = [
        q["sql"]
        for q in captured.captured_queries
        if '"desk_ticket"' in q["sql"]
        and q["sql"].lstrip().upper().startswith(("SELECT", "WITH", "EXPLAIN"))
    ]
    return statements, len(captured.captured_queries), response.content


def measure_queue(args, ctx, port, clients, django_clients, facts, meter) -> dict:
    query = queue_query(facts)
    results: dict = {}
    raw = ctx["raw_reader"]()
    if ctx["vendor"] == "postgresql":
        meter.exclude.add(raw.info.backend_pid)
    for surface, base in (("api", "/api/desk/tickets/"), ("html", "/desk/")):
        client = clients[surface]
        path = f"{base}?{query}"
        pages = {"first": path}
        current = path
        for _hop in range(args.deep):
            status, body, _response = client.request("GET", current)
            assert status == 200, (current, status, body[:200])
            following = _next_path(surface, body, base)
            if not following:
                break
            current = following
        else:
            pages[f"deep_{args.deep}"] = current
        if len(pages) == 1:
            results[f"{surface}.note"] = f"fewer than {args.deep + 1} pages: no deep page"
        for page, target in pages.items():
            statements, total, body = _captured(django_clients[surface], target)
            if surface == "api":
                rows = len(json.loads(body)["results"])
            else:
                rows = body.count(b"data-ticket=")
            results[f"{surface}.{page}"] = {
                "path": target,
                "rows": rows,
                "statements": total,
                "raw_statements": len(statements),
                **_measure_page(args, client, target, raw, statements, meter),
            }
            print(
                f"queue {surface}.{page}: p95 {results[f'{surface}.{page}']['p95_ms']}",
                file=sys.stderr,
                flush=True,
            )
    raw.close()
    return results


def _measure_page(args, client, path, raw, statements, meter) -> dict:
    def replay():
        cur = raw.cursor()
        for sql in statements:
            cur.execute(sql)
            cur.fetchall()
        cur.close()

    per_repeat = []
    client.request("GET", path)
    replay()
    for _repeat in range(args.repeats):
        product_ms, raw_ms = [], []
        app_ms = db_ms = 0.0
        for index in range(args.samples):
            for which in (0, 1) if index % 2 == 0 else (1, 0):
                if which == 0:
                    meter.start()
                    began = time.perf_counter()
                    status, _body, _response = client.request("GET", path)
                    product_ms.append((time.perf_counter() - began) * 1000)
                    app, db = meter.stop()
                    app_ms += app
                    db_ms += db
                    assert status == 200, status
                else:
                    began = time.perf_counter()
                    replay()
                    raw_ms.append((time.perf_counter() - began) * 1000)
        per_repeat.append(
            {
                "p50_ms": statistics.median(product_ms),
                "p95_ms": harness.percentile(product_ms, 95),
                "cpu_app_ms": app_ms / args.samples,
                "cpu_db_ms": db_ms / args.samples,
                "raw_p50_ms": statistics.median(raw_ms),
                "raw_p95_ms": harness.percentile(raw_ms, 95),
            }
        )
    return {
        key: harness.over_repeats([run[key] for run in per_repeat], 3 if "raw" in key else 2)
        for key in per_repeat[0]
    }


# --- (c) the monthly report ------------------------------------------------------------------


def last_month() -> str:
    from django.utils import timezone

    today = timezone.localdate()
    first = today.replace(day=1)
    previous = first.toordinal() - 1
    import datetime

    day = datetime.date.fromordinal(previous)
    return f"{day.year:04d}-{day.month:02d}"


def measure_report(args, ctx, agent) -> dict:
    """The selectors, the page and the API in this process (as ``bench/desk_report.py``),
    each interleaved with the statements the selectors send replayed raw."""
    from django.db import connection, transaction
    from django.test import Client as DjangoClient
    from django.test.utils import CaptureQueriesContext

    from itsm.desk.reporting import selectors as reports

    month = last_month()
    period = reports.resolve_period(month=month)
    reports.ticket_content_type()
    with CaptureQueriesContext(connection) as captured:
        report = reports.desk_report(user=agent, period=period)
    # the reads and the report transaction's SET LOCAL (jit), replayed in a transaction too
    statements = [
        q["sql"]
        for q in captured.captured_queries
        if q["sql"].lstrip().upper().startswith(("SELECT", "WITH", "SET"))
    ]

    def replay():
        with transaction.atomic(), connection.cursor() as cursor:
            for sql in statements:
                cursor.execute(sql)
                if cursor.description is not None:
                    cursor.fetchall()

    page = DjangoClient()
    page.force_login(agent)

    def get(url):
        def call():
            response = page.get(url)
            assert response.status_code == 200, (url, response.status_code)

        return call

    cases = {
        "selectors": (lambda: reports.desk_report(user=agent, period=period), replay),
        "page": (get(f"/desk/reports/?month={month}"), replay),
        "api": (get(f"/api/desk/reports/?month={month}"), replay),
    }
    measured = harness.measure(
        cases,
        samples=args.report_samples,
        repeats=args.repeats,
        backend_pids=harness.backend_pids(),
        warmup=1,
    )
    return {
        "month": month,
        "statements": len([s for s in statements if not s.upper().startswith("SET")]),
        "opened": report.totals.opened,
        "backlog": report.totals.backlog,
        "figures": report.as_dict(),
        "results": measured,
    }


# --- one size --------------------------------------------------------------------------------


def run_size(args, size: int, root: Path) -> dict:
    """Load (or reuse) the database of *size* tickets and measure (a)–(d) on it."""
    label = _size_label(size)
    sized = argparse.Namespace(**vars(args))
    sized.tickets = size
    if args.engine == "sqlite":
        sized.workers = 1  # itsm serve: one process (and threads) on SQLite
    sized.db = f"{args.db}_{label}" if args.engine == "postgres" else args.db_path(label)
    db_url = harness.use_database(sized, fresh=not args.reuse)
    from django.db import connection, connections

    connections.close_all()
    connection.settings_dict["NAME"] = (
        sized.db if args.engine == "postgres" else str(harness.sqlite_path(sized))
    )
    # this process's memos of the last size's database: its content type ids (the template
    # create's timeline row was written with the other database's id of desk.ticket where
    # the two databases' migrations had numbered the content types differently) and stamps
    from django.contrib.contenttypes.models import ContentType

    from itsm.core import stamps

    ContentType.objects.clear_cache()
    stamps.forget()
    began = time.time()
    data.prepare(sized)
    facts = data.setup_desk()
    loading = data.load(sized, facts)
    print(f"{label}: loaded {loading}", file=sys.stderr, flush=True)
    vendor = connection.vendor

    from itsm.core.demo import DEMO_PASSWORD
    from itsm.core.models import User
    from itsm.core.tokens import create_token

    agent = User.objects.get(username=AGENT)
    token = create_token(agent, name=f"bench-{int(time.time())}", days=1)[1]
    statements = statements_of_create(token, facts)
    template_id = statements["ticket_id"]
    result: dict = {
        "database": sized.db,
        "vendor": vendor,
        "tickets": size,
        "load": loading,
        "facts": {k: v for k, v in facts.items() if k != "categories"},
        "create_statements": statements,
    }
    if not args.skip_report:
        result["report"] = measure_report(args, {"vendor": vendor}, agent)
        print(f"{label}: report {json.dumps(result['report']['results'])}", file=sys.stderr)
    connections.close_all()

    raw_target = db_url if vendor == "postgresql" else str(harness.sqlite_path(sized))
    if vendor == "postgresql":
        import psycopg

        with psycopg.connect(db_url, autocommit=True) as conn:
            conn.execute("CREATE SEQUENCE IF NOT EXISTS bench_ticket_raw_number")

    def template():
        conn = rawfloor.connect(vendor, raw_target)
        found = rawfloor.Template(conn, vendor, template_id)
        conn.close()
        return found

    def raw_reader():
        if vendor == "postgresql":
            import psycopg

            # values bound on the client, as Django does (the captured SQL holds them)
            return psycopg.connect(db_url, autocommit=True, cursor_factory=psycopg.ClientCursor)
        return rawfloor.connect(vendor, raw_target)

    ctx = {
        "vendor": vendor,
        "db_url": db_url,
        "db": sized.db,
        "raw_target": raw_target,
        "template": template,
        "raw_reader": raw_reader,
    }
    env = server_env(sized, db_url, root)
    served_from = itsm_file(env, root)
    if not served_from.startswith(str(root) + "/"):
        raise SystemExit(f"the server would import itsm from {served_from}, not {root}")
    result["server_itsm"] = served_from
    result["workers"] = sized.workers
    server = Server(sized, env, root)
    try:
        meter_class = Meter if vendor == "postgresql" else SqliteMeter
        meter = meter_class(server, args.pg_url, sized.db, set())
        result["rss_mb_start"] = harness.rss_mb(server.pids())
        if not args.skip_creates:
            result["create"] = measure_creates(args, ctx, server.port, token, facts, meter)
        if not args.skip_queue:
            from django.test import Client as DjangoClient

            http = {
                "api": Client(server.port, {"Authorization": f"Token {token}"}),
                "html": Client(
                    server.port, {"Cookie": session_cookie(server.port, AGENT, DEMO_PASSWORD)}
                ),
            }
            in_process = {
                "api": DjangoClient(HTTP_AUTHORIZATION=f"Token {token}"),
                "html": DjangoClient(),
            }
            in_process["html"].force_login(agent)
            if vendor == "postgresql":  # this process's own connection is not the server's
                meter.exclude.update(harness.backend_pids())
            result["queue"] = measure_queue(args, ctx, server.port, http, in_process, facts, meter)
            connections.close_all()
        result["rss_mb_end"] = {
            "total": harness.rss_mb(server.pids()),
            "master": harness.rss_mb([server.process.pid]),
            "workers": [harness.rss_mb([pid]) for pid in server.workers()],
        }
    finally:
        server.stop()
    result["seconds"] = round(time.time() - began)
    if not args.keep:
        connections.close_all()
        harness.drop_database(sized)
    return result


# --- main ------------------------------------------------------------------------------------


def targets(result: dict) -> dict:
    """The issue's targets against the medians measured (PostgreSQL figures)."""
    checks: dict = {}
    for label, sized in result["sizes"].items():
        create = sized.get("create", {})
        if "api_8" in create:
            checks[f"{label}.creates_8_per_s>=200"] = create["api_8"]["rate"]["median"] >= 200
            checks[f"{label}.create_cpu_app_ms<=8"] = create["api_8"]["cpu_app_ms"]["median"] <= 8
        queue = sized.get("queue", {})
        for name, figures in queue.items():
            if isinstance(figures, dict) and "p95_ms" in figures:
                limit = 15 if name.startswith("api.") else 30
                checks[f"{label}.queue.{name}.p95<={limit}"] = figures["p95_ms"]["median"] <= limit
        report = sized.get("report", {}).get("results", {}).get("page")
        if report:
            limit = 300 if sized["tickets"] <= 100_000 else 2000
            checks[f"{label}.report_page.p50<={limit}"] = (
                report["product"]["p50_ms"]["median"] <= limit
            )
        rss = sized.get("rss_mb_end", {}).get("total")
        if rss is not None:
            checks[f"{label}.rss_mb<=250"] = rss <= 250
    return checks


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    harness.add_database_options(parser, default_name="itsm_bench_tickets")
    parser.add_argument(
        "--sizes",
        default=None,
        help="ticket counts, one database each (default: 100000,1000000 on PostgreSQL, "
        "10000,100000 on SQLite)",
    )
    harness.add_server_root_option(parser)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, help="threads per worker (itsm serve's default)")
    parser.add_argument("--clients", default="1,8", help="client counts for the creates")
    parser.add_argument("--creates", type=int, default=400, help="creates per run")
    parser.add_argument(
        "--idempotency", action="store_true", help="send an Idempotency-Key with each create"
    )
    parser.add_argument("--samples", type=int, default=50, help="requests per queue page")
    parser.add_argument("--deep", type=int, default=5, help="next links followed to the deep page")
    parser.add_argument("--report-samples", type=int, default=3, help="reports per repeat")
    parser.add_argument(
        "--reuse", action="store_true", help="keep a loaded database (migrate, load if empty)"
    )
    parser.add_argument("--skip-creates", action="store_true")
    parser.add_argument("--skip-queue", action="store_true")
    parser.add_argument("--skip-report", action="store_true")
    args = parser.parse_args()
    if args.sizes is None:
        args.sizes = "100000,1000000" if args.engine == "postgres" else "10000,100000"
    sizes = [int(s) for s in args.sizes.split(",") if s]
    base = args.db

    def db_path(label: str) -> str:
        if "/" in base or base.endswith(".sqlite3"):
            path = Path(base)
            return str(path.with_name(f"{path.stem}_{label}{path.suffix or '.sqlite3'}"))
        return str(Path("/tmp") / f"{base}_{label}" / "db.sqlite3")

    args.db_path = db_path
    root = args.server_root.resolve()
    started = time.time()
    # the first size's database is where Django starts; each size switches to its own
    first = argparse.Namespace(**vars(args))
    first.db = (
        f"{base}_{_size_label(sizes[0])}"
        if args.engine == "postgres"
        else db_path(_size_label(sizes[0]))
    )
    harness.use_database(first, fresh=not args.reuse)
    os.environ["ITSM_EMBEDDED_WORKER"] = "0"
    import django

    django.setup()
    from django.db import connection

    connection.settings_dict["CONN_MAX_AGE"] = None
    import itsm

    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    result: dict = {
        "benchmark": "ticket_api",
        "machine": harness.machine(),
        "engine": args.engine,
        "server_root": str(root),
        "bench_itsm": itsm.__file__,
        "workers": args.workers,
        "threads": args.threads,
        "embedded_worker": False,
        "samples": args.samples,
        "repeats": args.repeats,
        "creates_per_run": args.creates,
        "idempotency_key": args.idempotency,
        "sizes": {},
    }
    try:
        for size in sizes:
            result["sizes"][_size_label(size)] = run_size(args, size, root)
    except SystemExit as stop:
        result["interrupted"] = str(stop)
    result["targets_met"] = targets(result)
    result["seconds"] = round(time.time() - started)
    result["loadavg_1m_end"] = round(os.getloadavg()[0], 2)
    harness.emit(result)


if __name__ == "__main__":
    main()
