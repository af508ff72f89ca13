"""Selectors of the SLA reports (R-SLM-06) on the crafted data set of ``factories_reports``.

March 2026 (local time), measured clocks:

    A1 (customer A): c1 met, c2 breached, c3 met, c4 breached (running), c5 met (23:30 on
                     31 March), c10 breached (paused)            → 6 measured, 3 met
    A2 (customer A): c11 met, c12 met, c13 breached              → 3 measured, 2 met, target 90 %
    B1 (customer B): c15 breached, c16 met                       → 2 measured, 1 met
not measured: c8 (running, not breached), c9 (cancelled); c6 is April (00:30 on 1 April local =
16:30 UTC on 31 March); c7 (February, breached by elapsed time) and c14 (February, met).
"""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.utils import translation

from itsm.core.errors import NotFound, ValidationFailed
from itsm.slm.reporting import selectors as reports
from itsm.slm.tests.factories_reports import EVIL_LABEL, local, report_dataset

MARCH = datetime.date(2026, 3, 1)
APRIL = datetime.date(2026, 4, 1)


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


@pytest.fixture
def data(customer_a, customer_b):
    return report_dataset(customer_a, customer_b)


def figures(rows):
    return [(r.key, r.measured, r.met, r.breached, r.achievement, r.target, r.status) for r in rows]


def march(user, **kwargs):
    return reports.achievement(user=user, period_start=MARCH, period_end=APRIL, **kwargs)


D = Decimal


@pytest.mark.django_db
class TestAchievement:
    def test_by_agreement(self, data, admin_user):
        rows = march(admin_user, group_by="agreement")
        assert figures(rows) == [
            (data.a1.pk, 6, 3, 3, D("50.0"), D(100), "not_met"),
            (data.a2.pk, 3, 2, 1, D("66.7"), D(90), "not_met"),
            (data.b1.pk, 2, 1, 1, D("50.0"), D(100), "not_met"),
        ]
        assert rows[0].label == "SLA-000101 Office IT"

    def test_by_service(self, data, admin_user):
        rows = march(admin_user, group_by="service")
        assert figures(rows) == [
            (data.s1.pk, 6, 3, 3, D("50.0"), D(100), "not_met"),
            (data.s2.pk, 5, 3, 2, D("60.0"), D(100), "not_met"),
        ]
        assert [r.label for r in rows] == ["SVC-MAIL Email", "SVC-ERP ERP"]

    def test_by_customer(self, data, admin_user, customer_a, customer_b):
        rows = march(admin_user, group_by="customer")
        assert sorted(figures(rows)) == sorted(
            [
                (customer_a.pk, 9, 5, 4, D("55.6"), D(100), "not_met"),
                (customer_b.pk, 2, 1, 1, D("50.0"), D(100), "not_met"),
            ]
        )

    def test_by_priority(self, data, admin_user):
        assert figures(march(admin_user, group_by="priority")) == [
            ("p1", 6, 3, 3, D("50.0"), D(100), "not_met"),
            ("p2", 2, 1, 1, D("50.0"), D(100), "not_met"),
            ("p3", 3, 2, 1, D("66.7"), D(100), "not_met"),
        ]

    def test_by_month_uses_local_month_boundaries(self, data, admin_user):
        rows = reports.achievement(
            user=admin_user,
            period_start=datetime.date(2026, 2, 1),
            period_end=datetime.date(2026, 5, 1),
            group_by="month",
        )
        assert figures(rows) == [
            ("2026-02", 2, 1, 1, D("50.0"), D(100), "not_met"),
            ("2026-03", 11, 6, 5, D("54.5"), D(100), "not_met"),
            ("2026-04", 1, 1, 0, D("100.0"), D(100), "met"),
        ]

    def test_monthly_series_fills_empty_months(self, data, admin_user):
        rows = reports.monthly_series(
            user=admin_user,
            first_month=datetime.date(2026, 1, 1),
            last_month=datetime.date(2026, 4, 1),
            agreement=data.a2,
        )
        assert figures(rows) == [
            ("2026-01", 0, 0, 0, None, D(100), "no_data"),
            ("2026-02", 1, 1, 0, D("100.0"), D(90), "met"),
            ("2026-03", 3, 2, 1, D("66.7"), D(90), "not_met"),
            ("2026-04", 0, 0, 0, None, D(100), "no_data"),
        ]

    def test_metric_and_filters(self, data, admin_user, customer_b):
        assert figures(march(admin_user, group_by="agreement", metric="response")) == [
            (data.a1.pk, 2, 1, 1, D("50.0"), D(100), "not_met"),
        ]
        assert figures(march(admin_user, group_by="priority", customer=customer_b)) == [
            ("p1", 2, 1, 1, D("50.0"), D(100), "not_met"),
        ]
        assert figures(march(admin_user, group_by="service", agreement=data.a2)) == [
            (data.s2.pk, 3, 2, 1, D("66.7"), D(90), "not_met"),
        ]

    def test_unknown_grouping_is_a_validation_error(self, data, admin_user):
        with pytest.raises(ValidationFailed) as error:
            march(admin_user, group_by="colour")
        assert set(error.value.fields) == {"group_by"}

    def test_customer_sees_only_their_organisation(self, data, customer_user, customer_a):
        assert [r.key for r in march(customer_user, group_by="agreement")] == [
            data.a1.pk,
            data.a2.pk,
        ]
        assert figures(march(customer_user, group_by="customer")) == [
            (customer_a.pk, 9, 5, 4, D("55.6"), D(100), "not_met"),
        ]
        # service S1 is shared with customer B: only A's clocks count
        assert figures(march(customer_user, group_by="service"))[0] == (
            data.s1.pk,
            4,
            2,
            2,
            D("50.0"),
            D(100),
            "not_met",
        )

    def test_other_customer_sees_only_b(self, data, other_customer_user):
        assert [r.key for r in march(other_customer_user, group_by="agreement")] == [data.b1.pk]

    def test_query_count_is_constant(self, data, admin_user, django_assert_num_queries):
        with django_assert_num_queries(2):  # the counts, the achievement targets
            march(admin_user, group_by="agreement")
        with django_assert_num_queries(1):
            march(admin_user, group_by="month")


