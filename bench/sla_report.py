"""The monthly SLA report at scale (issue 10 item 3): page, API and Excel against raw SQL.

Run::

    .venv/bin/python bench/sla_report.py                      # PostgreSQL, 100 000 clocks
    .venv/bin/python bench/sla_report.py --clocks 1000000
    .venv/bin/python bench/sla_report.py --engine sqlite --clocks 20000

Creates its own database (``--db``, default ``itsm_bench_sla_report``; dropped at the end
unless ``--keep``), migrates it, creates two customers with one agreement each (eight
response/resolution targets on A's, two on B's), then loads ``--clocks`` clocks with one
``INSERT … SELECT`` over a series (``generate_series`` / a recursive counter on SQLite), no
Python rows. Every clock's outcome falls in March 2026 (local time) except these edge cases:
1 in 20 cancelled, 1 in 20 running without a breach, 1 in 20 stopped in February; 1 in 20
paused and 1 in 20 running after their breach in March; clocks straddle the month start; a
stopped clock over its goal without the breach flag counts as breached; about half of the
measured clocks breached. 90 % belong to customer A's agreement, 10 % to B's.

Timed, each interleaved with the raw SQL of the same aggregates (``harness.measure``, min /
median over ``--repeats``, CPU per call for this process and the PostgreSQL backend):

- ``monthly_page_staff`` / ``monthly_page_customer``: ``GET /slm/reports/monthly/`` of A's
  agreement for March through the real view (middleware, template), as provider staff and
  as A's customer user; raw: the per-target counts (``COUNT(*) FILTER …`` grouped by target
  and metric; the customer's adds ``customer_id =``) and the 20 first breaches;
- ``achievement_page``: ``GET /slm/reports/?start=2026-03&end=2026-03`` (staff);
- ``monthly_api``: ``GET /api/slm/reports/monthly/`` (staff), same raw floor;
- ``excel``: ``GET /slm/reports/monthly.xlsx`` read to its end; raw: the counts plus every
  breach row of the month fetched by the cursor.

Memory: the Excel export runs again in a fresh child process (``--child-excel``) that reports
its RSS before the request, after it, and its peak (``ru_maxrss``); ``growth_mb`` is peak −
before and ``returned`` says whether RSS after is within 10 MB of before.

Prints ONE JSON object.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import harness  # noqa: E402

MONTH = "2026-03"
BREACH_PAGE = 20


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    harness.add_database_options(parser, default_name="itsm_bench_sla_report")
    parser.add_argument("--clocks", type=int, default=100_000, help="clocks to load")
    parser.add_argument("--samples", type=int, default=5, help="samples per case and repeat")
    parser.add_argument(
        "--excel-samples", type=int, default=1, help="Excel samples per repeat (slow)"
    )
    parser.add_argument(
        "--excel-repeats", type=int, default=None, help="Excel repeats (default: --repeats)"
    )
    parser.add_argument("--child-excel", action="store_true", help=argparse.SUPPRESS)
    return parser


# --- data ----------------------------------------------------------------------------------------


def _setup():
    """Organisations, users, a calendar, a service, two agreements and their targets."""
    from decimal import Decimal

    from itsm.catalog.models import Service, ServiceCategory
    from itsm.core import services as core_services
    from itsm.core.calendars.models import BusinessCalendar
    from itsm.core.choices import OrganisationKind, Role
    from itsm.slm.models import Agreement, Target

    provider = core_services.create_organisation(
        code="provider", name="Provider", kind=OrganisationKind.PROVIDER
    )
    customers = [
        core_services.create_organisation(
            code=f"cust-{c}", name=f"Customer {c}", kind=OrganisationKind.CUSTOMER
        )
        for c in "AB"
    ]
    core_services.create_user(
        username="bench-staff",
        organisation=provider,
        password="Bench-only-2026!",
        roles=(Role.SERVICE_LEVEL_MANAGER,),
        email="staff@example.com",
    )
    core_services.create_user(
        username="bench-customer",
        organisation=customers[0],
        password="Bench-only-2026!",
        roles=(Role.CUSTOMER_CONTACT,),
        email="customer@example.com",
    )
    calendar = BusinessCalendar.objects.create(
        code="bench-24x7", name="24x7", time_zone="Asia/Shanghai"
    )
    category = ServiceCategory.objects.create(code="BENCH", name="Bench")
    service = Service.objects.create(
        category=category, code="SVC-BENCH", name="Bench service", status="published"
    )
    agreements, targets = [], {}
    for index, customer in enumerate(customers):
        agreement = Agreement.objects.create(
            number=f"SLA-B{index + 1:05d}",
            kind="sla",
            title=f"Bench agreement {customer.name}",
            status="active",
            customer=customer,
            calendar=calendar,
        )
        agreements.append(agreement)
        for k in range(8):
            metric = "response" if k < 4 else "resolution"
            targets[(index, k)] = Target.objects.create(
                agreement=agreement,
                service=service,
                priority=f"p{k % 4 + 1}",
                metric=metric,
                target_value=Decimal(60),
                unit="minutes",
            ).pk
    return customers, agreements, targets, service, calendar


def _load(args, customers, agreements, targets, service, calendar) -> float:
    """Every clock in one INSERT … SELECT (see the module docstring for the shapes)."""
    from django.contrib.contenttypes.models import ContentType
    from django.db import connection

    from itsm.slm.models import Agreement

    ct = ContentType.objects.get_for_model(Agreement).pk
    pg = connection.vendor == "postgresql"
    mapping = ", ".join(
        f"({i}, {k}, {targets[(i, k)]}, {agreements[i].pk}, {customers[i].pk})"
        for i in range(2)
        for k in range(8)
    )
    # local March 2026 = [2026-02-28 16:00 UTC, 2026-03-31 16:00 UTC)
    if pg:
        series = f"SELECT generate_series(1, {int(args.clocks)}) AS n"
        ts = "(timestamptz '2026-02-28 16:00:00+00' + ({}) * interval '1 second')"
        now = "now()"
        true, false = "true", "false"
    else:
        series = (
            "WITH RECURSIVE s(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM s "
            f"WHERE n < {int(args.clocks)}) SELECT n FROM s"
        )
        ts = "strftime('%Y-%m-%d %H:%M:%S', '2026-02-28 16:00:00', ({}) || ' seconds')"
        now = "strftime('%Y-%m-%d %H:%M:%S', 'now')"
        true, false = "1", "0"
    # seconds into the month of the outcome; February for shape 19
    offset = (
        "CASE WHEN s.n % 20 = 19 THEN -86400 - s.n % 86400 "
        "ELSE (CAST(s.n AS BIGINT) * 7919) % 2678000 END"
    )
    outcome = ts.format(offset)
    started = ts.format(f"({offset}) - 7200")
    shape = "s.n % 20"
    state = (
        f"CASE {shape} WHEN 0 THEN 'cancelled' WHEN 1 THEN 'running' WHEN 2 THEN 'paused' "
        "WHEN 3 THEN 'running' ELSE 'stopped' END"
    )
    breached_flag = (
        f"CASE WHEN {shape} IN (2, 3) THEN {true} WHEN {shape} IN (0, 1, 4, 14) THEN {false} "
        f"WHEN s.n % 2 = 1 THEN {true} ELSE {false} END"
    )
    over = f"({shape} IN (2, 3, 4, 14) OR ({shape} NOT IN (0, 1) AND s.n % 2 = 1))"
    sql = f"""
        INSERT INTO clocks_clock (
            created_at, updated_at, content_type_id, object_id, record_label, customer_id,
            agreement_id, target_id, service_id, metric, priority, calendar_id, goal_seconds,
            warning_percent, state, started_at, stopped_at, elapsed_seconds, segment_started_at,
            warn_at, due_at, next_event_at, level, warned_at, breached_at, breached,
            breach_cause, unconfirmed_years, pause_reason
        )
        SELECT {now}, {now}, {ct}, s.n, 'INC-' || s.n, m.customer_id, m.agreement_id,
            m.target_id, {service.pk}, CASE WHEN m.k < 4 THEN 'response' ELSE 'resolution' END,
            'p' || (m.k % 4 + 1), {calendar.pk}, 3600, 75, {state}, {started},
            CASE WHEN {shape} IN (1, 2, 3) THEN NULL ELSE {outcome} END,
            CASE WHEN {over} THEN 3600 + s.n % 5000 ELSE s.n % 3600 END,
            CASE WHEN {shape} IN (1, 3) THEN {started} ELSE NULL END,
            NULL, {started}, NULL, CASE WHEN {breached_flag} = {true} THEN 2 ELSE 0 END, NULL,
            CASE WHEN {breached_flag} = {true} THEN {outcome} ELSE NULL END,
            {breached_flag},
            CASE WHEN s.n % 7 = 0 AND {breached_flag} = {true} THEN 'cause ' || s.n ELSE '' END,
            '[]', ''
        FROM ({series}) AS s
        JOIN (
            SELECT column1 AS i, column2 AS k, column3 AS target_id, column4 AS agreement_id,
                column5 AS customer_id
            FROM (VALUES {mapping}) AS v
        ) AS m
          ON m.i = CASE WHEN s.n % 10 = 9 THEN 1 ELSE 0 END AND m.k = (s.n / 20) % 8
    """
    began = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute(sql)  # no parameters: '%' is the modulo
        cursor.execute("ANALYZE clocks_clock" if pg else "ANALYZE")
    return time.perf_counter() - began


# --- the raw floor -------------------------------------------------------------------------------

_MEASURED = (
    "agreement_id = %s AND metric IN ('resolution', 'response') AND ("
    "(state = 'stopped' AND stopped_at >= %s AND stopped_at < %s) OR "
    "(state IN ('running', 'paused') AND breached AND breached_at >= %s AND breached_at < %s))"
)
_BREACHED = "(breached OR (state = 'stopped' AND elapsed_seconds > goal_seconds))"


def _raw(period, agreement_id, customer_id=None, *, breaches: int | None = BREACH_PAGE):
    """The raw SQL of the report's aggregates: counts per target and metric, then the
    breaches (the first *breaches*, or all of them for ``None``)."""
    from django.db import connection

    where = _MEASURED + (" AND customer_id = %s" if customer_id else "")
    start, end = period
    params = [agreement_id, start, end, start, end] + ([customer_id] if customer_id else [])
    counts = (
        f"SELECT target_id, metric, COUNT(*), COUNT(*) FILTER (WHERE {_BREACHED}) "
        f"FROM clocks_clock WHERE {where} GROUP BY target_id, metric ORDER BY 1, 2"
    )
    rows = (
        "SELECT c.id, c.record_label, c.metric, c.priority, c.state, c.due_at, c.breached_at, "
        "c.stopped_at, c.elapsed_seconds, c.goal_seconds, c.breach_cause, s.code, s.name "
        "FROM clocks_clock c LEFT JOIN catalog_service s ON s.id = c.service_id "
        f"WHERE {where.replace('agreement_id', 'c.agreement_id')} AND {_BREACHED} "
        "ORDER BY CASE WHEN c.state = 'stopped' THEN c.stopped_at ELSE c.breached_at END, c.id"
        + (f" LIMIT {breaches}" if breaches else "")
    )

    def run():
        with connection.cursor() as cursor:
            cursor.execute(counts, params)
            cursor.fetchall()
            cursor.execute(rows, params)
            fetched = 0
            while batch := cursor.fetchmany(2000):
                fetched += len(batch)
            return fetched

    return run


# --- the child process measuring the Excel export's memory ---------------------------------------


def _rss_kb() -> int:
    with open("/proc/self/status") as handle:
        for line in handle:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def _hwm_kb() -> int:
    with open("/proc/self/status") as handle:
        for line in handle:
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    return 0


def child_excel(args) -> None:
    """In a fresh process: RSS before / after one Excel request and the peak (ru_maxrss)."""
    import django

    django.setup()
    from django.test import Client

    from itsm.core.models import User
    from itsm.slm.models import Agreement

    client = Client()
    client.force_login(User.objects.get(username="bench-staff"))
    agreement = Agreement.objects.get(number="SLA-B00001")
    url = f"/slm/reports/monthly.xlsx?agreement={agreement.pk}&month={MONTH}"
    client.get("/slm/reports/monthly/?agreement=0")  # warm the URL conf and templates
    import gc

    gc.collect()
    before = _rss_kb()
    peak_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    try:  # reset the peak (VmHWM) to the current RSS, so it is the request's peak
        with open("/proc/self/clear_refs", "w") as handle:
            handle.write("5")
        hwm_reset = True
    except OSError:
        hwm_reset = False
    began = time.perf_counter()
    response = client.get(url)
    size = 0
    if response.streaming:
        for chunk in response.streaming_content:
            size += len(chunk)
    else:
        size = len(response.content)
    response.close()
    wall = time.perf_counter() - began
    del response
    gc.collect()
    after = _rss_kb()
    peak = _hwm_kb() if hwm_reset else resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    json.dump(
        {
            "status": 200,
            "bytes": size,
            "wall_s": round(wall, 2),
            "rss_before_mb": round(before / 1024, 1),
            "rss_after_mb": round(after / 1024, 1),
            "peak_mb": round(peak / 1024, 1),
            "peak_before_request_mb": round(peak_before / 1024, 1),
            "peak_is_the_request_s": hwm_reset,
            "growth_mb": round((peak - before) / 1024, 1),
            "retained_mb": round((after - before) / 1024, 1),
            "returned": after - before <= 10 * 1024,
        },
        sys.stdout,
    )


def _excel_memory(args) -> dict:
    command = [
        sys.executable,
        __file__,
        "--child-excel",
        "--engine",
        args.engine,
        "--db",
        str(args.db),
        "--pg-url",
        args.pg_url,
    ]
    env = dict(os.environ)
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    if done.returncode:
        return {"error": done.stderr[-2000:]}
    return json.loads(done.stdout.strip().splitlines()[-1])


# --- main ----------------------------------------------------------------------------------------


def main() -> None:
    args = _parser().parse_args()
    if args.child_excel:
        harness.use_database(args, fresh=False)
        child_excel(args)
        return
    harness.use_database(args)
    os.environ.setdefault("ITSM_EMBEDDED_WORKER", "0")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client

    # one backend for the whole run (the test client closes a CONN_MAX_AGE=0 connection after
    # each request), so the backend's CPU is measurable per call
    connection.settings_dict["CONN_MAX_AGE"] = None
    connection.close()

    import itsm
    from itsm.core.models import User
    from itsm.slm.clocks.models import Clock
    from itsm.slm.reporting import selectors as reports

    call_command("migrate", verbosity=0, interactive=False)
    customers, agreements, targets, service, calendar = _setup()
    load_seconds = _load(args, customers, agreements, targets, service, calendar)
    period = reports.month_period(reports.parse_month(MONTH))
    agreement = agreements[0]

    staff = Client()
    staff.force_login(User.objects.get(username="bench-staff"))
    customer = Client()
    customer.force_login(User.objects.get(username="bench-customer"))
    monthly = f"/slm/reports/monthly/?agreement={agreement.pk}&month={MONTH}"
    api = f"/api/slm/reports/monthly/?agreement={agreement.pk}&month={MONTH}"
    achievement = f"/slm/reports/?start={MONTH}&end={MONTH}"
    excel = f"/slm/reports/monthly.xlsx?agreement={agreement.pk}&month={MONTH}"
    sizes: dict = {}

    def get(client, url, name):
        def call():
            response = client.get(url)
            assert response.status_code == 200, (url, response.status_code)
            if response.streaming:
                size = sum(len(chunk) for chunk in response.streaming_content)
            else:
                size = len(response.content)
            response.close()
            sizes[name] = size
            return size

        return call

    report = reports.monthly_report(
        user=User.objects.get(username="bench-staff"),
        agreement=agreement,
        month=reports.parse_month(MONTH),
    )
    pids = harness.backend_pids()
    cases = {
        "monthly_page_staff": (
            get(staff, monthly, "monthly_page_staff"),
            _raw(period, agreement.pk),
        ),
        "monthly_page_customer": (
            get(customer, monthly, "monthly_page_customer"),
            _raw(period, agreement.pk, customers[0].pk),
        ),
        "achievement_page": (
            get(staff, achievement, "achievement_page"),
            _raw(period, agreement.pk),
        ),
        "monthly_api": (get(staff, api, "monthly_api"), _raw(period, agreement.pk)),
    }
    result = harness.measure(
        cases, samples=args.samples, repeats=args.repeats, backend_pids=pids, warmup=1
    )
    result.update(
        harness.measure(
            {"excel": (get(staff, excel, "excel"), _raw(period, agreement.pk, breaches=None))},
            samples=args.excel_samples,
            repeats=args.excel_repeats or args.repeats,
            backend_pids=pids,
            warmup=0,
        )
    )
    memory = _excel_memory(args)
    harness.emit(
        {
            "benchmark": "slm.reporting.monthly",
            "code": str(Path(itsm.__file__).resolve().parent.parent),
            "database": connection.vendor,
            "machine": harness.machine(),
            "clocks": Clock.objects.count(),
            "load_seconds": round(load_seconds, 1),
            "report": {
                "measured": report.measured,
                "breached": report.breached,
                "achievement": report.achievement,
            },
            "response_bytes": sizes,
            "cases": result,
            "excel_memory": memory,
            "targets": {
                "monthly_page_ms_max": 300 if args.clocks <= 100_000 else 2000,
                "excel_ms_max": 5000,
                "excel_growth_mb_max": 50,
            },
        }
    )
    harness.drop_database(args)


if __name__ == "__main__":
    main()
