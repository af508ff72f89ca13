"""Reads of event management that pages, the API and other apps may call."""

from __future__ import annotations

from django.db.models import F, Q, QuerySet
from django.urls import reverse

from itsm.core import stamps
from itsm.events.choices import SourceKind
from itsm.events.models import Alert, AlertRule, AlertSource, MonitoringPoint

#: the webhook URL name of each source kind
ENDPOINT_NAMES = {
    SourceKind.ALERTMANAGER.value: "api:events-api:alertmanager",
    SourceKind.ZABBIX.value: "api:events-api:zabbix",
    SourceKind.GENERIC.value: "api:events-api:generic",
}


def endpoint_path(source: AlertSource) -> str:
    """The path a source posts its alerts to."""
    return reverse(ENDPOINT_NAMES[source.kind], args=[source.pk])


def alerts_for(user, action: str = "view") -> QuerySet[Alert]:
    """The alerts *user* may see: provider staff all, customers those of their CIs."""
    return Alert.objects.restrict(user, action)


def sources_for(user, action: str = "view") -> QuerySet[AlertSource]:
    return AlertSource.objects.restrict(user, action)


def rules_for(user, action: str = "view") -> QuerySet[AlertRule]:
    return AlertRule.objects.restrict(user, action)


def points_for(user, action: str = "view") -> QuerySet[MonitoringPoint]:
    return MonitoringPoint.objects.restrict(user, action)


def alerts_of_ticket(ticket, user) -> QuerySet[Alert]:
    """The alerts that opened or joined *ticket*, among those *user* may see."""
    return alerts_for(user).filter(ticket_id=getattr(ticket, "pk", ticket))


def active_source(pk: int, kind: str) -> AlertSource | None:
    """The active source *pk* of *kind* an endpoint receives for, read once per process until
    a source, rule or point changes (``core.stamps``); callers never change it."""

    def load():
        return AlertSource.objects.filter(pk=pk, kind=kind, is_active=True).first()

    return stamps.memo(("events.config",), ("source", pk, kind), load)


def active_rules(source_id: int) -> list[AlertRule]:
    """The active rules applying to the source *source_id* (its own and those of every source)
    in order, with their CI and service, read once per process until the configuration
    changes."""

    def load():
        return list(
            AlertRule.objects.filter(is_active=True)
            .filter(Q(source__isnull=True) | Q(source_id=source_id))
            .select_related("ci", "service")
            .order_by("position", "id")
        )

    return stamps.memo(("events.config",), ("rules", source_id), load)


def monitoring_points() -> list[MonitoringPoint]:
    """Every monitoring point, CI-bound ones first (the order an alert's point is chosen in),
    read once per process until the configuration changes."""

    def load():
        return list(MonitoringPoint.objects.order_by(F("ci_id").asc(nulls_last=True), "id"))

    return stamps.memo(("events.config",), "points", load)


def flapping_alerts(user) -> QuerySet[Alert]:
    """The flapping alerts *user* may see (each names its incident): the alert list's filter
    "flapping"."""
    return alerts_for(user).filter(flapping=True)
