"""The desk report's figures against the same figures computed in Python over the rows
created (``expected.py``), for provider staff and for a customer user, on a seeded random
data set with rows on the period's edges."""

from __future__ import annotations

import datetime

import pytest

from itsm.desk.reporting import selectors as reports
from itsm.desk.reporting.tests import expected
from itsm.desk.reporting.tests.factories import random_dataset
from itsm.kpi.registry import percent_of

MARCH = reports.month_period(datetime.date(2026, 3, 1))
RANGE = reports.ReportPeriod(datetime.date(2026, 2, 10), datetime.date(2026, 3, 20))


@pytest.fixture
def data(customer_a, customer_b, provider):
    return random_dataset(customer_a, customer_b, provider)


@pytest.mark.django_db
@pytest.mark.parametrize("period", [MARCH, RANGE], ids=["month", "days"])
class TestFigures:
    def test_volumes_completeness_resolution_completion(self, data, admin_user, customer_a, period):
        for customer in (None, customer_a):
            got = reports.ticket_figures(user=admin_user, period=period, customer=customer)
            want = expected.kinds(data, period, customer)
            assert {k: v.as_dict() | {"kind": k} for k, v in got.items()} == {
                k: {**v, "kind": k} for k, v in want.items()
            }
            assert sum(v["opened"] for v in want.values()) > 5  # the data set is not empty
            incidents = want["incident"]
            assert got["incident"].completeness.value == percent_of(
                incidents["complete"], incidents["opened"]
            )
            assert got["incident"].resolution_rate.value == percent_of(
                incidents["finished"], incidents["opened"]
            )
            requests = want["request"]
            assert got["request"].completion.value == percent_of(
                requests["fulfilled"], requests["opened"] - requests["cancelled"]
            )

    def test_trend(self, data, admin_user, customer_a, period):
        for customer in (None, customer_a):
            got = reports.trend(user=admin_user, period=period, customer=customer)
            want = expected.trend(data, period, customer)
            assert [
                {"month": r.month, "opened": r.opened, "finished": r.finished} for r in got
            ] == want
            assert len(got) == 12 and got[-1].month == period.month

    def test_incident_sla(self, data, admin_user, customer_a, period):
        for customer in (None, customer_a):
            got = reports.incident_sla(user=admin_user, period=period, customer=customer)
            want = expected.sla(data, period, customer)
            assert {m: (s.measured, s.breached) for m, s in got.items()} == want
            assert want["resolution"][0] > 0

    def test_top_categories_and_cis(self, data, admin_user, customer_a, period):
        for customer in (None, customer_a):
            counts = expected.category_counts(data, period, customer)
            got = reports.top_categories(user=admin_user, period=period, customer=customer)
            assert len(got) == min(10, len(counts))
            assert [r.count for r in got] == sorted(counts.values(), reverse=True)[:10]
            for row in got:
                assert row.count == counts[row.key]
                if row.key is not None:
                    assert row.label == data.categories[row.key]
            ci_counts = expected.ci_counts(data, period, None)
            got = reports.top_cis(user=admin_user, period=period, customer=customer)
            if customer is not None:
                ci_counts = expected.ci_counts(data, period, customer) + _shared(
                    data, period, customer
                )
            assert [r.count for r in got] == sorted(ci_counts.values(), reverse=True)[:10]
            for row in got:
                assert row.count == ci_counts[row.key]
                assert row.label == data.cis[row.key]["label"]

    def test_first_time_dispatch(self, data, admin_user, customer_a, period):
        for customer in (None, customer_a):
            got = reports.first_time_dispatch(user=admin_user, period=period, customer=customer)
            ok, total = expected.dispatch(data, period, customer)
            assert (got.numerator, got.denominator) == (ok, total)
            assert total > 0

    def test_satisfaction(self, data, admin_user, customer_a, period):
        for customer in (None, customer_a):
            got = reports.satisfaction(user=admin_user, period=period, customer=customer)
            want = expected.satisfaction(data, period, customer)
            assert got.distribution == want
            assert got.mean == expected.mean(want)
            assert got.count == sum(want.values()) > 0

    def test_calls(self, data, admin_user, customer_a, period):
        for customer in (None, customer_a):
            got = reports.call_figures(user=admin_user, period=period, customer=customer)
            assert got.as_dict() == expected.calls(data, period, customer)

    def test_customer_user_sees_their_own_figures(
        self, data, customer_user, customer_a, admin_user, period
    ):
        mine = reports.desk_report(user=customer_user, period=period)
        theirs = reports.desk_report(user=admin_user, period=period, customer=customer_a)
        assert mine.kinds == theirs.kinds
        assert mine.trend == theirs.trend
        assert mine.sla == theirs.sla
        assert mine.top_categories == theirs.top_categories
        assert mine.satisfaction == theirs.satisfaction
        # the CIs: only their own organisation's, never shared infrastructure nor another's
        want = expected.ci_counts(data, period, customer_a)
        assert {r.key: r.count for r in mine.top_cis} == dict(want.most_common(10)) or (
            [r.count for r in mine.top_cis] == sorted(want.values(), reverse=True)[:10]
        )
        assert all(data.cis[r.key]["customer"] == customer_a.pk for r in mine.top_cis)
        # internal measures are left out
        assert mine.dispatch is None and mine.calls is None
        assert theirs.dispatch is not None and theirs.calls is not None


def _shared(data, period, customer):
    """Shared CIs (no customer) named on *customer*'s incidents: provider staff see them."""
    from collections import Counter

    counts: Counter = Counter()
    for t in expected.incidents_opened(data, period, customer):
        for ci in t["cis"]:
            if data.cis[ci]["customer"] is None:
                counts[ci] += 1
    return counts


@pytest.mark.django_db
def test_report_is_a_handful_of_queries(customer_a, customer_b, provider, admin_user):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    random_dataset(customer_a, customer_b, provider, tickets=30)
    reports.ticket_content_type()  # cached per process, as in a running server
    with CaptureQueriesContext(connection) as queries:
        report = reports.desk_report(user=admin_user, period=MARCH)
    # (the report's transaction is a savepoint inside the test's)
    sent = [q["sql"] for q in queries if not q["sql"].startswith(("SAVEPOINT", "RELEASE"))]
    # PostgreSQL: the report's transaction switches JIT off first (report_transaction)
    settings = ["SET LOCAL jit = off"] if connection.vendor == "postgresql" else []
    assert [sql for sql in sent if sql.startswith("SET")] == settings
    reads = [sql for sql in sent if sql.startswith("SELECT")]
    # nine aggregates, and the middle resolution times when an incident has one
    assert report.handling.resolved > 0
    assert len(reads) == 10 == len(sent) - len(settings), [sql[:80] for sql in sent]
