"""Instructions per ticket create, counted by callgrind (issue 11): a figure a busy machine
reproduces.

CPU seconds per create moved by half between runs of the same code on one machine, and by two
between machines (bench/README.md, issue 11), so a change worth 5 % cannot be told from noise
by timing. Instructions executed do not depend on the machine's load or speed:
``valgrind --tool=callgrind`` counts them in this process — the same code and URL as the
server's, ``POST /api/desk/tickets/`` through Django's whole handler (middleware, DRF,
token authentication, the service, the answer) by ``django.test.Client`` — and repeats the
count to the last digit (the database's answers being the same). What it leaves out: gunicorn
and the HTTP bytes (the server's share), the database backend's own work (``ticket_api.py``
measures both as CPU time).

Run on a database ``ticket_api.py --keep`` loaded (PostgreSQL by default)::

    .venv/bin/python bench/ticket_api.py --sizes 100000 --keep --skip-queue --skip-report
    .venv/bin/python bench/create_instructions.py --db itsm_bench_tickets_100k
    .venv/bin/python bench/create_instructions.py --db … --server-root /tmp/old   # other code

The heap is settled as ``itsm serve`` settles a worker's (``serve.settle_heap``: start-up's
objects frozen, the youngest generation collected after 10 000 allocations; older code without
it is frozen only; the counts in ``bench/README.md`` before its session of 2 December 2026 (3)
froze nothing). Each count runs its creates after 5 unmeasured ones (caches filled, connection
open), with the instrumentation switched on only around the measured ones
(``callgrind_control``), ``PYTHONHASHSEED=0``; a side's figure is the difference between a run
of twice ``--creates`` and one of ``--creates``, divided by ``--creates`` (the switching's own
cost cancels out). Counted side by side, in the same run:

- ``api``: the whole request, as above;
- ``request_only``: the same requests with the service replaced by one returning a ticket
  already read (the request's own share: middleware, DRF, authentication, the answer);
- ``raw``: the raw floor's client (``ticketapi.raw``: the same rows written by psycopg in one
  transaction), i.e. what any client of the database executes for the same work.

Prints ONE JSON object: million instructions per create of each, and the ratio to ``raw``.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import harness  # noqa: E402
from apipaths.server import server_env  # noqa: E402

_COLLECTED = re.compile(r"Collected : (\d+)")


def _per_create(args, side: str) -> float:
    """Instructions per create of *side*: the difference between a run of ``2 × --creates``
    and one of ``--creates`` (what switching the instrumentation on and off costs, the same
    in both, cancels out), divided by ``--creates``."""
    return (_count(args, side, 2 * args.creates) - _count(args, side, args.creates)) / args.creates


def _count(args, side: str, creates: int) -> int:
    """Instructions of *creates* creates of *side*, in a child run under callgrind."""
    # the server's environment (production settings, the code of --server-root), hashing fixed
    env = dict(server_env(args, harness.database_url(args), args.server_root), PYTHONHASHSEED="0")
    command = [
        "valgrind",
        "--tool=callgrind",
        "--instr-atstart=no",
        "--callgrind-out-file=/dev/null",
        sys.executable,
        __file__,
        "--child",
        side,
        "--db",
        args.db,
        "--engine",
        args.engine,
        "--pg-url",
        args.pg_url,
        "--creates",
        str(creates),
        "--server-root",
        str(args.server_root),
    ]
    done = subprocess.run(command, env=env, cwd=args.server_root, capture_output=True, text=True)
    found = _COLLECTED.search(done.stderr)
    if done.returncode != 0 or found is None:
        raise SystemExit(f"{side}: callgrind run failed\n{done.stderr[-3000:]}")
    return int(found.group(1))


def _instrument(on: bool) -> None:
    subprocess.run(
        ["callgrind_control", "-i", "on" if on else "off", str(os.getpid())],
        capture_output=True,
        check=True,
    )


def child(args) -> None:
    """Runs under callgrind: 5 creates, then ``--creates`` with the instrumentation on."""
    os.environ["DJANGO_SETTINGS_MODULE"] = "itsm.config.settings"
    sys.path.insert(0, str(args.server_root))  # before harness's own checkout
    import django

    import itsm

    if not itsm.__file__.startswith(str(args.server_root) + "/"):
        raise SystemExit(f"itsm imports from {itsm.__file__}, not {args.server_root}")
    django.setup()
    from django.db import connection
    from django.test import Client
    from ticket_api import AGENT, create_body
    from ticketapi import data
    from ticketapi import raw as rawfloor

    from itsm.core.models import User
    from itsm.core.tokens import create_token

    connection.settings_dict["CONN_MAX_AGE"] = None
    facts = data.setup_desk()
    agent = User.objects.get(username=AGENT)
    token = create_token(agent, name=f"bench-instructions-{time.time()}", days=1)[1]
    client = Client(HTTP_AUTHORIZATION=f"Token {token}")
    body = json.dumps(create_body(facts))

    def api():
        response = client.post("/api/desk/tickets/", body, content_type="application/json")
        if response.status_code != 201:
            raise SystemExit(f"create answered {response.status_code}: {response.content[:300]}")
        return json.loads(response.content)["id"]

    template_id = api()
    if args.child == "request_only":
        from itsm.desk.models import Ticket
        from itsm.desk.services import tickets

        answer = Ticket.objects.prefetch_related("cis").get(pk=template_id)
        tickets.create_ticket = lambda **kwargs: answer  # the view calls tickets.create_ticket
    call = api
    if args.child == "raw":
        target = harness.database_url(args) if args.engine == "postgres" else args.db
        vendor = "postgresql" if args.engine == "postgres" else "sqlite"
        conn = rawfloor.connect(vendor, target)
        if vendor == "postgresql":
            conn.execute("CREATE SEQUENCE IF NOT EXISTS bench_ticket_raw_number")
        template = rawfloor.Template(conn, vendor, template_id)
        statements = template.statements()

        def call():
            template.create(conn, statements)

    # the heap as a server's worker settles it (code before settle_heap: its gc.freeze())
    from itsm.core.management.commands import serve

    getattr(serve, "settle_heap", gc.freeze)()
    for _ in range(5):
        call()
    _instrument(True)
    for _ in range(args.creates):
        call()
    _instrument(False)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    harness.add_database_options(parser, default_name="itsm_bench_tickets_100k")
    parser.add_argument("--creates", type=int, default=20, help="creates counted per side")
    harness.add_server_root_option(parser, what="is counted")
    parser.add_argument("--child", choices=("api", "request_only", "raw"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args)
        return
    args.server_root = args.server_root.resolve()
    started = time.time()
    counts = {side: _per_create(args, side) for side in ("api", "request_only", "raw")}
    per_create = {side: round(count / 1e6, 3) for side, count in counts.items()}
    harness.emit(
        {
            "benchmark": "create_instructions",
            "machine": harness.machine(),
            "engine": args.engine,
            "database": args.db,
            "server_root": str(args.server_root),
            "creates_counted": args.creates,
            "million_instructions_per_create": per_create,
            "service_share": round(1 - counts["request_only"] / counts["api"], 3),
            "api_over_raw": round(counts["api"] / counts["raw"], 2),
            "seconds": round(time.time() - started),
        }
    )


if __name__ == "__main__":
    main()
