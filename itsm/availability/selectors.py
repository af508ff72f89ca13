"""Reads of availability management that pages, the API, KPIs and other apps (the SLM monthly
report) may call.

Definitions (also in ``docs/modules/availability.en.md``), per SLA × covered service × month:

- **agreed service time** (AST): the SLA's service hours in the month — business time of the
  agreement's calendar (``core.calendars``; no calendar: round the clock);
- an outage **concerns** the SLA's customer when it names that customer or no customer;
- **planned time**: business time covered by the planned interruptions of the service
  concerning the customer — the SLA's planned and agreed interruptions are excluded from the
  agreed service time;
- **downtime**: business time covered by the unplanned outages concerning the customer and
  not covered by a planned interruption (overlaps are counted once; an open outage runs to
  now);
- **availability** = (AST − planned − downtime) / (AST − planned) × 100, rounded half-up to
  three decimals (``None`` without agreed service time), compared with the SLA's availability
  target for that service (else its target for all services);
- per service (all customers the user may see), in wall-clock hours: **MTRS** = mean duration of
  the unplanned outages that started in the month and have ended; **MTBF** = (hours of the month
  − unplanned downtime in the month) / unplanned outages started in the month.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from itsm.availability.choices import OutageKind
from itsm.availability.models import Outage
from itsm.core.calendars.businesstime import NoWorkingTime, business_time_between
from itsm.core.periods import next_month
from itsm.slm import selectors as slm_selectors
from itsm.slm.choices import AgreementKind, AgreementStatus, TargetMetric

Interval = tuple[datetime.datetime, datetime.datetime]

_THREE = Decimal("0.001")
_TWO = Decimal("0.01")
#: agreements whose availability is measured
MEASURED_STATES = (
    AgreementStatus.SIGNED,
    AgreementStatus.ACTIVE,
    AgreementStatus.EXPIRED,
    AgreementStatus.TERMINATED,
)

MET = "met"
NOT_MET = "not_met"
NO_DATA = "no_data"
NO_TARGET = "no_target"
STATUS_LABELS = {
    MET: _("Met"),
    NOT_MET: _("Not met"),
    NO_DATA: _("No service hours"),
    NO_TARGET: _("No target"),
}
STATUS_COLOURS = {MET: "green", NOT_MET: "red", NO_DATA: "secondary", NO_TARGET: "secondary"}


def outages_for(user, action: str = "view") -> QuerySet[Outage]:
    """The outages *user* may *action* (``restrict``)."""
    return Outage.objects.restrict(user, action)


def all_outages() -> QuerySet[Outage]:
    """Every outage, unrestricted (system jobs; callers narrow it per user)."""
    return Outage.objects.all()


def open_alert_outage(reference: str) -> Outage | None:
    """The open outage recorded for the alert *reference* (its fingerprint), if any: what the
    events module closes on recovery."""
    if not reference:
        return None
    return (
        Outage.objects.filter(source="alert", reference=reference, ended_at__isnull=True)
        .order_by("-id")
        .first()
    )


def incident_outage(ticket_id: int) -> Outage | None:
    """The outage recorded for the incident *ticket_id* (from its alerts or from the incident
    itself), the latest if several: one incident is one outage."""
    return Outage.objects.filter(ticket_id=ticket_id).order_by("-id").first()


# --- interval arithmetic -------------------------------------------------------------------------


def merge(intervals: Iterable[Interval]) -> list[Interval]:
    """Sorted, non-overlapping union of *intervals* (empty ones dropped)."""
    merged: list[Interval] = []
    for start, end in sorted(i for i in intervals if i[0] < i[1]):
        if merged and start <= merged[-1][1]:
            if end > merged[-1][1]:
                merged[-1] = (merged[-1][0], end)
        else:
            merged.append((start, end))
    return merged


def subtract(intervals: list[Interval], holes: list[Interval]) -> list[Interval]:
    """The parts of the merged *intervals* not covered by the merged *holes*."""
    result: list[Interval] = []
    for start, end in intervals:
        cursor = start
        for hole_start, hole_end in holes:
            if hole_end <= cursor or hole_start >= end:
                continue
            if hole_start > cursor:
                result.append((cursor, hole_start))
            cursor = max(cursor, hole_end)
            if cursor >= end:
                break
        if cursor < end:
            result.append((cursor, end))
    return result


def _business_seconds(intervals: Iterable[Interval], calendar) -> int:
    """Working seconds of *calendar* in the *intervals* (no calendar: round the clock)."""
    total = 0
    for start, end in intervals:
        if calendar is None:
            total += int((end - start).total_seconds())
            continue
        try:
            total += int(business_time_between(start, end, calendar).total_seconds())
        except NoWorkingTime:
            continue
    return total


def _clip(outage_rows, start, end, now) -> dict[str, list[Interval]]:
    """Planned and unplanned intervals of *outage_rows* inside [start, end), open ones to now."""
    found: dict[str, list[Interval]] = {OutageKind.PLANNED: [], OutageKind.UNPLANNED: []}
    for kind, began, ended in outage_rows:
        stop = ended if ended is not None else now
        lo, hi = max(began, start), min(stop, end)
        if lo < hi:
            found[kind].append((lo, hi))
    return found


def ratio(available: int, base: int) -> Decimal | None:
    """available / base × 100 rounded half-up to three decimals; ``None`` when base is 0."""
    if base <= 0:
        return None
    return (Decimal(available) * 100 / Decimal(base)).quantize(_THREE, ROUND_HALF_UP)


def status_for(value: Decimal | None, target: Decimal | None) -> str:
    if value is None:
        return NO_DATA
    if target is None:
        return NO_TARGET
    return MET if value >= target else NOT_MET


# --- availability per SLA × service × month ------------------------------------------------------


@dataclass
class AvailabilityRow:
    """The availability of one service for one SLA's customer in one month."""

    agreement_id: int
    agreement: str
    customer_id: int | None
    customer: str
    service_id: int
    service: str
    agreed_seconds: int
    planned_seconds: int
    downtime_seconds: int
    outages: int
    target: Decimal | None
    availability: Decimal | None = None
    status: str = NO_DATA

    def __post_init__(self):
        base = self.agreed_seconds - self.planned_seconds
        self.availability = ratio(base - self.downtime_seconds, base)
        self.status = status_for(self.availability, self.target)

    @property
    def status_label(self):
        return STATUS_LABELS[self.status]

    @property
    def status_colour(self):
        return STATUS_COLOURS[self.status]

    @property
    def agreed_hours(self) -> Decimal:
        return _hours(self.agreed_seconds)

    @property
    def planned_hours(self) -> Decimal:
        return _hours(self.planned_seconds)

    @property
    def downtime_minutes(self) -> Decimal:
        return (Decimal(self.downtime_seconds) / 60).quantize(_TWO, ROUND_HALF_UP)


