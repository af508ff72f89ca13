"""The release success rate in the KPI catalogue: the report's own figure, per customer."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.utils import timezone

from itsm.core.periods import resolve_months
from itsm.kpi import selectors as kpi_selectors
from itsm.releases import report, services
from itsm.releases.tests.factories import approved_change, ci, make_release

pytestmark = pytest.mark.django_db


def _finish(release, *, engineer, manager, success: bool):
    services.start_testing(release, by=engineer)
    services.record_test(release, by=engineer, subject="Smoke", result="passed")
    services.request_decision(release, by=engineer)
    services.decide(release, by=manager, decision="go", comment="Go.")
    services.deploy(release, by=engineer)
    if success:
        services.succeed(release, by=engineer)
    else:
        services.roll_back(release, by=engineer, outcome_note="Failed.")


def test_release_success_rate_is_the_reports_figure(
    engineer, release_manager, customer_a, customer_user
):
    for success, customer in ((True, customer_a), (True, None), (False, None)):
        change = approved_change(
            engineer, release_manager, cis=[ci("app", customer=customer)] if customer else []
        )
        _finish(
            make_release(engineer, changes=[change]),
            engineer=engineer,
            manager=release_manager,
            success=success,
        )
    period = kpi_selectors.KpiPeriod(timezone.localdate().replace(day=1))
    kpi = kpi_selectors.get_kpi(release_manager, "release_success_rate")
    measure = kpi_selectors.figure(kpi, user=release_manager, period=period, customer=None).measure
    assert (measure.value, measure.numerator, measure.denominator) == (Decimal("66.7"), 2, 3)
    month = resolve_months(start=period.label, end=period.label)
    figures = report.release_report(user=release_manager, period=month)
    assert (figures.deployed, figures.rolled_back, figures.success_rate) == (
        2,
        1,
        Decimal("66.7"),
    )
    # the customer's figure counts the releases of changes affecting them
    own = kpi_selectors.figure(kpi, user=customer_user, period=period, customer=None).measure
    assert (own.value, own.numerator, own.denominator) == (Decimal("100.0"), 1, 1)
