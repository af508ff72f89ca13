"""The service desk's KPIs in the KPI catalogue (R-KPI, DESIGN rule 8), from seed 000 §3.4/§4.1:
first-time dispatch success (一次派单成功率), incident record completeness (事件记录完整率),
incident SLA achievement (事件 SLA 达成率), incident resolution rate (事件解决率), customer
satisfaction (客户满意度) and service request completion (服务请求完成率); and, from issue 15,
how incidents were handled over live and imported history: mean reassignments, reopened
incidents, mean and median resolution time (the SLA achievement counts the old tool's
verdicts of imported incidents, which have no clocks).

Each ``compute`` calls the function behind the same figure of the desk report
(:mod:`itsm.desk.reporting.selectors`), so the catalogue and the report always agree.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from itsm.desk.reporting import selectors as reports
from itsm.kpi.adapters import declarer, local_days, ratio_measure, report_link
from itsm.kpi.choices import Direction, Scope, Unit
from itsm.kpi.registry import Measure


#: where each KPI comes from: seed 000 (§3.4 incident management, §4.1 service measurement)
#: with the seed's own name, as the SLA achievement KPI cites "SLA 达成率"
def _source(name: str) -> str:
    return f"seed 000 §3.4, §4.1 ({name}); R-INC-05, R-DSK-06"


def period_of(period_start, period_end) -> reports.ReportPeriod:
    """The report period of a KPI's ``[period_start, period_end)`` (local days)."""
    first, last = local_days(period_start, period_end)
    return reports.ReportPeriod(first, max(first, last))


def first_time_dispatch(*, period_start, period_end, customer, user) -> Measure:
    period = period_of(period_start, period_end)
    with reports.report_transaction():  # its per-row probes without JIT, as in the report
        ratio = reports.first_time_dispatch(user=user, period=period, customer=customer)
    return ratio_measure(ratio)


def record_completeness(*, period_start, period_end, customer, user) -> Measure:
    period = period_of(period_start, period_end)
    figures = reports.ticket_figures(user=user, period=period, customer=customer)
    return ratio_measure(figures["incident"].completeness)


def resolution_rate(*, period_start, period_end, customer, user) -> Measure:
    period = period_of(period_start, period_end)
    figures = reports.ticket_figures(user=user, period=period, customer=customer)
    return ratio_measure(figures["incident"].resolution_rate)


def request_completion(*, period_start, period_end, customer, user) -> Measure:
    period = period_of(period_start, period_end)
    figures = reports.ticket_figures(user=user, period=period, customer=customer)
    return ratio_measure(figures["request"].completion)


def incident_sla(*, period_start, period_end, customer, user) -> Measure:
    """Met / measured response and resolution clocks of incidents, plus the imported
    incidents opened in the period by their old tool's verdict (they have no clocks)."""
    period = period_of(period_start, period_end)
    scope = {"user": user, "period": period, "customer": customer}
    with reports.report_transaction():  # its per-row probes without JIT, as in the report
        sla = reports.incident_sla(**scope).values()
        verdicts = reports.imported_sla(**scope)
    return ratio_measure(
        reports.Ratio(
            sum(s.met for s in sla) + verdicts.numerator,
            sum(s.measured for s in sla) + verdicts.denominator,
        )
    )


def _handling(period_start, period_end, customer, user) -> reports.IncidentHandling:
    period = period_of(period_start, period_end)
    return reports.incident_handling(user=user, period=period, customer=customer)


def mean_reassignments(*, period_start, period_end, customer, user) -> Measure:
    handling = _handling(period_start, period_end, customer, user)
    return Measure(handling.mean_reassignments, handling.reassignments, handling.opened)


def reopened(*, period_start, period_end, customer, user) -> Measure:
    return ratio_measure(_handling(period_start, period_end, customer, user).reopen_rate)


def mean_resolution_time(*, period_start, period_end, customer, user) -> Measure:
    handling = _handling(period_start, period_end, customer, user)
    return Measure(handling.mean_resolution_hours, None, handling.resolved)


def median_resolution_time(*, period_start, period_end, customer, user) -> Measure:
    handling = _handling(period_start, period_end, customer, user)
    return Measure(handling.median_resolution_hours, None, handling.resolved)


def satisfaction(*, period_start, period_end, customer, user) -> Measure:
    period = period_of(period_start, period_end)
    scores = reports.satisfaction(user=user, period=period, customer=customer)
    return Measure(scores.mean, scores.total, scores.count)


def report_url(period_start, period_end, customer) -> str:
    """The desk report of the same period and customer ("" until its URLs are mounted)."""
    return report_link("deskreports:report", period_of(period_start, period_end).query(), customer)


