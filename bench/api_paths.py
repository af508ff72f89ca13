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
import http.client
import io
import json
import multiprocessing
import os
import re
import signal
import socket
import statistics
import subprocess
import sys
import time
import urllib.parse
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import harness  # noqa: E402

TABLE = "cmdb_configurationitem"
#: bulk-loaded classes and their share of the CIs (the rest of the built-in classes get none)
CLASS_SHARES = {
    "virtual_machine": 35,
    "server": 20,
    "application": 15,
    "database": 8,
    "middleware": 8,
    "network_device": 6,
    "storage": 5,
    "business_service": 3,
}
RARE_CLASS = "document"  # 1 in 20 000
EMPTY_CLASS = "bench_empty"  # a class the loader adds, with no CIs
STATUS_SHARES = {"in_use": 70, "planned": 12, "maintenance": 6, "retired": 12}
CRITICALITY_SHARES = {"low": 30, "medium": 45, "high": 20, "critical": 5}
CITIES = ["bj", "sh", "gz", "sz", "cd", "wh", "xa", "hz", "nj", "tj"]
LOCATIONS = ["DC-A", "DC-B", "DC-C", "Branch", "Cloud"]
SHARED_PERCENT = 30
CREATE_CLASS = "application"


# --- the data ------------------------------------------------------------------------------------


def _case(expression: str, shares: dict[str, object], total: int) -> str:
    """``CASE`` picking a value by *expression* (0 … total-1) with the given *shares*."""
    parts, bound = [], 0
    items = list(shares.items())
    for value, share in items[:-1]:
        bound += int(share)  # type: ignore[call-overload]
        parts.append(f"WHEN {expression} < {bound} THEN {value}")
    return f"CASE {' '.join(parts)} ELSE {items[-1][0]} END"


