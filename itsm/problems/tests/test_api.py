"""Problem management API: the shared endpoint tests for problems, known errors, proposals and
detection rules (problems are provider-internal: ``tenancy = "staff"``, customers get 403),
then the actions — transition with the analysis, link, publish, accept, dismiss — and the
report."""

from __future__ import annotations

import pytest
from django.urls import reverse

from itsm.cmdb.tests.factories import CIFactory
from itsm.core.choices import Role
from itsm.core.testing.api import (
    APIEndpointTests,
    ReadOnlyAPIEndpointTests,
    assert_error,
    client_for,
)
from itsm.problems.models import DetectionRule, KnownError, Problem, ProblemProposal
from itsm.problems.services import detection
from itsm.problems.tests import factories

pytestmark = pytest.mark.django_db

PROBLEMS = "api:problems-api:problem"
KNOWN_ERRORS = "api:problems-api:known-error"
PROPOSALS = "api:problems-api:proposal"


class TestProblemAPI(APIEndpointTests):
    model = Problem
    url_name = PROBLEMS
    tenancy = "staff"
    required_fields = ("title",)
    writer_roles = (Role.PROBLEM_MANAGER,)
    limited_roles = (Role.QUALITY_MANAGER,)
    invalid_filters = ({"status": "bogus"}, {"priority": "p9"}, {"source": "mail"})

    def make_row(self, owner):
        incident = factories.incident(owner, title=f"Printer of {owner.code}")
        return factories.problem(title=f"Printing fails at {owner.code}", incidents=[incident])

    def create_payload(self, env):
        incident = factories.incident(env.customer_a)
        return {
            "title": "Mail relay drops connections",
            "priority": "p2",
            "incidents": [incident.pk],
            "rca_method": "five_whys",
        }

    def update_payload(self, env, row):
        return {"root_cause": "Idle timeout on the firewall", "cause_category": "configuration"}


class TestKnownErrorAPI(APIEndpointTests):
    model = KnownError
    url_name = KNOWN_ERRORS
    tenancy = "staff"
    required_fields = ("title", "symptoms", "workaround")
    writer_roles = (Role.ENGINEER_L2,)
    limited_roles = (Role.QUALITY_MANAGER,)
    invalid_filters = ({"status": "bogus"},)

    def make_row(self, owner):
        return factories.known_error(title=f"Printer jam at {owner.code}")

    def create_payload(self, env):
        return {
            "title": "VPN drops every 10 minutes",
            "symptoms": "The client disconnects.",
            "workaround": "Enable keep-alive.",
        }

    def update_payload(self, env, row):
        return {"workaround": "Enable keep-alive every 60 s."}


class TestProposalAPI(ReadOnlyAPIEndpointTests):
    model = ProblemProposal
    url_name = PROPOSALS
    tenancy = "staff"
    invalid_filters = ({"status": "bogus"}, {"dimension": "customer"})

    def make_row(self, owner):
        rule = DetectionRule.objects.first() or factories.rule(dimension="ci", threshold=2)
        ci = CIFactory(name=f"relay-{owner.code}")
        for n in range(2):
            factories.incident(owner, title=f"Relay {n}", cis=[ci])
        detection.detect()
        return ProblemProposal.objects.get(dimension=rule.dimension, key=ci.pk)


class TestDetectionRuleAPI(APIEndpointTests):
    model = DetectionRule
    url_name = "api:problems-api:rule"
    tenancy = "staff"
    required_fields = ("name", "dimension")
    writer_roles = (Role.PROBLEM_MANAGER,)
    limited_roles = (Role.ENGINEER_L2,)
    deletable = True
    invalid_filters = ({"dimension": "customer"},)

    def make_row(self, owner):
        return factories.rule(name=f"Repeat at {owner.code}")

    def create_payload(self, env):
        return {"name": "Same CI, 3 in a week", "dimension": "ci", "threshold": 3}

    def update_payload(self, env, row):
        return {"threshold": 5, "window_days": 14}


# --- actions ----------------------------------------------------------------------------------


