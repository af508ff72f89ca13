"""Problem management's KPIs in the catalogue: each one is the problem report's own figure,
provider-wide (customers see none of them)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.utils import timezone

from itsm.core.periods import resolve_months
from itsm.kpi import selectors as kpi_selectors
from itsm.problems import report
from itsm.problems.choices import ProblemStatus
from itsm.problems.services import problems
from itsm.problems.tests import factories

pytestmark = pytest.mark.django_db

PROBLEM_KPIS = {
    "problem_process_completeness",
    "problem_resolution_effectiveness",
    "problem_time_to_known_error",
    "problem_time_to_resolution",
}


def _resolve(problem, by, **analysis):
    problems.move_problem(problem, to=ProblemStatus.INVESTIGATING, by=by)
    problems.move_problem(problem, to=ProblemStatus.RESOLVED, by=by, **analysis)


def test_kpis_are_the_report_figures_and_staff_only(manager, customer_user):
    complete = factories.problem(by=manager, title="Complete")
    _resolve(
        complete,
        manager,
        rca_method="fishbone",
        root_cause="Disk",
        cause_category="hardware",
        fix="New disk",
    )
    reopened = factories.problem(by=manager, title="Reopened")
    _resolve(reopened, manager, root_cause="Unknown", fix="Restart")
    problems.move_problem(reopened, to=ProblemStatus.INVESTIGATING, by=manager)
    problems.move_problem(reopened, to=ProblemStatus.RESOLVED, by=manager)
    factories.problem(by=manager, title="Still open")

    period = kpi_selectors.KpiPeriod(timezone.localdate().replace(day=1))
    figures = {
        f.kpi.id: f
        for f in kpi_selectors.figures(user=manager, period=period, customer=None)
        if f.kpi.id.startswith("problem_")
    }
    assert set(figures) == PROBLEM_KPIS
    completeness = figures["problem_process_completeness"].measure
    assert (completeness.value, completeness.numerator, completeness.denominator) == (
        Decimal("50.0"),
        1,
        2,
    )
    effectiveness = figures["problem_resolution_effectiveness"].measure
    assert (effectiveness.numerator, effectiveness.denominator) == (1, 2)
    assert figures["problem_time_to_resolution"].measure.denominator == 2
    assert figures["problem_time_to_resolution"].value == Decimal("0.0")
    assert figures["problem_time_to_known_error"].value is None  # none became a known error

    month = resolve_months(start=period.label, end=period.label)
    figures_of_report = report.problem_report(user=manager, period=month)
    assert (
        figures_of_report.opened,
        figures_of_report.resolved,
        figures_of_report.open_at_end,
    ) == (
        3,
        2,
        1,
    )
    assert not any(
        f.kpi.id.startswith("problem_")
        for f in kpi_selectors.figures(user=customer_user, period=period, customer=None)
    )
