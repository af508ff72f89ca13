"""The desk's KPIs in the catalogue: each one is the report's own figure (the same selector),
equal to the figure computed in Python over the rows, and a customer user sees only theirs."""

from __future__ import annotations

import datetime

import pytest

from itsm.desk.reporting import selectors as reports
from itsm.desk.reporting.tests import expected
from itsm.desk.reporting.tests.factories import random_dataset
from itsm.kpi import selectors as kpi_selectors
from itsm.kpi.registry import percent_of, registry

MARCH = reports.month_period(datetime.date(2026, 3, 1))
KPI_PERIOD = kpi_selectors.KpiPeriod(datetime.date(2026, 3, 1))
DESK_KPIS = {
    "desk_first_time_dispatch",
    "desk_record_completeness",
    "desk_incident_sla",
    "desk_resolution_rate",
    "desk_satisfaction",
    "desk_request_completion",
    "desk_mean_reassignments",
    "desk_reopened_incidents",
    "desk_mean_resolution_time",
    "desk_median_resolution_time",
}


@pytest.fixture
def data(customer_a, customer_b, provider):
    return random_dataset(customer_a, customer_b, provider)


def _figures(user, customer=None) -> dict:
    return {
        f.kpi.id: f
        for f in kpi_selectors.figures(user=user, period=KPI_PERIOD, customer=customer)
        if f.kpi.id.startswith("desk_")
    }


def _want(data, customer) -> dict:
    kinds = expected.kinds(data, MARCH, customer)
    incidents, requests = kinds["incident"], kinds["request"]
    ok, dispatched = expected.dispatch(data, MARCH, customer)
    sla = expected.sla(data, MARCH, customer)
    measured = sum(m for m, _b in sla.values())
    met = measured - sum(b for _m, b in sla.values())
    scores = expected.satisfaction(data, MARCH, customer)
    handled = expected.handling(data, MARCH, customer)
    return {
        "desk_mean_reassignments": (
            expected.mean2(handled["reassignments"], handled["opened"]),
            handled["reassignments"],
            handled["opened"],
        ),
        "desk_reopened_incidents": (
            percent_of(handled["reopened"], handled["opened"]),
            handled["reopened"],
            handled["opened"],
        ),
        "desk_mean_resolution_time": (
            handled["mean_resolution_hours"],
            None,
            handled["resolved"],
        ),
        "desk_median_resolution_time": (
            handled["median_resolution_hours"],
            None,
            handled["resolved"],
        ),
        "desk_first_time_dispatch": (percent_of(ok, dispatched), ok, dispatched),
        "desk_record_completeness": (
            percent_of(incidents["complete"], incidents["opened"]),
            incidents["complete"],
            incidents["opened"],
        ),
        "desk_incident_sla": (percent_of(met, measured), met, measured),
        "desk_resolution_rate": (
            percent_of(incidents["finished"], incidents["opened"]),
            incidents["finished"],
            incidents["opened"],
        ),
        "desk_satisfaction": (
            expected.mean(scores),
            sum(s * n for s, n in scores.items()),
            sum(scores.values()),
        ),
        "desk_request_completion": (
            percent_of(requests["fulfilled"], requests["opened"] - requests["cancelled"]),
            requests["fulfilled"],
            requests["opened"] - requests["cancelled"],
        ),
    }


def test_declared_once_with_ids_of_the_registry():
    ids = {kpi.id for kpi in registry.all()}
    assert ids >= DESK_KPIS


@pytest.mark.django_db
def test_staff_figures_are_the_reports(data, admin_user, customer_a):
    for customer in (None, customer_a):
        got = _figures(admin_user, customer)
        assert set(got) == DESK_KPIS
        want = _want(data, customer)
        for kpi_id, figure in got.items():
            m = figure.measure
            assert (m.value, m.numerator, m.denominator) == want[kpi_id], kpi_id
        report = reports.desk_report(user=admin_user, period=MARCH, customer=customer)
        assert got["desk_record_completeness"].measure.value == report.completeness.value
        assert got["desk_resolution_rate"].measure.value == report.resolution_rate.value
        assert got["desk_request_completion"].measure.value == report.request_completion.value
        assert got["desk_first_time_dispatch"].measure.value == report.dispatch.value
        assert got["desk_satisfaction"].measure.value == report.satisfaction.mean
        link = got["desk_resolution_rate"].report_url
        assert link.startswith("/desk/reports/?month=2026-03")
        assert ("customer=" in link) == (customer is not None)
        if customer is not None:
            assert link.endswith(f"customer={customer.pk}")


@pytest.mark.django_db
def test_customer_sees_their_own_and_not_the_dispatch_kpi(data, customer_user, customer_a):
    got = _figures(customer_user, customer_a)
    assert set(got) == DESK_KPIS - {"desk_first_time_dispatch"}
    want = _want(data, customer_a)
    for kpi_id, figure in got.items():
        m = figure.measure
        assert (m.value, m.numerator, m.denominator) == want[kpi_id], kpi_id