def _quoted(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def load(args, db_url: str) -> dict:
    """Migrate, load the demo and bulk-load ``--cis`` CIs (unless ``--reuse`` finds them)."""
    import psycopg
    from django.core.management import call_command

    began = time.perf_counter()
    call_command("migrate", verbosity=0, interactive=False)
    call_command("demo", verbosity=0, stdout=io.StringIO())
    from itsm.cmdb.models import CIClass
    from itsm.cmdb.services import classes as class_services
    from itsm.core.models import User

    if not CIClass.objects.filter(code=EMPTY_CLASS).exists():
        class_services.create_class(
            code=EMPTY_CLASS,
            name_zh="空类别",
            name_en="Empty class",
            by=User.objects.get(username="admin"),
        )
    from django.db import connections

    connections.close_all()
    with psycopg.connect(db_url, autocommit=True) as conn:
        loaded = conn.execute(f"SELECT count(*) FROM {TABLE} WHERE number LIKE 'B-%%'").fetchone()[
            0
        ]
        if loaded == args.cis:
            # statistics for the expression indexes a new migration may have added
            conn.execute(f"VACUUM ANALYZE {TABLE}")
            return {"loaded": False, "cis": loaded, "seconds": round(time.perf_counter() - began)}
        conn.execute(f"DELETE FROM {TABLE} WHERE number LIKE 'B-%%'")
        classes = dict(conn.execute("SELECT code, id FROM cmdb_ciclass").fetchall())
        customers = [
            row[0]
            for row in conn.execute(
                "SELECT id FROM core_organisation WHERE kind = 'customer' ORDER BY code"
            ).fetchall()
        ]
        shares = {classes[code]: share for code, share in CLASS_SHARES.items()}
        class_case = (
            f"CASE WHEN (s.n * 7919) % 20000 = 0 THEN {classes[RARE_CLASS]} ELSE "
            + _case("(s.n * 104729) % 999983 % 100", shares, 100)
            + " END"
        )
        status_case = _case(
            "(s.n * 1299709) % 999979 % 100", {_quoted(k): v for k, v in STATUS_SHARES.items()}, 100
        )
        criticality_case = _case(
            "(s.n * 15485863) % 999961 % 100",
            {_quoted(k): v for k, v in CRITICALITY_SHARES.items()},
            100,
        )
        # 30 % shared infrastructure, the rest spread evenly over the demo's customers
        per_customer = (100 - SHARED_PERCENT) // len(customers)
        customer_shares: dict[str, int] = {"NULL": SHARED_PERCENT}
        for customer in customers:
            customer_shares[str(customer)] = per_customer
        customer_case = _case("(s.n * 179424673) % 999959 % 100", customer_shares, 100)
        cities = "ARRAY[" + ",".join(_quoted(c) for c in CITIES) + "]"
        locations = "ARRAY[" + ",".join(_quoted(c) for c in LOCATIONS) + "]"
        codes = {v: k for k, v in classes.items()}
        word_case = (
            "CASE x.ci_class_id "
            + " ".join(
                f"WHEN {pk} THEN {_quoted(code.split('_')[0])}" for pk, code in codes.items()
            )
            + " ELSE 'ci' END"
        )
        chunk = 200_000
        for first in range(1, args.cis + 1, chunk):
            last = min(args.cis, first + chunk - 1)
            conn.execute(
                f"INSERT INTO {TABLE} (created_at, updated_at, version, number, name, "
                "ci_class_id, identifier, status, criticality, owner_id, customer_id, "
                "supplier_id, location, description, attributes, change_reference) "
                "SELECT x.at, x.at, 1, 'B-' || lpad(x.n::text, 8, '0'), "
                f"{word_case} || '-' || ({cities})[1 + x.n % {len(CITIES)}] || '-' || x.n, "
                "x.ci_class_id, CASE WHEN x.n % 5 = 0 THEN '' "
                "ELSE 'SN-' || lpad(x.n::text, 8, '0') END, x.status, x.criticality, NULL, "
                f"x.customer_id, NULL, ({locations})[1 + x.n % {len(LOCATIONS)}], '', "
                "'{}'::jsonb, '' FROM ("
                f"SELECT s.n, now() - ({args.cis} - s.n) * interval '20 seconds' AS at, "
                f"{class_case} AS ci_class_id, {status_case} AS status, "
                f"{criticality_case} AS criticality, {customer_case} AS customer_id "
                f"FROM generate_series({first}::bigint, {last}::bigint) AS s(n)) AS x"
            )
            print(f"loaded {last} CIs", file=sys.stderr, flush=True)
        conn.execute(f"VACUUM ANALYZE {TABLE}")
        conn.execute("ANALYZE")
    return {"loaded": True, "cis": args.cis, "seconds": round(time.perf_counter() - began)}


def data_facts(db_url: str) -> dict:
    """Ids and values the cases use, read from the loaded database."""
    import psycopg

    with psycopg.connect(db_url, autocommit=True) as conn:
        classes = dict(conn.execute("SELECT code, id FROM cmdb_ciclass").fetchall())
        counts = dict(
            conn.execute(
                f"SELECT ci_class_id, count(*) FROM {TABLE} GROUP BY ci_class_id"
            ).fetchall()
        )
        customer = conn.execute(
            "SELECT id FROM core_organisation WHERE code = 'huaxin-bank'"
        ).fetchone()[0]
        staff = conn.execute("SELECT id FROM core_user WHERE username = 'cmdb'").fetchone()[0]
        customer_user = conn.execute(
            "SELECT id, organisation_id FROM core_user WHERE username = 'customer'"
        ).fetchone()
        total = conn.execute(f"SELECT count(*) FROM {TABLE}").fetchone()[0]
        middle = conn.execute(
            f"SELECT number, identifier FROM {TABLE} WHERE number LIKE 'B-%%' AND identifier <> '' "
            "ORDER BY number OFFSET (SELECT count(*) / 2 FROM cmdb_configurationitem) LIMIT 1"
        ).fetchone()
    return {
        "classes": classes,
        "class_counts": {code: counts.get(pk, 0) for code, pk in classes.items()},
        "customer_id": customer,
        "staff_id": staff,
        "customer_user_id": customer_user[0],
        "customer_user_org": customer_user[1],
        "total_cis": total,
        "number": middle[0],
        "identifier": middle[1],
    }


# --- the server ----------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def server_env(args, db_url: str, root: Path) -> dict:
    env = dict(os.environ)
    env.pop("DJANGO_SETTINGS_MODULE", None)
    env.update(
        {
            "SECRET_KEY": "bench-only",
            "ITSM_ENV_FILE": "/dev/null",
            "DATABASE_URL": db_url,
            "ITSM_DATA_DIR": str(Path("/tmp") / f"{args.db}_data"),
            "ITSM_EMBEDDED_WORKER": "0",
            "ITSM_DEBUG": "0",
            "PYTHONPATH": str(root),
        }
    )
    return env


def itsm_file(env: dict, root: Path) -> str:
    """Where ``itsm`` imports from with the server's environment (must be *root*)."""
    return subprocess.run(
        [sys.executable, "-c", "import itsm; print(itsm.__file__)"],
        env=env,
        cwd=root,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()


class Server:
    """``itsm serve --workers N`` as a subprocess."""

    def __init__(self, args, env: dict, root: Path):
        self.port = free_port()
        self.log = Path("/tmp") / f"{args.db}_server.log"
        command = [
            sys.executable,
            "-c",
            "from itsm.__main__ import main; main()",
            "serve",
            "--host",
            "127.0.0.1",
            "--port",
            str(self.port),
            "--workers",
            str(args.workers),
        ]
        with open(self.log, "wb") as log:
            self.process = subprocess.Popen(
                command, env=env, cwd=root, stdout=log, stderr=subprocess.STDOUT
            )
        deadline = time.monotonic() + 90
        while True:
            if self.process.poll() is not None:
                raise SystemExit(f"itsm serve exited: see {self.log}")
            try:
                conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=5)
                conn.request("GET", "/accounts/login/")
                status = conn.getresponse().status
                conn.close()
                if status == 200 and len(self.workers()) == args.workers:
                    break
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise SystemExit(f"itsm serve did not answer: see {self.log}")
            time.sleep(0.3)

    def workers(self) -> list[int]:
        pid = self.process.pid
        try:
            with open(f"/proc/{pid}/task/{pid}/children") as handle:
                return [int(child) for child in handle.read().split()]
        except OSError:
            return []

    def pids(self) -> list[int]:
        return [self.process.pid, *self.workers()]

    def stop(self) -> None:
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


# --- HTTP ----------------------------------------------------------------------------------------


class Client:
    """One keep-alive connection with fixed headers (a token or a session cookie)."""

    def __init__(self, port: int, headers: dict | None = None):
        self.port = port
        self.headers = dict(headers or {})
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)

    def request(self, method: str, path: str, body: bytes | None = None, headers=None):
        merged = {**self.headers, **(headers or {})}
        for attempt in range(2):
            try:
                self.conn.request(method, path, body=body, headers=merged)
                response = self.conn.getresponse()
                return response.status, response.read(), response
            except (http.client.RemoteDisconnected, ConnectionError, BrokenPipeError):
                # the server closed an idle keep-alive connection: open a new one
                self.conn.close()
                self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=120)
                if attempt:
                    raise
        raise AssertionError("unreachable")


