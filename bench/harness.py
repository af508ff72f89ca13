"""What every script in ``bench/`` shares (DESIGN.md, PERFORMANCE).

- **Its own database**, named on the command line: ``--engine postgres --db NAME`` (created
  on ``--pg-url``, dropped at the end unless ``--keep``) or ``--engine sqlite --db PATH``.
- **The raw floor interleaved with the product**: for every sample the raw database doing the
  same work and the product's call run back to back (their order alternating), so a busy
  machine slows both alike and the ratio stays meaningful.
- **min / median over repeats** (3 by default) of each statistic of a repeat (p50, p95, …).
- **CPU per call**, split between the application process (``time.process_time``) and the
  database backend (PostgreSQL: the backend processes' ``/proc/<pid>/schedstat``, in
  nanoseconds; SQLite runs inside the application, so its CPU is the application's).
- **One JSON object** on standard output (:func:`emit`).

A script uses it like this::

    parser = argparse.ArgumentParser()
    harness.add_database_options(parser, default_name="itsm_bench_lists")
    args = parser.parse_args()
    harness.use_database(args)          # before django.setup()
    ...
    result = harness.measure({"case": (product_fn, raw_fn)}, samples=50, repeats=args.repeats,
                             backend_pids=harness.backend_pids())
    harness.emit({...})
    harness.drop_database(args)
"""

from __future__ import annotations

import json
import os
import statistics
import sys
import time
from collections.abc import Callable, Iterable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

DEFAULT_PG_URL = "postgres://postgres@127.0.0.1:5432"
_TICKS = os.sysconf("SC_CLK_TCK")


# --- the database ------------------------------------------------------------------------------


def add_database_options(parser, *, default_name: str, default_engine: str = "postgres") -> None:
    """``--engine``, ``--db``, ``--pg-url``, ``--keep`` and ``--repeats``."""
    parser.add_argument("--engine", choices=("postgres", "sqlite"), default=default_engine)
    parser.add_argument(
        "--db",
        default=default_name,
        help="PostgreSQL database name, or SQLite file path (default: /tmp/<name>/db.sqlite3)",
    )
    parser.add_argument("--pg-url", default=DEFAULT_PG_URL, help="PostgreSQL server, no database")
    parser.add_argument("--keep", action="store_true", help="keep the database at the end")
    parser.add_argument("--repeats", type=int, default=3, help="repeats (min/median over them)")


def add_server_root_option(parser, *, what: str = "the server runs") -> None:
    """``--server-root``: the checkout whose code *what* (default: this one), e.g. an older
    commit's worktree to measure beside this one."""
    parser.add_argument(
        "--server-root",
        type=Path,
        default=ROOT,
        help=f"checkout whose code {what} (default: this one)",
    )


def sqlite_path(args) -> Path:
    db = str(args.db)
    if "/" in db or db.endswith(".sqlite3"):
        return Path(db)
    return Path("/tmp") / db / "db.sqlite3"


def database_url(args) -> str:
    if args.engine == "postgres":
        return f"{args.pg_url}/{args.db}"
    return f"sqlite:///{sqlite_path(args)}"


def use_database(args, *, fresh: bool = True) -> str:
    """Point Django at the benchmark's database (call before ``django.setup()``); with
    *fresh*, drop and recreate it first (without, create it only if missing). Returns the
    database URL."""
    os.environ.setdefault("SECRET_KEY", "bench-only")
    os.environ.setdefault("ITSM_ENV_FILE", "/dev/null")
    os.environ["DJANGO_SETTINGS_MODULE"] = "itsm.config.settings"
    if args.engine == "postgres":
        import psycopg

        with psycopg.connect(f"{args.pg_url}/postgres", autocommit=True) as admin:
            if fresh:
                admin.execute(f'DROP DATABASE IF EXISTS "{args.db}" WITH (FORCE)')
            exists = admin.execute(
                "SELECT 1 FROM pg_database WHERE datname = %s", [args.db]
            ).fetchone()
            if not exists:
                admin.execute(f'CREATE DATABASE "{args.db}"')
        data_dir = Path("/tmp") / f"{args.db}_data"
    else:
        path = sqlite_path(args)
        if fresh:
            for suffix in ("", "-wal", "-shm", "-journal"):
                Path(f"{path}{suffix}").unlink(missing_ok=True)
        path.parent.mkdir(parents=True, exist_ok=True)
        data_dir = path.parent / "data"
    data_dir.mkdir(parents=True, exist_ok=True)
    os.environ["ITSM_DATA_DIR"] = str(data_dir)
    os.environ["DATABASE_URL"] = database_url(args)
    return os.environ["DATABASE_URL"]


