"""KPI figures equal the SLA report and the CMDB audit on the same data, per customer and
through the tenancy rules."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from itsm.cmdb import selectors as cmdb_selectors
from itsm.core.errors import NotFound, ValidationFailed
from itsm.kpi import selectors
from itsm.kpi.selectors import KpiPeriod
from itsm.slm.reporting import selectors as reports

pytestmark = pytest.mark.django_db

MARCH = KpiPeriod(datetime.date(2026, 3, 1))
D = Decimal


#: the KPIs these tests set figures up for (other apps declare more: their own tests)
OWN = ("sla_achievement", "configuration_accuracy")


def _figures(user, customer=None, period=MARCH):
    return {
        f.kpi.id: (f.value, f.measure.numerator, f.measure.denominator, f.status)
        for f in selectors.figures(user=user, period=period, customer=customer)
        if f.kpi.id in OWN
    }


def test_staff_see_both_kpis_for_every_customer(data, admin_user):
    assert _figures(admin_user) == {
        "sla_achievement": (D("54.5"), 6, 11, "not_met"),
        "configuration_accuracy": (D("42.9"), 3, 7, "no_target"),
    }


def test_sla_achievement_equals_the_report_totals(data, admin_user, customer_a, customer_b):
    for customer, expected in ((None, 11), (customer_a, 9), (customer_b, 2)):
        totals = reports.overall(
            user=admin_user, period_start=MARCH.start, period_end=MARCH.end, customer=customer
        )
        figure = selectors.figure(
            selectors.get_kpi(admin_user, "sla_achievement"),
            user=admin_user,
            period=MARCH,
            customer=customer,
        )
        assert (figure.value, figure.measure.numerator, figure.measure.denominator) == (
            totals.achievement,
            totals.met,
            totals.measured,
        )
        assert totals.measured == expected


def test_sla_achievement_equals_the_report_page(data, admin_user, customer_a, client):
    client.force_login(admin_user)
    page = client.get(
        reverse("slm:report"),
        {"start": "2026-03", "end": "2026-03", "customer": customer_a.pk, "group_by": "service"},
    )
    totals = page.context["totals"]
    assert (totals["achievement"], totals["met"], totals["measured"]) == (D("55.6"), 5, 9)
    assert _figures(admin_user, customer_a)["sla_achievement"] == (D("55.6"), 5, 9, "not_met")


def test_configuration_accuracy_equals_the_audit_figure(data, admin_user, customer_b):
    ratio = cmdb_selectors.configuration_accuracy(since=MARCH.start, until=MARCH.end)
    assert ratio == 3 / 7
    assert D(ratio * 100).quantize(D("0.1")) == D("42.9")
    # provider-wide: the same figure whichever customer is chosen
    assert _figures(admin_user, customer_b)["configuration_accuracy"] == (
        D("42.9"),
        3,
        7,
        "no_target",
    )
    april = KpiPeriod(datetime.date(2026, 4, 1))
    assert _figures(admin_user, period=april) == {
        "sla_achievement": (D("100.0"), 1, 1, "met"),
        "configuration_accuracy": (D("100.0"), 4, 4, "no_target"),
    }
    may = KpiPeriod(datetime.date(2026, 5, 1))
    assert _figures(admin_user, period=may) == {
        "sla_achievement": (None, 0, 0, "no_data"),
        "configuration_accuracy": (None, 0, 0, "no_data"),
    }


def test_a_customer_user_sees_only_their_own_figures(data, customer_user, customer_a):
    own = selectors.resolve_customer(customer_user, "")
    assert own == customer_a
    assert selectors.resolve_customer(customer_user, str(customer_a.pk)) == customer_a
    # no provider-wide KPI (audits are provider-internal), only A's clocks
    assert _figures(customer_user, own) == {"sla_achievement": (D("55.6"), 5, 9, "not_met")}
    # even with no customer passed, restrict() keeps the figure to their organisation
    assert _figures(customer_user, None) == {"sla_achievement": (D("55.6"), 5, 9, "not_met")}
    with pytest.raises(NotFound):
        selectors.get_kpi(customer_user, "configuration_accuracy")


def test_another_customer_is_not_found_for_a_customer_user(data, customer_user, customer_b):
    with pytest.raises(NotFound):
        selectors.resolve_customer(customer_user, str(customer_b.pk))
    with pytest.raises(NotFound):
        selectors.resolve_customer(customer_user, "999999")


def test_customer_values_for_staff(data, admin_user, customer_b, provider):
    assert selectors.resolve_customer(admin_user, "") is None
    assert selectors.resolve_customer(admin_user, f" {customer_b.pk} ") == customer_b
    for bad in ("abc", "-1", "0", "²", str(2**63), str(provider.pk), "999999"):
        with pytest.raises(ValidationFailed) as error:
            selectors.resolve_customer(admin_user, bad)
        assert list(error.value.fields) == ["customer"], bad


def test_periods():
    assert selectors.parse_period("2026-03") == MARCH
    assert (MARCH.label, MARCH.next_month) == ("2026-03", datetime.date(2026, 4, 1))
    assert selectors.parse_period("") == selectors.last_full_month()
    for bad in ("2026-13", "2026-3", "26-03", "9999-01", "march", "２０２６-03"):
        with pytest.raises(ValidationFailed) as error:
            selectors.parse_period(bad)
        assert list(error.value.fields) == ["period"], bad
