"""The demo step: the §3.5 monitoring points on the demo's CIs, a source, two rules and a few
alerts (one with an open incident, one recovered with its incident resolved, one only
recorded), made through the services; a second run adds nothing."""

from __future__ import annotations

import pytest
from django.test import override_settings

from itsm.core.demo import load_demo
from itsm.events.demo import POINTS
from itsm.events.models import Alert, AlertRule, AlertSource, MonitoringPoint

pytestmark = [pytest.mark.slow, pytest.mark.django_db]  # loads the whole demo data


@override_settings(ITSM_DEMO_TICKETS=150)
def test_demo_makes_the_monitoring_points_and_alerts_once():
    load_demo()
    assert MonitoringPoint.objects.count() == len(POINTS) == 33
    assert set(MonitoringPoint.objects.values_list("category", flat=True)) == {
        "network",
        "server",
        "storage",
        "middleware",
        "application",
    }
    assert not MonitoringPoint.objects.filter(ci__isnull=True).exists()
    assert AlertSource.objects.count() == 1 and AlertRule.objects.count() == 2
    cpu = Alert.objects.get(alertname="HostHighCpuLoad")
    assert (cpu.repeat_count, cpu.status, cpu.monitoring_point.code) == (2, "firing", "SRV-03")
    assert cpu.ticket is not None and cpu.ticket.status not in ("resolved", "closed")
    middleware = Alert.objects.get(alertname="MiddlewareProcessDown")
    assert middleware.status == "resolved" and middleware.ticket.status == "resolved"
    info = Alert.objects.get(alertname="NetConfigChanged")
    assert info.ticket is None and info.monitoring_point.code == "NET-04"
    load_demo()
    assert Alert.objects.count() == 3 and MonitoringPoint.objects.count() == 33
