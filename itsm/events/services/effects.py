"""What alerts change outside event management, through the other apps' services.

- **Outages** (``availability.services``): a firing alert that opens or joins an incident
  records the outage of the service (the incident's, else the alert's) for the alert's
  customer, from the alert's start — one outage per incident: an incident that has one keeps
  it (reopened when a recovery had ended it). The recovery of the incident's last firing alert
  ends it at the alert's end. A suppressed alert (maintenance window, approved change) opens no
  incident and records no outage: the interruption is planned, and an approved change's
  planned interruption is recorded from the change itself.
- **Capacity samples** (``capacity.services``): a firing alert that carries a value — the
  annotation ``value``, else the label ``value`` (a number; ``1.5e3`` and ``87%`` read as
  1500 and 87) — is a sample, at the delivery's time, of the capacity metric whose key is the
  alert's label ``metric``, else the ``metric`` of the monitoring point that fired.

An error here never loses the alert or its incident: it is logged and the effect skipped.
"""

from __future__ import annotations

import logging
import math
from datetime import datetime

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from itsm.availability import selectors as availability_selectors
from itsm.availability import services as availability
from itsm.availability.choices import OutageKind, OutageSource
from itsm.capacity import selectors as capacity_selectors
from itsm.capacity import services as capacity
from itsm.core.errors import DomainError
from itsm.events.choices import AlertStatus
from itsm.events.models import MonitoringPoint
from itsm.events.payloads import Incoming

log = logging.getLogger(__name__)


def outage_fired(alert, ticket) -> None:
    """*alert* opened or joined *ticket*: record (or reopen) the incident's outage."""
    service = ticket.service if ticket.service_id else alert.service
    if service is None:
        return
    now = timezone.now()
    try:
        with transaction.atomic():
            existing = availability_selectors.incident_outage(ticket.pk)
            if existing is None:
                availability.record_outage(
                    service=service,
                    customer=alert.customer,
                    started_at=min(alert.starts_at, now),
                    kind=OutageKind.UNPLANNED,
                    source=OutageSource.ALERT,
                    reference=alert.fingerprint,
                    ticket=ticket,
                    description=alert.summary or alert.alertname,
                )
            elif existing.ended_at is not None and existing.source == OutageSource.ALERT:
                availability.update_outage(existing, by=None, ended_at=None)
    except DomainError as error:
        log.warning("events: no outage for alert %s: %s", alert.pk, error)


def outage_recovered(alert, ticket, *, ended_at: datetime) -> None:
    """The last firing alert of *ticket* recovered: end the incident's alert outage."""
    outage = availability_selectors.incident_outage(ticket.pk)
    if outage is None or outage.ended_at is not None or outage.source != OutageSource.ALERT:
        return
    end = max(min(ended_at, timezone.now()), outage.started_at)
    try:
        with transaction.atomic():
            availability.close_outage(outage, ended_at=end, note=alert.fingerprint)
    except DomainError as error:
        log.warning("events: the outage of alert %s stays open: %s", alert.pk, error)


def value_of(incoming: Incoming) -> float | None:
    """The value an alert carries (annotation ``value``, else label ``value``), or ``None``."""
    text = incoming.annotations.get("value") or incoming.labels.get("value")
    if not text:
        return None
    try:
        value = float(str(text).strip().removesuffix("%").strip())
    except ValueError:
        return None
    return value if math.isfinite(value) else None


def record_values(alerts: list[Incoming], *, source, now: datetime) -> int:
    """Store the values the firing *alerts* carry as capacity samples (see the module's
    docstring); returns how many were stored."""
    carrying = [
        (incoming, value)
        for incoming in alerts
        if incoming.status == AlertStatus.FIRING and (value := value_of(incoming)) is not None
    ]
    if not carrying:
        return 0
    keys = {}
    unnamed = [i for i, _v in carrying if not i.labels.get("metric")]
    by_point = _point_metrics(unnamed)
    for incoming, _value in carrying:
        key = incoming.labels.get("metric") or by_point.get(
            incoming.labels.get("monitoring_point") or ""
        )
        key = key or by_point.get(("name", incoming.alertname), "")
        if key:
            keys[id(incoming)] = key
    if not keys:
        return 0
    metrics = {
        m.key: m for m in capacity_selectors.all_metrics().filter(key__in=set(keys.values()))
    }
    samples = [
        {"metric": metrics[keys[id(i)]], "at": now, "value": value}
        for i, value in carrying
        if keys.get(id(i)) in metrics
    ]
    if not samples:
        return 0
    try:
        with transaction.atomic():
            capacity.record_samples(by=None, samples=samples)
    except DomainError as error:
        log.warning("events: the values of a delivery to source %s: %s", source.pk, error)
        return 0
    return len(samples)


def _point_metrics(alerts: list[Incoming]) -> dict:
    """The metric keys of the monitoring points the *alerts* name: by code and by
    ``("name", alertname)``."""
    codes = {i.labels.get("monitoring_point") for i in alerts} - {None, ""}
    names = {i.alertname for i in alerts} - {""}
    if not codes and not names:
        return {}
    found: dict = {}
    rows = (
        MonitoringPoint.objects.filter(Q(code__in=codes) | Q(alertname__in=names, is_active=True))
        .exclude(metric="")
        .order_by("-id")
        .values_list("code", "alertname", "metric")
    )
    for code, alertname, metric in rows:
        found[code] = metric
        found[("name", alertname)] = metric
    return found
