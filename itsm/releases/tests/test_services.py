"""Release services: the normal and the emergency path, tests and go/no-go, deployment with the
CMDB updated, rollback, the rules on bundled changes and CI versions, the success rate."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from itsm.change.choices import ChangeStatus
from itsm.change.services import changes as change_services
from itsm.core.errors import Forbidden, InvalidTransition, ValidationFailed
from itsm.core.timeline import TimelineEntry
from itsm.releases import selectors, services
from itsm.releases.choices import ReleaseKind, ReleaseStatus
from itsm.releases.models import ReleaseDecision
from itsm.releases.tests.factories import approved_change, ci, make_release

pytestmark = pytest.mark.django_db


def _ci_rows(ci_obj) -> list[tuple[str, dict]]:
    return list(
        TimelineEntry.objects.filter(object_id=ci_obj.pk, content_type__model="configurationitem")
        .order_by("id")
        .values_list("verb", "data")
    )


def _ready(release, *, by, decider):
    services.start_testing(release, by=by)
    services.record_test(release, by=by, subject="Regression", result="passed")
    services.request_decision(release, by=by)
    services.decide(release, by=decider, decision="go", comment="Tests passed.")
    return release


def test_the_normal_path_updates_the_cmdb_on_success(engineer, release_manager):
    app = ci("online banking", attributes={"version": "5.2.1"})
    change = approved_change(engineer, release_manager, cis=[app])
    release = make_release(
        engineer, changes=[change], version_label="5.3.0", ci_versions={str(app.pk): "5.3.0"}
    )
    assert (release.number[:4], release.status) == ("REL-", ReleaseStatus.PLANNING)

    services.start_testing(release, by=engineer)
    with pytest.raises(ValidationFailed) as error:
        services.request_decision(release, by=engineer)  # no test yet
    assert list(error.value.fields) == ["tests"]
    services.record_test(release, by=engineer, subject="Regression", result="failed")
    with pytest.raises(ValidationFailed):
        services.request_decision(release, by=engineer)  # the newest regression test failed
    services.record_test(release, by=engineer, subject="regression", result="passed")
    services.request_decision(release, by=engineer)
    assert release.status == ReleaseStatus.DECISION

    with pytest.raises(Forbidden):
        services.decide(release, by=engineer, decision="go", comment="Me too.")
    services.decide(release, by=release_manager, decision="go", comment="Tests passed.")
    assert release.status == ReleaseStatus.READY

    services.deploy(release, by=engineer)
    change.refresh_from_db()
    assert (release.status, change.status) == (ReleaseStatus.DEPLOYING, ChangeStatus.IMPLEMENTING)
    assert release.deploy_started_at is not None

    services.succeed(release, by=engineer, note="Deployed.")
    release.refresh_from_db()
    change.refresh_from_db()
    app.refresh_from_db()
    assert (release.status, change.status) == (ReleaseStatus.DEPLOYED, ChangeStatus.REVIEW)
    assert release.deploy_ended_at is not None and release.closed_at is not None
    assert app.attributes["version"] == "5.3.0"
    assert app.change_reference == change.number  # the change authorised the new version
    verbs = _ci_rows(app)
    assert verbs[-1] == (
        "release_deployed",
        {"release": release.number, "release_id": release.pk, "version": "5.3.0"},
    )
    assert ("updated", {"fields": ["attributes"]}) in verbs
    assert list(
        ReleaseDecision.objects.filter(release=release).values_list("decision", "comment")
    ) == [("go", "Tests passed.")]


def test_a_rollback_fails_the_changes_and_lowers_the_success_rate(engineer, release_manager):
    app = ci("erp", attributes={"version": "1.0"})
    change = approved_change(engineer, release_manager, cis=[app])
    release = _ready(
        make_release(engineer, changes=[change], ci_versions={str(app.pk): "2.0"}),
        by=engineer,
        decider=release_manager,
    )
    services.deploy(release, by=engineer)
    with pytest.raises(ValidationFailed) as error:
        services.roll_back(release, by=engineer, outcome_note="")
    assert list(error.value.fields) == ["outcome_note"]
    services.roll_back(release, by=engineer, outcome_note="Log-in broken; old package back.")
    release.refresh_from_db()
    change.refresh_from_db()
    app.refresh_from_db()
    assert release.status == ReleaseStatus.ROLLED_BACK
    assert (change.status, change.rolled_back) == (ChangeStatus.FAILED, True)
    assert app.attributes["version"] == "1.0"  # the CMDB keeps the old version
    assert _ci_rows(app)[-1] == (
        "release_rolled_back",
        {"release": release.number, "release_id": release.pk, "version": "2.0"},
    )
    now = timezone.now()
    counts = selectors.success_counts(
        user=release_manager, since=now - timedelta(days=1), until=now + timedelta(days=1)
    )
    assert counts == (0, 1)


def test_success_counts_count_deployed_over_finished(engineer, release_manager):
    for outcome in ("deployed", "deployed", "rolled_back"):
        release = _ready(
            make_release(engineer, changes=[approved_change(engineer, release_manager)]),
            by=engineer,
            decider=release_manager,
        )
        services.deploy(release, by=engineer)
        if outcome == "deployed":
            services.succeed(release, by=engineer)
        else:
            services.roll_back(release, by=engineer, outcome_note="Failed.")
    make_release(engineer, changes=[])  # planned: not finished
    now = timezone.now()
    assert selectors.success_counts(
        user=release_manager, since=now - timedelta(hours=1), until=now + timedelta(hours=1)
    ) == (2, 3)
    assert selectors.success_counts(
        user=release_manager, since=now + timedelta(hours=1), until=now + timedelta(hours=2)
    ) == (0, 0)


def test_the_emergency_path_is_decided_from_planning(engineer, release_manager):
    change = approved_change(engineer, release_manager)
    release = make_release(engineer, changes=[change], kind=ReleaseKind.EMERGENCY)
    with pytest.raises(InvalidTransition):
        services.start_testing(release, by=engineer)  # no test stage on this path
    services.decide(release, by=release_manager, decision="go", comment="Outage: go now.")
    assert release.status == ReleaseStatus.READY
    services.deploy(release, by=engineer)
    services.succeed(release, by=engineer)
    assert release.status == ReleaseStatus.DEPLOYED


def test_a_normal_release_takes_no_emergency_go(engineer, release_manager):
    release = make_release(engineer, changes=[approved_change(engineer, release_manager)])
    with pytest.raises(InvalidTransition):
        services.decide(release, by=release_manager, decision="go", comment="Skip the tests.")
    assert release.status == ReleaseStatus.PLANNING


def test_go_needs_every_change_approved(engineer, release_manager):
    from itsm.change.tests.factories import make_change

    draft = make_change(engineer)
    release = make_release(engineer, changes=[draft], kind=ReleaseKind.EMERGENCY)
    with pytest.raises(ValidationFailed) as error:
        services.decide(release, by=release_manager, decision="go", comment="Go.")
    assert list(error.value.fields) == ["changes"]
    assert draft.number in error.value.fields["changes"][0]
    release.refresh_from_db()
    assert release.status == ReleaseStatus.PLANNING
    assert not ReleaseDecision.objects.filter(release=release).exists()


def test_no_go_returns_to_planning_with_its_comment(engineer, release_manager):
    release = make_release(engineer, changes=[approved_change(engineer, release_manager)])
    services.start_testing(release, by=engineer)
    services.record_test(release, by=engineer, subject="Load", result="passed")
    services.request_decision(release, by=engineer)
    with pytest.raises(ValidationFailed) as error:
        services.decide(release, by=release_manager, decision="no_go", comment=" ")
    assert list(error.value.fields) == ["comment"]
    services.decide(release, by=release_manager, decision="no_go", comment="Too risky now.")
    assert release.status == ReleaseStatus.PLANNING
    assert ReleaseDecision.objects.get(release=release).decision == "no_go"


def test_bundled_changes_and_ci_versions_are_checked(engineer, release_manager):
    app, other = ci("app"), ci("other")
    change = approved_change(engineer, release_manager, cis=[app])
    with pytest.raises(ValidationFailed) as error:
        make_release(engineer, changes=[change], ci_versions={str(other.pk): "2.0"})
    assert list(error.value.fields) == ["ci_versions"]
    assert other.number in error.value.fields["ci_versions"][0]
    cancelled = approved_change(engineer, release_manager)
    change_services.cancel(cancelled, by=engineer)
    with pytest.raises(ValidationFailed) as error:
        make_release(engineer, changes=[cancelled])
    assert list(error.value.fields) == ["changes"]
    with pytest.raises(ValidationFailed) as error:
        make_release(engineer, changes=[], kind="patch")
    assert list(error.value.fields) == ["kind"]


def test_the_plan_is_frozen_once_decided(engineer, release_manager):
    release = _ready(
        make_release(engineer, changes=[approved_change(engineer, release_manager)]),
        by=engineer,
        decider=release_manager,
    )
    with pytest.raises(InvalidTransition):
        services.update_release(release, by=engineer, title="Renamed")
    with pytest.raises(ValidationFailed) as error:
        services.update_release(release, by=engineer, status="deployed")
    assert list(error.value.fields) == ["status"]


def test_starting_tests_needs_a_change_and_the_plans(engineer, release_manager):
    release = make_release(engineer, changes=[])
    with pytest.raises(ValidationFailed) as error:
        services.start_testing(release, by=engineer)
    assert list(error.value.fields) == ["changes"]
    change = approved_change(engineer, release_manager)
    release = make_release(engineer, changes=[change], deployment_plan="", planned_at=None)
    with pytest.raises(ValidationFailed) as error:
        services.start_testing(release, by=engineer)
    assert sorted(error.value.fields) == ["deployment_plan", "planned_at"]


def test_a_test_is_refused_after_the_deployment_started(engineer, release_manager):
    release = _ready(
        make_release(engineer, changes=[approved_change(engineer, release_manager)]),
        by=engineer,
        decider=release_manager,
    )
    services.deploy(release, by=engineer)
    with pytest.raises(InvalidTransition):
        services.record_test(release, by=engineer, subject="Late", result="passed")


def test_customers_see_the_releases_of_their_changes(
    engineer, release_manager, customer_user, other_customer_user, customer_a
):
    change = approved_change(engineer, release_manager, cis=[ci("bank app", customer=customer_a)])
    release = make_release(engineer, changes=[change])
    assert release.customers.get() == customer_a
    assert not selectors.releases_for(customer_user).exists()  # still planned
    services.start_testing(release, by=engineer)
    assert list(selectors.releases_for(customer_user)) == [release]
    assert not selectors.releases_for(other_customer_user).exists()


def test_a_ci_version_needs_a_class_that_keeps_versions(engineer, release_manager):
    host = ci("rack switch", "network_device")
    change = approved_change(engineer, release_manager, cis=[host])
    with pytest.raises(ValidationFailed) as error:
        make_release(engineer, changes=[change], ci_versions={str(host.pk): "2.0"})
    assert error.value.fields["ci_versions"] == [
        f"{host.number}: its class “{host.ci_class}” keeps no valid version."
    ]


def test_the_authorising_change_is_approved_and_in_its_window(engineer, release_manager):
    from itsm.change.tests.factories import make_change
    from itsm.cmdb.services import authorised_change

    now = timezone.now()
    draft = make_change(engineer)
    later = approved_change(engineer, release_manager)  # scheduled in 2031
    current = approved_change(engineer, release_manager, start=now - timedelta(hours=1), hours=3)
    started = change_services.start(approved_change(engineer, release_manager), by=engineer)
    assert authorised_change(f" {current.number.lower()} ") == current.number
    assert authorised_change(started.number) == started.number
    assert authorised_change("") == ""
    for change in (draft, later):
        with pytest.raises(ValidationFailed) as error:
            authorised_change(change.number, field="reference")
        assert list(error.value.fields) == ["reference"]
        assert change.number in error.value.fields["reference"][0]
    with pytest.raises(ValidationFailed) as error:
        authorised_change("fixed it on Friday")
    assert error.value.fields == {
        "change_reference": ["No change fixed it on Friday: give the number of an approved change."]
    }
