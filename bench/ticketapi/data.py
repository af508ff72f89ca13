"""What ``bench/ticket_api.py`` loads: the demo, the desk's configuration made through the
services (matrix, categories, four assignment groups with engineers, ordered dispatch rules,
one of them round-robin), then ``--tickets`` tickets in bulk SQL (no Python rows) with
their dispatch rows, SLA clocks, surveys and calls, and ``VACUUM ANALYZE``."""

from __future__ import annotations

import io
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

PASSWORD = "Bench-only-2026!"
#: bench assignment groups: code → (name, engineers)
GROUPS = {
    "bench-server": ("Server line 2 (bench)", 4),
    "bench-app": ("Application support (bench)", 3),
    "bench-net": ("Network (bench)", 3),
    "bench-desk": ("Service desk (bench)", 2),
}
CATEGORIES = ("hardware", "software", "network", "account", "printing")
#: the loaded tickets' customers (demo codes) and their share in percent
CUSTOMER_SHARES = {"huaxin-bank": 55, "city-hospital": 30, "east-logistics": 15}
#: statuses of the loaded tickets, in per mille: mostly closed, a working queue open
STATUS_SHARES = {
    "closed": 820,
    "resolved": 40,
    "cancelled": 20,
    "new": 10,
    "assigned": 40,
    "in_progress": 45,
    "pending_customer": 15,
    "pending_supplier": 5,
    "pending_change": 5,
}
PRIORITY_SHARES = {"p1": 2, "p2": 13, "p3": 55, "p4": 30}
#: resolution targets (hours) by priority, for the open tickets' due times
DUE_HOURS = {"p1": 4, "p2": 8, "p3": 24, "p4": 40}
KIND_SHARES = {"incident": 55, "request": 35, "consultation": 10}
#: a ticket's opening times are spread over this many days before the load
SPREAD_DAYS = 730
#: the queue's filter (bench case) and the month of the report
QUEUE_STATUSES = ("assigned", "in_progress")
QUEUE_PRIORITY = "p3"
QUEUE_CUSTOMER = "huaxin-bank"
QUEUE_GROUP = "bench-server"


def setup_desk() -> dict:
    """The desk's configuration through the services (once: kept with ``--reuse``)."""
    from itsm.catalog.selectors import published_services
    from itsm.core import services as core_services
    from itsm.core.choices import Role
    from itsm.core.models import Organisation, Team, User
    from itsm.desk.models import Category, DispatchRule
    from itsm.desk.services import config
    from itsm.slm.models import Agreement

    admin = User.objects.get(username="admin")
    provider = Organisation.objects.get(code="provider")
    config.ensure_default_matrix(by=admin)
    for code in CATEGORIES:
        if not Category.objects.filter(code=f"bench.{code}").exists():
            config.create_category(by=admin, code=f"bench.{code}", name=f"Bench {code}")
    for code, (name, engineers) in GROUPS.items():
        if Team.objects.filter(code=code).exists():
            continue
        members = [
            core_services.create_user(
                username=f"{code}-{n}",
                organisation=provider,
                password=PASSWORD,
                roles=(Role.ENGINEER_L2,),
                email=f"{code}-{n}@example.com",
            )
            for n in range(1, engineers + 1)
        ]
        core_services.create_team(
            code=code, name=name, organisation=provider, members=members, leader=members[0]
        )
    teams = {t.code: t for t in Team.objects.filter(code__in=list(GROUPS))}
    customers = {o.code: o for o in Organisation.objects.filter(code__in=list(CUSTOMER_SHARES))}
    huaxin = customers[QUEUE_CUSTOMER]
    agreement = Agreement.objects.filter(customer=huaxin, status="active").first()
    if agreement is None:
        raise SystemExit("the demo has no active SLA for huaxin-bank")
    offered = set(published_services(customer=huaxin).values_list("pk", flat=True))
    service = agreement.services.filter(pk__in=offered).order_by("pk").first()
    if service is None:
        raise SystemExit("the huaxin-bank SLA covers no published service")
    categories = {
        c.code.split(".", 1)[1]: c for c in Category.objects.filter(code__startswith="bench.")
    }
    if not DispatchRule.objects.filter(name__startswith="bench:").exists():
        # ordered as a desk would: specific rules first, a catch-all last; the creates match
        # the third after testing the first two
        rules = [
            {"order": 10, "name": "bench: network", "category": categories["network"],
             "team": teams["bench-net"], "assign_mode": "round_robin"},
            {"order": 20, "name": "bench: hospital requests", "kind": "request",
             "customer": customers["city-hospital"], "team": teams["bench-app"],
             "assign_mode": "least_loaded"},
            {"order": 30, "name": "bench: service incidents", "kind": "incident",
             "service": service, "team": teams["bench-server"], "assign_mode": "round_robin"},
            {"order": 90, "name": "bench: everything else", "team": teams["bench-desk"]},
        ]  # fmt: skip
        for rule in rules:
            config.create_dispatch_rule(by=admin, **rule)
    return {
        "customer_id": huaxin.pk,
        "customers": {code: org.pk for code, org in customers.items()},
        "service_id": service.pk,
        "agreement_id": agreement.pk,
        "category_id": categories["hardware"].pk,
        "categories": [categories[c].pk for c in CATEGORIES],
        "teams": {code: team.pk for code, team in teams.items()},
    }


