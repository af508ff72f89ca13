"""The CIs ``bench/api_paths.py`` loads and what it reads back about them."""

from __future__ import annotations

import io
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


TABLE = "cmdb_configurationitem"
#: bulk-loaded classes and their share of the CIs (the rest of the built-in classes get none)
CLASS_SHARES = {
    "virtual_machine": 35,
    "server": 20,
    "application": 15,
    "database": 8,
    "middleware": 8,
    "network_device": 6,
    "storage": 5,
    "business_service": 3,
}
RARE_CLASS = "document"  # 1 in 20 000
EMPTY_CLASS = "bench_empty"  # a class the loader adds, with no CIs
STATUS_SHARES = {"in_use": 70, "planned": 12, "maintenance": 6, "retired": 12}
CRITICALITY_SHARES = {"low": 30, "medium": 45, "high": 20, "critical": 5}
CITIES = ["bj", "sh", "gz", "sz", "cd", "wh", "xa", "hz", "nj", "tj"]
LOCATIONS = ["DC-A", "DC-B", "DC-C", "Branch", "Cloud"]
SHARED_PERCENT = 30
CREATE_CLASS = "application"


# --- the data ------------------------------------------------------------------------------------


def _case(expression: str, shares: dict[str, object], total: int) -> str:
    """``CASE`` picking a value by *expression* (0 … total-1) with the given *shares*."""
    parts, bound = [], 0
    items = list(shares.items())
    for value, share in items[:-1]:
        bound += int(share)  # type: ignore[call-overload]
        parts.append(f"WHEN {expression} < {bound} THEN {value}")
    return f"CASE {' '.join(parts)} ELSE {items[-1][0]} END"


