"""Every figure of the desk report computed again in plain Python over the rows a
:class:`~itsm.desk.reporting.tests.factories.Dataset` created — independently of the
selectors' SQL — for the tests to compare exactly."""

from __future__ import annotations

import datetime
from collections import Counter
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

from django.utils import timezone

from itsm.kpi.registry import percent_of

KINDS = ("incident", "request", "consultation")


def _in(value, period) -> bool:
    return value is not None and period.start <= value < period.end


def _mine(row, customer, key="customer") -> bool:
    return customer is None or row[key] == customer.pk


def kinds(d, period, customer=None) -> dict[str, dict]:
    end = period.end
    result = {}
    for kind in KINDS:
        counts = dict.fromkeys(
            (
                "opened",
                "resolved",
                "closed",
                "finished",
                "backlog",
                "complete",
                "cancelled",
                "fulfilled",
            ),
            0,
        )
        for t in d.tickets:
            if t["kind"] != kind or not _mine(t, customer) or t["opened_at"] >= end:
                continue
            opened = _in(t["opened_at"], period)
            resolved, closed = t["resolved_at"], t["closed_at"]
            done_by_end = (resolved is not None and resolved < end) or (
                closed is not None and closed < end
            )
            cancelled = t["status"] == "cancelled"
            cancelled_by_end = cancelled and (
                (closed is not None and closed < end) or (closed is None and t["updated_at"] < end)
            )
            counts["opened"] += opened
            counts["resolved"] += _in(resolved, period)
            counts["closed"] += _in(closed, period) and not cancelled
            done = resolved if resolved is not None else closed
            counts["finished"] += _in(done, period) and not cancelled
            counts["backlog"] += not done_by_end and not cancelled_by_end
            counts["complete"] += opened and t["is_complete"]
            counts["cancelled"] += opened and cancelled
            counts["fulfilled"] += opened and not cancelled and done_by_end
        result[kind] = counts
    return result


def trend(d, period, customer=None) -> list[dict]:
    from itsm.slm.reporting.selectors import add_months, month_label

    last = period.last_day.replace(day=1)
    months = [month_label(add_months(last, -i)) for i in range(11, -1, -1)]

    def month_of(value):
        return month_label(timezone.localtime(value).date()) if value is not None else None

    opened: Counter = Counter()
    finished: Counter = Counter()
    for t in d.tickets:
        if not _mine(t, customer):
            continue
        opened[(month_of(t["opened_at"]), t["kind"])] += 1
        done = t["resolved_at"] if t["resolved_at"] is not None else t["closed_at"]
        if t["status"] != "cancelled":
            finished[month_of(done)] += 1
    return [
        {
            "month": m,
            "opened": {k: opened[(m, k)] for k in KINDS},
            "finished": finished[m],
        }
        for m in months
    ]


def sla(d, period, customer=None) -> dict[str, tuple[int, int]]:
    """metric → (measured, breached) of incidents' clocks."""
    incidents = {t["id"] for t in d.tickets if t["kind"] == "incident"}
    result = {"response": [0, 0], "resolution": [0, 0]}
    for c in d.clocks:
        if c["ticket"] not in incidents or not _mine(c, customer):
            continue
        measured = (c["state"] == "stopped" and _in(c["stopped_at"], period)) or (
            c["state"] in ("running", "paused") and c["breached"] and _in(c["breached_at"], period)
        )
        if not measured:
            continue
        breached = c["breached"] or (c["state"] == "stopped" and c["elapsed"] > c["goal"])
        result[c["metric"]][0] += 1
        result[c["metric"]][1] += breached
    return {k: (v[0], v[1]) for k, v in result.items()}


def incidents_opened(d, period, customer=None) -> list[dict]:
    return [
        t
        for t in d.tickets
        if t["kind"] == "incident" and _mine(t, customer) and _in(t["opened_at"], period)
    ]


def category_counts(d, period, customer=None) -> Counter:
    return Counter(t["category"] for t in incidents_opened(d, period, customer))


