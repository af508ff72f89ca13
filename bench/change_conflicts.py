"""Conflict detection of a new change at scale (R-CHG-04, issue 12): ``itsm.change.conflicts``
against 10 000 booked changes on the 1 000 000-CI benchmark CMDB, hop depth 2.

Run (on ``bench/harness.py``: ``--engine``, ``--db``, ``--pg-url``, ``--keep``, ``--repeats``)::

    .venv/bin/python bench/change_conflicts.py --engine postgres --db change_pg --keep
    .venv/bin/python bench/change_conflicts.py --engine postgres --db change_pg --reuse

The CMDB is the one of ``bench/cmdb_impact.py`` (its generator, reused: 1 M CIs / 3 M relations
in layers with cross links; ``--reuse`` keeps a graph a previous run of either script left with
``--keep``). On it, ``--changes`` booked changes (status scheduled, 1–4 h windows over
``--days`` days, one or two CIs each: one anywhere, a second one related to it for a third of
them) and ``--blackouts`` blackout windows on random CIs are inserted in SQL (``INSERT …
SELECT``), no Python rows.

Each sample is a new change raised through ``change.services.create_change`` (a draft: it books
nothing) on a random CI with a random window in the same period; the product is
``conflicts.detect(Subject.of(change), depth=2)`` — every kind: the graph statement (same CI,
CIs within 2 hops, blackouts on them), maintenance windows, global and service blackouts, the
implementer's changes, the SLAs' service hours — as the page and the services call it (every
other new change is put on or next to a booked change's CI inside its window, so conflicts are
found and reported). Its floor is the graph statement alone (the recursive CTE and the joins,
with the same parameters) run as raw SQL, interleaved sample by sample (``harness.measure``).
Also reported: how many CIs the walk reaches and how many conflicts are found, and the
scheduling assistant (``conflicts.propose_window``, 60-day horizon) timed on its own.
Prints ONE JSON object.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import cmdb_impact  # noqa: E402
import harness  # noqa: E402

DEPTH = 2
START = datetime(2031, 1, 5, tzinfo=UTC)


def _book(changes: int, blackouts: int, days: int, cis: int, requester_id: int) -> dict:
    """Insert the booked changes, their CIs and the blackout windows in SQL."""
    from django.db import connection

    from itsm.change.models import Change, Window

    change, window = Change._meta.db_table, Window._meta.db_table
    through = Change.cis.through._meta.db_table
    rel = cmdb_impact_relation_table()
    began = time.perf_counter()
    minutes = days * 24 * 60
    with connection.cursor() as cursor:
        if connection.vendor != "postgresql":
            raise SystemExit("the booked changes are generated on PostgreSQL only")
        cursor.execute(
            f"""
INSERT INTO {change} (created_at, updated_at, version, number, kind, title, description,
    category, reason, implementation_plan, backout_plan, test_plan, planned_start, planned_end,
    status, requester_id, owner_id, implementer_id, risk_answers, risk_level, approval_path,
    impact, conflicts, approval_round, rolled_back, outcome_note, review_note, internal_notes)
SELECT now(), now(), 1, 'B-CHG-' || lpad(n::text, 8, '0'), 'normal', 'Bench change ' || n, '',
    'other', '', 'plan', 'back out', '', s, s + ((60 + (n * 7919) %% 181) || ' minutes')::interval,
    'scheduled', %s, %s, NULL, '{{}}', 'low', 'change_manager', '{{}}', '[]', 1, false, '', '', ''
FROM generate_series(1, %s) AS g(n),
     LATERAL (SELECT %s::timestamptz + (((n::bigint * 2654435761) %% %s) || ' minutes')::interval
              AS s) AS w
""",
            [requester_id, requester_id, changes, START, minutes],
        )
        cursor.execute(f"SELECT min(id) FROM {change} WHERE number LIKE 'B-CHG-%%'")
        first = cursor.fetchone()[0]
        # one CI anywhere per change; a second one related to it for a third of them
        cursor.execute(
            f"""
INSERT INTO {through} (change_id, configurationitem_id)
SELECT id, 1 + ((id::bigint * 2246822519) %% %s) FROM {change} WHERE number LIKE 'B-CHG-%%'
""",
            [cis],
        )
        cursor.execute(
            f"""