def _quoted(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def load(args, db_url: str) -> dict:
    """Migrate, load the demo and bulk-load ``--cis`` CIs (unless ``--reuse`` finds them)."""
    import psycopg
    from django.core.management import call_command

    began = time.perf_counter()
    call_command("migrate", verbosity=0, interactive=False)
    call_command("demo", verbosity=0, stdout=io.StringIO())
    from itsm.cmdb.models import CIClass
    from itsm.cmdb.services import classes as class_services
    from itsm.core.models import User

    if not CIClass.objects.filter(code=EMPTY_CLASS).exists():
        class_services.create_class(
            code=EMPTY_CLASS,
            name_zh="空类别",
            name_en="Empty class",
            by=User.objects.get(username="admin"),
        )
    from django.db import connections

    connections.close_all()
    with psycopg.connect(db_url, autocommit=True) as conn:
        loaded = conn.execute(f"SELECT count(*) FROM {TABLE} WHERE number LIKE 'B-%%'").fetchone()[
            0
        ]
        if loaded == args.cis:
            # statistics for the expression indexes a new migration may have added
            conn.execute(f"VACUUM ANALYZE {TABLE}")
            return {"loaded": False, "cis": loaded, "seconds": round(time.perf_counter() - began)}
        conn.execute(f"DELETE FROM {TABLE} WHERE number LIKE 'B-%%'")
        classes = dict(conn.execute("SELECT code, id FROM cmdb_ciclass").fetchall())
        customers = [
            row[0]
            for row in conn.execute(
                "SELECT id FROM core_organisation WHERE kind = 'customer' ORDER BY code"
            ).fetchall()
        ]
        shares = {classes[code]: share for code, share in CLASS_SHARES.items()}
        class_case = (
            f"CASE WHEN (s.n * 7919) % 20000 = 0 THEN {classes[RARE_CLASS]} ELSE "
            + _case("(s.n * 104729) % 999983 % 100", shares, 100)
            + " END"
        )
        status_case = _case(
            "(s.n * 1299709) % 999979 % 100", {_quoted(k): v for k, v in STATUS_SHARES.items()}, 100
        )
        criticality_case = _case(
            "(s.n * 15485863) % 999961 % 100",
            {_quoted(k): v for k, v in CRITICALITY_SHARES.items()},
            100,
        )
        # 30 % shared infrastructure, the rest spread evenly over the demo's customers
        per_customer = (100 - SHARED_PERCENT) // len(customers)
        customer_shares: dict[str, int] = {"NULL": SHARED_PERCENT}
        for customer in customers:
            customer_shares[str(customer)] = per_customer
        customer_case = _case("(s.n * 179424673) % 999959 % 100", customer_shares, 100)
        cities = "ARRAY[" + ",".join(_quoted(c) for c in CITIES) + "]"
        locations = "ARRAY[" + ",".join(_quoted(c) for c in LOCATIONS) + "]"
        codes = {v: k for k, v in classes.items()}
        word_case = (
            "CASE x.ci_class_id "
            + " ".join(
                f"WHEN {pk} THEN {_quoted(code.split('_')[0])}" for pk, code in codes.items()
            )
            + " ELSE 'ci' END"
        )
        chunk = 200_000
        for first in range(1, args.cis + 1, chunk):
            last = min(args.cis, first + chunk - 1)
            conn.execute(
                f"INSERT INTO {TABLE} (created_at, updated_at, version, number, name, "
                "ci_class_id, identifier, status, criticality, owner_id, customer_id, "
                "supplier_id, location, description, attributes, change_reference) "
                "SELECT x.at, x.at, 1, 'B-' || lpad(x.n::text, 8, '0'), "
                f"{word_case} || '-' || ({cities})[1 + x.n % {len(CITIES)}] || '-' || x.n, "
                "x.ci_class_id, CASE WHEN x.n % 5 = 0 THEN '' "
                "ELSE 'SN-' || lpad(x.n::text, 8, '0') END, x.status, x.criticality, NULL, "
                f"x.customer_id, NULL, ({locations})[1 + x.n % {len(LOCATIONS)}], '', "
                "'{}'::jsonb, '' FROM ("
                f"SELECT s.n, now() - ({args.cis} - s.n) * interval '20 seconds' AS at, "
                f"{class_case} AS ci_class_id, {status_case} AS status, "
                f"{criticality_case} AS criticality, {customer_case} AS customer_id "
                f"FROM generate_series({first}::bigint, {last}::bigint) AS s(n)) AS x"
            )
            print(f"loaded {last} CIs", file=sys.stderr, flush=True)
        conn.execute(f"VACUUM ANALYZE {TABLE}")
        conn.execute("ANALYZE")
    return {"loaded": True, "cis": args.cis, "seconds": round(time.perf_counter() - began)}


def data_facts(db_url: str) -> dict:
    """Ids and values the cases use, read from the loaded database."""
    import psycopg

    with psycopg.connect(db_url, autocommit=True) as conn:
        classes = dict(conn.execute("SELECT code, id FROM cmdb_ciclass").fetchall())
        counts = dict(
            conn.execute(
                f"SELECT ci_class_id, count(*) FROM {TABLE} GROUP BY ci_class_id"
            ).fetchall()
        )
        customer = conn.execute(
            "SELECT id FROM core_organisation WHERE code = 'huaxin-bank'"
        ).fetchone()[0]
        staff = conn.execute("SELECT id FROM core_user WHERE username = 'cmdb'").fetchone()[0]
        customer_user = conn.execute(
            "SELECT id, organisation_id FROM core_user WHERE username = 'customer'"
        ).fetchone()
        total = conn.execute(f"SELECT count(*) FROM {TABLE}").fetchone()[0]
        middle = conn.execute(
            f"SELECT number, identifier FROM {TABLE} WHERE number LIKE 'B-%%' AND identifier <> '' "
            "ORDER BY number OFFSET (SELECT count(*) / 2 FROM cmdb_configurationitem) LIMIT 1"
        ).fetchone()
    return {
        "classes": classes,
        "class_counts": {code: counts.get(pk, 0) for code, pk in classes.items()},
        "customer_id": customer,
        "staff_id": staff,
        "customer_user_id": customer_user[0],
        "customer_user_org": customer_user[1],
        "total_cis": total,
        "number": middle[0],
        "identifier": middle[1],
    }
