"""Fixtures of the event management tests: a CI of customer A, an Alertmanager source with
its token, a rule opening incidents, and a helper posting to a source's endpoint."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation

from itsm.cmdb import services as cmdb
from itsm.cmdb.tests.factories import CIFactory
from itsm.events import services
from itsm.events.choices import AuthMethod, RecoveryAction, RuleAction, SourceKind

T0 = datetime(2031, 3, 10, 8, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _english():
    """Messages are asserted in English; the default language is zh-Hans."""
    with translation.override("en"):
        yield


@pytest.fixture
def server_ci(customer_a):
    return CIFactory(
        name="web-01",
        identifier="web-01.example",
        ci_class=cmdb.get_class("server"),
        customer=customer_a,
    )


@pytest.fixture
def am_source(provider):
    source, token = services.create_source(
        by=None, name="Prometheus", kind=SourceKind.ALERTMANAGER, auth=AuthMethod.BEARER
    )
    source.token = token
    return source


@pytest.fixture
def rule(am_source):
    return services.create_rule(
        by=None,
        name="Open incidents",
        ci_label="instance",
        action=RuleAction.OPEN_INCIDENT,
        on_recovery=RecoveryAction.AUTO_RESOLVE,
        flap_changes=4,
        flap_minutes=30,
    )


def am_alert(
    *,
    fingerprint="fp-1",
    status="firing",
    start=T0,
    end=None,
    instance="web-01.example:9100",
    severity="critical",
    name="HostHighCpuLoad",
    **labels,
):
    return {
        "status": status,
        "labels": {"alertname": name, "instance": instance, "severity": severity, **labels},
        "annotations": {"summary": f"CPU high on {instance}"},
        "startsAt": start.isoformat().replace("+00:00", "Z"),
        "endsAt": (end.isoformat().replace("+00:00", "Z") if end else "0001-01-01T00:00:00Z"),
        "generatorURL": "http://prometheus/graph",
        "fingerprint": fingerprint,
    }


def am_payload(*alerts, status="firing"):
    return {
        "version": "4",
        "groupKey": '{}:{alertname="HostHighCpuLoad"}',
        "truncatedAlerts": 0,
        "status": status,
        "receiver": "itsm",
        "groupLabels": {"alertname": "HostHighCpuLoad"},
        "commonLabels": {},
        "commonAnnotations": {},
        "externalURL": "http://alertmanager:9093",
        "alerts": list(alerts),
    }


@pytest.fixture
def post():
    """``post(source, payload, token=…, kind=…)`` → the response of its endpoint."""

    def send(source, payload, *, token=None, kind=None, headers=None, raw=None):
        client = Client(enforce_csrf_checks=True)
        url = reverse(f"api:events-api:{kind or source.kind}", args=[source.pk])
        extra = {}
        token = source.token if token is None else token
        if token:
            extra["HTTP_AUTHORIZATION"] = f"Bearer {token}"
        # a sender's Accept-Language: the outcomes and notes are written in English, which
        # the tests read (a monitoring system sends none: the installation's language)
        extra["HTTP_ACCEPT_LANGUAGE"] = "en"
        extra.update(headers or {})
        body = raw if raw is not None else json.dumps(payload)
        return client.post(url, data=body, content_type="application/json", **extra)

    return send


__all__ = ["T0", "am_alert", "am_payload", "timedelta"]


@pytest.fixture(autouse=True)
def _english():
    """The tests read the notes and messages the services write in the active language (the
    installation's is zh-Hans) in English."""
    from django.utils import translation

    with translation.override("en"):
        yield