def drop_database(args) -> None:
    """Remove the benchmark's database unless ``--keep`` was given."""
    if args.keep:
        return
    try:
        from django.db import connections

        connections.close_all()
    except Exception:  # Django not set up: nothing to close
        pass
    if args.engine == "postgres":
        import psycopg

        with psycopg.connect(f"{args.pg_url}/postgres", autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{args.db}" WITH (FORCE)')
    else:
        path = sqlite_path(args)
        for suffix in ("", "-wal", "-shm", "-journal"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)


# --- CPU of processes ---------------------------------------------------------------------------


def process_cpu_ns(pids: Iterable[int]) -> int:
    """CPU time used so far by *pids*, in nanoseconds (``schedstat``; ``stat`` ticks as a
    fallback). A process that has gone counts as 0."""
    total = 0
    for pid in pids:
        try:
            with open(f"/proc/{pid}/schedstat") as handle:
                total += int(handle.read().split()[0])
                continue
        except (OSError, ValueError, IndexError):
            pass
        try:
            with open(f"/proc/{pid}/stat") as handle:
                fields = handle.read().rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) * 1_000_000_000 // _TICKS
        except (OSError, ValueError, IndexError):
            pass
    return total


def backend_pids(alias: str = "default") -> list[int]:
    """The PostgreSQL backend process of this Django connection (empty on SQLite)."""
    from django.db import connections

    connection = connections[alias]
    if connection.vendor != "postgresql":
        return []
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        return [cursor.fetchone()[0]]


def database_backend_pids(pg_url: str, db: str) -> list[int]:
    """Every PostgreSQL backend connected to *db* (e.g. a server's workers' connections)."""
    import psycopg

    with psycopg.connect(f"{pg_url}/postgres", autocommit=True) as admin:
        rows = admin.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()",
            [db],
        ).fetchall()
    return [row[0] for row in rows]


def rss_mb(pids: Iterable[int]) -> float:
    """Resident memory of *pids* together, in MB."""
    total_kb = 0
    for pid in pids:
        try:
            with open(f"/proc/{pid}/status") as handle:
                for line in handle:
                    if line.startswith("VmRSS:"):
                        total_kb += int(line.split()[1])
        except OSError:
            pass
    return round(total_kb / 1024, 1)


# --- statistics ----------------------------------------------------------------------------------


def percentile(values: list[float], q: float) -> float:
    """The *q*-th percentile (0–100) by nearest rank."""
    ordered = sorted(values)
    if not ordered:
        return 0.0
    rank = max(0, min(len(ordered) - 1, round(q / 100 * len(ordered) + 0.5) - 1))
    return ordered[rank]


def over_repeats(values: list[float], digits: int = 2) -> dict:
    """``{"min": …, "median": …}`` of one statistic over the repeats."""
    return {"min": round(min(values), digits), "median": round(statistics.median(values), digits)}


