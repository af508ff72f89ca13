"""Throughput of deadline computations (R-SLM-04 needs ≥ 50 000 per second on one core).

Run: ``.venv/bin/python bench/business_time.py`` (SECRET_KEY set, or .env present); prints one
JSON object. The calendar is China 5×8 with a lunch break and chinese-calendar's rows for
2020–2026 (2027 unconfirmed), held in the engine cache exactly as a stored calendar is; each
computation goes through the public ``compute_deadline`` (cache lookup included) with a
random start in 2026 and a random duration of up to five working days.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "itsm.config.settings")
os.environ.setdefault("SECRET_KEY", "bench-only")
import django  # noqa: E402

django.setup()

import json  # noqa: E402
import random  # noqa: E402
import time  # noqa: E402
from datetime import datetime, timedelta  # noqa: E402
from zoneinfo import ZoneInfo  # noqa: E402

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
    businesstime._ALERTED.update((calendar.pk, y) for y in range(2027, 2040))  # no DB alerts
    return calendar


def run(n: int = 200_000, seed: int = 1) -> dict:
    calendar = _calendar()
    rng = random.Random(seed)
    tz = ZoneInfo("Asia/Shanghai")
    base = datetime(2026, 1, 1, tzinfo=tz)
    starts = [base + timedelta(minutes=rng.randrange(365 * 1440)) for _ in range(n)]
    durations = [timedelta(minutes=rng.randrange(1, 5 * 450)) for _ in range(n)]
    businesstime.compute_deadline(starts[0], durations[0], calendar)  # build the years
    businesstime.compute_deadline(datetime(2027, 12, 1, tzinfo=tz), timedelta(days=30), calendar)
    began = time.perf_counter()
    for start, duration in zip(starts, durations, strict=True):
        businesstime.compute_deadline(start, duration, calendar)
    elapsed = time.perf_counter() - began
    businesstime.invalidate(calendar.pk)
    return {
        "benchmark": "calendars.compute_deadline",
        "computations": n,
        "seconds": round(elapsed, 3),
        "per_second": round(n / elapsed),
        "microseconds_each": round(elapsed / n * 1e6, 2),
    }


def main() -> None:
    print(json.dumps(run()))


if __name__ == "__main__":
    main()
