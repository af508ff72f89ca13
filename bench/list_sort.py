"""A sorted CI list page at scale: the shared record list (``core.lists``) against raw SQL.

Run::

    .venv/bin/python bench/list_sort.py --engine sqlite --cis 100000
    .venv/bin/python bench/list_sort.py --engine postgres --cis 100000

Fills ``cmdb_configurationitem`` with ``--cis`` rows (``INSERT … SELECT`` over a series, names
with many ties), then times, as provider staff, the CI list view (``/cmdb/``, rendered HTML)
sorted by name ascending and descending, first page and the page after a cursor, against the
raw ``SELECT … ORDER BY name, id LIMIT 51`` of the same rows. Min and median of 3 runs each,
in milliseconds; prints ONE JSON object. SQLite: a file under ``/tmp/itsm_bench_lists/``;
PostgreSQL: the database ``itsm_bench_lists`` (created, dropped at the end).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

PG_DB = "itsm_bench_lists"
SQLITE_DIR = Path("/tmp/itsm_bench_lists")


def _prepare(engine: str, pg_url: str) -> None:
    os.environ.setdefault("SECRET_KEY", "bench-only")
    os.environ["DJANGO_SETTINGS_MODULE"] = "itsm.config.settings"
    shutil.rmtree(SQLITE_DIR, ignore_errors=True)
    (SQLITE_DIR / "data").mkdir(parents=True)
    os.environ["ITSM_DATA_DIR"] = str(SQLITE_DIR / "data")
    if engine == "postgres":
        import psycopg

        with psycopg.connect(f"{pg_url}/postgres", autocommit=True) as admin:
            admin.execute(f"DROP DATABASE IF EXISTS {PG_DB}")
            admin.execute(f"CREATE DATABASE {PG_DB}")
        os.environ["DATABASE_URL"] = f"{pg_url}/{PG_DB}"
    else:
        os.environ["DATABASE_URL"] = f"sqlite:///{SQLITE_DIR / 'bench.sqlite3'}"


def _timed(fn, runs: int = 3) -> dict:
    times = []
    for _ in range(runs):
        began = time.perf_counter()
        fn()
        times.append((time.perf_counter() - began) * 1000)
    return {"min_ms": round(min(times), 2), "median_ms": round(statistics.median(times), 2)}


def run(engine: str, cis: int, pg_url: str) -> dict:
    _prepare(engine, pg_url)
    import django

    django.setup()
    from django.contrib.sessions.backends.db import SessionStore
    from django.core.management import call_command
    from django.db import connection, transaction
    from django.test import RequestFactory
    from django.utils import timezone

    from itsm.cmdb.lists import CIList
    from itsm.cmdb.models import CIClass, ConfigurationItem
    from itsm.core import services
    from itsm.core.choices import OrganisationKind, Role

    call_command("migrate", verbosity=0, interactive=False)
    provider = services.create_organisation(
        code="bench-provider", name="Provider", kind=OrganisationKind.PROVIDER
    )
    staff = services.create_user(
        username="bench-staff", organisation=provider, roles=(Role.CONFIGURATION_MANAGER,)
    )
    ci_class = CIClass.objects.get(code="application")
    vendor = connection.vendor
    series = (
        f"generate_series(1, {cis}) AS s(n)"
        if vendor == "postgresql"
        else f"(WITH RECURSIVE c(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM c WHERE n < {cis}) "
        "SELECT n FROM c) AS s"
    )
    number = (
        "'B-' || lpad(s.n::text, 8, '0')"
        if vendor == "postgresql"
        else "'B-' || substr('00000000' || s.n, -8, 8)"
    )
    attrs = "'{}'::jsonb" if vendor == "postgresql" else "'{}'"
    now = timezone.now()
    stamp = now.isoformat() if vendor == "postgresql" else now.strftime("%Y-%m-%d %H:%M:%S.%f")
    began = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {ConfigurationItem._meta.db_table} (created_at, updated_at, version, "
            "number, name, ci_class_id, identifier, status, criticality, owner_id, customer_id, "
            "supplier_id, location, description, attributes, change_reference) "
            f"SELECT %s, %s, 1, {number}, 'app ' || (s.n %% 1000), {ci_class.pk}, '', "
            f"'in_use', 'medium', NULL, NULL, NULL, '', '', {attrs}, '' FROM {series}",
            [stamp, stamp],
        )
    load_seconds = round(time.perf_counter() - began, 1)
    assert ConfigurationItem.objects.count() == cis
    if vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")

    view = CIList.as_view()
    factory = RequestFactory()

    def page(query: str):
        request = factory.get(f"/cmdb/?{query}")
        request.user = staff
        request.session = SessionStore()
        response = view(request)
        response.render()
        assert response.status_code == 200, response.status_code
        return response

    def raw(descending: bool):
        direction = "DESC" if descending else "ASC"
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT id, number, name, status FROM {ConfigurationItem._meta.db_table} "
                f"ORDER BY name {direction}, id {direction} LIMIT 51"
            )
            return cursor.fetchall()

    results = {"view_default_sort_first": _timed(lambda: page(""))}
    for sort in ("name", "-name"):
        first = page(f"sort={sort}")
        cursor = first.context_data["page"].next_cursor
        descending = sort.startswith("-")
        assert [row.pk for row in first.context_data["page"].rows] == [
            r[0] for r in raw(descending)
        ][:50]
        results[f"view_sort={sort}_first"] = _timed(lambda s=sort: page(f"sort={s}"))
        results[f"view_sort={sort}_next"] = _timed(
            lambda s=sort, c=cursor: page(f"sort={s}&cursor={c}")
        )
        results[f"raw_sql_sort={sort}"] = _timed(lambda d=descending: raw(d))
    if engine == "postgres":
        import psycopg

        connection.close()
        with psycopg.connect(f"{pg_url}/postgres", autocommit=True) as admin:
            admin.execute(f"DROP DATABASE IF EXISTS {PG_DB}")
    return {"engine": engine, "cis": cis, "load_seconds": load_seconds, **results}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--engine", choices=("sqlite", "postgres"), default="sqlite")
    parser.add_argument("--cis", type=int, default=100_000)
    parser.add_argument("--pg-url", default="postgres://postgres@127.0.0.1:5432")
    args = parser.parse_args()
    print(json.dumps(run(args.engine, args.cis, args.pg_url), indent=2))


if __name__ == "__main__":
    main()
