"""Release management API: the shared endpoint tests per endpoint, and the journey through the
actions (tests, decide, transition) with tenancy and the report."""

from __future__ import annotations

import pytest
from django.urls import reverse

from itsm.core.choices import Role
from itsm.core.testing.api import (
    APIEndpointTests,
    ReadOnlyAPIEndpointTests,
    assert_error,
    client_for,
)
from itsm.core.testing.factories import UserFactory
from itsm.releases import services
from itsm.releases.models import Release, ReleaseDecision, ReleaseTest
from itsm.releases.tests.factories import approved_change, ci, make_release

pytestmark = pytest.mark.django_db

RELEASE_URL = "api:releases-api:release"


def _staff(username, *roles):
    from itsm.core.models import User
    from itsm.core.testing.factories import get_provider

    return User.objects.filter(username=username).first() or UserFactory(
        username=username, organisation=get_provider(), roles=roles
    )


def _people():
    return (
        _staff("rel-eng", Role.ENGINEER_L2),
        _staff("rel-mgr", Role.RELEASE_MANAGER, Role.CHANGE_MANAGER),
    )


def _visible_release(owner):
    """A release in testing bundling a change on a CI of customer *owner*."""
    engineer, manager = _people()
    change = approved_change(engineer, manager, cis=[ci(f"app of {owner.code}", customer=owner)])
    release = make_release(engineer, changes=[change])
    return services.start_testing(release, by=engineer)


class TestReleaseAPI(APIEndpointTests):
    model = Release
    url_name = RELEASE_URL
    tenancy = "customer"
    required_fields = ("kind", "title")
    writer_roles = (Role.RELEASE_MANAGER,)
    limited_roles = (Role.QUALITY_MANAGER,)
    invalid_filters = ({"status": "bogus"}, {"kind": "huge"}, {"planned_after": "soon"})

    def make_row(self, owner):
        return _visible_release(owner)

    def create_payload(self, env):
        engineer, manager = _people()
        change = approved_change(engineer, manager, cis=[ci("erp", customer=env.customer_a)])
        return {
            "kind": "minor",
            "title": "ERP 2.1",
            "version_label": "2.1",
            "changes": [change.pk],
            "deployment_plan": "Deploy.",
            "rollback_plan": "Redeploy 2.0.",
        }

    def update_payload(self, env, row):
        return {"title": "ERP 2.1.1", "version_label": "2.1.1"}


class TestReleaseTestAPI(ReadOnlyAPIEndpointTests):
    model = ReleaseTest
    url_name = "api:releases-api:test"
    tenancy = "staff"
    invalid_filters = ({"result": "maybe"},)

    def make_row(self, owner):
        release = _visible_release(owner)
        return services.record_test(release, by=_people()[0], subject="Smoke", result="passed")


class TestReleaseDecisionAPI(ReadOnlyAPIEndpointTests):
    model = ReleaseDecision
    url_name = "api:releases-api:decision"
    tenancy = "staff"
    invalid_filters = ({"decision": "maybe"},)

    def make_row(self, owner):
        engineer, manager = _people()
        release = _visible_release(owner)
        services.record_test(release, by=engineer, subject="Smoke", result="passed")
        services.request_decision(release, by=engineer)
        return services.decide(release, by=manager, decision="no_go", comment="Not now.")


def test_the_journey_through_the_api(customer_a):
    engineer, manager = _people()
    app = ci("erp", customer=customer_a, attributes={"version": "2.0"})
    change = approved_change(engineer, manager, cis=[app])
    eng, mgr = client_for(engineer), client_for(manager)
    created = eng.post(
        reverse(f"{RELEASE_URL}-list"),
        {
            "kind": "minor",
            "title": "ERP 2.1",
            "changes": [change.pk],
            "ci_versions": {str(app.pk): "2.1"},
            "planned_at": "2031-03-12T22:00:00+08:00",
            "deployment_plan": "Deploy.",
            "rollback_plan": "Redeploy 2.0.",
        },
        format="json",
    )
    assert created.status_code == 201, created.json()
    body = created.json()
    assert body["status"] == "planning"
    assert body["transitions"] == ["start_testing", "cancel"]
    url = reverse(f"{RELEASE_URL}-detail", args=[body["id"]])

    def move(client, to, **extra):
        version = Release.objects.get(pk=body["id"]).version
        return client.post(
            f"{url}transition/", {"to": to, "version": version, **extra}, format="json"
        )

    assert move(eng, "testing").status_code == 200
    refused = move(eng, "decision")
    assert_error(refused, 400, "validation", fields=["tests"])
    tested = eng.post(f"{url}tests/", {"subject": "Smoke", "result": "passed"}, format="json")
    assert tested.status_code == 201 and tested.json()["result"] == "passed"
    assert move(eng, "decision").status_code == 200
    no_comment = mgr.post(f"{url}decide/", {"decision": "go", "comment": ""}, format="json")
    assert_error(no_comment, 400, "validation", fields=["comment"])
    assert_error(
        eng.post(f"{url}decide/", {"decision": "go", "comment": "Go."}, format="json"),
        403,
        "permission_denied",
    )
    decided = mgr.post(f"{url}decide/", {"decision": "go", "comment": "Go."}, format="json")
    assert decided.status_code == 200 and decided.json()["status"] == "ready"
    assert move(eng, "deploying").status_code == 200
    assert_error(move(eng, "rolled_back"), 400, "validation", fields=["outcome_note"])
    done = move(eng, "deployed")
    assert done.status_code == 200 and done.json()["status"] == "deployed"
    app.refresh_from_db()
    assert app.attributes["version"] == "2.1"

    report = eng.get(reverse("api:releases-api:report"), {"start": "2000-01"})
    assert_error(report, 400, "validation", fields=["start"])  # more than 36 months
    report = eng.get(reverse("api:releases-api:report"))
    assert report.status_code == 200
    data = report.json()
    assert (data["deployed"], data["rolled_back"], data["success_rate"]) == (1, 0, "100.0")
    assert [r["number"] for r in data["releases"]] == [body["number"]]


def test_a_bad_ci_version_names_the_field(customer_a):
    engineer, manager = _people()
    change = approved_change(engineer, manager, cis=[ci("erp")])
    stranger = ci("other")
    response = client_for(engineer).post(
        reverse(f"{RELEASE_URL}-list"),
        {"kind": "minor", "title": "X", "changes": [change.pk], "ci_versions": {stranger.pk: "1"}},
        format="json",
    )
    assert_error(response, 400, "validation", fields=["ci_versions"])


def test_customers_read_releases_without_the_internal_fields(customer_a, customer_user):
    engineer, manager = _people()
    app = ci("bank app", customer=customer_a, attributes={"version": "1.0"})
    change = approved_change(engineer, manager, cis=[app])
    release = make_release(
        engineer, changes=[change], internal_notes="Plan B.", ci_versions={str(app.pk): "1.1"}
    )
    url = reverse(f"{RELEASE_URL}-detail", args=[release.pk])
    assert client_for(customer_user).get(url).status_code == 404  # still planned
    services.start_testing(release, by=engineer)
    body = client_for(customer_user).get(url).json()
    assert body["number"] == release.number
    assert {"internal_notes", "ci_versions", "manager"}.isdisjoint(body)
    assert body["customers"] == [customer_a.pk]
    tests = client_for(customer_user).get(reverse("api:releases-api:test-list"))
    assert tests.status_code == 403