def ci_counts(d, period, customer=None) -> Counter:
    counts: Counter = Counter()
    for t in incidents_opened(d, period, customer):
        for ci in t["cis"]:
            if customer is None or d.cis[ci]["customer"] == customer.pk:
                counts[ci] += 1
    return counts


def dispatch(d, period, customer=None) -> tuple[int, int]:
    """(first-time successes, tickets first dispatched in the period)."""
    tickets = {t["id"]: t for t in d.tickets}
    first: dict[int, dict] = {}
    for a in sorted(d.assignments, key=lambda a: (a["at"], a["id"])):
        first.setdefault(a["ticket"], a)
    ok = total = 0
    for ticket_id, a in first.items():
        t = tickets[ticket_id]
        if not _in(a["at"], period) or not _mine(t, customer):
            continue
        total += 1
        ok += a["returned_at"] is None and t["reassignment_count"] == 0
    return ok, total


def satisfaction(d, period, customer=None) -> dict[int, int]:
    counts = Counter(
        s["score"] for s in d.surveys if _in(s["answered_at"], period) and _mine(s, customer)
    )
    return {score: counts[score] for score in range(1, 6)}


def mean(distribution: dict[int, int]) -> Decimal | None:
    count = sum(distribution.values())
    if not count:
        return None
    total = sum(s * n for s, n in distribution.items())
    return (Decimal(total) / count).quantize(Decimal("0.01"), ROUND_HALF_UP)


def calls(d, period, customer=None) -> dict:
    rows = [
        c
        for c in d.calls
        if _in(c["started_at"], period) and _mine(c, customer, key="organisation")
    ]
    answered = [c for c in rows if c["answered"]]
    timed = [c for c in answered if c["ended_at"] is not None]
    talk = sum((c["ended_at"] - c["started_at"]).total_seconds() for c in timed)
    return {
        "calls": len(rows),
        "answered": len(answered),
        "logged": sum(c["outcome"] == "ticket" for c in answered),
        "timed": len(timed),
        "answer_rate": percent_of(len(answered), len(rows)),
        "logging_rate": percent_of(sum(c["outcome"] == "ticket" for c in answered), len(answered)),
        "average_seconds": (
            int((Decimal(int(talk)) / len(timed)).quantize(Decimal(1), ROUND_HALF_UP))
            if timed
            else None
        ),
    }


def handling(d, period, customer=None) -> dict:
    """Reassignments, reopenings and resolution time of the incidents opened in the period
    (no imported incidents in a dataset: no verdicts)."""
    rows = incidents_opened(d, period, customer)
    times = sorted(
        (t["resolved_at"] - t["opened_at"]) // datetime.timedelta(microseconds=1)
        for t in rows
        if t["resolved_at"] is not None
    )
    if times:
        middle = times[(len(times) - 1) // 2 : len(times) // 2 + 1]
        median = hours(Fraction(sum(middle), len(middle)))
        mean_time = hours(Fraction(sum(times), len(times)))
    else:
        median = mean_time = None
    return {
        "opened": len(rows),
        "reassignments": sum(t["reassignment_count"] for t in rows),
        "reopened": sum(1 for t in rows if t["reopen_count"] > 0),
        "resolved": len(times),
        "mean_resolution_hours": mean_time,
        "median_resolution_hours": median,
    }


def hours(microseconds: Fraction) -> Decimal:
    """Microseconds as hours with two decimals, halves rounded away from zero."""
    hundredths = abs(microseconds) * 100 / 3_600_000_000
    rounded = int(hundredths + Fraction(1, 2))  # floor of a non-negative number
    return Decimal(rounded if microseconds >= 0 else -rounded) / 100


def mean2(total: int, count: int) -> Decimal | None:
    """``total / count`` with two decimals, halves rounded up (``None`` over nothing)."""
    if not count:
        return None
    return Decimal(int(Fraction(total * 100, count) + Fraction(1, 2))) / 100
