"""The whole desk report of one period and customer: every figure of :mod:`.figures`, with
the sections a user may not see left out (``None``)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from django.db import connections, transaction

from itsm.desk import selectors as desk
from itsm.desk.choices import TicketKind
from itsm.desk.reporting.selectors import figures as f
from itsm.desk.reporting.selectors.handling import IncidentHandling, incident_handling
from itsm.desk.reporting.selectors.periods import ReportPeriod


@dataclass
class DeskReport:
    period: ReportPeriod
    customer: object  # an Organisation or None (every customer the user may see)
    kinds: dict[str, f.KindFigures]
    trend: list[f.TrendRow]
    sla: dict[str, f.SlaFigures]
    top_categories: list[f.TopRow]
    top_cis: list[f.TopRow]
    incomplete: list[dict]
    satisfaction: f.Satisfaction
    #: provider staff only (``None`` for others): dispatches and calls are internal
    dispatch: f.Ratio | None
    calls: f.CallFigures | None
    #: reassignments, reopenings, resolution time and imported SLA verdicts of incidents
    handling: IncidentHandling

    @property
    def totals(self) -> f.KindFigures:
        return f.all_kinds(self.kinds)

    @property
    def incidents(self) -> f.KindFigures:
        return self.kinds[TicketKind.INCIDENT]

    @property
    def requests(self) -> f.KindFigures:
        return self.kinds[TicketKind.REQUEST]

    @property
    def completeness(self) -> f.Ratio:
        return self.incidents.completeness

    @property
    def resolution_rate(self) -> f.Ratio:
        return self.incidents.resolution_rate

    @property
    def request_completion(self) -> f.Ratio:
        return self.requests.completion

    @property
    def incomplete_total(self) -> int:
        return self.incidents.opened - self.incidents.complete

    @property
    def more_incomplete(self) -> bool:
        return self.incomplete_total > len(self.incomplete)

    def as_dict(self) -> dict:
        """The figures as plain values (the API's body and the tests' reference shape)."""
        return {
            "period": {
                "first_day": self.period.first_day,
                "last_day": self.period.last_day,
                "start": self.period.start,
                "end": self.period.end,
                "label": self.period.label,
            },
            "customer": (
                {"id": self.customer.pk, "name": self.customer.name}  # type: ignore[attr-defined]
                if self.customer is not None
                else None
            ),
            "volumes": [k.as_dict() for k in self.kinds.values()],
            "totals": self.totals.as_dict(),
            "trend": [row.as_dict() for row in self.trend],
            "sla": {metric: s.as_dict() for metric, s in self.sla.items()},
            "top_categories": [row.as_dict() for row in self.top_categories],
            "top_cis": [row.as_dict() for row in self.top_cis],
            "first_time_dispatch": self.dispatch.as_dict() if self.dispatch else None,
            "dispatch_accuracy": self.dispatch.as_dict() if self.dispatch else None,
            "record_completeness": self.completeness.as_dict(),
            "incomplete_incidents": {
                "count": self.incomplete_total,
                "first": [
                    {"id": row["id"], "number": row["number"], "title": row["title"]}
                    for row in self.incomplete
                ],
            },
            "resolution_rate": self.resolution_rate.as_dict(),
            "request_completion": self.request_completion.as_dict(),
            "satisfaction": self.satisfaction.as_dict(),
            "calls": self.calls.as_dict() if self.calls else None,
            "incident_handling": self.handling.as_dict(),
        }


@contextmanager
def report_transaction() -> Iterator[None]:
    """The report's statements in one transaction, on PostgreSQL without JIT compilation.

    The SLA and dispatch figures read a row by index per clock or dispatch of the period
    (correlated subqueries), which the planner costs as if every probe read the disk: at
    1 000 000 tickets their estimates pass ``jit_above_cost`` and compiling the expressions
    took 50–150 ms to save nothing on ~40 000 index probes; the one pass over the tickets
    runs as fast without it (docs/desk-reports.md, "Cost"). ``SET LOCAL`` ends with the
    transaction (or with the caller's, when the report runs inside one)."""
    alias = desk.all_tickets().db
    with transaction.atomic(using=alias):
        connection = connections[alias]
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL jit = off")
        yield


def desk_report(
    *, user, period: ReportPeriod, customer=None, incomplete_limit: int = f.INCOMPLETE_PAGE
) -> DeskReport:
    """Every figure of the desk report for *user* (ten queries, each an aggregate or, for the
    median resolution time, one or two rows, in one transaction: :func:`report_transaction`)."""
    scope = {"user": user, "period": period, "customer": customer}
    with report_transaction():
        tickets = f.ticket_scan(**scope)
        return DeskReport(
            period=period,
            customer=customer,
            kinds=tickets.kinds,
            trend=tickets.trend,
            sla=f.incident_sla(**scope),
            top_categories=f.top_categories(**scope),
            top_cis=f.top_cis(**scope),
            incomplete=[
                {**row, "missing_labels": f.missing_labels(row["missing_fields"])}
                for row in f.incomplete_incidents(**scope)[:incomplete_limit]
            ],
            satisfaction=f.satisfaction(**scope),
            dispatch=f.first_time_dispatch(**scope) if f.shows_dispatch(user) else None,
            calls=f.call_figures(**scope) if f.shows_calls(user) else None,
            handling=incident_handling(**scope),
        )
