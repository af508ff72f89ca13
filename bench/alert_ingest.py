"""Alert intake through a real ``itsm serve`` (issue 13's benchmark).

Run::

    .venv/bin/python bench/alert_ingest.py                      # PostgreSQL, 20 000 alerts
    .venv/bin/python bench/alert_ingest.py --alerts 8000 --repeats 3 --keep

Its own database (``--db``, default ``itsm_bench_alerts``), migrated, with a provider, a
customer, 50 server CIs of that customer, an Alertmanager source (bearer token) and one rule.
``itsm serve --workers 2`` (production settings, no embedded worker) is measured over HTTP/1.1
keep-alive connections by ``--senders`` (8) threads posting Alertmanager v4 payloads of
``--per-request`` (10) alerts to ``/api/events/sources/<id>/alertmanager/``:

(a) **throughput**: ``--alerts`` alerts, half of them duplicates (every alert is sent twice,
    the order shuffled), the rule "record only": alerts/s, the rows stored (must equal the
    unique alerts) and the deliveries counted (must equal the alerts sent); the same again
    through a rule "add to the open one" once each of the 50 CIs has an open incident (each new
    alert joins its CI's incident: a note on it; 50 incidents in all); interleaved repeat
    by repeat with the **raw floor**: the same payloads' alerts written by 8 psycopg
    connections with ``INSERT … ON CONFLICT (source, fingerprint, starts_at) DO UPDATE SET
    repeat_count = repeat_count + 1, last_seen = …`` into a copy of the alert table, one
    transaction per payload; min / median over ``--repeats`` and the ratio; and the CPU per
    delivery of the server's processes and of the database backends (the raw floor's too);
(b) **SIGKILL and resend**: a new source whose rule opens an incident per alert, ``--kill-alerts``
    unique alerts each sent twice; once a third of the payloads are answered the server's
    processes are killed (SIGKILL), a new server is started and *every* payload is sent again:
    alerts lost (unique alerts without a row) and duplicated incidents (incidents beyond one
    per alert) must both be 0.

One JSON object on standard output.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import signal
import sys
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import harness  # noqa: E402
from apipaths.server import Client, Meter, Server, itsm_file, server_env  # noqa: E402

ROOT = harness.ROOT


def _payloads(prefix: str, unique: int, per_request: int, seed: int) -> list[bytes]:
    """Every alert twice, shuffled, packed *per_request* to an Alertmanager v4 payload."""
    start = datetime(2031, 3, 10, tzinfo=UTC)
    alerts = []
    for n in range(unique):
        alerts.append(
            {
                "status": "firing",
                "labels": {
                    "alertname": "HostHighCpuLoad",
                    "instance": f"srv-{n % 50:02d}",
                    "severity": "warning",
                    "n": str(n),
                },
                "annotations": {"summary": f"CPU high {n}"},
                "startsAt": (start + timedelta(seconds=n)).isoformat().replace("+00:00", "Z"),
                "endsAt": "0001-01-01T00:00:00Z",
                "fingerprint": f"{prefix}-{n:08d}",
            }
        )
    sent = alerts + alerts
    random.Random(seed).shuffle(sent)
    return [
        json.dumps(
            {
                "version": "4",
                "groupKey": "{}:{}",
                "status": "firing",
                "truncatedAlerts": 0,
                "alerts": sent[i : i + per_request],
            }
        ).encode()
        for i in range(0, len(sent), per_request)
    ]


def _opening_payloads(seed: int) -> list[bytes]:
    """One firing alert per CI (``srv-00`` … ``srv-49``): the incidents the "join" case's
    alerts are added to."""
    start = datetime(2031, 3, 9, tzinfo=UTC)
    alerts = [
        {
            "status": "firing",
            "labels": {"alertname": "HostDown", "instance": f"srv-{n:02d}", "severity": "critical"},
            "annotations": {"summary": f"srv-{n:02d} down"},
            "startsAt": (start + timedelta(seconds=n)).isoformat().replace("+00:00", "Z"),
            "endsAt": "0001-01-01T00:00:00Z",
            "fingerprint": f"open{seed}-{n:02d}",
        }
        for n in range(50)
    ]
    return [json.dumps({"version": "4", "status": "firing", "alerts": alerts}).encode()]


def _send_all(
    port: int,
    path: str,
    token: str,
    payloads: list[bytes],
    senders: int,
    *,
    stop_after: int | None = None,
    answered: list | None = None,
) -> dict:
    """Post *payloads* with *senders* threads; returns the statuses' counts and the time."""
    lock = threading.Lock()
    cursor = {"next": 0}
    counts: dict[str, int] = {}
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}

    def work():
        client = Client(port, headers)
        while True:
            with lock:
                index = cursor["next"]
                if index >= len(payloads):
                    return
                cursor["next"] += 1
            try:
                status, _body, _response = client.request("POST", path, payloads[index])
                key = str(status)
            except Exception:  # noqa: BLE001 - the server was killed: counted, resent later
                key = "error"
                client = Client(port, headers)
            with lock:
                counts[key] = counts.get(key, 0) + 1
                if answered is not None and key == "200":
                    answered.append(index)

    threads = [threading.Thread(target=work) for _ in range(senders)]
    began = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return {"statuses": counts, "seconds": time.perf_counter() - began}