INSERT INTO {through} (change_id, configurationitem_id)
SELECT c.change_id, r.target_id FROM {through} c
JOIN LATERAL (SELECT target_id FROM {rel} WHERE source_id = c.configurationitem_id
              ORDER BY target_id LIMIT 1) r ON true
WHERE c.change_id %% 3 = 0 AND c.change_id >= %s
ON CONFLICT DO NOTHING
""",
            [first],
        )
        cursor.execute(
            f"""
INSERT INTO {window} (created_at, updated_at, version, kind, name, ci_id, starts_at, ends_at,
    weekdays, time_zone, note, is_active)
SELECT now(), now(), 1, 'blackout', 'Bench freeze ' || n, 1 + ((n::bigint * 3266489917) %% %s),
    s, s + interval '1 day', '[]', 'Asia/Shanghai', '', true
FROM generate_series(1, %s) AS g(n),
     LATERAL (SELECT %s::timestamptz + (((n::bigint * 40503) %% %s) || ' minutes')::interval
              AS s) AS w
""",
            [cis, blackouts, START, minutes],
        )
        cursor.execute(f"ANALYZE {change}; ANALYZE {through}; ANALYZE {window}")
        cursor.execute(f"SELECT count(*) FROM {through}")
        links = cursor.fetchone()[0]
    return {"seconds": round(time.perf_counter() - began, 1), "change_cis": links}


#: the CIs within DEPTH hops (either direction) of the starts: the size of the walk
_WALK_COUNT = """
WITH RECURSIVE walk(ci, depth) AS (
    SELECT s.ci, 0 FROM unnest(%s::bigint[]) AS s(ci)
  UNION
    SELECT e.far, w.depth + 1 FROM walk w
    JOIN (SELECT source_id AS near, target_id AS far FROM {rel}
          UNION ALL SELECT target_id, source_id FROM {rel}) e ON e.near = w.ci
    WHERE w.depth < %s
)
SELECT count(DISTINCT ci) FROM walk
"""


def cmdb_impact_relation_table() -> str:
    from itsm.change.conflicts import _relation_table

    return _relation_table()


def _booked(changes: int) -> bool:
    from itsm.change.models import Change

    return Change.objects.filter(number=f"B-CHG-{changes:08d}").exists()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    harness.add_database_options(parser, default_name="itsm_bench_change")
    parser.add_argument("--cis", type=int, default=1_000_000)
    parser.add_argument("--relations", type=int, default=3_000_000)
    parser.add_argument("--changes", type=int, default=10_000)
    parser.add_argument("--blackouts", type=int, default=500)
    parser.add_argument("--days", type=int, default=90)
    parser.add_argument("--samples", type=int, default=100, help="new changes per repeat")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--reuse", action="store_true", help="reuse the database if it holds the data already"
    )
    args = parser.parse_args()
    harness.use_database(args, fresh=not args.reuse)
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection, transaction

    import itsm
    from itsm.change import conflicts
    from itsm.change.models import Change
    from itsm.change.services import changes as change_services
    from itsm.cmdb.models import ConfigurationItem, Relation
    from itsm.core.models import Organisation

    out: dict = {
        "benchmark": "change.conflicts",
        "engine": connection.vendor,
        "db": str(args.db),
        "code": str(Path(itsm.__file__).resolve().parent.parent),
        "machine": harness.machine(),
    }
    try:
        began = time.perf_counter()
        call_command("migrate", verbosity=0, interactive=False)
        out["migrate_seconds"] = round(time.perf_counter() - began, 1)
        if args.reuse and cmdb_impact._loaded(args.cis):
            out["cmdb"] = "reused"
        else:
            sizes = cmdb_impact.generate(args.cis, args.relations)
            out["cmdb"] = {key: sizes[key] for key in ("generation_seconds", "load_seconds")}
        customer_ids = sorted(
            Organisation.objects.filter(code__startswith="bench-", kind="customer").values_list(
                "pk", flat=True
            )
        )
        staff, _customer = cmdb_impact._users(customer_ids)
        if args.reuse and _booked(args.changes):
            out["booking"] = "reused"
        else:
            out["booking"] = _book(args.changes, args.blackouts, args.days, args.cis, staff.pk)
        out["cis"] = ConfigurationItem.objects.count()
        out["relations"] = Relation.objects.count()
        out["booked_changes"] = Change.objects.filter(status="scheduled").count()
        out["depth"] = DEPTH
        out["samples"] = args.samples
        rng = random.Random(args.seed)
        minutes = args.days * 24 * 60
        subjects = []
        booked = list(
            Change.objects.filter(number__startswith="B-CHG-").values_list("pk", "planned_start")
        )
        for index in range(args.samples):
            if index % 2:
                # half the new changes near a booked one: a CI within one relation of one of
                # its CIs (or the CI itself), starting inside its window — conflicts to report
                pk, booked_start = rng.choice(booked)
                near = Change.cis.through.objects.filter(change_id=pk).values_list(
                    "configurationitem_id", flat=True
                )[0]
                hops = list(
                    Relation.objects.filter(source_id=near).values_list("target_id", flat=True)
                ) + [near]
                ci = ConfigurationItem.objects.get(pk=rng.choice(hops))
                start = booked_start + timedelta(minutes=rng.randrange(60))
            else:
                ci = ConfigurationItem.objects.get(pk=rng.randint(1, args.cis))
                start = START + timedelta(minutes=rng.randrange(minutes))
            change = change_services.create_change(
                by=None,
                requester=staff,
                kind="normal",
                title="Bench new change",
                implementation_plan="plan",
                backout_plan="back out",
                planned_start=start,
                planned_end=start + timedelta(hours=2),
                cis=[ci],
            )
            subjects.append(change)
        statements = {
            change.pk: conflicts.graph_statement(
                [ci.pk for ci in change.cis.all()],
                depth=DEPTH,
                exclude_change=change.pk,
                start=change.planned_start,
                end=change.planned_end,
            )
            for change in subjects
        }
        found: dict[int, int] = {}
        reached: dict[int, int] = {}
        next_product, next_raw = cmdb_impact._cycle(subjects), cmdb_impact._cycle(subjects)

        def product():
            change = next_product()
            found[change.pk] = len(conflicts.detect(conflicts.Subject.of(change), depth=DEPTH))

        def raw():
            sql, params = statements[next_raw().pk]
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute("SET LOCAL jit = off")  # as the product does (see conflicts.py)
                cursor.execute(sql, params)
                cursor.fetchall()

        def assistant():
            change = next_product()
            conflicts.propose_window(
                conflicts.Subject.of(change), duration=timedelta(hours=2), after=START
            )

        measured = harness.measure(
            {"detect": (product, raw)},
            samples=args.samples,
            repeats=args.repeats,
            backend_pids=harness.backend_pids(),
        )
        figures = measured["detect"]
        figures["ratio_p95"] = cmdb_impact._ratio_p95(figures)
        out["cases"] = measured
        out["assistant"] = harness.measure(
            {"propose_window": (assistant, None)},
            samples=min(args.samples, 20),
            repeats=1,
            backend_pids=harness.backend_pids(),
        )["propose_window"]
        # how far the walks reach (one count per sample, outside the timings)
        with connection.cursor() as cursor:
            for change in subjects:
                cursor.execute(
                    _WALK_COUNT.format(rel=cmdb_impact_relation_table()),
                    [[ci.pk for ci in change.cis.all()], DEPTH],
                )
                reached[change.pk] = cursor.fetchone()[0]
        counts = sorted(found.values())
        walked = sorted(reached.values())
        out["conflicts_per_change"] = {
            "mean": round(sum(counts) / max(1, len(counts)), 2),
            "max": max(counts or [0]),
            "with_any": sum(1 for c in counts if c),
        }
        out["cis_within_depth"] = {
            "p50": harness.percentile(walked, 50),
            "p95": harness.percentile(walked, 95),
            "max": max(walked or [0]),
        }
        out["floor"] = "the graph statement (recursive CTE + joins) as raw SQL, same parameters"
        out["target"] = {"p95_ms": 200, "met": figures["product"]["p95_ms"]["median"] <= 200}
        # the sample changes are drafts: remove them so a --reuse run starts from the same rows
        Change.objects.filter(pk__in=[c.pk for c in subjects]).delete()
    finally:
        harness.drop_database(args)
    harness.emit(out)


if __name__ == "__main__":
    main()
