"""Throughput of deadline computations (R-SLM-04 needs ≥ 50 000 per second on one core).

Run::

    .venv/bin/python bench/business_time.py [--computations 200000] [--repeats 3]

Prints ONE JSON object. The calendar is China 5×8 with a lunch break and chinese-calendar's
rows for 2020–2026 (2027 unconfirmed), held in the engine cache exactly as a stored calendar
is; each computation goes through the public ``compute_deadline`` (cache lookup included) with
a random start in 2026 and a random duration of up to five working days. Min / median over
``--repeats`` (``bench/harness.py``) of the wall time and the CPU per computation. The
database options of every benchmark are accepted (``--engine``, ``--db``), but nothing is read
from a database: there is no raw SQL floor for Python arithmetic, the CPU per call is the
figure to compare.
"""

from __future__ import annotations

import argparse
import random
import sys
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parent))
import harness  # noqa: E402

_parser = argparse.ArgumentParser(description="Deadline computations per second.")
harness.add_database_options(
    _parser, default_name="itsm_bench_business_time", default_engine="sqlite"
)
_parser.add_argument("--computations", type=int, default=200_000)
ARGS = _parser.parse_args()
harness.use_database(ARGS, fresh=False)

import django  # noqa: E402

django.setup()

from itsm.core.calendars import businesstime  # noqa: E402
from itsm.core.calendars.models import BusinessCalendar  # noqa: E402


def _calendar() -> BusinessCalendar:
    import chinese_calendar

    years = range(2020, 2027)
    days = {d: "holiday" for d in chinese_calendar.holidays if d.year in years}
    days.update({d: "workday" for d in chinese_calendar.workdays if d.year in years})
    engine = businesstime.BusinessTimeEngine(
        time_zone="Asia/Shanghai",
        weekly={wd: [(9 * 60, 12 * 60), (13 * 60 + 30, 18 * 60)] for wd in range(5)},
        days=days,
        observes_holidays=True,
        known_years=years,
    )
    calendar = BusinessCalendar(
        pk=-1, code="bench", name="bench", rules_token="bench", holiday_region="CN"
    )
    businesstime._CACHE[calendar.pk] = (calendar.rules_token, engine)
    return calendar


def run(n: int, repeats: int, seed: int = 1) -> dict:
    calendar = _calendar()
    rng = random.Random(seed)
    tz = ZoneInfo("Asia/Shanghai")
    base = datetime(2026, 1, 1, tzinfo=tz)
    starts = [base + timedelta(minutes=rng.randrange(365 * 1440)) for _ in range(n)]
    durations = [timedelta(minutes=rng.randrange(1, 5 * 450)) for _ in range(n)]
    businesstime.compute_deadline(starts[0], durations[0], calendar)  # build the years
    businesstime.compute_deadline(datetime(2027, 12, 1, tzinfo=tz), timedelta(days=30), calendar)

    def computations():
        for start, duration in zip(starts, durations, strict=True):
            businesstime.compute_deadline(start, duration, calendar)

    timed = harness.timed_repeats(computations, repeats=repeats)
    businesstime.invalidate(calendar.pk)
    return {
        "benchmark": "calendars.compute_deadline",
        "machine": harness.machine(),
        "computations": n,
        "repeats": repeats,
        "per_second": {
            "max": round(n / timed["wall_ms"]["min"] * 1000),
            "median": round(n / timed["wall_ms"]["median"] * 1000),
        },
        "microseconds_each": {k: round(v * 1000 / n, 2) for k, v in timed["wall_ms"].items()},
        "cpu_us_each": {k: round(v * 1000 / n, 2) for k, v in timed["cpu_app_ms"].items()},
        "cpu_per_second": round(n / max(timed["cpu_app_ms"]["median"], 1e-9) * 1000),
        "target_per_second_min": 50_000,
    }


def main() -> None:
    harness.emit(run(ARGS.computations, ARGS.repeats))


if __name__ == "__main__":
    main()