def _url(name, *args):
    return reverse(name, args=args)


def test_transition_with_the_analysis_makes_the_known_error(manager, customer_a):
    incident = factories.incident(customer_a)
    problem = factories.problem(by=manager, incidents=[incident])
    client = client_for(manager)
    url = _url(f"{PROBLEMS}-transition", problem.pk)

    body = assert_error(
        client.post(url, {"to": "known_error", "version": problem.version}, format="json"),
        400,
        "validation",
        fields=("root_cause", "workaround"),
    )
    assert set(body["fields"]) == {"root_cause", "workaround"}

    response = client.post(
        url,
        {
            "to": "known_error",
            "version": problem.version,
            "root_cause": "Idle timeout",
            "workaround": "Keep-alive",
            "cause_category": "configuration",
        },
        format="json",
    )
    assert response.status_code == 200, response.json()
    data = response.json()
    assert (data["status"], data["root_cause"], data["cause_category"]) == (
        "known_error",
        "Idle timeout",
        "configuration",
    )
    known_error = KnownError.objects.get(problem=problem)
    assert data["known_errors"] == [known_error.pk]
    assert_error(
        client.post(url, {"to": "closed", "version": data["version"]}, format="json"),
        422,
        "invalid_transition",
    )


def test_link_and_unlink_name_the_field_on_errors(manager, customer_a):
    problem = factories.problem(by=manager)
    incident = factories.incident(customer_a)
    client = client_for(manager)
    response = client.post(
        _url(f"{PROBLEMS}-link", problem.pk), {"incidents": [incident.pk]}, format="json"
    )
    assert response.status_code == 200
    assert response.json()["incidents"] == [incident.pk]
    assert_error(
        client.post(_url(f"{PROBLEMS}-link", problem.pk), {"incidents": [987654]}, format="json"),
        400,
        "validation",
        fields=("incidents",),
    )
    response = client.post(
        _url(f"{PROBLEMS}-unlink", problem.pk), {"incident": incident.pk}, format="json"
    )
    assert response.json()["incidents"] == []


def test_publish_answers_the_article_once(manager):
    known_error = factories.known_error(by=manager)
    client = client_for(manager)
    response = client.post(_url(f"{KNOWN_ERRORS}-publish", known_error.pk))
    assert response.status_code == 201, response.json()
    data = response.json()
    assert data["number"].startswith("KB")
    assert data["known_error"]["article_id"] == data["id"]
    assert_error(
        client.post(_url(f"{KNOWN_ERRORS}-publish", known_error.pk)), 422, "already_published"
    )


def test_suggestions_list_open_incidents_on_the_same_ci(manager, customer_a):
    ci = CIFactory()
    linked = factories.incident(customer_a, cis=[ci])
    match = factories.incident(customer_a, cis=[ci])
    factories.incident(customer_a)  # another CI: not suggested
    known_error = factories.known_error(by=manager, cis=[ci], incidents=[linked])
    response = client_for(manager).get(_url(f"{KNOWN_ERRORS}-suggestions", known_error.pk))
    assert [row["number"] for row in response.json()] == [match.number]


def test_accept_and_dismiss_proposals(manager, customer_a):
    factories.rule(dimension="ci", threshold=2)
    ci_one, ci_two = CIFactory(), CIFactory()
    for ci in (ci_one, ci_two):
        factories.incident(customer_a, cis=[ci])
        factories.incident(customer_a, cis=[ci])
    detection.detect()
    one = ProblemProposal.objects.get(key=ci_one.pk)
    two = ProblemProposal.objects.get(key=ci_two.pk)
    client = client_for(manager)

    response = client.post(
        _url(f"{PROPOSALS}-accept", one.pk), {"title": "Relay flaps", "priority": "p2"}
    )
    assert response.status_code == 201, response.json()
    assert (response.json()["title"], response.json()["source"]) == ("Relay flaps", "proactive")
    assert len(response.json()["incidents"]) == 2

    response = client.post(_url(f"{PROPOSALS}-dismiss", two.pk), {"reason": "Test noise"})
    assert response.status_code == 200
    assert (response.json()["status"], response.json()["reason"]) == ("dismissed", "Test noise")
    assert_error(client.post(_url(f"{PROPOSALS}-accept", two.pk), {}), 422, "invalid_transition")
    engineer = factories.person(Role.ENGINEER_L2)
    assert_error(
        client_for(engineer).post(_url(f"{PROPOSALS}-accept", one.pk), {}),
        403,
        "permission_denied",
    )


