"""Availability management services (可用性管理, R-AVC-01) — the only writers of outages.

Rules (also in ``docs/modules/availability.en.md``):

- an outage is an interruption of one service, for one customer or — without a customer — for
  every customer of the service; unplanned or planned; open while it has no end;
- **from incidents** (:func:`sync_incident_outages`, a periodic job and a button): an incident
  with a service that is P1 or P2 or declared major is an unplanned outage of that service for
  the incident's customer, from the incident's opening to its resolution (open while the
  incident is unresolved). The sync creates the outage once per incident and then only moves
  its end (resolved, reopened); a start corrected by hand is kept. An incident cancelled or
  merged before resolution leaves its outage to staff (edit or delete);
- **from changes** (:func:`sync_change_outages`): a change that has started implementation
  (actual start recorded) is a planned interruption of each of its services, for each of its
  customers (none: every customer), from its actual start to its actual end;
- **from alerts**: the events module calls :func:`record_outage` with ``source="alert"``, the
  alert's fingerprint as ``reference`` and the incident the alert opened or joined, and
  :func:`close_outage` on recovery; an incident with such an outage gets none from the sync
  above (one incident, one outage);
- **by hand**: staff create, edit and delete outages.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from itsm.availability.choices import OUTAGE_PRIORITIES, OutageKind, OutageSource
from itsm.availability.models import Outage
from itsm.catalog import selectors as catalog_selectors
from itsm.change.choices import ChangeStatus
from itsm.core.choices import OrganisationKind
from itsm.core.errors import ValidationFailed
from itsm.core.services import clean_record, refuse_unknown_fields, save_versioned, set_actor
from itsm.core.timeline import record_event
from itsm.core.writes import insert_record
from itsm.desk import selectors as desk_selectors
from itsm.desk.choices import TicketKind, TicketStatus

NUMBER_PREFIX = "OUT"
EDITABLE = frozenset(
    {
        "service",
        "customer",
        "kind",
        "source",
        "started_at",
        "ended_at",
        "ticket",
        "change",
        "reference",
        "description",
    }
)
#: how far back the periodic sync looks at incidents and changes (older ones are settled)
SYNC_WINDOW = timedelta(days=120)
#: changes whose actual start makes them a planned interruption
CHANGE_STARTED_STATES = (
    ChangeStatus.IMPLEMENTING,
    ChangeStatus.REVIEW,
    ChangeStatus.CLOSED,
    ChangeStatus.FAILED,
)


def _error(field: str, message) -> ValidationFailed:
    return ValidationFailed(fields={field: [str(message)]})


def _check(outage: Outage, *, by) -> None:
    """The rules a form or the API cannot express: the service, customer and incident exist
    for *by*, the end is not before the start, neither lies in the future."""
    if outage.service_id is None:
        raise _error("service", _("Choose the service that was interrupted."))
    if by is not None and getattr(by, "pk", None):
        if not catalog_selectors.visible_services(by).filter(pk=outage.service_id).exists():
            raise _error("service", _("Choose a service you may view."))
        if (
            outage.ticket_id is not None
            and not desk_selectors.tickets_for(by).filter(pk=outage.ticket_id).exists()
        ):
            raise _error("ticket", _("Choose an incident you may view."))
    if outage.ticket is not None and outage.ticket.kind != TicketKind.INCIDENT:
        raise _error("ticket", _("Choose an incident (not a request or a consultation)."))
    if outage.customer is not None and outage.customer.kind != OrganisationKind.CUSTOMER:
        raise _error("customer", _("Choose a customer organisation."))
    if outage.kind not in OutageKind.values:
        raise _error("kind", _("Choose unplanned or planned."))
    if outage.source not in OutageSource.values:
        raise _error("source", _("Choose where the outage was recorded from."))
    if outage.started_at is None:
        raise _error("started_at", _("Enter when the outage started."))
    now = timezone.now() + timedelta(minutes=5)
    if outage.kind == OutageKind.UNPLANNED and outage.started_at > now:
        raise _error("started_at", _("An unplanned outage cannot start in the future."))
    if outage.ended_at is not None:
        if outage.ended_at < outage.started_at:
            raise _error("ended_at", _("The end must not be before the start."))
        if outage.kind == OutageKind.UNPLANNED and outage.ended_at > now:
            raise _error("ended_at", _("An unplanned outage cannot end in the future."))


def _validate(outage: Outage, *, by) -> None:
    _check(outage, by=by)
    try:
        clean_record(outage, exclude=("number",))
    except ValidationError as error:
        raise ValidationFailed.from_django(error) from error


def record_outage(
    *,
    service,
    started_at: datetime,
    by=None,
    kind: str = OutageKind.UNPLANNED,
    source: str = OutageSource.MANUAL,
    customer=None,
    ended_at: datetime | None = None,
    ticket=None,
    change=None,
    reference: str = "",
    description: str = "",
) -> Outage:
    """Record an outage of *service* (for *customer*, or every customer when ``None``) from
    *started_at* (to *ended_at*; open when ``None``) with the next ``OUT-`` number.

    The events module calls it for an alert: ``record_outage(service=…, started_at=alert
    start, source="alert", reference=fingerprint, description=…)`` (*by* ``None``: the system);
    an open alert outage with the same *reference* is returned as it is (a repeat delivery)."""
    if source == OutageSource.ALERT and reference:
        existing = Outage.objects.filter(
            source=OutageSource.ALERT, reference=reference, ended_at__isnull=True
        ).first()
        if existing is not None:
            return existing
    outage = Outage(
        service=service,
        customer=customer,
        kind=kind,
        source=source,
        started_at=started_at,
        ended_at=ended_at,
        ticket=ticket,
        change=change,
        reference=(reference or "").strip()[:200],
        description=description or "",
    )
    _validate(outage, by=by)
    set_actor(outage, by)
    with transaction.atomic():
        insert_record(outage, by=by, number_prefix=NUMBER_PREFIX)
    return outage


def close_outage(
    outage: Outage,
    *,
    ended_at: datetime | None = None,
    by=None,
    note: str = "",
    expected_version: int | None = None,
) -> Outage:
    """End the open *outage* at *ended_at* (default now). An outage already ended keeps its
    end (a repeated recovery changes nothing)."""
    if outage.ended_at is not None:
        return outage
    outage.ended_at = ended_at or timezone.now()
    _validate(outage, by=by)
    with transaction.atomic():
        save_versioned(outage, expected_version=expected_version, by=by)
        record_event(outage, "closed", by=by, note=note)
    return outage


def update_outage(outage: Outage, *, by, expected_version: int | None = None, **fields) -> Outage:
    """Change the fields of *outage* (staff correct a start, end, kind or description)."""
    refuse_unknown_fields(fields, EDITABLE)
    if not fields:
        if expected_version is not None and expected_version != outage.version:
            save_versioned(outage, expected_version=expected_version, by=by)  # raises Conflict
        return outage
    for name in ("reference",):
        if name in fields:
            fields[name] = (fields[name] or "").strip()
    if "description" in fields:
        fields["description"] = fields["description"] or ""
    for name, value in fields.items():
        setattr(outage, name, value)
    _validate(outage, by=by)
    with transaction.atomic():
        save_versioned(outage, expected_version=expected_version, by=by)
        record_event(outage, "updated", by=by, data={"fields": sorted(fields)})
    return outage


def delete_outage(outage: Outage, *, by) -> None:
    """Delete an outage recorded by mistake (the availability figures no longer count it)."""
    set_actor(outage, by)
    outage.delete()


# --- sync from incidents and changes -------------------------------------------------------------


def outage_incidents():
    """The incidents that are outages (the rule of the module docstring), unrestricted."""
    return (
        desk_selectors.all_tickets()
        .filter(kind=TicketKind.INCIDENT, service__isnull=False)
        .filter(Q(priority__in=OUTAGE_PRIORITIES) | Q(is_major=True))
    )


def _incident_end(ticket) -> datetime | None:
    if ticket.status in (TicketStatus.RESOLVED, TicketStatus.CLOSED) and ticket.resolved_at:
        return ticket.resolved_at
    return None


def sync_incident(ticket) -> Outage | None:
    """Create or move the outage of the incident *ticket* (see the rule); ``None`` when the
    ticket is no outage and has none."""
    existing = Outage.objects.filter(source=OutageSource.INCIDENT, ticket=ticket).first()
    end = _incident_end(ticket)
    if existing is None:
        if not outage_incidents().filter(pk=ticket.pk).exists():
            return None
        if Outage.objects.filter(source=OutageSource.ALERT, ticket=ticket).exists():
            return None  # its alerts recorded it (start and end from the alerts)
        if ticket.status == TicketStatus.CANCELLED or ticket.merged_into_id:
            return None
        return record_outage(
            service=ticket.service,
            customer=ticket.customer,
            started_at=ticket.opened_at,
            ended_at=max(end, ticket.opened_at) if end else None,
            ticket=ticket,
            source=OutageSource.INCIDENT,
            kind=OutageKind.UNPLANNED,
            description=ticket.title,
        )
    if ticket.status in (TicketStatus.CANCELLED,) or ticket.merged_into_id:
        return existing
    if end is not None and existing.ended_at is None:
        existing.ended_at = max(end, existing.started_at)
        with transaction.atomic():
            save_versioned(existing, expected_version=None, update_fields=["ended_at"])
            record_event(existing, "closed", by=None, note=ticket.number)
    elif (
        end is None
        and existing.ended_at is not None
        and ticket.status
        not in (
            TicketStatus.RESOLVED,
            TicketStatus.CLOSED,
        )
    ):
        existing.ended_at = None
        with transaction.atomic():
            save_versioned(existing, expected_version=None, update_fields=["ended_at"])
            record_event(existing, "reopened", by=None, note=ticket.number)
    return existing


def sync_incident_outages(*, since: datetime | None = None) -> int:
    """Bring the outages of the incidents opened since *since* (default: the sync window) or
    still with an open outage in line with their incidents; returns the outages created or
    moved."""
    since = since or timezone.now() - SYNC_WINDOW
    open_ticket_ids = Outage.objects.filter(
        source=OutageSource.INCIDENT, ended_at__isnull=True, ticket__isnull=False
    ).values("ticket_id")
    tickets = (
        outage_incidents()
        .filter(Q(opened_at__gte=since) | Q(pk__in=open_ticket_ids))
        .select_related("service", "customer")
        .order_by("id")
    )
    before = {
        row[0]: row[1]
        for row in Outage.objects.filter(source=OutageSource.INCIDENT).values_list(
            "ticket_id", "version"
        )
    }
    touched = 0
    for ticket in tickets.iterator(chunk_size=500):
        outage = sync_incident(ticket)
        if outage is not None and before.get(ticket.pk) != outage.version:
            touched += 1
    return touched


def _change_model():
    """The change model, read from the outage's relation (no import of another app's
    models; ``change.selectors`` has no unrestricted queryset for the system's sync)."""
    return Outage._meta.get_field("change").related_model