def _raw_floor(
    db_url: str, payloads: list[bytes], senders: int, source_id: int
) -> tuple[float, float]:
    """The same alerts written by hand: INSERT … ON CONFLICT DO UPDATE, one transaction per
    payload, *senders* connections; returns seconds and the CPU milliseconds of their
    database backends."""
    import psycopg

    with psycopg.connect(db_url, autocommit=True) as conn:
        conn.execute("DROP TABLE IF EXISTS bench_raw_alert")
        conn.execute("CREATE TABLE bench_raw_alert (LIKE events_alert INCLUDING ALL)")
    lock = threading.Lock()
    cursor = {"next": 0}

    backend_ns = []

    def work():
        with psycopg.connect(db_url) as conn:
            backend = conn.info.backend_pid
            began = harness.process_cpu_ns([backend])
            while True:
                with lock:
                    index = cursor["next"]
                    if index >= len(payloads):
                        backend_ns.append(harness.process_cpu_ns([backend]) - began)
                        return
                    cursor["next"] += 1
                data = json.loads(payloads[index])
                now = datetime.now(UTC)
                with conn.transaction():
                    # in key order, as the product does: no deadlock between two payloads
                    for alert in sorted(
                        data["alerts"], key=lambda a: (a["fingerprint"], a["startsAt"])
                    ):
                        conn.execute(
                            "INSERT INTO bench_raw_alert (created_at, updated_at, source_id, "
                            "fingerprint, starts_at, status, alertname, summary, severity, "
                            "labels, annotations, repeat_count, last_seen, suppressed, "
                            "suppression_reason, flapping, outcome) VALUES (%s, %s, %s, %s, %s, "
                            "'firing', %s, %s, 'warning', %s, %s, 1, %s, false, '', false, '') "
                            "ON CONFLICT (source_id, fingerprint, starts_at) DO UPDATE SET "
                            "repeat_count = bench_raw_alert.repeat_count + 1, "
                            "last_seen = EXCLUDED.last_seen",
                            [
                                now,
                                now,
                                source_id,
                                alert["fingerprint"],
                                alert["startsAt"],
                                alert["labels"]["alertname"],
                                alert["annotations"]["summary"],
                                json.dumps(alert["labels"]),
                                json.dumps(alert["annotations"]),
                                now,
                            ],
                        )

    threads = [threading.Thread(target=work) for _ in range(senders)]
    began = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return time.perf_counter() - began, sum(backend_ns) / 1e6