def _hours(seconds: int | float) -> Decimal:
    return (Decimal(seconds) / 3600).quantize(_TWO, ROUND_HALF_UP)


@dataclass
class Figure:
    """Availability combined over several rows (an SLA's target for all its services)."""

    agreed_seconds: int = 0
    planned_seconds: int = 0
    downtime_seconds: int = 0
    target: Decimal | None = None
    rows: list[AvailabilityRow] = field(default_factory=list)

    @property
    def availability(self) -> Decimal | None:
        base = self.agreed_seconds - self.planned_seconds
        return ratio(base - self.downtime_seconds, base)

    @property
    def status(self) -> str:
        return status_for(self.availability, self.target)


def month_bounds(month: datetime.date) -> tuple[datetime.datetime, datetime.datetime]:
    """[first instant of *month*, first instant of the next month) in local time."""
    zone = timezone.get_current_timezone()
    first = month.replace(day=1)
    return (
        datetime.datetime.combine(first, datetime.time.min, zone),
        datetime.datetime.combine(next_month(first), datetime.time.min, zone),
    )


def availability_targets(agreement_ids) -> dict[tuple[int, int | None], Decimal]:
    """``{(agreement id, service id or None): availability target %}`` (one query)."""
    found: dict[tuple[int, int | None], Decimal] = {}
    for agreement_id, service_id, value in (
        slm_selectors.all_targets()
        .filter(metric=TargetMetric.AVAILABILITY, agreement_id__in=list(agreement_ids))
        .order_by("id")
        .values_list("agreement_id", "service_id", "target_value")
    ):
        found.setdefault((agreement_id, service_id), Decimal(value))
    return found


