"""Problem management's KPIs in the KPI catalogue (R-KPI, DESIGN rule 8), from seed 000 §3.4
(问题管理: "对关键指标进行管理: 问题管理过程的完整性、问题解决评估机制的有效性"): process
completeness, resolution effectiveness, mean time to known error and to resolution.

Each ``compute`` calls :func:`itsm.problems.report.problem_report`, the function behind the
problem report, so the catalogue and the report agree. Problems are provider-internal: every
KPI is provider-wide (shown to provider staff only).
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from itsm.core.periods import MonthPeriod
from itsm.kpi.adapters import declarer, local_days, ratio_measure, report_link
from itsm.kpi.choices import Direction, Scope, Unit
from itsm.kpi.registry import Measure
from itsm.problems import report


def _source(name: str) -> str:
    return f"seed 000 §3.4 ({name}); R-PRB-01, R-PRB-02"


def period_of(period_start, period_end) -> MonthPeriod:
    """The report months covering a KPI's ``[period_start, period_end)``."""
    first, last = local_days(period_start, period_end)
    first = first.replace(day=1)
    return MonthPeriod(first, max(first, last.replace(day=1)))


def _report(period_start, period_end, user) -> report.ProblemReport:
    return report.problem_report(user=user, period=period_of(period_start, period_end))


def completeness(*, period_start, period_end, customer, user) -> Measure:
    return ratio_measure(_report(period_start, period_end, user).completeness)


def effectiveness(*, period_start, period_end, customer, user) -> Measure:
    return ratio_measure(_report(period_start, period_end, user).effectiveness)


def time_to_known_error(*, period_start, period_end, customer, user) -> Measure:
    figures = _report(period_start, period_end, user)
    return Measure(figures.mean_days_to_known_error, None, figures.known_errors)


def time_to_resolution(*, period_start, period_end, customer, user) -> Measure:
    figures = _report(period_start, period_end, user)
    return Measure(figures.mean_days_to_resolution, None, figures.resolved)


def report_url(period_start, period_end, customer) -> str:
    """The problem report of the same months (provider-wide: no customer)."""
    return report_link("problems:report", period_of(period_start, period_end).query())


_kpi = declarer(report_url=report_url, scope=Scope.PROVIDER, model="problems.Problem")


COMPLETENESS = _kpi(
    id="problem_process_completeness",
    source=_source("问题管理过程的完整性"),
    name=_("Problem process completeness"),
    description=_(
        "Problems resolved in the period whose analysis is recorded (method, root cause, cause "
        "category, and a workaround or a fix) / problems resolved in the period."
    ),
    compute=completeness,
    order=50,
)
EFFECTIVENESS = _kpi(
    id="problem_resolution_effectiveness",
    source=_source("问题解决评估机制的有效性"),
    name=_("Problem resolution effectiveness"),
    description=_(
        "Problems resolved in the period that were never reopened / problems resolved in the "
        "period."
    ),
    compute=effectiveness,
    order=51,
)
TIME_TO_KNOWN_ERROR = _kpi(
    id="problem_time_to_known_error",
    source=_source("问题报告: 平均定位时间"),
    name=_("Mean time to known error"),
    description=_(
        "Mean days from a problem's creation until its root cause and workaround were recorded "
        "(known error), over the problems that became known errors in the period."
    ),
    compute=time_to_known_error,
    unit=Unit.DAYS,
    direction=Direction.LOWER,
    order=52,
)
TIME_TO_RESOLUTION = _kpi(
    id="problem_time_to_resolution",
    source=_source("问题报告: 平均解决时间"),
    name=_("Mean time to resolve a problem"),
    description=_(
        "Mean days from a problem's creation to its resolution, over the problems resolved in "
        "the period."
    ),
    compute=time_to_resolution,
    unit=Unit.DAYS,
    direction=Direction.LOWER,
    order=53,
)