def session_cookie(port: int, username: str, password: str) -> str:
    """Sign in through ``/accounts/login/`` (CSRF token from the form) like a browser."""
    client = Client(port)
    status, body, response = client.request("GET", "/accounts/login/")
    cookies = _cookies(response)
    token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', body).group(1).decode()
    form = urllib.parse.urlencode(
        {"csrfmiddlewaretoken": token, "username": username, "password": password}
    ).encode()
    status, body, response = client.request(
        "POST",
        "/accounts/login/",
        form,
        {
            "Content-Type": "application/x-www-form-urlencoded",
            "Cookie": "; ".join(f"{k}={v}" for k, v in cookies.items()),
            "Referer": f"http://127.0.0.1:{port}/accounts/login/",
        },
    )
    cookies.update(_cookies(response))
    if status != 302 or "sessionid" not in cookies:
        raise SystemExit(f"login of {username} failed: {status}")
    return "; ".join(f"{k}={v}" for k, v in cookies.items())


def _cookies(response) -> dict:
    found = {}
    for header in response.headers.get_all("Set-Cookie") or []:
        name, _sep, rest = header.partition("=")
        found[name.strip()] = rest.split(";", 1)[0]
    return found


# --- CPU of the server and its database backends -------------------------------------------------


def threads_cpu_ns(pids) -> int:
    """CPU of *pids* with all their threads, in nanoseconds. gunicorn's gthread workers serve
    requests in threads, and ``/proc/<pid>/schedstat`` (``harness.process_cpu_ns``) counts the
    main thread only; ``/proc/<pid>/task/*/schedstat`` counts each live thread."""
    total = 0
    for pid in pids:
        try:
            tasks = os.listdir(f"/proc/{pid}/task")
        except OSError:
            continue
        for task in tasks:
            try:
                with open(f"/proc/{pid}/task/{task}/schedstat") as handle:
                    total += int(handle.read().split()[0])
            except (OSError, ValueError, IndexError):
                pass
    return total


