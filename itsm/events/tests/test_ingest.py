"""Alert intake through the sources' endpoints (R-EVT-01, R-EVT-02): parsing, idempotency,
incidents opened, joined and resolved, flapping, suppression, Zabbix, the generic JSON, bad
payloads and secrets."""

from __future__ import annotations

import hashlib
import hmac
import json
from datetime import timedelta

import pytest

from itsm.change.choices import WindowKind
from itsm.change.services import config as change_config
from itsm.desk.models import Ticket
from itsm.events import services
from itsm.events.choices import AuthMethod, RecoveryAction, RuleAction, SourceKind
from itsm.events.models import Alert
from itsm.events.tests.conftest import T0, am_alert, am_payload

pytestmark = pytest.mark.django_db


def incidents():
    return Ticket.objects.filter(channel="monitoring", kind="incident")


def test_an_alertmanager_alert_is_stored_and_opens_an_incident_on_its_ci(
    am_source, rule, server_ci, post
):
    response = post(am_source, am_payload(am_alert()))

    assert response.status_code == 200, response.content
    assert response.json() == {"received": 1, "new": 1, "repeats": 0, "resolved": 0}
    alert = Alert.objects.get()
    assert (alert.fingerprint, alert.status, alert.starts_at) == ("fp-1", "firing", T0)
    assert alert.ends_at is None  # Alertmanager's zero time is "no end"
    assert alert.labels["instance"] == "web-01.example:9100"
    assert alert.annotations == {"summary": "CPU high on web-01.example:9100"}
    assert (alert.alertname, alert.severity, alert.repeat_count) == (
        "HostHighCpuLoad",
        "critical",
        1,
    )
    assert alert.ci == server_ci and alert.customer_id == server_ci.customer_id
    ticket = incidents().get()
    assert alert.ticket == ticket
    assert (ticket.priority, ticket.customer_id) == ("p1", server_ci.customer_id)
    assert list(ticket.cis.all()) == [server_ci]
    assert ticket.title == "CPU high on web-01.example:9100"
    assert "alertname=HostHighCpuLoad" in ticket.description
    assert alert.outcome == f"Opened incident {ticket.number}."


def test_the_same_alert_twice_is_one_row_counted_twice_and_one_incident(
    am_source, rule, server_ci, post
):
    post(am_source, am_payload(am_alert()))
    response = post(am_source, am_payload(am_alert()))

    assert response.json() == {"received": 1, "new": 0, "repeats": 1, "resolved": 0}
    alert = Alert.objects.get()
    assert alert.repeat_count == 2
    assert incidents().count() == 1


def test_a_repeat_is_one_update(am_source, rule, server_ci, post, django_assert_max_num_queries):
    post(am_source, am_payload(am_alert()))
    # source, the UPDATE (and the savepoint around the alert)
    with django_assert_max_num_queries(4):
        post(am_source, am_payload(am_alert()))
    assert Alert.objects.get().repeat_count == 2


def test_recovery_resolves_the_incident(am_source, rule, server_ci, post):
    post(am_source, am_payload(am_alert()))
    end = T0 + timedelta(minutes=7)
    response = post(am_source, am_payload(am_alert(status="resolved", end=end), status="resolved"))

    assert response.json() == {"received": 1, "new": 0, "repeats": 1, "resolved": 1}
    alert = Alert.objects.get()
    assert (alert.status, alert.ends_at, alert.repeat_count) == ("resolved", end, 2)
    ticket = incidents().get()
    assert ticket.status == "resolved"
    assert "Alert recovered" in ticket.resolution
    # the recovery delivered again changes nothing more
    post(am_source, am_payload(am_alert(status="resolved", end=end), status="resolved"))
    assert Alert.objects.get().repeat_count == 3
    assert incidents().get().status == "resolved"


def test_recovery_only_annotates_when_the_rule_says_so(am_source, rule, server_ci, post):
    services.update_rule(rule, by=None, expected_version=None, on_recovery=RecoveryAction.ANNOTATE)
    post(am_source, am_payload(am_alert()))
    post(am_source, am_payload(am_alert(status="resolved", end=T0 + timedelta(minutes=3))))

    ticket = incidents().get()
    assert ticket.status != "resolved"
    assert ticket.entries.filter(kind="note", body__startswith="Alert recovered").count() == 1