def test_report_api(manager, customer_user):
    factories.problem(by=manager)
    response = client_for(manager).get(reverse("api:problems-api:report"))
    assert response.status_code == 200
    data = response.json()
    assert data["opened"] == 1 and len(data["months"]) == 12
    assert_error(
        client_for(manager).get(reverse("api:problems-api:report"), {"start": "2026-13"}),
        400,
        "validation",
        fields=("start",),
    )
    assert_error(
        client_for(customer_user).get(reverse("api:problems-api:report")),
        403,
        "permission_denied",
    )


def test_journey_from_proposal_to_a_suggested_article(manager, customer_a, customer_user):
    """The "Done when" through the API: accept the proposal, record the analysis (known
    error), publish it as an article, a second reviewer publishes the article (four eyes), and
    an agent's search for a similar summary finds it; a customer does not (internal)."""
    from itsm.knowledge.models import ArticleUsage

    factories.rule(dimension="ci", threshold=2)
    ci = CIFactory()
    for n in range(2):
        factories.incident(customer_a, title=f"VPN 断线 drops {n}", cis=[ci])
    detection.detect()
    client = client_for(manager)
    response = client.post(
        _url(f"{PROPOSALS}-accept", ProblemProposal.objects.get().pk),
        {"title": "VPN 客户端断线 / VPN drops", "priority": "p2"},
    )
    assert response.status_code == 201, response.json()
    problem = response.json()
    response = client.post(
        _url(f"{PROBLEMS}-transition", problem["id"]),
        {
            "to": "known_error",
            "version": problem["version"],
            "root_cause": "防火墙空闲超时 600 s",
            "workaround": "开启保活 keep-alive 60 s",
        },
        format="json",
    )
    assert response.status_code == 200, response.json()
    (known_error_id,) = response.json()["known_errors"]
    response = client.post(_url(f"{KNOWN_ERRORS}-publish", known_error_id))
    assert response.status_code == 201, response.json()
    article = client.get(
        reverse("api:knowledge-api:article-detail", args=[response.json()["id"]])
    ).json()
    assert (article["status"], article["title"]) == ("draft", "VPN 客户端断线 / VPN drops")

    transition = reverse("api:knowledge-api:article-transition", args=[article["id"]])
    response = client.post(transition, {"to": "review", "version": article["version"]})
    assert response.status_code == 200, response.json()
    version = response.json()["version"]
    assert_error(client.post(transition, {"to": "published", "version": version}), 403, "four_eyes")
    reviewer = factories.person(Role.QUALITY_MANAGER)
    response = client_for(reviewer).post(transition, {"to": "published", "version": version})
    assert response.status_code == 200, response.json()
    assert response.json()["status"] == "published"

    agent = factories.person(Role.SERVICE_DESK)
    search = reverse("api:knowledge-api:search")
    query = {"q": "VPN 断线", "kind": "article"}
    hits = client_for(agent).get(search, query).json()
    assert [(hit["kind"], hit["number"]) for hit in hits] == [("article", article["number"])]
    assert hits[0]["url"] == reverse("knowledge:article_detail", args=[article["id"]])
    assert client_for(customer_user).get(search, query).json() == []

    similar = factories.incident(customer_a, title="VPN 又断线 / VPN drops again")
    solved = reverse("api:knowledge-api:article-solved", args=[article["id"]])
    response = client_for(agent).post(solved, {"ticket": similar.pk}, format="json")
    assert response.status_code == 200, response.json()
    assert response.json()["resolution_count"] == 1
    assert ArticleUsage.objects.get(kind="resolution").ticket_id == similar.pk