# --- bulk load -----------------------------------------------------------------------------------


def _case(expression: str, shares: dict, total: int, quote: bool = True) -> str:
    """``CASE`` picking a value by *expression* (0 … total-1) with the given *shares*."""
    parts, bound = [], 0
    items = list(shares.items())
    for value, share in items[:-1]:
        bound += share
        parts.append(f"WHEN {expression} < {bound} THEN {_q(value) if quote else value}")
    last = items[-1][0]
    return f"CASE {' '.join(parts)} ELSE {_q(last) if quote else last} END"


def _q(value) -> str:
    return "'" + str(value).replace("'", "''") + "'" if isinstance(value, str) else str(value)


class _Dialect:
    """The SQL that differs between PostgreSQL and SQLite in the loader."""

    def __init__(self, vendor: str):
        self.pg = vendor == "postgresql"

    def series(self, n: int) -> str:
        if self.pg:
            return f"generate_series(1::bigint, {n}) AS s(g)"
        return (
            "(WITH RECURSIVE s(g) AS (SELECT 1 UNION ALL SELECT g + 1 FROM s "
            f"WHERE g < {n}) SELECT g FROM s) AS s"
        )

    def ago(self, seconds: str) -> str:
        """The load's start minus *seconds* (an SQL expression)."""
        if self.pg:
            return f"(now() - ({seconds}) * INTERVAL '1 second')"
        return f"strftime('%Y-%m-%d %H:%M:%f', 'now', '-' || ({seconds}) || ' seconds')"

    def plus(self, at: str, seconds: str) -> str:
        if self.pg:
            return f"({at} + ({seconds}) * INTERVAL '1 second')"
        return f"strftime('%Y-%m-%d %H:%M:%f', {at}, '+' || ({seconds}) || ' seconds')"

    def not_after_start(self, at: str) -> str:
        """*at*, or the load's start when *at* is later: a generated ticket is never resolved
        or closed in the future (the demo's outage sync refuses such an outage on ``--reuse``)."""
        if self.pg:
            return f"LEAST({at}, now())"
        return f"min({at}, strftime('%Y-%m-%d %H:%M:%f', 'now'))"

    def json(self, text: str) -> str:
        return f"'{text}'::jsonb" if self.pg else f"'{text}'"

    def boolean(self, expression: str) -> str:
        return f"({expression})" if self.pg else f"CASE WHEN {expression} THEN 1 ELSE 0 END"

    def pick(self, ids: list[int], expression: str) -> str:
        """The *expression*-th (0-based, modulo) of *ids*."""
        return (
            "CASE "
            + " ".join(
                f"WHEN ({expression}) % {len(ids)} = {i} THEN {v}" for i, v in enumerate(ids)
            )
            + " END"
        )


def loaded_count(connection) -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM desk_ticket WHERE number LIKE 'B-%'")
        return cursor.fetchone()[0]