def _setup():
    from itsm.cmdb import services as cmdb
    from itsm.core import services as core
    from itsm.core.choices import OrganisationKind

    core.create_organisation(code="provider", name="Provider", kind=OrganisationKind.PROVIDER)
    customer = core.create_organisation(code="bank", name="Bank", kind=OrganisationKind.CUSTOMER)
    server = cmdb.get_class("server")
    for n in range(50):
        cmdb.create_ci(
            name=f"srv-{n:02d}",
            identifier=f"srv-{n:02d}",
            ci_class=server,
            customer=customer,
            by=None,
        )


def _source(name: str, action: str):
    from itsm.events import services
    from itsm.events.choices import SourceKind

    source, token = services.create_source(by=None, name=name, kind=SourceKind.ALERTMANAGER)
    services.create_rule(by=None, name=name, source=source, action=action, flap_changes=0)
    return source, token


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    harness.add_database_options(parser, default_name="itsm_bench_alerts")
    parser.add_argument("--alerts", type=int, default=20000, help="alerts sent per repeat")
    parser.add_argument("--per-request", type=int, default=10)
    parser.add_argument("--senders", type=int, default=8)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, help="threads per worker (itsm serve's default)")
    parser.add_argument("--kill-alerts", type=int, default=400, help="unique alerts of (b)")
    harness.add_server_root_option(parser)
    args = parser.parse_args()
    if args.engine != "postgres":
        raise SystemExit("this benchmark runs on PostgreSQL (--engine postgres)")
    db_url = harness.use_database(args)
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    _setup()
    from django.db import connections

    from itsm.events.choices import RuleAction
    from itsm.events.models import Alert

    root = args.server_root.resolve()
    env = server_env(args, db_url, root)
    result: dict = {
        "benchmark": "alert_ingest",
        "machine": harness.machine(),
        "engine": "postgresql",
        "server_itsm": itsm_file(env, root),
        "senders": args.senders,
        "workers": args.workers,
        "threads": args.threads,
        "per_request": args.per_request,
        "alerts_per_repeat": args.alerts,
        "duplicates": 0.5,
    }
    connections.close_all()
    server = Server(args, env, root)
    meter = Meter(server, args.pg_url, args.db, set())
    runs = []
    try:
        for repeat in range(args.repeats):
            source, token = _source(f"throughput {repeat}", RuleAction.RECORD_ONLY)
            payloads = _payloads(f"r{repeat}", args.alerts // 2, args.per_request, repeat)
            path = f"/api/events/sources/{source.pk}/alertmanager/"
            connections.close_all()
            join_source, join_token = _source(f"join {repeat}", RuleAction.ADD_TO_OPEN)
            join_payloads = _payloads(f"j{repeat}", args.alerts // 2, args.per_request, repeat)
            join_path = f"/api/events/sources/{join_source.pk}/alertmanager/"
            # one open incident per CI first: the measured alerts join them
            _send_all(server.port, join_path, join_token, _opening_payloads(repeat), 1)
            connections.close_all()
            sides = ("raw", "product", "join")
            order = sides if repeat % 2 == 0 else sides[::-1]
            run: dict = {}
            for side in order:
                if side == "raw":
                    run["raw_s"], raw_db = _raw_floor(db_url, payloads, args.senders, source.pk)
                    run["raw_db_ms_per_delivery"] = raw_db / len(payloads)
                elif side == "product":
                    meter.start()
                    sent = _send_all(server.port, path, token, payloads, args.senders)
                    app_ms, db_ms = meter.stop()
                    run["product_s"] = sent["seconds"]
                    run["statuses"] = sent["statuses"]
                    run["product_app_ms_per_delivery"] = app_ms / len(payloads)
                    run["product_db_ms_per_delivery"] = db_ms / len(payloads)
                else:
                    meter.start()
                    sent = _send_all(
                        server.port, join_path, join_token, join_payloads, args.senders
                    )
                    app_ms, db_ms = meter.stop()
                    run["join_s"] = sent["seconds"]
                    run["join_statuses"] = sent["statuses"]
                    run["join_app_ms_per_delivery"] = app_ms / len(payloads)
                    run["join_db_ms_per_delivery"] = db_ms / len(payloads)
            rows = Alert.objects.filter(source=source)
            run["rows"] = rows.count()
            run["deliveries"] = sum(rows.values_list("repeat_count", flat=True))
            joined = Alert.objects.filter(source=join_source, fingerprint__startswith="j")
            run["join_rows"] = joined.count()
            run["join_deliveries"] = sum(joined.values_list("repeat_count", flat=True))
            run["join_incidents"] = joined.values("ticket_id").distinct().count()
            run["ok"] = (
                run["rows"] == args.alerts // 2
                and run["deliveries"] == args.alerts
                and run["join_rows"] == args.alerts // 2
                and run["join_deliveries"] == args.alerts
                and run["join_incidents"] == 50
            )
            runs.append(run)
            connections.close_all()
    finally:
        server.stop()

    def stat(values, digits=1):
        ordered = sorted(values)
        median = ordered[len(values) // 2]
        return {"min": round(ordered[0], digits), "median": round(median, digits)}

    product_rate = [args.alerts / r["product_s"] for r in runs]
    join_rate = [args.alerts / r["join_s"] for r in runs]
    raw_rate = [args.alerts / r["raw_s"] for r in runs]
    result["throughput"] = {
        "product_alerts_per_s": stat(product_rate),
        "join_alerts_per_s": stat(join_rate),
        "raw_alerts_per_s": stat(raw_rate),
        "ratio_raw_over_product": stat([r["product_s"] / r["raw_s"] for r in runs]),
        "ratio_raw_over_join": stat([r["join_s"] / r["raw_s"] for r in runs]),
        # CPU per delivery of --per-request alerts: the server's processes (all threads) and
        # its database backends; the raw floor's backends
        "cpu_ms_per_delivery": {
            key: stat([r[f"{key}_ms_per_delivery"] for r in runs], 2)
            for key in ("product_app", "product_db", "join_app", "join_db", "raw_db")
        },
        "runs": runs,
    }
    result["loadavg_1m_end"] = round(os.getloadavg()[0], 2)

    # (b) SIGKILL mid-stream, then everything sent again
    from itsm.desk.models import Ticket

    tickets_before = Ticket.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    source, token = _source("kill", RuleAction.OPEN_INCIDENT)
    payloads = _payloads("k", args.kill_alerts, args.per_request, 99)
    path = f"/api/events/sources/{source.pk}/alertmanager/"
    connections.close_all()
    server = Server(args, env, root)
    answered: list = []
    killer_done = threading.Event()

    first_done = threading.Event()

    def killer():
        # (a first pass that answers nothing but errors must not hang the benchmark)
        while len(answered) < len(payloads) // 3 and not first_done.is_set():
            time.sleep(0.01)
        for pid in reversed(server.pids()):
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        killer_done.set()

    thread = threading.Thread(target=killer)
    thread.start()
    first = _send_all(server.port, path, token, payloads, args.senders, answered=answered)
    first_done.set()
    thread.join()
    server.process.wait()
    before_resend = Alert.objects.filter(source=source).count()
    server = Server(args, env, root)
    try:
        second = _send_all(server.port, path, token, payloads, args.senders)
    finally:
        server.stop()
    alerts = Alert.objects.filter(source=source)
    tickets = Ticket.objects.filter(pk__in=alerts.values("ticket_id"))
    incidents = Ticket.objects.filter(channel="monitoring", pk__gt=tickets_before).count()
    result["sigkill"] = {
        "unique_alerts": args.kill_alerts,
        "payloads": len(payloads),
        "first_pass": first["statuses"],
        "rows_before_resend": before_resend,
        "resend": second["statuses"],
        "rows": alerts.count(),
        "alerts_lost": args.kill_alerts - alerts.count(),
        "alerts_without_incident": alerts.filter(ticket__isnull=True).count(),
        "incidents": incidents,
        # every incident of the run must be the one incident of one stored alert
        "duplicated_incidents": incidents - tickets.count(),
        "deliveries": sum(alerts.values_list("repeat_count", flat=True)),
    }
    connections.close_all()
    harness.emit(result)
    harness.drop_database(args)


if __name__ == "__main__":
    main()