def _target(targets, agreement_id, service_id) -> Decimal | None:
    return targets.get((agreement_id, service_id), targets.get((agreement_id, None)))


def measured_agreements(user, month: datetime.date, *, customer=None, agreement=None):
    """The SLAs *user* may view that were in force during *month* (signed or later)."""
    first = month.replace(day=1)
    last = next_month(first) - datetime.timedelta(days=1)
    queryset = (
        slm_selectors.agreements_for(user)
        .filter(kind=AgreementKind.SLA, status__in=MEASURED_STATES, customer__isnull=False)
        .filter(Q(valid_from__isnull=True) | Q(valid_from__lte=last))
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gte=first))
        .select_related("customer", "calendar")
        .prefetch_related("services")
        .order_by("customer__name", "number")
    )
    if customer is not None:
        queryset = queryset.filter(customer=customer)
    if agreement is not None:
        queryset = queryset.filter(pk=getattr(agreement, "pk", agreement))
    return queryset


def availability_rows(
    *,
    user,
    month: datetime.date,
    customer=None,
    service=None,
    agreement=None,
    now: datetime.datetime | None = None,
    targets: dict | None = None,
) -> list[AvailabilityRow]:
    """Availability per SLA × covered service for *month*, of the SLAs *user* may view (a
    customer user: their own organisation's). Four queries (agreements, their services, targets
    unless given as *targets*, outages) plus the calendars' rows when not cached."""
    start, end = month_bounds(month)
    now = now or timezone.now()
    agreements = list(measured_agreements(user, month, customer=customer, agreement=agreement))
    pairs = []
    for sla in agreements:
        for svc in sorted(sla.services.all(), key=lambda s: (s.code, s.pk)):
            if service is None or svc.pk == getattr(service, "pk", service):
                pairs.append((sla, svc))
    if not pairs:
        return []
    if targets is None:
        targets = availability_targets({sla.pk for sla, _svc in pairs})
    outages: dict[tuple[int, int | None], list[tuple[str, datetime.datetime, object]]] = (
        defaultdict(list)
    )
    for service_id, customer_id, kind, began, ended in (
        Outage.objects.filter(
            service_id__in={svc.pk for _sla, svc in pairs}, started_at__lt=min(end, now)
        )
        .filter(Q(ended_at__isnull=True) | Q(ended_at__gt=start))
        .values_list("service_id", "customer_id", "kind", "started_at", "ended_at")
    ):
        outages[(service_id, customer_id)].append((kind, began, ended))
    rows = []
    for sla, svc in pairs:
        concerning = outages[(svc.pk, sla.customer_id)] + outages[(svc.pk, None)]
        clipped = _clip(concerning, start, end, now)
        planned = merge(clipped[OutageKind.PLANNED])
        unplanned = merge(clipped[OutageKind.UNPLANNED])
        calendar = sla.calendar
        rows.append(
            AvailabilityRow(
                agreement_id=sla.pk,
                agreement=str(sla),
                customer_id=sla.customer_id,
                customer=sla.customer.name if sla.customer else "",
                service_id=svc.pk,
                service=str(svc),
                agreed_seconds=_business_seconds([(start, end)], calendar),
                planned_seconds=_business_seconds(planned, calendar),
                downtime_seconds=_business_seconds(subtract(unplanned, planned), calendar),
                outages=len(clipped[OutageKind.UNPLANNED]),
                target=_target(targets, sla.pk, svc.pk),
            )
        )
    return rows


