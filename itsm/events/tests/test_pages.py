"""Pages of event management: the alert list and page (the point that fired, the incident,
suppression), a source's page with its endpoint and its secret shown once, create and edit
of sources and rules, bad input on the forms, and tenancy (customers never reach sources,
rules or points; they see only their own alerts)."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from itsm.conftest import _user
from itsm.core.choices import Role
from itsm.events import services
from itsm.events.choices import SourceKind
from itsm.events.models import Alert, AlertRule, AlertSource
from itsm.events.payloads import Incoming
from itsm.events.tests.conftest import T0, am_alert, am_payload

pytestmark = pytest.mark.django_db


def browse(user, language="en"):
    type(user).objects.filter(pk=user.pk).update(language=language)
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    client.force_login(user)
    return client


@pytest.fixture
def admin(provider):
    return _user("ev-admin", provider, Role.ADMINISTRATOR)


def _alert_of(customer, fingerprint="x", **fields):
    source = services.create_source(
        by=None, name=f"S {fingerprint}", kind=SourceKind.GENERIC, customer=customer
    )[0]
    services.ingest(
        source,
        [
            Incoming(
                fingerprint=fingerprint,
                status="firing",
                starts_at=T0,
                summary=f"Alert {fingerprint}",
                **fields,
            )
        ],
    )
    return Alert.objects.get(fingerprint=fingerprint)


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_the_alert_page_shows_point_incident_and_counts(
    admin, am_source, rule, server_ci, post, language
):
    point = services.create_point(
        by=None,
        code="SRV-03",
        category="server",
        name_zh="服务器 CPU 工作情况",
        name_en="Server CPU",
        ci=server_ci,
        alertname="HostHighCpuLoad",
    )
    post(am_source, am_payload(am_alert()))
    post(am_source, am_payload(am_alert()))
    alert = Alert.objects.get()
    client = browse(admin, language)

    listing = client.get(reverse("events:alert_list"))
    assert listing.status_code == 200
    assert 'data-testid="alert-table"' in listing.content.decode()
    page = client.get(reverse("events:alert_detail", args=[alert.pk])).content.decode()
    assert 'data-count="2"' in page
    assert f'data-number="{alert.ticket.number}"' in page
    assert 'data-code="SRV-03"' in page
    assert (point.name_zh if language == "zh-hans" else point.name_en) in page
    assert 'data-status="firing"' in page


def test_customers_see_their_own_alerts_only_and_no_configuration(
    customer_a, customer_b, am_source, rule
):
    own = _alert_of(customer_a, "own")
    foreign = _alert_of(customer_b, "foreign")
    client = browse(_user("ev-cust", customer_a, Role.CUSTOMER_USER))

    listing = client.get(reverse("events:alert_list")).content.decode()
    assert "Alert own" in listing and "Alert foreign" not in listing
    page = client.get(reverse("events:alert_detail", args=[own.pk]))
    assert page.status_code == 200
    assert 'data-testid="alert-internal"' not in page.content.decode()
    assert client.get(reverse("events:alert_detail", args=[foreign.pk])).status_code == 404
    for name in ("source_list", "rule_list", "point_list", "source_create", "rule_create"):
        assert client.get(reverse(f"events:{name}")).status_code == 403, name
    assert client.get(reverse("events:source_detail", args=[am_source.pk])).status_code == 403
    assert client.get(reverse("events:rule_edit", args=[rule.pk])).status_code == 403


def test_a_new_source_shows_its_endpoint_and_its_secret_once(admin):
    client = browse(admin)
    response = client.post(
        reverse("events:source_create"),
        {"name": "Prometheus DC1", "kind": "alertmanager", "auth": "bearer", "is_active": "on"},
    )
    source = AlertSource.objects.get(name="Prometheus DC1")
    assert response.status_code == 302
    page = client.get(response["Location"]).content.decode()
    assert f"/api/events/sources/{source.pk}/alertmanager/" in page
    assert 'data-testid="secret-value"' in page
    secret = page.split('data-testid="secret-value">')[1].split("<")[0]
    assert services.authenticate(source, authorization=f"Bearer {secret}", signature="", body=b"")
    again = client.get(response["Location"]).content.decode()
    assert 'data-testid="secret-value"' not in again


def test_renewing_a_secret_asks_first(admin, am_source):
    client = browse(admin)
    url = reverse("events:source_renew", args=[am_source.pk])
    asked = client.post(url)
    assert asked.status_code == 200 and "confirmed" in asked.content.decode()
    done = client.post(url, {"confirmed": "yes"})
    assert done.status_code == 302
    am_source.refresh_from_db()
    assert not services.authenticate(
        am_source, authorization=f"Bearer {am_source.token}", signature="", body=b""
    )


def test_a_source_form_with_bad_input_names_the_field(admin):
    response = browse(admin).post(reverse("events:source_create"), {"name": "", "kind": "nagios"})
    assert response.status_code == 200
    form = response.context["form"]
    assert set(form.errors) >= {"name", "kind"}


def test_rule_create_and_edit_with_labels_and_priorities(admin, am_source):
    client = browse(admin)
    response = client.post(
        reverse("events:rule_create"),
        {
            "name": "Prod",
            "position": "10",
            "is_active": "on",
            "match_labels": "env = prod\nteam = *",
            "ci_label": "instance",
            "ci_match": "identifier",
            "action": "add_to_open",
            "priority_map": "critical = p1\nwarning = p4",
            "flap_changes": "4",
            "flap_minutes": "30",
            "on_recovery": "annotate",
        },
    )
    assert response.status_code == 302, response.context["form"].errors
    rule = AlertRule.objects.get(name="Prod")
    assert rule.match_labels == {"env": "prod", "team": "*"}
    assert rule.priority_map == {"critical": "p1", "warning": "p4"}
    edit = reverse("events:rule_edit", args=[rule.pk])
    page = client.get(edit)
    assert page.status_code == 200
    bad = client.post(
        edit,
        {
            "name": "Prod",
            "position": "10",
            "version": rule.version,
            "match_labels": "env",
            "ci_label": "instance",
            "ci_match": "identifier",
            "action": "add_to_open",
            "priority_map": "critical = p9",
            "flap_changes": "4",
            "flap_minutes": "30",
            "on_recovery": "annotate",
        },
    )
    assert bad.status_code == 200
    assert "match_labels" in bad.context["form"].errors


def test_the_rule_priority_map_is_checked(admin):
    response = browse(admin).post(
        reverse("events:rule_create"),
        {
            "name": "Bad",
            "position": "1",
            "ci_label": "instance",
            "ci_match": "identifier",
            "action": "open_incident",
            "priority_map": "critical = p9",
            "flap_changes": "4",
            "flap_minutes": "30",
            "on_recovery": "annotate",
        },
    )
    assert response.status_code == 200
    assert "priority_map" in response.context["form"].errors
    assert not AlertRule.objects.filter(name="Bad").exists()


@pytest.mark.parametrize("name", ["source_list", "rule_list", "point_list"])
def test_configuration_lists_for_staff(admin, am_source, rule, name):
    assert browse(admin, "zh-hans").get(reverse(f"events:{name}")).status_code == 200
