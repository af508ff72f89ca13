"""The alert list and an alert's page in a browser, in Chinese and English: the list shows the
alert with its status code, its page the monitoring point, the deliveries and the incident,
which the link opens."""

from __future__ import annotations

import pytest

from itsm.conftest import _user
from itsm.core.choices import Role
from itsm.events import services
from itsm.events.models import Alert
from itsm.events.payloads import Incoming
from itsm.events.tests.conftest import T0

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_the_alert_list_and_page(page, login, provider, am_source, rule, server_ci, language):
    services.create_point(
        by=None,
        code="SRV-03",
        category="server",
        name_zh="服务器 CPU 工作情况",
        name_en="Server CPU",
        ci=server_ci,
        alertname="HostHighCpuLoad",
    )
    incoming = Incoming(
        fingerprint="fp",
        status="firing",
        starts_at=T0,
        labels={"instance": "web-01.example", "alertname": "HostHighCpuLoad"},
        alertname="HostHighCpuLoad",
        summary="CPU 98% on web-01",
        severity="critical",
    )
    services.ingest(am_source, [incoming])
    services.ingest(am_source, [incoming])
    alert = Alert.objects.get()
    user = _user("ev-browser", provider, Role.ENGINEER_L2)
    type(user).objects.filter(pk=user.pk).update(language=language)

    login(user)
    page.goto("/events/")
    table = page.locator("[data-testid=alert-table]")
    assert table.locator("[data-status=firing]").count() == 1
    page.click("text=CPU 98% on web-01")
    page.wait_for_load_state()
    assert page.locator("[data-testid=alert-count]").get_attribute("data-count") == "2"
    assert page.locator("[data-testid=alert-point]").get_attribute("data-code") == "SRV-03"
    point_text = "服务器 CPU 工作情况" if language == "zh-hans" else "Server CPU"
    assert point_text in page.locator("[data-testid=alert-point]").inner_text()
    page.locator("[data-testid=alert-incident] a").click()
    page.wait_for_load_state()
    assert alert.ticket.number in page.content()


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_alerts_posted_to_the_endpoint_show_their_marks(
    page, login, live_server, provider, am_source, server_ci, customer_a, language
):
    """The secret is shown once; alerts posted with it to the endpoint open an incident on the
    CI, and the list and the page show the point, the suppressed and the flapping marks in the
    user's language, without raw codes or UTC times."""
    import json
    import urllib.parse
    import urllib.request
    from datetime import timedelta

    from django.utils import timezone

    from itsm.change.choices import WindowKind
    from itsm.change.services import config as change_config
    from itsm.cmdb import services as cmdb
    from itsm.cmdb.tests.factories import CIFactory

    services.create_rule(by=None, name="Flap", ci_label="instance", flap_changes=3, flap_minutes=30)
    services.create_point(
        by=None,
        code="SRV-03",
        category="server",
        name_zh="服务器 CPU 工作情况",
        name_en="Server CPU",
        ci=server_ci,
        alertname="HostHighCpuLoad",
    )
    quiet = CIFactory(
        name="db-01", identifier="db-01", ci_class=cmdb.get_class("server"), customer=customer_a
    )
    start = (timezone.now() - timedelta(minutes=20)).replace(microsecond=0)
    change_config.create_window(
        by=None,
        kind=WindowKind.MAINTENANCE,
        name="Patch night",
        ci=quiet,
        starts_at=start - timedelta(hours=1),
        ends_at=start + timedelta(hours=1),
    )
    user = _user("ev-marks", provider, Role.ENGINEER_L2)
    type(user).objects.filter(pk=user.pk).update(language=language)
    login(user)

    # the secret: made again, shown once
    page.goto(f"/events/sources/{am_source.pk}/")
    page.click("[data-testid=source-renew]")
    page.click("[data-testid=confirm-submit]")  # the confirmation step
    page.wait_for_selector("[data-testid=secret-value]")
    token = page.locator("[data-testid=secret-value]").inner_text().strip()
    shown = page.locator("[data-testid=source-endpoint]").inner_text().strip()
    endpoint = urllib.parse.urlsplit(shown).path  # the page shows the full URL
    page.reload()
    assert page.locator("[data-testid=source-secret]").count() == 0

    def send(fingerprint, instance, at, status="firing"):
        alert = {
            "status": status,
            "labels": {"alertname": "HostHighCpuLoad", "instance": instance},
            "annotations": {"summary": f"CPU high on {instance} ({fingerprint})"},
            "startsAt": at.isoformat(),
            "endsAt": (at + timedelta(minutes=1)).isoformat()
            if status == "resolved"
            else "0001-01-01T00:00:00Z",
            "fingerprint": fingerprint,
        }
        request = urllib.request.Request(
            live_server.url + endpoint,
            data=json.dumps({"version": "4", "status": status, "alerts": [alert]}).encode(),
            headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
            method="POST",
        )
        with urllib.request.urlopen(request) as response:
            assert response.status == 200

    send("cpu", "web-01.example:9100", start)
    send("quiet", "db-01", start)
    send("cpu", "web-01.example:9100", start, status="resolved")
    send("cpu", "web-01.example:9100", start + timedelta(minutes=5))  # third change: flapping

    cpu = Alert.objects.filter(fingerprint="cpu").order_by("starts_at")
    assert cpu[0].ticket is not None and list(cpu[0].ticket.cis.all()) == [server_ci]
    assert cpu[1].ticket_id == cpu[0].ticket_id and cpu[1].flapping is True
    assert Alert.objects.get(fingerprint="quiet").suppressed is True

    page.goto("/events/?flapping=true")
    table = page.locator("[data-testid=alert-table]")
    assert table.locator("tbody tr").count() == 1
    assert cpu[0].ticket.number in table.inner_text()
    page.goto("/events/")
    text = page.locator("[data-testid=alert-table]").inner_text()
    for raw in ("firing", "resolved", "HostHighCpuLoad ", "UTC", "+00:00"):
        assert raw not in text
    point = "服务器 CPU 工作情况" if language == "zh-hans" else "Server CPU"
    assert point in text
    page.goto(f"/events/alerts/{cpu[1].pk}/")
    assert page.locator("[data-testid=alert-flapping]").count() == 1
    assert page.locator("[data-testid=alert-point]").get_attribute("data-code") == "SRV-03"
    page.goto(f"/events/alerts/{Alert.objects.get(fingerprint='quiet').pk}/")
    assert page.locator("[data-testid=alert-suppressed]").count() == 1
    reason = page.locator("[data-testid=suppression-reason]").inner_text()
    assert "Patch night" in reason
    assert ("已抑制" if language == "zh-hans" else "Suppressed") in page.content()
