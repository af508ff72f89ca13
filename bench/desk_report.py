"""The monthly service desk report at scale (issue 11): page, API and the selectors against
the raw SQL of the same aggregates.

Run::

    .venv/bin/python bench/desk_report.py                       # PostgreSQL, 100 000 tickets
    .venv/bin/python bench/desk_report.py --tickets 1000000

Creates its own database (``--db``, default ``itsm_reports_bench``; dropped at the end unless
``--keep``), migrates it, creates two customers (90 % / 10 % of the rows), 20 categories and 50
CIs, then loads with ``INSERT … SELECT generate_series`` (no Python rows): ``--tickets`` tickets
opened over the 12 months April 2025 – March 2026 (half incidents, a third requests, the rest
consultations; 70 % resolved, half of those closed, 5 % cancelled, 80 % complete), one CI on
every third incident, a dispatch per ticket (every tenth dispatched twice, every tenth first
dispatch returned), response and resolution clocks of every incident (a fifth breached), a
survey on every fourth ticket and a call for every second ticket.

Timed, each interleaved with the raw SQL of the same aggregates (the statements the selectors
send, captured once and replayed through the cursor; ``harness.measure``, min / median over
``--repeats``, CPU per call of this process and of the PostgreSQL backend):

- ``page_staff`` / ``page_customer``: ``GET /desk/reports/?month=2026-03`` through the real
  view (middleware, template), as provider staff and as the big customer's user;
- ``api_staff``: ``GET /api/desk/reports/?month=2026-03``;
- ``selectors_staff``: ``desk_report()`` alone.

Prints ONE JSON object.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import harness  # noqa: E402

MONTH = "2026-03"


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    harness.add_database_options(parser, default_name="itsm_reports_bench")
    parser.add_argument("--tickets", type=int, default=100_000, help="tickets to load")
    parser.add_argument("--samples", type=int, default=5, help="samples per case and repeat")
    return parser


def _setup():
    from itsm.cmdb import services as cmdb_services
    from itsm.core import services as core_services
    from itsm.core.calendars.models import BusinessCalendar
    from itsm.core.choices import OrganisationKind, Role
    from itsm.desk.models import Category

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
        roles=(Role.SERVICE_DESK,),
        email="staff@example.com",
    )
    core_services.create_user(
        username="bench-customer",
        organisation=customers[0],
        password="Bench-only-2026!",
        roles=(Role.CUSTOMER_CONTACT,),
        email="customer@example.com",
    )
    team = core_services.create_team(code="bench-desk", name="Desk", organisation=provider)
    calendar = BusinessCalendar.objects.create(
        code="bench-24x7", name="24x7", time_zone="Asia/Shanghai"
    )
    categories = [
        Category.objects.create(code=f"bench.c{i}", name=f"Category {i}").pk for i in range(20)
    ]
    ci_class = cmdb_services.get_class("application")
    cis = [
        cmdb_services.create_ci(
            name=f"Bench app {i}", ci_class=ci_class, by=None, customer=customers[i % 2]
        ).pk
        for i in range(50)
    ]
    return customers, team, calendar, categories, cis


def _load(args, customers, team, calendar, categories, cis) -> float:
    from django.contrib.contenttypes.models import ContentType
    from django.db import connection

    from itsm.desk.models import Ticket

    began = time.perf_counter()
    n = args.tickets
    a, b = customers[0].pk, customers[1].pk
    ct = ContentType.objects.get_for_model(Ticket).pk
    # opened: spread over 365 days ending 2026-04-01 00:00 Asia/Shanghai
    opened = "(TIMESTAMPTZ '2026-04-01 00:00+08' - (g * 31536000.0 / %(n)s) * INTERVAL '1 second')"
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            INSERT INTO desk_ticket (created_at, updated_at, version, number, kind, title,
              description, status, impact, urgency, priority, form_data, customer_id,
              contact_email, channel, opened_at, resolved_at, closed_at, breached,
              resolution_code, resolution, is_major, time_spent_minutes, return_count,
              reassignment_count, reopen_count, escalation_level, missing_fields, is_complete,
              flapping, category_id)
            SELECT o, o, 1, 'T-' || g, k, 'Ticket ' || g, '',
              CASE WHEN g %% 20 = 0 THEN 'cancelled' WHEN g %% 10 < 7
                   THEN CASE WHEN g %% 2 = 0 THEN 'closed' ELSE 'resolved' END
                   ELSE 'in_progress' END,
              '2', '2', 'p3', '{{}}', CASE WHEN g %% 10 = 9 THEN %(b)s ELSE %(a)s END,
              '', 'phone', o,
              CASE WHEN g %% 20 <> 0 AND g %% 10 < 7 THEN o + (g %% 97) * INTERVAL '1 hour' END,
              CASE WHEN g %% 20 <> 0 AND g %% 10 < 7 AND g %% 2 = 0
                   THEN o + (g %% 97 + 24) * INTERVAL '1 hour' END,
              false, '', '', false, 0, 0, CASE WHEN g %% 13 = 0 THEN 1 ELSE 0 END, 0, 0,
              '[]', g %% 5 <> 0, false, (%(categories)s::bigint[])[1 + g %% 20]
            FROM (SELECT g, {opened} AS o,
                         CASE WHEN g %% 6 < 3 THEN 'incident' WHEN g %% 6 < 5 THEN 'request'
                              ELSE 'consultation' END AS k
                  FROM generate_series(1, %(n)s) g) s
            """,
            {"n": n, "a": a, "b": b, "categories": categories},
        )
        cursor.execute(
            """
            INSERT INTO desk_ticket_cis (ticket_id, configurationitem_id)
            SELECT id, (%(cis)s::bigint[])[1 + id %% 50] FROM desk_ticket
            WHERE kind = 'incident' AND id %% 3 = 0
            """,
            {"cis": cis},
        )
        cursor.execute(
            """
            INSERT INTO desk_assignment (ticket_id, team_id, at, returned_at, return_reason)
            SELECT id, %(team)s, opened_at + INTERVAL '10 minutes',
                   CASE WHEN id %% 10 = 3 THEN opened_at + INTERVAL '1 hour' END, ''
            FROM desk_ticket
            UNION ALL
            SELECT id, %(team)s, opened_at + INTERVAL '2 hours', NULL, ''
            FROM desk_ticket WHERE id %% 10 = 7
            """,
            {"team": team.pk},
        )
        cursor.execute(
            """
            INSERT INTO clocks_clock (created_at, updated_at, content_type_id, object_id,
              record_label, customer_id, metric, priority, calendar_id, goal_seconds,
              warning_percent, state, started_at, stopped_at, elapsed_seconds, segment_started_at,
              level, breached, breached_at, breach_cause, unconfirmed_years, pause_reason)
            SELECT t.opened_at, t.opened_at, %(ct)s, t.id, t.number, t.customer_id, m.metric,
              'p3', %(calendar)s, 3600, 75,
              CASE WHEN t.resolved_at IS NULL THEN 'running' ELSE 'stopped' END,
              t.opened_at,
              CASE WHEN t.resolved_at IS NOT NULL THEN
                CASE WHEN m.metric = 'response' THEN t.opened_at + INTERVAL '20 minutes'
                     ELSE t.resolved_at END END,
              CASE WHEN t.id %% 5 = 0 THEN 7200 ELSE 600 END,
              CASE WHEN t.resolved_at IS NULL THEN t.opened_at END,
              0, t.id %% 5 = 0,
              CASE WHEN t.id %% 5 = 0 THEN t.opened_at + INTERVAL '1 hour' END, '', '[]', ''
            FROM desk_ticket t CROSS JOIN (VALUES ('response'), ('resolution')) m(metric)
            WHERE t.kind = 'incident'
            """,
            {"ct": ct, "calendar": calendar.pk},
        )
        cursor.execute(
            """
            INSERT INTO desk_survey (created_at, updated_at, ticket_id, nonce, sent_at, score,
              comment, channel, answered_at)
            SELECT resolved_at, resolved_at, id, 'n' || id, resolved_at, 1 + id % 5, '',
                   'portal', resolved_at + INTERVAL '1 day'
            FROM desk_ticket WHERE resolved_at IS NOT NULL AND id % 4 = 0
            """
        )
        cursor.execute(
            f"""
            INSERT INTO desk_call (created_at, updated_at, version, caller_name, caller_phone,
              organisation_id, started_at, ended_at, answered, outcome, note)
            SELECT o, o, 1, 'Caller', '', CASE WHEN g %% 10 = 9 THEN %(b)s ELSE %(a)s END, o,
                   CASE WHEN g %% 7 <> 0 THEN o + (60 + g %% 600) * INTERVAL '1 second' END,
                   g %% 8 <> 0,
                   CASE WHEN g %% 8 = 0 THEN 'missed' WHEN g %% 3 = 0 THEN 'no_record'
                        ELSE 'ticket' END, ''
            FROM (SELECT g, {opened} AS o FROM generate_series(1, %(calls)s) g) s
            """,
            {"n": n // 2, "calls": n // 2, "a": a, "b": b},
        )
        for table in (
            "desk_ticket",
            "desk_ticket_cis",
            "desk_assignment",
            "clocks_clock",
            "desk_survey",
            "desk_call",
            "cmdb_configurationitem",
            "desk_category",
        ):
            cursor.execute(f"VACUUM ANALYZE {table}")
    return time.perf_counter() - began


def main() -> None:
    args = _parser().parse_args()
    harness.use_database(args)
    os.environ.setdefault("ITSM_EMBEDDED_WORKER", "0")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection, transaction
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    connection.settings_dict["CONN_MAX_AGE"] = None
    connection.close()

    import itsm
    from itsm.core.models import User
    from itsm.desk.reporting import selectors as reports

    call_command("migrate", verbosity=0, interactive=False)
    setup = _setup()
    load_seconds = _load(args, *setup)
    staff_user = User.objects.get(username="bench-staff")
    customer_user = User.objects.get(username="bench-customer")
    period = reports.resolve_period(month=MONTH)
    reports.ticket_content_type()

    def raw_of(fn):
        """The statements *fn* sends, replayed through the cursor (the floor)."""
        with CaptureQueriesContext(connection) as captured:
            fn()
        statements = [q["sql"] for q in captured.captured_queries]
        # the reads and the report transaction's SET LOCAL (jit), replayed in a transaction
        statements = [
            s for s in statements if s.lstrip().upper().startswith(("SELECT", "WITH", "SET"))
        ]

        def replay():
            with transaction.atomic(), connection.cursor() as cursor:
                for sql in statements:
                    cursor.execute(sql)
                    if cursor.description is not None:
                        cursor.fetchall()

        return replay, len([s for s in statements if not s.upper().startswith("SET")])

    def selectors(user):
        return lambda: reports.desk_report(user=user, period=period)

    staff, customer = Client(), Client()
    staff.force_login(staff_user)
    customer.force_login(customer_user)

    def get(client, url):
        def call():
            response = client.get(url)
            assert response.status_code == 200, (url, response.status_code)
            return len(response.content)

        return call

    raw_staff, statements_staff = raw_of(selectors(staff_user))
    raw_customer, statements_customer = raw_of(selectors(customer_user))
    pids = harness.backend_pids()
    cases = {
        "selectors_staff": (selectors(staff_user), raw_staff),
        "page_staff": (get(staff, f"/desk/reports/?month={MONTH}"), raw_staff),
        "page_customer": (get(customer, f"/desk/reports/?month={MONTH}"), raw_customer),
        "api_staff": (get(staff, f"/api/desk/reports/?month={MONTH}"), raw_staff),
    }
    result = harness.measure(
        cases, samples=args.samples, repeats=args.repeats, backend_pids=pids, warmup=1
    )
    report = reports.desk_report(user=staff_user, period=period)
    harness.emit(
        {
            "benchmark": "desk.reporting.monthly",
            "code": str(Path(itsm.__file__).resolve().parent.parent),
            "database": connection.vendor,
            "machine": harness.machine(),
            "tickets": args.tickets,
            "load_seconds": round(load_seconds, 1),
            "statements": {"staff": statements_staff, "customer": statements_customer},
            "report": {
                "opened": report.totals.opened,
                "backlog": report.totals.backlog,
                "sla_resolution": report.sla["resolution"].as_dict(),
                "first_time_dispatch": report.dispatch.as_dict() if report.dispatch else None,
                "calls": report.calls.as_dict() if report.calls else None,
            },
            "results": result,
        }
    )
    harness.drop_database(args)


if __name__ == "__main__":
    main()