@pytest.mark.django_db
class TestBreaches:
    def test_list_order_overrun_and_cause(self, data, admin_user):
        rows = reports.breaches(user=admin_user, period_start=MARCH, period_end=APRIL)
        assert [(r.clock_id, r.overrun_minutes, r.cause_display) for r in rows] == [
            (data.c13.pk, D("40.0"), "not yet analysed"),
            (data.c15.pk, D("93.3"), "B cause"),
            (data.c2.pk, D("10.0"), "Network outage"),
            (data.c10.pk, D("10.0"), "Waiting for vendor"),
            (data.c4.pk, None, "not yet analysed"),
        ]
        c2 = rows[2]
        assert (c2.record_label, c2.metric, c2.metric_label, c2.priority) == (
            data.c2.record_label,
            "response",
            "Response time",
            "P1",
        )
        assert c2.due_at == local(2026, 3, 10, 9)
        assert c2.breached_at == local(2026, 3, 10, 9)
        assert rows[3].record_label == EVIL_LABEL

    def test_february_breach_by_elapsed_time(self, data, admin_user):
        rows = reports.breaches(
            user=admin_user, period_start=datetime.date(2026, 2, 1), period_end=MARCH
        )
        assert [(r.clock_id, r.overrun_minutes) for r in rows] == [(data.c7.pk, D("20.0"))]

    def test_agreement_filter_and_tenancy(self, data, admin_user, customer_user):
        rows = reports.breaches(
            user=admin_user, period_start=MARCH, period_end=APRIL, agreement=data.b1
        )
        assert [r.clock_id for r in rows] == [data.c15.pk]
        mine = reports.breaches(user=customer_user, period_start=MARCH, period_end=APRIL)
        assert [r.clock_id for r in mine] == [data.c13.pk, data.c2.pk, data.c10.pk, data.c4.pk]

    def test_one_query(self, data, admin_user, django_assert_num_queries):
        with django_assert_num_queries(1):
            reports.breaches(user=admin_user, period_start=MARCH, period_end=APRIL)