def test_a_flapping_alert_makes_one_incident_marked_flapping(am_source, rule, server_ci, post):
    # fire, recover, fire, recover, fire within 30 minutes: 4 changes reached at the third firing
    for n in range(3):
        start = T0 + timedelta(minutes=5 * n)
        post(am_source, am_payload(am_alert(start=start)))
        if n < 2:
            end = start + timedelta(minutes=2)
            post(am_source, am_payload(am_alert(start=start, status="resolved", end=end)))

    assert incidents().count() == 1
    ticket = incidents().get()
    alerts = list(Alert.objects.order_by("starts_at"))
    assert len(alerts) == 3
    assert {a.ticket_id for a in alerts} == {ticket.pk}
    assert [a.flapping for a in alerts] == [False, False, True]
    assert ticket.flapping is True  # the incident's own mark
    assert ticket.status not in ("resolved", "closed")
    assert ticket.entries.filter(body__startswith="Flapping").count() == 1
    # the flapping alert's recovery does not resolve the incident
    end = T0 + timedelta(minutes=12)
    post(
        am_source,
        am_payload(am_alert(start=T0 + timedelta(minutes=10), status="resolved", end=end)),
    )
    ticket.refresh_from_db()
    assert ticket.status not in ("resolved", "closed")


def test_an_alert_in_a_maintenance_window_is_suppressed(am_source, rule, server_ci, post):
    change_config.create_window(
        by=None,
        kind=WindowKind.MAINTENANCE,
        name="Patch night",
        ci=server_ci,
        starts_at=T0 - timedelta(hours=1),
        ends_at=T0 + timedelta(hours=1),
    )
    response = post(am_source, am_payload(am_alert()))

    assert response.status_code == 200
    alert = Alert.objects.get()
    assert alert.suppressed is True
    assert alert.suppression_reason == "Maintenance window “Patch night”"
    assert alert.ticket is None
    assert incidents().count() == 0


def test_record_only_and_unmatched_alerts_open_nothing(am_source, rule, server_ci, post):
    services.create_rule(
        by=None,
        name="Info",
        position=1,
        match_labels={"severity": "info"},
        action=RuleAction.RECORD_ONLY,
    )
    post(am_source, am_payload(am_alert(fingerprint="a", severity="info")))
    services.update_rule(rule, by=None, expected_version=None, match_labels={"env": "prod"})
    post(am_source, am_payload(am_alert(fingerprint="b")))

    assert incidents().count() == 0
    info, other = Alert.objects.order_by("fingerprint")
    assert info.outcome == "Recorded only (rule “Info”)."
    assert other.rule is None and other.outcome == "No rule matched: recorded only."


def test_add_to_open_joins_the_open_incident_of_the_ci(am_source, rule, server_ci, post):
    services.update_rule(rule, by=None, expected_version=None, action=RuleAction.ADD_TO_OPEN)
    post(am_source, am_payload(am_alert(fingerprint="cpu")))
    post(am_source, am_payload(am_alert(fingerprint="mem", name="HostHighMemoryUsage")))

    ticket = incidents().get()
    assert set(Alert.objects.values_list("ticket_id", flat=True)) == {ticket.pk}
    assert ticket.entries.filter(body__startswith="Alert fired again").count() == 1


def test_the_monitoring_point_that_fired_is_shown(am_source, rule, server_ci, post):
    point = services.create_point(
        by=None,
        code="SRV-03",
        category="server",
        name_zh="服务器 CPU 工作情况",
        name_en="Server CPU",
        ci=server_ci,
        alertname="HostHighCpuLoad",
        warning_threshold=80,
        critical_threshold=95,
        unit="%",
    )
    post(am_source, am_payload(am_alert()))
    assert Alert.objects.get().monitoring_point == point


def test_zabbix_problem_and_recovery(provider, server_ci, rule, post):
    source, token = services.create_source(by=None, name="Zabbix", kind=SourceKind.ZABBIX)
    source.token = token
    services.update_rule(rule, by=None, expected_version=None, ci_label="host", ci_match="name")
    problem = {
        "event_id": "4711",
        "event_value": "1",
        "event_update_status": "0",
        "event_severity": "High",
        "event_name": "Zabbix agent is not available",
        "trigger_id": "21000",
        "host": "web-01",
        "event_date": "2031.03.10",
        "event_time": "08:00:00",
        "tags": [{"tag": "service", "value": "web"}],
    }
    assert post(source, problem).json()["new"] == 1
    # an acknowledgement is an update of the same problem: a repeat
    assert post(source, {**problem, "event_update_status": "1"}).json()["repeats"] == 1
    recovery = {
        **problem,
        "event_value": "0",
        "event_recovery_date": "2031.03.10",
        "event_recovery_time": "08:09:00",
    }
    assert post(source, recovery).json()["resolved"] == 1

    alert = Alert.objects.get()
    assert (alert.fingerprint, alert.starts_at, alert.severity) == ("zabbix-4711", T0, "major")
    assert alert.ends_at == T0 + timedelta(minutes=9)
    assert alert.labels["service"] == "web" and alert.ci == server_ci
    assert alert.repeat_count == 3
    ticket = incidents().get()
    assert (ticket.status, ticket.priority) == ("resolved", "p2")