def load(args, facts: dict) -> dict:
    """Load ``--tickets`` tickets (and their rows) unless that many are loaded already."""
    from django.contrib.contenttypes.models import ContentType
    from django.db import connection

    from itsm.core.calendars.models import BusinessCalendar
    from itsm.core.models import Team
    from itsm.desk.models import Ticket

    began = time.perf_counter()
    have = loaded_count(connection)
    n = args.tickets
    if have == n:
        return {"tickets": n, "loaded": False, "seconds": 0.0}
    if have:
        raise SystemExit(
            f"the database holds {have} bench tickets, not {n}: run without --reuse, or with "
            f"--tickets {have}"
        )
    d = _Dialect(connection.vendor)
    customers = facts["customers"]
    # every tenth per mille of the tickets goes to a customer in its share
    customer = _case(
        "g % 100", {customers[c]: s for c, s in CUSTOMER_SHARES.items()}, 100, quote=False
    )
    # groups: the bench groups take most of the work, the demo groups the rest
    team_ids = list(facts["teams"].values()) + list(
        Team.objects.exclude(code__in=list(facts["teams"])).values_list("pk", flat=True)
    )
    members: dict[int, list[int]] = {
        team.pk: list(team.members.order_by("pk").values_list("pk", flat=True))
        for team in Team.objects.filter(pk__in=team_ids)
    }
    group = d.pick(team_ids, "(g / 7)")
    assignees = " ".join(
        f"WHEN gr = {pk} THEN {d.pick(ids, 'g / 3')}" for pk, ids in members.items() if ids
    )
    status = _case("(g * 7919) % 1000", STATUS_SHARES, 1000)
    priority = _case("(g * 31) % 100", PRIORITY_SHARES, 100)
    kind = _case("(g * 13) % 100", KIND_SHARES, 100)
    due_hours = "CASE pr " + " ".join(f"WHEN '{p}' THEN {h}" for p, h in DUE_HOURS.items()) + " END"
    seconds = f"(({n} - g) * {SPREAD_DAYS * 86400}.0 / {n} + 60)"
    opened = d.ago(f"CAST({seconds} AS INTEGER)")
    categories = d.pick(facts["categories"], "g / 11")
    calendar = BusinessCalendar.objects.order_by("pk").values_list("pk", flat=True).first()
    ct = ContentType.objects.get_for_model(Ticket).pk
    closed_states = "('closed', 'resolved', 'cancelled')"
    prefix = "B-"
    with connection.cursor() as cursor:
        # the SQLite recursive series runs in one statement: a deep recursion is fine
        cursor.execute(
            f"""
            INSERT INTO desk_ticket (created_at, updated_at, version, number, kind, title,
              description, status, impact, urgency, priority, form_data, customer_id,
              contact_email, channel, opened_at, responded_at, resolved_at, closed_at, due_at,
              breached, resolution_code, resolution, is_major, time_spent_minutes,
              return_count, reassignment_count, reopen_count, escalation_level,
              missing_fields, is_complete, flapping, category_id, assignment_group_id, assignee_id,
              agreement_id, service_id)
            SELECT o, o, 1, '{prefix}' || g, k, 'Bench ticket ' || g || ' ' || k, '', st,
              '2', '2', pr, {d.json("{}")}, cu, '', 'phone', o,
              CASE WHEN st <> 'new' THEN {d.plus("o", "600")} END,
              CASE WHEN st IN ('closed', 'resolved')
                   THEN {d.not_after_start(d.plus("o", "(g % 97) * 3600"))} END,
              CASE WHEN st = 'closed'
                   THEN {d.not_after_start(d.plus("o", "(g % 97 + 24) * 3600"))} END,
              CASE WHEN st IN ('new', 'assigned', 'in_progress')
                   THEN {d.plus("o", f"{due_hours} * 3600")} END,
              {d.boolean("g % 11 = 0")}, '', '', {d.boolean("0 = 1")}, 0, 0,
              CASE WHEN g % 13 = 0 THEN 1 ELSE 0 END, 0, 0, {d.json("[]")},
              {d.boolean("g % 5 <> 0")}, {d.boolean("0 = 1")}, {categories},
              CASE WHEN st <> 'new' THEN gr END,
              CASE WHEN st <> 'new' AND g % 4 <> 0 THEN CASE {assignees} END END,
              CASE WHEN cu = {facts["customer_id"]} THEN {facts["agreement_id"]} END,
              CASE WHEN cu = {facts["customer_id"]} THEN {facts["service_id"]} END
            FROM (SELECT g, {opened} AS o, {status} AS st, {kind} AS k, {customer} AS cu,
                         {group} AS gr, {priority} AS pr
                  FROM {d.series(n)}) s2
            """
        )
        tickets_s = time.perf_counter() - began
        cursor.execute(
            f"""
            INSERT INTO desk_assignment (ticket_id, team_id, assignee_id, at, returned_at,
              return_reason)
            SELECT id, assignment_group_id, assignee_id, {d.plus("opened_at", "600")},
                   CASE WHEN id % 10 = 3 THEN {d.plus("opened_at", "3600")} END, ''
            FROM desk_ticket WHERE number LIKE '{prefix}%' AND assignment_group_id IS NOT NULL
            """
        )
        cursor.execute(
            f"""
            INSERT INTO clocks_clock (created_at, updated_at, content_type_id, object_id,
              record_label, customer_id, metric, priority, calendar_id, goal_seconds,
              warning_percent, state, started_at, stopped_at, elapsed_seconds,
              segment_started_at, level, breached, breached_at, breach_cause,
              unconfirmed_years, pause_reason)
            SELECT t.opened_at, t.opened_at, {ct}, t.id, t.number, t.customer_id, m.metric,
              t.priority, {calendar}, CASE WHEN m.metric = 'response' THEN 3600 ELSE 86400 END,
              75, CASE WHEN t.status IN {closed_states} THEN 'stopped' ELSE 'running' END,
              t.opened_at,
              CASE WHEN t.status IN {closed_states} THEN
                CASE WHEN m.metric = 'response' THEN {d.plus("t.opened_at", "600")}
                     ELSE COALESCE(t.resolved_at, t.opened_at) END END,
              CASE WHEN t.breached THEN 90000 ELSE 600 END,
              CASE WHEN t.status NOT IN {closed_states} THEN t.opened_at END,
              0, t.breached, CASE WHEN t.breached THEN {d.plus("t.opened_at", "86400")} END,
              '', {d.json("[]")}, ''
            FROM desk_ticket t CROSS JOIN (SELECT 'response' AS metric UNION ALL
                                           SELECT 'resolution') m
            WHERE t.kind = 'incident' AND t.number LIKE '{prefix}%'
              AND t.agreement_id IS NOT NULL
            """
        )
        cursor.execute(
            f"""
            INSERT INTO desk_survey (created_at, updated_at, ticket_id, nonce, sent_at, score,
              comment, channel, answered_at)
            SELECT resolved_at, resolved_at, id, 'bench-' || id, resolved_at, 1 + id % 5, '',
                   'portal', {d.plus("resolved_at", "86400")}
            FROM desk_ticket
            WHERE number LIKE '{prefix}%' AND resolved_at IS NOT NULL AND id % 4 = 0
            """
        )
        calls = n // 2
        call_opened = d.ago(
            f"CAST((({calls} - g) * {SPREAD_DAYS * 86400}.0 / {calls} + 60) AS INTEGER)"
        )
        cursor.execute(
            f"""
            INSERT INTO desk_call (created_at, updated_at, version, caller_name, caller_phone,
              organisation_id, started_at, ended_at, answered, outcome, note)
            SELECT o, o, 1, 'Caller', '', cu, o,
                   CASE WHEN g % 7 <> 0 THEN {d.plus("o", "60 + g % 600")} END,
                   {d.boolean("g % 8 <> 0")},
                   CASE WHEN g % 8 = 0 THEN 'missed' WHEN g % 3 = 0 THEN 'no_record'
                        ELSE 'ticket' END, ''
            FROM (SELECT g, {call_opened} AS o, {customer} AS cu FROM {d.series(calls)}) s2
            """
        )
        tables = ("desk_ticket", "desk_assignment", "clocks_clock", "desk_survey", "desk_call")
        if d.pg:
            for table in tables:
                cursor.execute(f"VACUUM ANALYZE {table}")
        else:
            cursor.execute("ANALYZE")
    return {
        "tickets": n,
        "loaded": True,
        "seconds": round(time.perf_counter() - began, 1),
        "tickets_seconds": round(tickets_s, 1),
    }


def prepare(args) -> None:
    """Migrate and load the demo (each step adds only what is missing)."""
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)
    call_command("demo", verbosity=0, stdout=io.StringIO())