_kpi = declarer(report_url=report_url, scope=Scope.CUSTOMER)


FIRST_TIME_DISPATCH = _kpi(
    id="desk_first_time_dispatch",
    source=_source("一次派单成功率"),
    name=_("First-time dispatch success"),
    description=_(
        "Tickets first dispatched in the period whose first dispatch was never returned and "
        "that were never reassigned to another group / tickets first dispatched in the period."
    ),
    compute=first_time_dispatch,
    model="desk.Assignment",
    order=40,
)
RECORD_COMPLETENESS = _kpi(
    id="desk_record_completeness",
    source=_source("事件记录完整率"),
    name=_("Incident record completeness"),
    description=_(
        "Incidents opened in the period whose record is complete / incidents opened in the period."
    ),
    compute=record_completeness,
    model="desk.Ticket",
    order=41,
)
INCIDENT_SLA = _kpi(
    id="desk_incident_sla",
    source=_source("事件 SLA 达成率"),
    name=_("Incident SLA achievement"),
    description=_(
        "Response and resolution clocks of incidents that met their target / those measured "
        "in the period, as in the SLA reports. An imported incident has no clocks: its old "
        "tool's SLA verdict counts instead, once, in the period it was opened (imported "
        "incidents without a verdict are not measured)."
    ),
    compute=incident_sla,
    model="clocks.Clock",
    order=42,
)
RESOLUTION_RATE = _kpi(
    id="desk_resolution_rate",
    source=_source("事件解决率"),
    name=_("Incident resolution rate"),
    description=_(
        "Incidents resolved in the period (or closed there without a resolution) / incidents "
        "opened in the period; above 100 % when the desk clears more than comes in."
    ),
    compute=resolution_rate,
    model="desk.Ticket",
    order=43,
)
SATISFACTION = _kpi(
    id="desk_satisfaction",
    source=_source("客户满意度"),
    name=_("Customer satisfaction"),
    description=_("The mean score (1–5) of the satisfaction surveys answered in the period."),
    compute=satisfaction,
    unit=Unit.SCORE,
    model="desk.Survey",
    order=44,
)
REQUEST_COMPLETION = _kpi(
    id="desk_request_completion",
    source=_source("服务请求完成率"),
    name=_("Service request completion"),
    description=_(
        "Service requests raised in the period and resolved or closed before it ended / "
        "service requests raised in the period (cancelled ones left out)."
    ),
    compute=request_completion,
    model="desk.Ticket",
    order=45,
)
MEAN_REASSIGNMENTS = _kpi(
    id="desk_mean_reassignments",
    source="R-DEP-04, R-INC-05 (平均改派次数)",
    name=_("Mean reassignments per incident"),
    description=_(
        "Reassignments to another group of the incidents opened in the period / incidents "
        "opened in the period; live incidents counted by the desk, imported ones by their "
        "old tool."
    ),
    compute=mean_reassignments,
    unit=Unit.COUNT,
    direction=Direction.LOWER,
    model="desk.Ticket",
    order=46,
)
REOPENED = _kpi(
    id="desk_reopened_incidents",
    source="R-DEP-04, R-INC-05 (事件重开率)",
    name=_("Reopened incidents"),
    description=_(
        "Incidents opened in the period that were reopened at least once / incidents opened "
        "in the period; live incidents counted by the desk, imported ones by their old tool."
    ),
    compute=reopened,
    direction=Direction.LOWER,
    model="desk.Ticket",
    order=47,
)
MEAN_RESOLUTION_TIME = _kpi(
    id="desk_mean_resolution_time",
    source="R-DEP-04, R-INC-05 (平均解决时长)",
    name=_("Mean incident resolution time"),
    description=_(
        "Mean hours from opening to resolution of the incidents opened in the period that "
        "have a resolution time (the others are left out), live and imported."
    ),
    compute=mean_resolution_time,
    unit=Unit.HOURS,
    direction=Direction.LOWER,
    model="desk.Ticket",
    order=48,
)
MEDIAN_RESOLUTION_TIME = _kpi(
    id="desk_median_resolution_time",
    source="R-DEP-04, R-INC-05 (解决时长中位数)",
    name=_("Median incident resolution time"),
    description=_(
        "Median hours from opening to resolution of the incidents opened in the period that "
        "have a resolution time (of an even count: the mean of the two middle ones), live and "
        "imported."
    ),
    compute=median_resolution_time,
    unit=Unit.HOURS,
    direction=Direction.LOWER,
    model="desk.Ticket",
    order=49,
)
