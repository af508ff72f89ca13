"""Proactive detection: repeat incidents on one CI, service or category above a rule's threshold
in its window are proposed once; accepting makes the problem, dismissing is remembered."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from itsm.cmdb.tests.factories import CIFactory
from itsm.core.choices import Role
from itsm.core.errors import Forbidden, InvalidTransition, ValidationFailed
from itsm.core.outbox.jobs import registry
from itsm.problems.choices import ProblemSource, ProblemStatus, ProposalStatus
from itsm.problems.models import ProblemProposal
from itsm.problems.services import detection, problems
from itsm.problems.tests import factories

pytestmark = pytest.mark.django_db


def _incidents(customer, n, **fields):
    return [factories.incident(customer, title=f"Incident {i}", **fields) for i in range(n)]


def test_three_incidents_on_one_ci_are_proposed_once_with_the_incidents(customer_a):
    factories.rule(dimension="ci", threshold=3, window_days=7)
    ci, other = CIFactory(name="mail-relay-01"), CIFactory(name="db-01")
    on_ci = _incidents(customer_a, 3, cis=[ci])
    _incidents(customer_a, 2, cis=[other])  # below the threshold

    assert detection.detect() == {"made": 1, "refreshed": 0}
    proposal = ProblemProposal.objects.get()
    assert (proposal.dimension, proposal.key, proposal.status) == ("ci", ci.pk, "proposed")
    assert proposal.label == str(ci)
    assert proposal.incident_count == 3
    assert set(proposal.incidents.all()) == set(on_ci)
    # a second run proposes nothing new
    assert detection.detect() == {"made": 0, "refreshed": 0}


def test_a_new_incident_refreshes_the_waiting_proposal(customer_a):
    factories.rule(dimension="category", threshold=2)
    category = factories.category()
    _incidents(customer_a, 2, category=category)
    detection.detect()
    later = factories.incident(customer_a, category=category)

    assert detection.detect() == {"made": 0, "refreshed": 1}
    proposal = ProblemProposal.objects.get()
    assert proposal.incident_count == 3
    assert later in proposal.incidents.all()


def test_incidents_outside_the_window_or_linked_do_not_count(customer_a, manager):
    factories.rule(dimension="service", threshold=2, window_days=2)
    from itsm.catalog.tests.factories import make_published

    service = make_published(customers=[customer_a])
    old = factories.incident(
        customer_a, service=service, opened_at=timezone.now() - timedelta(days=5)
    )
    linked = factories.incident(customer_a, service=service)
    factories.problem(by=manager, incidents=[linked])
    factories.incident(customer_a, service=service)

    assert detection.detect() == {"made": 0, "refreshed": 0}
    assert old.pk  # the old one is out of the window


def test_accept_creates_the_problem_with_the_incidents_and_the_ci(customer_a, manager):
    factories.rule(dimension="ci", threshold=2)
    ci = CIFactory(name="vpn-gw")
    incidents = _incidents(customer_a, 2, cis=[ci])
    detection.detect()
    proposal = ProblemProposal.objects.get()

    problem = detection.accept_proposal(proposal, by=manager, priority="p2")

    proposal.refresh_from_db()
    assert proposal.status == ProposalStatus.ACCEPTED
    assert (proposal.problem, proposal.decided_by) == (problem, manager)
    assert problem.source == ProblemSource.PROACTIVE
    assert problem.status == ProblemStatus.NEW
    assert problem.title == f"Repeat incidents on {ci}"
    assert (problem.priority, problem.manager) == ("p2", manager)
    assert list(problem.cis.all()) == [ci]
    assert set(problem.incidents.all()) == set(incidents)
    # the incidents are linked now: nothing more is proposed
    assert detection.detect() == {"made": 0, "refreshed": 0}
    with pytest.raises(InvalidTransition):
        detection.dismiss_proposal(proposal, by=manager)


def test_a_dismissed_group_is_not_proposed_again(customer_a, manager):
    factories.rule(dimension="ci", threshold=2)
    ci = CIFactory()
    _incidents(customer_a, 2, cis=[ci])
    detection.detect()
    first = ProblemProposal.objects.get()
    detection.dismiss_proposal(first, by=manager, reason="Two users, one typo")

    assert detection.detect() == {"made": 0, "refreshed": 0}
    # one more incident: the dismissed ones do not count, so one new is below the threshold
    factories.incident(customer_a, cis=[ci])
    assert detection.detect() == {"made": 0, "refreshed": 0}
    # a second new one reaches it: proposed again, with every incident of the window
    factories.incident(customer_a, cis=[ci])
    assert detection.detect() == {"made": 1, "refreshed": 0}
    again = ProblemProposal.objects.exclude(pk=first.pk).get()
    assert again.incident_count == 4
    first.refresh_from_db()
    assert (first.status, first.reason) == ("dismissed", "Two users, one typo")


def test_a_cancelled_problem_releases_its_incidents(customer_a, manager):
    factories.rule(dimension="ci", threshold=2)
    ci = CIFactory()
    incidents = _incidents(customer_a, 2, cis=[ci])
    problem = factories.problem(by=manager, incidents=incidents)
    assert detection.detect()["made"] == 0
    problems.move_problem(problem, to=ProblemStatus.CANCELLED, by=manager)
    assert detection.detect()["made"] == 1


def test_only_problem_managers_decide(customer_a):
    factories.rule(dimension="ci", threshold=2)
    ci = CIFactory()
    _incidents(customer_a, 2, cis=[ci])
    detection.detect()
    proposal = ProblemProposal.objects.get()
    engineer = factories.person(Role.ENGINEER_L2)
    with pytest.raises(Forbidden):
        detection.accept_proposal(proposal, by=engineer)
    with pytest.raises(Forbidden):
        detection.dismiss_proposal(proposal, by=engineer)


def test_inactive_rules_do_nothing_and_rules_are_validated(customer_a):
    rule = factories.rule(dimension="ci", threshold=2)
    detection.update_rule(rule, by=None, is_active=False)
    ci = CIFactory()
    _incidents(customer_a, 3, cis=[ci])
    assert detection.detect() == {"made": 0, "refreshed": 0}
    with pytest.raises(ValidationFailed) as error:
        factories.rule(threshold=1)
    assert set(error.value.fields) == {"threshold"}
    with pytest.raises(ValidationFailed) as error:
        factories.rule(dimension="customer")
    assert set(error.value.fields) == {"dimension"}


def test_the_periodic_job_is_registered_and_reports_its_counts(customer_a):
    factories.rule(dimension="ci", threshold=2)
    ci = CIFactory()
    _incidents(customer_a, 2, cis=[ci])
    job = registry["problems.detect"]
    assert job.every == timedelta(hours=1)
    from itsm.core.stored_text import shown

    assert shown(job.fn(timezone.now())) == "Proposals made: 1, updated: 0"
