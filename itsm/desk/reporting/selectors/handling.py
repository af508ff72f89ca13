"""How incidents were handled, live and imported alike: reassignments, reopenings and
resolution time of the incidents opened in a period, and the SLA verdicts that imported
incidents bring from the old tool (issue 15, R-DEP-04).

Every figure counts the incidents *opened* in the period (as ServiceNow and iTop report
incident lists by their opening), whatever their state now, through the desk's restricted
querysets:

- reassignments and reopenings are the ticket's own counters (``reassignment_count``,
  ``reopen_count``), which the desk's services count on live tickets and the historic
  import copies from the old tool;
- resolution time is ``resolved_at − opened_at`` of the incidents with a resolution time
  (the others are left out), in hours; the median of an even count is the mean of the two
  middle values;
- an imported incident has no SLA clock: its verdict (``made_sla`` of the old tool) is the
  measure of its SLA, counted in the period of its opening; an incident without a verdict is
  not measured. The incident SLA KPI adds these verdicts to the clocks of live incidents.

Definitions: ``docs/desk-reports.md``, "Incident handling".
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, DurationField, ExpressionWrapper, F, Q, Sum

from itsm.desk.choices import TicketKind
from itsm.desk.reporting.selectors.figures import Ratio, _tickets
from itsm.desk.reporting.selectors.periods import ReportPeriod

_TWO_DECIMALS = Decimal("0.01")
_MICROSECONDS_PER_HOUR = 3600 * 1_000_000
_ONE_MICROSECOND = datetime.timedelta(microseconds=1)


def _two_decimals(value: Decimal) -> Decimal:
    return value.quantize(_TWO_DECIMALS, ROUND_HALF_UP)


def _hours(microseconds: int | Decimal, count: int = 1) -> Decimal:
    """``microseconds / count`` in hours, two decimals rounded half up (exact: the quotient
    of two integers is decided well within Decimal's 28 digits)."""
    return _two_decimals(Decimal(microseconds) / (Decimal(count) * _MICROSECONDS_PER_HOUR))


@dataclass(frozen=True)
class IncidentHandling:
    """The handling figures of the incidents opened in a period (see the module's text)."""

    #: incidents opened in the period
    opened: int = 0
    #: the sum of their reassignment counts
    reassignments: int = 0
    #: those reopened at least once
    reopened: int = 0
    #: those with a resolution time, the sum and the median of their resolution times
    resolved: int = 0
    resolution_microseconds: int = 0
    median_microseconds: Decimal | None = None
    #: imported incidents opened in the period; those with a verdict and those that met it
    imported: int = 0
    verdicts: int = 0
    verdicts_met: int = 0

    @property
    def mean_reassignments(self) -> Decimal | None:
        """平均改派次数: reassignments / incidents opened, two decimals (half up)."""
        if not self.opened:
            return None
        return _two_decimals(Decimal(self.reassignments) / Decimal(self.opened))

    @property
    def reopen_rate(self) -> Ratio:
        """事件重开率: incidents reopened at least once / incidents opened."""
        return Ratio(self.reopened, self.opened)

    @property
    def mean_resolution_hours(self) -> Decimal | None:
        """平均解决时长 (hours, two decimals): ``None`` when none has a resolution time."""
        if not self.resolved:
            return None
        return _hours(self.resolution_microseconds, self.resolved)

    @property
    def median_resolution_hours(self) -> Decimal | None:
        """解决时长中位数 (hours, two decimals)."""
        if self.median_microseconds is None:
            return None
        return _hours(self.median_microseconds)

    @property
    def resolution_hours_total(self) -> Decimal:
        return _hours(self.resolution_microseconds)

    @property
    def imported_sla(self) -> Ratio:
        """Imported incidents that met their SLA by the old tool's verdict / those with one."""
        return Ratio(self.verdicts_met, self.verdicts)

    def as_dict(self) -> dict:
        return {
            "opened": self.opened,
            "reassignments": self.reassignments,
            "mean_reassignments": self.mean_reassignments,
            "reopened": self.reopened,
            "reopen_rate": self.reopen_rate.value,
            "resolved": self.resolved,
            "mean_resolution_hours": self.mean_resolution_hours,
            "median_resolution_hours": self.median_resolution_hours,
            "imported": self.imported,
            "imported_sla": self.imported_sla.as_dict(),
        }


def _incidents(user, period: ReportPeriod, customer):
    return _tickets(user, customer).filter(
        kind=TicketKind.INCIDENT, opened_at__gte=period.start, opened_at__lt=period.end
    )


def _resolution_time():
    return ExpressionWrapper(F("resolved_at") - F("opened_at"), output_field=DurationField())


def _microseconds(value: datetime.timedelta | None) -> int:
    return value // _ONE_MICROSECOND if value is not None else 0


def incident_handling(*, user, period: ReportPeriod, customer=None) -> IncidentHandling:
    """The handling figures of the incidents *user* may view opened in the period (of
    *customer*, when given): one aggregate query, and one more reading the one or two middle
    resolution times (ordered in the database) when some incident has one."""
    incidents = _incidents(user, period, customer)
    resolved = Q(resolved_at__isnull=False)
    imported = Q(imported_facts__isnull=False)
    counts = incidents.aggregate(
        n_opened=Count("id"),
        n_reassignments=Sum("reassignment_count"),
        n_reopened=Count("id", filter=Q(reopen_count__gt=0)),
        n_resolved=Count("id", filter=resolved),
        resolution=Sum(_resolution_time(), filter=resolved),
        n_imported=Count("id", filter=imported),
        n_verdicts=Count("id", filter=imported & Q(imported_facts__made_sla__isnull=False)),
        n_met=Count("id", filter=imported & Q(imported_facts__made_sla=True)),
    )
    n_resolved = counts["n_resolved"]
    median = None
    if n_resolved:
        # the middle one (odd count) or the two middle ones (even count), in the database
        first = (n_resolved - 1) // 2
        take = 1 if n_resolved % 2 else 2
        middle = list(
            incidents.filter(resolved)
            .annotate(resolution_time=_resolution_time())
            .order_by("resolution_time")
            .values_list("resolution_time", flat=True)[first : first + take]
        )
        median = Decimal(sum(_microseconds(v) for v in middle)) / Decimal(len(middle))
    return IncidentHandling(
        opened=counts["n_opened"],
        reassignments=counts["n_reassignments"] or 0,
        reopened=counts["n_reopened"],
        resolved=n_resolved,
        resolution_microseconds=_microseconds(counts["resolution"]),
        median_microseconds=median,
        imported=counts["n_imported"],
        verdicts=counts["n_verdicts"],
        verdicts_met=counts["n_met"],
    )


def imported_sla(*, user, period: ReportPeriod, customer=None) -> Ratio:
    """Imported incidents opened in the period that met their SLA by the old tool's verdict /
    those with a verdict (the part of the incident SLA KPI that has no clocks). One query."""
    counts = (
        _incidents(user, period, customer)
        .filter(imported_facts__made_sla__isnull=False)
        .aggregate(n=Count("id"), met=Count("id", filter=Q(imported_facts__made_sla=True)))
    )
    return Ratio(counts["met"], counts["n"])
