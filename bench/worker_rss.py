"""A worker's resident memory over many ticket creates (issue 11, part (d)): does it level off
or keep growing?

``ticket_api.py`` reads the server's RSS once at the start and once at the end of its runs;
between the two a worker grows by 7–9 MB, which could be caches filling or a leak. This
serves ``POST /api/desk/tickets/`` (the same body and agent's token as ``ticket_api.py``'s
creates) from ``itsm serve --workers 1 --threads 1`` with its production settings, one
client over one keep-alive connection, and reads the worker's RSS after every ``--step``
creates. Run on a database ``ticket_api.py --keep`` loaded::

    .venv/bin/python bench/worker_rss.py --db itsm_bench_tickets_100k --creates 6000

Prints ONE JSON object: the RSS (MB) after each step, the growth over the first and over the
second half of the creates, and the creates per second of each step (one client; for scale,
not a throughput figure: ``ticket_api.py`` measures that beside the raw floor). No raw
floor: the database's own memory is not the question here.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import harness  # noqa: E402
from apipaths.server import Client, Server, server_env  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    harness.add_database_options(parser, default_name="itsm_bench_tickets_100k")
    parser.add_argument("--creates", type=int, default=6000)
    parser.add_argument("--step", type=int, default=500, help="creates between readings")
    harness.add_server_root_option(parser)
    args = parser.parse_args()
    args.workers, args.threads = 1, 1
    started = time.time()
    url = harness.use_database(args, fresh=False)
    import django

    django.setup()
    from ticket_api import AGENT, create_body
    from ticketapi import data

    from itsm.core.models import User
    from itsm.core.tokens import create_token

    if not User.objects.filter(username=AGENT).exists():
        raise SystemExit(f"{args.db} is not loaded: run ticket_api.py --keep first")
    facts = data.setup_desk()
    _row, token = create_token(
        User.objects.get(username=AGENT), name=f"bench-rss-{time.time()}", days=1
    )
    body = json.dumps(create_body(facts)).encode()
    root = args.server_root.resolve()
    server = Server(args, server_env(args, url, root), root)
    try:
        [worker] = server.workers()
        client = Client(
            server.port,
            {"Authorization": f"Token {token}", "Content-Type": "application/json"},
        )
        readings = [{"creates": 0, "rss_mb": harness.rss_mb([worker])}]
        done = 0
        while done < args.creates:
            count = min(args.step, args.creates - done)
            step_started = time.perf_counter()
            for _ in range(count):
                status, answer, _response = client.request("POST", "/api/desk/tickets/", body)
                if status != 201:
                    raise SystemExit(f"create answered {status}: {answer[:300]!r}")
            seconds = time.perf_counter() - step_started
            done += count
            readings.append(
                {
                    "creates": done,
                    "rss_mb": harness.rss_mb([worker]),
                    "creates_per_s": round(count / seconds, 1),
                }
            )
    finally:
        server.stop()
    middle = readings[len(readings) // 2]
    harness.emit(
        {
            "benchmark": "worker_rss",
            "machine": harness.machine(),
            "engine": args.engine,
            "database": args.db,
            "server_root": str(root),
            "readings": readings,
            "growth_mb": {
                "first_half": round(middle["rss_mb"] - readings[0]["rss_mb"], 1),
                "second_half": round(readings[-1]["rss_mb"] - middle["rss_mb"], 1),
            },
            "seconds": round(time.time() - started),
        }
    )


if __name__ == "__main__":
    main()
