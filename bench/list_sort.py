"""A sorted CI list page at scale: the shared record list (``core.lists``) against raw SQL.

Run::

    .venv/bin/python bench/list_sort.py --engine sqlite --cis 100000
    .venv/bin/python bench/list_sort.py --engine postgres --cis 100000 --db itsm_bench_lists

Fills ``cmdb_configurationitem`` with ``--cis`` rows (``INSERT … SELECT`` over a series, names
with many ties), then times, as provider staff, the CI list view (``/cmdb/``, rendered HTML,
in this process through ``RequestFactory``) with the default sort, and sorted by name
ascending and descending, first page and the page after a cursor; each sample is interleaved
with the raw ``SELECT … ORDER BY name, id LIMIT 51`` of the same rows (bench/harness.py):
p50/p95 and CPU per call (this process; the PostgreSQL backend), min and median over
``--repeats`` (3). The first page's rows are checked against the raw query. Prints ONE JSON
object. The database is ``--db`` (default ``itsm_bench_lists``; SQLite: a file under
``/tmp/itsm_bench_lists/``), dropped at the end unless ``--keep``.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import harness  # noqa: E402


def load(cis: int) -> tuple[object, float]:
    """Migrate, create a staff user and *cis* CIs; return (staff user, seconds)."""
    from django.core.management import call_command
    from django.db import connection, transaction
    from django.utils import timezone

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
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    seconds = round(time.perf_counter() - began, 1)
    assert ConfigurationItem.objects.count() == cis
    return staff, seconds


def run(args) -> dict:
    harness.use_database(args)
    import django

    django.setup()
    from django.contrib.sessions.backends.db import SessionStore
    from django.db import connection
    from django.test import RequestFactory

    from itsm.cmdb.lists import CIList
    from itsm.cmdb.models import ConfigurationItem

    staff, load_seconds = load(args.cis)
    view = CIList.as_view()
    factory = RequestFactory()
    table = ConfigurationItem._meta.db_table

    def page(query: str):
        request = factory.get(f"/cmdb/?{query}")
        request.user = staff
        request.session = SessionStore()
        response = view(request)
        response.render()
        assert response.status_code == 200, response.status_code
        return response

    def raw(order: str, after: tuple | None = None):
        where, params = "", []
        if after is not None:
            # the page after *after* (name, id) in this order, as keyset pagination reads it
            op = "<" if order.startswith("name DESC") else ">"
            where, params = f" WHERE (name, id) {op} (%s, %s)", list(after)
        if order == "id DESC":
            where, params = ("", []) if after is None else (" WHERE id < %s", [after[1]])
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT id, number, name, status FROM {table}{where} ORDER BY {order} LIMIT 51",
                params,
            )
            return cursor.fetchall()

    cases, checks = {}, {}
    for sort, order in (("", "id DESC"), ("name", "name, id"), ("-name", "name DESC, id DESC")):
        query = f"sort={sort}" if sort else ""
        first = page(query)
        rows = [row.pk for row in first.context_data["page"].rows]
        expected = raw(order)
        checks[sort or "default"] = rows == [r[0] for r in expected][:50]
        label = sort or "default"
        cases[f"sort={label}.first"] = (lambda q=query: page(q), lambda o=order: raw(o))
        cursor = first.context_data["page"].next_cursor
        if cursor:
            last = expected[49]
            cases[f"sort={label}.next"] = (
                lambda q=query, c=cursor: page(f"{q}&cursor={c}"),
                lambda o=order, a=(last[2], last[0]): raw(o, a),
            )
    measured = harness.measure(
        cases,
        samples=args.samples,
        repeats=args.repeats,
        backend_pids=harness.backend_pids(),
    )
    return {
        "benchmark": "list_sort",
        "machine": harness.machine(),
        "engine": args.engine,
        "database": str(args.db),
        "cis": args.cis,
        "load_seconds": load_seconds,
        "samples": args.samples,
        "repeats": args.repeats,
        "first_page_matches_raw": checks,
        "cases": measured,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    harness.add_database_options(parser, default_name="itsm_bench_lists", default_engine="sqlite")
    parser.add_argument("--cis", type=int, default=100_000)
    parser.add_argument("--samples", type=int, default=20, help="calls per case and repeat")
    args = parser.parse_args()
    result = run(args)
    harness.emit(result)
    harness.drop_database(args)


if __name__ == "__main__":
    main()