def agreement_availability(
    *, user, agreement, month: datetime.date, service=None, now=None
) -> Figure:
    """The availability of *agreement* in *month* for *service* (``None``: all its services
    combined — agreed, planned and down time summed), with the target that applies: the SLM
    monthly report's availability row."""
    agreement_id = getattr(agreement, "pk", agreement)
    targets = availability_targets([agreement_id])
    rows = availability_rows(
        user=user, month=month, agreement=agreement, service=service, now=now, targets=targets
    )
    figure = Figure(rows=rows)
    for row in rows:
        figure.agreed_seconds += row.agreed_seconds
        figure.planned_seconds += row.planned_seconds
        figure.downtime_seconds += row.downtime_seconds
    figure.target = _target(targets, agreement_id, getattr(service, "pk", service))
    return figure


def overall(*, user, period_start, period_end, customer=None, now=None) -> Figure:
    """Availability over every SLA × service the user may view for the months in
    [period_start, period_end) (the KPI): agreed, planned and down time summed."""
    figure = Figure()
    month = timezone.localtime(period_start).date().replace(day=1)
    last = timezone.localtime(period_end - datetime.timedelta(seconds=1)).date().replace(day=1)
    while month <= last:
        for row in availability_rows(user=user, month=month, customer=customer, now=now):
            figure.agreed_seconds += row.agreed_seconds
            figure.planned_seconds += row.planned_seconds
            figure.downtime_seconds += row.downtime_seconds
            figure.rows.append(row)
        month = next_month(month)
    return figure


# --- MTBF and MTRS per service -------------------------------------------------------------------


@dataclass
class ServiceReliability:
    service_id: int
    service: str
    failures: int
    downtime_hours: Decimal
    mtbf_hours: Decimal | None
    mtrs_hours: Decimal | None


def reliability(
    *, user, month: datetime.date, customer=None, now: datetime.datetime | None = None
) -> list[ServiceReliability]:
    """MTBF and MTRS per service for *month* from the unplanned outages *user* may view (see
    the module docstring). One query."""
    start, end = month_bounds(month)
    now = now or timezone.now()
    queryset = (
        outages_for(user)
        .filter(kind=OutageKind.UNPLANNED, started_at__lt=min(end, now))
        .filter(Q(ended_at__isnull=True) | Q(ended_at__gt=start))
    )
    if customer is not None:
        queryset = queryset.filter(Q(customer=customer) | Q(customer__isnull=True))
    by_service: dict[int, list] = defaultdict(list)
    names: dict[int, str] = {}
    for row in queryset.select_related("service").order_by("service__code", "started_at"):
        by_service[row.service_id].append(row)
        names[row.service_id] = str(row.service)
    period_seconds = (end - start).total_seconds()
    result = []
    for service_id, rows in by_service.items():
        down = merge([(max(r.started_at, start), min(r.ended_at or now, end)) for r in rows])
        down_seconds = sum((b - a).total_seconds() for a, b in down)
        started = [r for r in rows if start <= r.started_at < end]
        ended = [r for r in started if r.ended_at is not None]
        failures = len(started)
        result.append(
            ServiceReliability(
                service_id=service_id,
                service=names[service_id],
                failures=failures,
                downtime_hours=_hours(down_seconds),
                mtbf_hours=_hours((period_seconds - down_seconds) / failures) if failures else None,
                mtrs_hours=_hours(
                    sum((r.ended_at - r.started_at).total_seconds() for r in ended) / len(ended)
                )
                if ended
                else None,
            )
        )
    return result
