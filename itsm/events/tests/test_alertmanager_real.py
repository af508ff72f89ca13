"""A real Prometheus Alertmanager (Debian's package, started by
``itsm.core.testing.alertmanager``) receives an alert through its API, twice (a repeat), and
posts it to our endpoint with every delivery duplicated (two webhook configurations, as an HA
pair sends) and again after its ``repeat_interval``; then the alert is resolved through the
API. One alert row, one incident on the right CI, the deliveries counted, the incident
resolved automatically."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from itsm.cmdb import services as cmdb
from itsm.cmdb.tests.factories import CIFactory
from itsm.core.testing.alertmanager import alertmanager, wait_for  # noqa: F401  (fixture)
from itsm.desk.models import Ticket
from itsm.events import services
from itsm.events.choices import RecoveryAction, RuleAction, SourceKind
from itsm.events.models import Alert

pytestmark = pytest.mark.django_db(transaction=True)


def test_alerts_from_a_real_alertmanager_open_and_resolve_one_incident(
    alertmanager,  # noqa: F811
    live_server,
    provider,
    customer_a,
):
    ci = CIFactory(
        name="db-01", identifier="db-01", ci_class=cmdb.get_class("server"), customer=customer_a
    )
    source, token = services.create_source(by=None, name="AM", kind=SourceKind.ALERTMANAGER)
    services.create_rule(
        by=None,
        name="Open",
        ci_label="instance",
        action=RuleAction.OPEN_INCIDENT,
        on_recovery=RecoveryAction.AUTO_RESOLVE,
    )
    url = live_server.url + reverse("api:events-api:alertmanager", args=[source.pk])
    manager = alertmanager(url, token, copies=2)

    start = datetime.now(UTC).replace(microsecond=0) - timedelta(minutes=1)
    labels = {"alertname": "DiskFull", "instance": "db-01:9100", "severity": "critical"}
    annotations = {"summary": "Disk / on db-01 is 97% full"}
    manager.post(labels=labels, annotations=annotations, starts_at=start)
    manager.post(labels=labels, annotations=annotations, starts_at=start)  # the rule re-fires

    # the first notification (twice: the duplicate delivery), then at least one repeat
    alert = wait_for(
        lambda: Alert.objects.filter(repeat_count__gte=4).first(),
        what=f"4 deliveries of the alert; Alertmanager's log:\n{manager.log_text()[-2000:]}",
    )
    assert isinstance(alert, Alert)
    assert (alert.fingerprint, alert.status, alert.starts_at) == (
        manager.alerts()[0]["fingerprint"],
        "firing",
        start,
    )
    assert alert.ci == ci and alert.summary == "Disk / on db-01 is 97% full"
    incidents = Ticket.objects.filter(channel="monitoring")
    assert incidents.count() == 1
    ticket = incidents.get()
    assert (ticket.priority, ticket.customer_id, alert.ticket_id) == (
        "p1",
        customer_a.pk,
        ticket.pk,
    )
    assert list(ticket.cis.all()) == [ci]

    # resolved through the API: Alertmanager sends the resolution (twice)
    before = Alert.objects.get().repeat_count
    manager.post(labels=labels, annotations=annotations, starts_at=start, ends_at=datetime.now(UTC))
    wait_for(
        lambda: Alert.objects.filter(status="resolved").exists(),
        what=f"the resolution; Alertmanager's log:\n{manager.log_text()[-2000:]}",
    )
    wait_for(lambda: Alert.objects.get().repeat_count >= before + 2, what="both deliveries")

    assert Alert.objects.count() == 1
    alert = Alert.objects.get()
    assert alert.ends_at is not None and alert.ends_at > start
    assert incidents.count() == 1
    ticket.refresh_from_db()
    assert ticket.status == "resolved"
    # written in the installation's language: Alertmanager sends no Accept-Language
    with translation.override(settings.LANGUAGE_CODE):
        expected = _("Recovered: incident {number} resolved.").format(number=ticket.number)
    assert alert.outcome == expected