class _Side:
    """Wall times and CPU of one side (product or raw) within one repeat."""

    def __init__(self) -> None:
        self.wall_ms: list[float] = []
        self.app_ns = 0
        self.db_ns = 0

    def call(self, fn: Callable[[], object], pids: list[int]) -> object:
        db0 = process_cpu_ns(pids) if pids else 0
        cpu0 = time.process_time_ns()
        began = time.perf_counter()
        value = fn()
        self.wall_ms.append((time.perf_counter() - began) * 1000)
        self.app_ns += time.process_time_ns() - cpu0
        if pids:
            self.db_ns += process_cpu_ns(pids) - db0
        return value

    def stats(self) -> dict:
        n = max(1, len(self.wall_ms))
        return {
            "p50_ms": statistics.median(self.wall_ms),
            "p95_ms": percentile(self.wall_ms, 95),
            "max_ms": max(self.wall_ms),
            "cpu_app_ms": self.app_ns / n / 1e6,
            "cpu_db_ms": self.db_ns / n / 1e6,
        }


def measure(
    cases: dict[str, tuple[Callable[[], object], Callable[[], object] | None]],
    *,
    samples: int,
    repeats: int = 3,
    backend_pids: list[int] | None = None,
    warmup: int = 1,
) -> dict:
    """Time each case's product call and its raw floor, interleaved sample by sample.

    *cases* maps a name to ``(product, raw)`` (raw may be ``None``); each is called
    *samples* times per repeat. Returns per case ``{"product": {...}, "raw": {...},
    "ratio_p50": {...}}`` where each statistic is ``{"min", "median"}`` over the repeats:
    ``p50_ms``, ``p95_ms``, ``max_ms``, ``cpu_app_ms`` and ``cpu_db_ms`` (CPU per call)."""
    pids = list(backend_pids or [])
    for product, raw in cases.values():
        for _ in range(warmup):
            product()
            if raw is not None:
                raw()
    per_repeat: dict[str, list[tuple[dict, dict | None]]] = {name: [] for name in cases}
    for _ in range(repeats):
        for name, (product, raw) in cases.items():
            sides = (_Side(), _Side())
            for index in range(samples):
                order = ((0, product), (1, raw)) if index % 2 == 0 else ((1, raw), (0, product))
                for which, fn in order:
                    if fn is not None:
                        sides[which].call(fn, pids)
            per_repeat[name].append(
                (sides[0].stats(), sides[1].stats() if raw is not None else None)
            )
    return {name: _summarise(runs) for name, runs in per_repeat.items()}


def _summarise(runs: list[tuple[dict, dict | None]]) -> dict:
    keys = runs[0][0].keys()
    result: dict = {
        "product": {key: over_repeats([run[0][key] for run in runs]) for key in keys},
    }
    if runs[0][1] is not None:
        result["raw"] = {key: over_repeats([run[1][key] for run in runs], 3) for key in keys}  # type: ignore[index]
        ratios = [run[0]["p50_ms"] / max(run[1]["p50_ms"], 1e-6) for run in runs]  # type: ignore[index]
        result["ratio_p50"] = over_repeats(ratios, 1)
    return result


def timed_repeats(fn: Callable[[], object], *, repeats: int = 3, pids=None) -> dict:
    """Wall time and CPU of one long call (a report, an import), min/median over *repeats*."""
    walls, apps, dbs = [], [], []
    pids = list(pids or [])
    for _ in range(repeats):
        side = _Side()
        side.call(fn, pids)
        walls.append(side.wall_ms[0])
        apps.append(side.app_ns / 1e6)
        dbs.append(side.db_ns / 1e6)
    return {
        "wall_ms": over_repeats(walls),
        "cpu_app_ms": over_repeats(apps),
        "cpu_db_ms": over_repeats(dbs),
    }


def machine() -> dict:
    """What the figures were measured on: cores and the load when the run started."""
    return {"cpus": os.cpu_count(), "loadavg_1m": round(os.getloadavg()[0], 2)}


def emit(result: dict) -> None:
    """Print the benchmark's ONE JSON object."""
    json.dump(result, sys.stdout, ensure_ascii=False, indent=2, default=str)
    sys.stdout.write("\n")
    sys.stdout.flush()