def test_a_zabbix_recovery_without_dates_finds_its_problem(provider, server_ci, rule, post):
    source, token = services.create_source(by=None, name="Zabbix", kind=SourceKind.ZABBIX)
    source.token = token
    services.update_rule(rule, by=None, expected_version=None, ci_label="host", ci_match="name")
    problem = {"event_id": "9", "event_value": "1", "host": "web-01", "event_name": "Down"}
    post(source, problem)
    post(source, problem)
    post(source, {**problem, "event_value": "0"})
    alert = Alert.objects.get()
    assert (alert.status, alert.repeat_count) == ("resolved", 3)
    assert incidents().get().status == "resolved"


def test_the_generic_json(provider, server_ci, rule, post):
    source, token = services.create_source(by=None, name="Scripts", kind=SourceKind.GENERIC)
    source.token = token
    body = {
        "alerts": [
            {
                "fingerprint": "backup-web-01",
                "status": "firing",
                "starts_at": "2031-03-10T16:00:00+08:00",
                "summary": "Backup failed",
                "severity": "warning",
                "labels": {"instance": "web-01.example"},
            }
        ]
    }
    assert post(source, body).json()["new"] == 1
    alert = Alert.objects.get()
    assert (alert.starts_at, alert.summary, alert.ci) == (T0, "Backup failed", server_ci)
    assert incidents().get().priority == "p3"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ("not json", "body"),
        ("[1, 2]", "body"),
        (json.dumps({"version": "4"}), "alerts"),
        (json.dumps({"version": "3", "alerts": []}), "version"),
        (json.dumps(am_payload({"labels": {}, "status": "firing"})), "alerts[0].startsAt"),
        (json.dumps(am_payload({**am_alert(), "startsAt": "yesterday"})), "alerts[0].startsAt"),
        (json.dumps(am_payload({**am_alert(), "status": "burning"})), "alerts[0].status"),
        (json.dumps(am_payload({**am_alert(), "labels": ["x"]})), "alerts[0].labels"),
        (json.dumps(am_payload(am_alert(), "oops")), "alerts[1]"),
    ],
)
def test_a_bad_payload_answers_400_naming_the_field(am_source, rule, post, body, field):
    response = post(am_source, None, raw=body)

    assert response.status_code == 400, response.content
    answer = response.json()
    assert answer["code"] == "validation"
    assert field in answer["fields"], answer
    assert Alert.objects.count() == 0


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"event_value": "1"}, "event_id"),
        ({"event_id": "{EVENT.ID}", "event_value": "1"}, "event_id"),
        ({"event_id": "1", "event_value": "2"}, "event_value"),
        ({"event_id": "1", "event_value": "1", "tags": [{"value": "x"}]}, "tags[0]"),
    ],
)
def test_a_bad_zabbix_payload_answers_400_naming_the_field(provider, post, body, field):
    source, token = services.create_source(by=None, name="Zabbix", kind=SourceKind.ZABBIX)
    source.token = token
    response = post(source, body)
    assert response.status_code == 400
    assert field in response.json()["fields"]


def test_a_bad_or_missing_secret_answers_401(am_source, post):
    assert post(am_source, am_payload(am_alert()), token="wrong").status_code == 401
    assert post(am_source, am_payload(am_alert()), token="").status_code == 401
    assert Alert.objects.count() == 0


def test_a_renewed_secret_replaces_the_old_one(am_source, rule, server_ci, post):
    new = services.renew_secret(am_source, by=None)
    assert post(am_source, am_payload(am_alert()), token=am_source.token).status_code == 401
    assert post(am_source, am_payload(am_alert()), token=new).status_code == 200


def test_hmac_signed_deliveries(provider, rule, server_ci, post):
    source, key = services.create_source(
        by=None, name="Signed", kind=SourceKind.ALERTMANAGER, auth=AuthMethod.HMAC
    )
    body = json.dumps(am_payload(am_alert()))
    signature = hmac.new(key.encode(), body.encode(), hashlib.sha256).hexdigest()
    good = {"HTTP_X_SIGNATURE_SHA256": f"sha256={signature}"}
    bad = {"HTTP_X_SIGNATURE_SHA256": "0" * 64}

    assert post(source, None, raw=body, token="", headers=bad).status_code == 401
    assert post(source, None, raw=body, token=key, headers={}).status_code == 401
    assert post(source, None, raw=body, token="", headers=good).status_code == 200
    assert Alert.objects.count() == 1


def test_other_kinds_inactive_sources_and_gets_are_refused(am_source, post, client):
    assert post(am_source, {}, kind="zabbix").status_code == 404
    services.update_source(am_source, by=None, expected_version=None, is_active=False)
    assert post(am_source, am_payload(am_alert())).status_code == 404
    url = f"/api/events/sources/{am_source.pk}/alertmanager/"
    assert client.get(url).status_code == 405
