"""Historic ticket import of a full-size event log (issue 15, R-DEP-04): ≥ 2 400 event rows/s.

Run::

    .venv/bin/python bench/ticket_import.py --engine postgres [--rows 141712] [--keep]

The shared sample ``../shared/data/uci_incident_event_log_sample.csv`` (21 453 rows of the
first 3 000 incidents of the UCI ServiceNow event log) is scaled to the full log's size
(141 712 rows, by default): copy *k* of the sample has its numbers renumbered
(``INC0000045`` → ``INC0000045-k``), copies are appended until the row count is reached
(the last copy cut at that row). The database is created and migrated (``bench/harness.py``);
the file goes through the product's path as the page and the CLI use it — upload (stored),
dry run (read, mapped, checked), run (the job: batches of 1 000 incidents, each one
transaction of bulk inserts: tickets, facts, CI links, timeline rows; progress after each).
Prints ONE JSON object: rows, incidents, tickets and timeline rows written, the seconds of
each step, the rates in event rows per second (the whole path, and the run alone) and per CPU
second (application + PostgreSQL backend; what a busy shared machine does not distort).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import harness  # noqa: E402

SAMPLE = harness.ROOT.parent / "shared" / "data" / "uci_incident_event_log_sample.csv"


def scaled(rows: int) -> bytes:
    lines = SAMPLE.read_bytes().decode("utf-8-sig").rstrip("\n").split("\n")
    header, body = lines[0], lines[1:]
    out = [header]
    copy = 0
    while len(out) - 1 < rows:
        for line in body:
            number, rest = line.split(",", 1)
            out.append(f"{number}-{copy},{rest}" if copy else line)
            if len(out) - 1 == rows:
                break
        copy += 1
    return ("\n".join(out) + "\n").encode()


def main() -> None:
    parser = argparse.ArgumentParser()
    harness.add_database_options(parser, default_name="itsm_bench_ticket_import")
    parser.add_argument("--rows", type=int, default=141_712)
    args = parser.parse_args()
    if not SAMPLE.exists():
        print(f"{SAMPLE} is absent", file=sys.stderr)
        raise SystemExit(1)
    harness.use_database(args)
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from itsm.core import services as core_services
    from itsm.core.models import TimelineEntry
    from itsm.desk.imports import services
    from itsm.desk.models import Ticket

    customer = core_services.create_organisation(code="bench", name="Bench", kind="customer")
    core_services.create_organisation(code="provider", name="Provider", kind="provider")
    data = scaled(args.rows)
    timeline_before = TimelineEntry.objects.count()
    pids = harness.backend_pids() if args.engine == "postgres" else []
    cpu0, db0 = time.process_time(), harness.process_cpu_ns(pids)
    t0 = time.perf_counter()
    ticket_import = services.create_import(
        by=None, upload=data, file_name="events.csv", source="ServiceNow", customer=customer
    )
    t1 = time.perf_counter()
    ticket_import = services.dry_run(ticket_import, by=None)
    t2 = time.perf_counter()
    ticket_import = services.queue_import(ticket_import, by=None)
    ticket_import = services.run_import(ticket_import)
    t3 = time.perf_counter()
    cpu = time.process_time() - cpu0
    db_cpu = (harness.process_cpu_ns(pids) - db0) / 1e9
    again = services.create_import(
        by=None, upload=data, file_name="events.csv", source="ServiceNow", customer=customer
    )
    again = services.run_import(services.queue_import(services.dry_run(again, by=None), by=None))
    t4 = time.perf_counter()
    rows = ticket_import.total_rows
    harness.emit(
        {
            "bench": "ticket_import",
            "engine": args.engine,
            "rows": rows,
            "incidents": ticket_import.incident_count,
            "status": ticket_import.status,
            "tickets": Ticket.objects.count(),
            "timeline_rows": TimelineEntry.objects.count() - timeline_before,
            "seconds": {
                "upload": round(t1 - t0, 2),
                "dry_run": round(t2 - t1, 2),
                "run": round(t3 - t2, 2),
                "total": round(t3 - t0, 2),
                "second_import_total": round(t4 - t3, 2),
            },
            "rows_per_second": {
                "total": round(rows / (t3 - t0)),
                "run": round(rows / (t3 - t2)),
            },
            # CPU seconds of the application and of the PostgreSQL backend over upload, dry
            # run and run: on a busy shared machine the wall time measures the queue for the
            # cores, the CPU time what the import costs
            "cpu_seconds": {"app": round(cpu, 2), "database": round(db_cpu, 2)},
            "rows_per_cpu_second": round(rows / max(cpu + db_cpu, 1e-9)),
            "second_import": {"created": again.created_count, "unchanged": again.unchanged_count},
            "machine": harness.machine(),
        }
    )
    harness.drop_database(args)


if __name__ == "__main__":
    main()
