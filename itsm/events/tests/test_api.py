"""Event management API: the shared endpoint tests for sources, rules, monitoring points
(provider staff only) and alerts (read-only; customers see only their own), and the secret
action."""

from __future__ import annotations

import itertools

import pytest
from django.urls import reverse

from itsm.core.choices import Role
from itsm.core.testing.api import (
    APIEndpointTests,
    ReadOnlyAPIEndpointTests,
    client_for,
)
from itsm.events import services
from itsm.events.choices import SourceKind
from itsm.events.models import Alert, AlertRule, AlertSource, MonitoringPoint
from itsm.events.payloads import Incoming
from itsm.events.tests.conftest import T0

pytestmark = pytest.mark.django_db

_n = itertools.count(1)


def _source(**fields) -> AlertSource:
    return services.create_source(
        by=None, name=f"Source {next(_n)}", kind=SourceKind.ALERTMANAGER, **fields
    )[0]


class TestAlertSourceAPI(APIEndpointTests):
    model = AlertSource
    url_name = "api:events-api:source"
    tenancy = "staff"
    required_fields = ("name", "kind")
    writer_roles = (Role.ADMINISTRATOR,)
    limited_roles = (Role.SERVICE_DESK,)
    invalid_filters = ({"kind": "nagios"},)
    deletable = True

    def make_row(self, owner):
        return _source(customer=owner)

    def create_payload(self, env):
        return {
            "name": "Zabbix DC1",
            "kind": "zabbix",
            "auth": "hmac",
            "customer": env.customer_a.pk,
        }

    def update_payload(self, env, row):
        return {"name": "Zabbix DC2", "is_active": False}


class TestAlertRuleAPI(APIEndpointTests):
    model = AlertRule
    url_name = "api:events-api:rule"
    tenancy = "staff"
    required_fields = ("name",)
    limited_roles = (Role.SERVICE_DESK,)
    invalid_filters = ({"action": "explode"},)
    deletable = True

    def make_row(self, owner):
        return services.create_rule(by=None, name=f"Rule {next(_n)}")

    def create_payload(self, env):
        return {
            "name": "Production",
            "match_labels": {"env": "prod"},
            "priority_map": {"critical": "p1", "warning": "p4"},
            "action": "add_to_open",
            "flap_changes": 6,
            "flap_minutes": 20,
        }

    def update_payload(self, env, row):
        return {"on_recovery": "annotate", "position": 5}


class TestMonitoringPointAPI(APIEndpointTests):
    model = MonitoringPoint
    url_name = "api:events-api:point"
    tenancy = "staff"
    required_fields = ("code", "category", "name_zh", "name_en")
    limited_roles = (Role.SERVICE_DESK,)
    invalid_filters = ({"category": "kitchen"},)
    deletable = True

    def make_row(self, owner):
        n = next(_n)
        return services.create_point(
            by=None, code=f"P-{n}", category="server", name_zh=f"点 {n}", name_en=f"Point {n}"
        )

    def create_payload(self, env):
        return {
            "code": "SRV-03",
            "category": "server",
            "name_zh": "服务器 CPU 工作情况",
            "name_en": "Server CPU",
            "alertname": "HostHighCpuLoad",
            "unit": "%",
            "warning_threshold": "80.000",
            "critical_threshold": "95.000",
        }

    def update_payload(self, env, row):
        return {"critical_threshold": "90.000"}


class TestAlertAPI(ReadOnlyAPIEndpointTests):
    model = Alert
    url_name = "api:events-api:alert"
    tenancy = "customer"
    invalid_filters = ({"status": "smouldering"}, {"seen_after": "soon"})

    def make_row(self, owner):
        source = _source(customer=owner)
        fingerprint = f"fp-{next(_n)}"
        services.ingest(
            source,
            [Incoming(fingerprint=fingerprint, status="firing", starts_at=T0, summary="Down")],
        )
        return Alert.objects.get(source=source, fingerprint=fingerprint)


def test_customers_never_see_the_monitoring_internals_of_their_alerts(customer_a, provider):
    from itsm.core.testing.factories import UserFactory

    row = TestAlertAPI().make_row(customer_a)
    user = UserFactory(organisation=customer_a, roles=(Role.CUSTOMER_USER,))
    data = client_for(user).get(reverse("api:events-api:alert-detail", args=[row.pk])).json()
    assert data["summary"] == "Down"
    assert not {"labels", "annotations", "rule", "source", "outcome"} & set(data)


def test_the_secret_action_answers_a_new_working_token(provider):
    from itsm.core.testing.factories import UserFactory

    admin = UserFactory(organisation=provider, roles=(Role.ADMINISTRATOR,))
    source = _source()
    response = client_for(admin).post(reverse("api:events-api:source-secret", args=[source.pk]))
    assert response.status_code == 200
    secret = response.json()["secret"]
    source.refresh_from_db()
    assert services.authenticate(source, authorization=f"Bearer {secret}", signature="", body=b"{}")
    created = client_for(admin).post(
        reverse("api:events-api:source-list"),
        {"name": "New", "kind": "generic"},
        format="json",
    )
    assert created.status_code == 201 and "secret" not in created.json()
    assert created.json()["endpoint"] == reverse(
        "api:events-api:generic", args=[created.json()["id"]]
    )