@pytest.mark.django_db
class TestMonthlyReport:
    def test_targets_indicators_breaches_and_summary(self, data, admin_user):
        report = reports.monthly_report(user=admin_user, agreement=data.a1, month=MARCH)
        assert report.month_label == "2026-03"
        assert [
            (
                r.target_id,
                r.service,
                r.priority,
                r.metric,
                r.target_value,
                r.measured,
                r.met,
                r.breached,
                r.achievement,
                r.status,
            )
            for r in report.target_rows
        ] == [
            (
                data.t2.pk,
                "SVC-MAIL Email",
                "P1",
                "resolution",
                D(240),
                2,
                1,
                1,
                D("50.0"),
                "not_met",
            ),
            (data.t3.pk, "SVC-ERP ERP", "P2", "resolution", D(480), 2, 1, 1, D("50.0"), "not_met"),
            (data.t1.pk, "SVC-MAIL Email", "P1", "response", D(30), 2, 1, 1, D("50.0"), "not_met"),
        ]
        assert [(r.target_id, r.target_value, r.note) for r in report.indicator_rows] == [
            (
                data.t4.pk,
                D("99.900"),
                "No agreed service time in the month: not measured",
            )
        ]
        assert [b.clock_id for b in report.breaches] == [data.c2.pk, data.c10.pk, data.c4.pk]
        assert (report.measured, report.met, report.breached, report.achievement) == (
            6,
            3,
            3,
            D("50.0"),
        )
        assert (report.all_met, report.not_met_count, report.has_data) == (False, 3, True)
        assert report.comments == ""

    def test_agreement_achievement_target(self, data, admin_user):
        report = reports.monthly_report(user=admin_user, agreement=data.a2.pk, month=MARCH)
        assert [
            (r.target_id, r.achievement, r.achievement_target, r.status) for r in report.target_rows
        ] == [(data.t5.pk, D("66.7"), D(90), "not_met")]
        assert report.indicator_rows == []  # the achievement target is not an indicator row
        assert report.achievement_target == D(90)
        february = reports.monthly_report(
            user=admin_user, agreement=data.a2, month=datetime.date(2026, 2, 1)
        )
        assert [(r.measured, r.status) for r in february.target_rows] == [(1, "met")]
        assert february.all_met is True

    def test_month_without_data(self, data, admin_user):
        report = reports.monthly_report(
            user=admin_user, agreement=data.b1, month=datetime.date(2026, 1, 1)
        )
        assert [(r.measured, r.achievement, r.status) for r in report.target_rows] == [
            (0, None, "no_data")
        ]
        assert (report.has_data, report.all_met, report.achievement) == (False, True, None)

    def test_clocks_without_a_target_get_their_own_row(self, data, admin_user):
        data.c3.target = None
        data.c3.save(update_fields=["target"])
        report = reports.monthly_report(user=admin_user, agreement=data.a1, month=MARCH)
        assert [(r.target_id, r.metric, r.measured, r.met) for r in report.target_rows] == [
            (data.t2.pk, "resolution", 1, 0),
            (data.t3.pk, "resolution", 2, 1),
            (data.t1.pk, "response", 2, 1),
            (None, "resolution", 1, 1),
        ]

    def test_foreign_agreement_is_not_found(self, data, customer_user):
        with pytest.raises(NotFound):
            reports.monthly_report(user=customer_user, agreement=data.b1, month=MARCH)
        with pytest.raises(NotFound):
            reports.monthly_report(user=customer_user, agreement="x", month=MARCH)
        own = reports.monthly_report(user=customer_user, agreement=data.a1, month=MARCH)
        assert own.measured == 6

    def test_query_count(self, data, admin_user, django_assert_num_queries):
        from itsm.core.calendars.businesstime import invalidate

        invalidate()  # the calendar's rows are read once, then cached
        # four for the clocks; the availability target's figure: its targets, the agreement,
        # its services, the outages; the calendar (three, the first time only)
        with django_assert_num_queries(11):
            reports.monthly_report(user=admin_user, agreement=data.a1, month=MARCH)
        with django_assert_num_queries(8):
            reports.monthly_report(user=admin_user, agreement=data.a1, month=MARCH)


class TestMonths:
    @pytest.mark.parametrize(
        "value", ["2026-13", "2026-00", "2026-3", "March", "", None, "0000-01"]
    )
    def test_bad_month(self, value):
        with pytest.raises(ValidationFailed) as error:
            reports.parse_month(value)
        assert set(error.value.fields) == {"month"}

    def test_good_month_and_helpers(self):
        assert reports.parse_month(" 2026-12 ") == datetime.date(2026, 12, 1)
        assert reports.next_month(datetime.date(2026, 12, 1)) == datetime.date(2027, 1, 1)
        assert reports.add_months(datetime.date(2026, 1, 1), -1) == datetime.date(2025, 12, 1)
        assert reports.last_full_month(datetime.date(2026, 1, 15)) == datetime.date(2025, 12, 1)