class Meter:
    """CPU of the server's processes and of its database backends between start and stop."""

    def __init__(self, server: Server, pg_url: str, db: str, exclude: set[int]):
        self.server, self.pg_url, self.db, self.exclude = server, pg_url, db, exclude

    def backends(self) -> dict[int, int]:
        pids = [
            pid
            for pid in harness.database_backend_pids(self.pg_url, self.db)
            if pid not in self.exclude
        ]
        return {pid: harness.process_cpu_ns([pid]) for pid in pids}

    def start(self) -> None:
        self.app0 = threads_cpu_ns(self.server.pids())
        self.db0 = self.backends()

    def stop(self) -> tuple[float, float]:
        """(application ms, database ms) since :meth:`start`."""
        app = threads_cpu_ns(self.server.pids()) - self.app0
        db = sum(cpu - self.db0.get(pid, 0) for pid, cpu in self.backends().items())
        return app / 1e6, db / 1e6


def stat_database(db_url: str, db: str) -> dict:
    import psycopg

    with psycopg.connect(db_url, autocommit=True) as conn:
        row = conn.execute(
            "SELECT xact_commit + xact_rollback, tup_inserted, tup_updated, tup_fetched "
            "FROM pg_stat_database WHERE datname = %s",
            [db],
        ).fetchone()
    return dict(zip(("transactions", "inserted", "updated", "fetched"), row, strict=True))


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
                    order = "name, id" if sort else "id DESC"
                    sql = (
                        f"SELECT id, number, name, ci_class_id, status, criticality, "
                        f"customer_id, identifier, location, updated_at FROM {TABLE}{where} "
                        f"ORDER BY {order} LIMIT 51"
                    )
                    status, body, _response = client.request("GET", path)
                    name = f"{who}.{surface}.{case}" + (".sort_name" if sort else "")
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
    parser.add_argument(
        "--server-root",
        type=Path,
        default=harness.ROOT,
        help="checkout whose code the server runs (default: this one)",
    )
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--clients", default="1,8", help="client counts for the creates")
    parser.add_argument("--creates", type=int, default=400, help="creates per run")
    parser.add_argument("--samples", type=int, default=20, help="requests per list case")
    parser.add_argument(
        "--reuse", action="store_true", help="keep a loaded database (migrate, load if short)"
    )
    parser.add_argument(
        "--users", default="staff,customer", help="who lists: staff, customer or both"
    )
    parser.add_argument("--pages", default="first,next", help="list pages: first, next or both")
    parser.add_argument("--sorts", default="default,name", help="list sorts: default, name")
    parser.add_argument("--load-only", action="store_true", help="load the database and stop")
    parser.add_argument("--skip-creates", action="store_true")
    parser.add_argument("--skip-lists", action="store_true")
    args = parser.parse_args()
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