def sync_change_outages(*, since: datetime | None = None) -> int:
    """Planned interruptions from the changes implemented since *since* (default: the sync
    window): one per service × customer of each change, from its actual start to its actual
    end. Returns the outages created or moved."""
    since = since or timezone.now() - SYNC_WINDOW
    changes = (
        _change_model()
        .objects.all()
        .filter(status__in=CHANGE_STARTED_STATES, actual_start__isnull=False)
        .filter(Q(actual_start__gte=since) | Q(actual_end__isnull=True))
        .prefetch_related("services", "customers")
        .order_by("id")
    )
    touched = 0
    for change in changes:
        customers = list(change.customers.all()) or [None]
        end = change.actual_end
        if end is not None and end < change.actual_start:
            end = change.actual_start
        for service in change.services.all():
            for customer in customers:
                existing = Outage.objects.filter(
                    source=OutageSource.CHANGE, change=change, service=service, customer=customer
                ).first()
                if existing is None:
                    record_outage(
                        service=service,
                        customer=customer,
                        started_at=change.actual_start,
                        ended_at=end,
                        change=change,
                        kind=OutageKind.PLANNED,
                        source=OutageSource.CHANGE,
                        description=change.title,
                    )
                    touched += 1
                elif existing.ended_at is None and end is not None:
                    existing.ended_at = end
                    with transaction.atomic():
                        save_versioned(existing, expected_version=None, update_fields=["ended_at"])
                        record_event(existing, "closed", by=None, note=change.number)
                    touched += 1
    return touched


def sync_outages(*, since: datetime | None = None) -> dict[str, int]:
    """Both syncs (the periodic job and the "sync now" button)."""
    return {
        "incidents": sync_incident_outages(since=since),
        "changes": sync_change_outages(since=since),
    }
