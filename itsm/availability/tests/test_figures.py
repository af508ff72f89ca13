"""The availability figures, hand-computed: an 8×5 SLA in March 2026 (22 working days,
176 h of agreed service time), an outage over a night and a weekend, a planned interruption
and an unplanned outage overlapping it; MTBF and MTRS; the SLM monthly report."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest

from itsm.availability import selectors, services
from itsm.availability.tests.factories import MARCH, march_outages, sla_8x5
from itsm.slm.reporting import selectors as reports
from itsm.slm.tests.factories_reports import local

pytestmark = pytest.mark.django_db

AFTER_MARCH = local(2026, 4, 5, 12)

# Hand computation (business hours Mon–Fri 09:00–17:00, Asia/Shanghai):
# - agreed service time: 22 weekdays × 8 h = 176 h = 633 600 s;
# - unplanned Fri 13 16:00 → Mon 16 10:00: 1 h on Friday + 1 h on Monday = 2 h (the night
#   and the weekend are outside the service hours);
# - planned Wed 18 12:00–14:00: 2 h, taken out of the agreed service time → 174 h;
# - unplanned Wed 18 13:00–15:00: 13:00–14:00 lies in the planned interruption, 1 h counts;
# - downtime 3 h = 10 800 s; availability = (174 − 3) / 174 = 98.275862… % → 98.276 %.
AGREED = 176 * 3600
PLANNED = 2 * 3600
DOWN = 3 * 3600
EXPECTED = Decimal("98.276")


def test_hand_computed_availability(admin_user, customer_a):
    d = sla_8x5(customer_a)
    march_outages(d, customer_a)
    rows = selectors.availability_rows(user=admin_user, month=MARCH, now=AFTER_MARCH)
    assert [
        (
            r.agreement_id,
            r.service_id,
            r.customer_id,
            r.agreed_seconds,
            r.planned_seconds,
            r.downtime_seconds,
            r.outages,
            r.availability,
            r.target,
            r.status,
        )
        for r in rows
    ] == [
        (
            d.agreement.pk,
            d.service.pk,
            customer_a.pk,
            AGREED,
            PLANNED,
            DOWN,
            2,
            EXPECTED,
            Decimal("99.9"),
            "not_met",
        )
    ]
    assert (Decimal(AGREED - PLANNED - DOWN) * 100 / (AGREED - PLANNED)).quantize(
        Decimal("0.001")
    ) == EXPECTED


def test_other_customers_outages_do_not_count(admin_user, customer_a, customer_b):
    d = sla_8x5(customer_a)
    services.record_outage(
        service=d.service,
        customer=customer_b,
        started_at=local(2026, 3, 2, 9),
        ended_at=local(2026, 3, 2, 17),
    )
    (row,) = selectors.availability_rows(user=admin_user, month=MARCH, now=AFTER_MARCH)
    assert (row.downtime_seconds, row.availability, row.status) == (0, Decimal("100.000"), "met")


def test_an_open_outage_runs_to_now(admin_user, customer_a):
    d = sla_8x5(customer_a)
    services.record_outage(service=d.service, customer=None, started_at=local(2026, 3, 31, 15))
    (row,) = selectors.availability_rows(
        user=admin_user, month=MARCH, now=local(2026, 3, 31, 16, 30)
    )
    assert row.downtime_seconds == 90 * 60


def test_a_customer_sees_only_their_own_slas(customer_user, customer_a, customer_b):
    own = sla_8x5(customer_a)
    sla_8x5(customer_b)
    rows = selectors.availability_rows(user=customer_user, month=MARCH, now=AFTER_MARCH)
    assert [r.agreement_id for r in rows] == [own.agreement.pk]


def test_mtbf_and_mtrs(admin_user, customer_a):
    d = sla_8x5(customer_a)
    march_outages(d, customer_a)
    (row,) = selectors.reliability(user=admin_user, month=MARCH, now=AFTER_MARCH)
    # unplanned: 66 h (Fri 16:00 → Mon 10:00) and 2 h; March has 744 h
    # MTRS = (66 + 2) / 2 = 34 h; MTBF = (744 − 68) / 2 = 338 h
    assert (row.service_id, row.failures, row.downtime_hours, row.mtbf_hours, row.mtrs_hours) == (
        d.service.pk,
        2,
        Decimal("68.00"),
        Decimal("338.00"),
        Decimal("34.00"),
    )


def test_the_kpi_is_the_same_figure(admin_user, customer_a):
    from itsm.availability.kpis import service_availability

    d = sla_8x5(customer_a)
    march_outages(d, customer_a)
    start = local(2026, 3, 1)
    measure = service_availability(
        period_start=start, period_end=local(2026, 4, 1), customer=customer_a, user=admin_user
    )
    assert (measure.value, measure.numerator, measure.denominator) == (
        EXPECTED,
        AGREED - PLANNED - DOWN,
        AGREED - PLANNED,
    )


class TestMonthlyReport:
    def test_shows_the_measured_figure_against_the_target(self, admin_user, customer_a):
        d = sla_8x5(customer_a)
        march_outages(d, customer_a)
        report = reports.monthly_report(user=admin_user, agreement=d.agreement, month=MARCH)
        (row,) = report.indicator_rows
        assert (row.target_id, row.measured, row.status, row.note) == (
            d.target.pk,
            EXPECTED,
            "not_met",
            "Measured 98.276 % against 99.9 %: Not met",
        )

    def test_met(self, admin_user, customer_a):
        d = sla_8x5(customer_a, target="98")
        march_outages(d, customer_a)
        report = reports.monthly_report(user=admin_user, agreement=d.agreement, month=MARCH)
        (row,) = report.indicator_rows
        assert (row.status, row.note) == ("met", "Measured 98.276 % against 98 %: Met")

    def test_page_and_api(self, admin_user, customer_a, browse):
        from django.urls import reverse

        d = sla_8x5(customer_a)
        march_outages(d, customer_a)
        client = browse(admin_user)
        query = {"agreement": d.agreement.pk, "month": "2026-03"}
        html = client.get(reverse("slm:report_monthly"), query).content.decode()
        assert "Measured 98.276 % against 99.9 %: Not met" in html
        body = client.get(reverse("api:slm-api:report-monthly"), query).json()
        assert [(i["target_id"], i["note"]) for i in body["indicators"]] == [
            (d.target.pk, "Measured 98.276 % against 99.9 %: Not met")
        ]

    def test_a_month_before_the_agreement_is_not_measured(self, admin_user, customer_a):
        d = sla_8x5(customer_a)
        report = reports.monthly_report(
            user=admin_user, agreement=d.agreement, month=datetime.date(2025, 12, 1)
        )
        (row,) = report.indicator_rows
        assert (row.measured, row.status) == (None, "")
