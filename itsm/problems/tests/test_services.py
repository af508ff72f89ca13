"""Problems and known errors through their services: creation from incidents, the declared
lifecycle, linking, known errors and publishing them as knowledge articles."""

from __future__ import annotations

import pytest

from itsm.core.choices import Role
from itsm.core.errors import Forbidden, InvalidTransition, Unprocessable, ValidationFailed
from itsm.core.timeline import timeline_for
from itsm.problems.choices import KnownErrorStatus, ProblemSource, ProblemStatus
from itsm.problems.models import KnownError
from itsm.problems.services import known_errors, problems
from itsm.problems.tests import factories

pytestmark = pytest.mark.django_db


def _verbs(obj) -> list[str]:
    return [entry.verb for entry in timeline_for(obj)]


def test_a_problem_from_incidents_takes_their_category_and_links_them(manager, customer_a):
    category = factories.category()
    first = factories.incident(customer_a, category=category)
    second = factories.incident(customer_a, category=category)

    problem = factories.problem(by=manager, incidents=[first, second])

    assert problem.number.startswith("PRB-")
    assert problem.status == ProblemStatus.NEW
    assert problem.source == ProblemSource.INCIDENTS
    assert problem.category == category
    assert set(problem.incidents.values_list("number", flat=True)) == {first.number, second.number}
    assert _verbs(problem) == ["created"]


def test_a_problem_on_its_own_is_manual(manager):
    problem = factories.problem(by=manager, title="  Slow backups  ")
    assert problem.source == ProblemSource.MANUAL
    assert problem.title == "Slow backups"
    assert problem.category is None


def test_only_incidents_can_be_linked(manager, customer_a):
    request = factories.incident(customer_a)
    from itsm.desk.services import tickets

    req = tickets.create_ticket(
        by=None, kind="request", title="New laptop", customer=customer_a, channel="phone"
    )
    with pytest.raises(ValidationFailed) as error:
        factories.problem(by=manager, incidents=[request, req])
    assert error.value.fields == {"incidents": [f"{req.number} is not an incident."]}


def test_an_incident_belongs_to_one_open_problem(manager, customer_a):
    incident = factories.incident(customer_a)
    first = factories.problem(by=manager, incidents=[incident])
    with pytest.raises(ValidationFailed) as error:
        factories.problem(by=manager, incidents=[incident])
    assert error.value.fields == {
        "incidents": [f"{incident.number} is already linked to {first.number}."]
    }
    # once the first problem is cancelled the incident is free again
    problems.move_problem(first, to=ProblemStatus.CANCELLED, by=manager)
    second = factories.problem(by=manager, incidents=[incident])
    assert list(second.incidents.all()) == [incident]


def test_lifecycle_known_error_makes_the_known_error_record(manager, customer_a):
    incident = factories.incident(customer_a)
    problem = factories.problem(by=manager, incidents=[incident], description="VPN drops")
    problems.move_problem(problem, to=ProblemStatus.INVESTIGATING, by=manager)

    with pytest.raises(ValidationFailed) as error:
        problems.move_problem(problem, to=ProblemStatus.KNOWN_ERROR, by=manager)
    assert set(error.value.fields) == {"root_cause", "workaround"}

    problems.move_problem(
        problem,
        to=ProblemStatus.KNOWN_ERROR,
        by=manager,
        root_cause="Idle sessions dropped by the firewall",
        workaround="Enable keep-alive",
    )
    problem.refresh_from_db()
    assert problem.status == ProblemStatus.KNOWN_ERROR
    assert problem.known_error_at is not None
    known_error = KnownError.objects.get(problem=problem)
    assert known_error.number.startswith("KE-")
    assert (known_error.symptoms, known_error.workaround, known_error.root_cause) == (
        "VPN drops",
        "Enable keep-alive",
        "Idle sessions dropped by the firewall",
    )
    assert list(known_error.incidents.all()) == [incident]
    assert _verbs(problem) == ["created", "investigate", "known_error", "known_error_recorded"]


def test_resolve_needs_the_fix_and_reopen_counts(manager):
    problem = factories.problem(by=manager)
    problems.move_problem(problem, to=ProblemStatus.INVESTIGATING, by=manager)
    with pytest.raises(ValidationFailed) as error:
        problems.move_problem(problem, to=ProblemStatus.RESOLVED, by=manager, root_cause="Disk")
    assert set(error.value.fields) == {"fix"}

    problems.move_problem(problem, to=ProblemStatus.RESOLVED, by=manager, fix="New disk")
    problem.refresh_from_db()
    assert problem.resolved_at is not None
    assert problem.fix == "New disk"

    problems.move_problem(problem, to=ProblemStatus.INVESTIGATING, by=manager)
    problem.refresh_from_db()
    assert (problem.resolved_at, problem.reopen_count) == (None, 1)


def test_an_engineer_may_investigate_but_not_resolve(manager):
    engineer = factories.person(Role.ENGINEER_L2)
    problem = factories.problem(by=engineer)
    problems.move_problem(problem, to=ProblemStatus.INVESTIGATING, by=engineer)
    with pytest.raises(Forbidden):
        problems.move_problem(
            problem, to=ProblemStatus.RESOLVED, by=engineer, root_cause="x", fix="y"
        )


def test_an_undeclared_move_is_a_typed_error(manager):
    problem = factories.problem(by=manager)
    with pytest.raises(InvalidTransition):
        problems.move_problem(problem, to=ProblemStatus.CLOSED, by=manager)


def test_a_closed_problem_is_frozen(manager):
    problem = factories.problem(by=manager)
    problems.move_problem(problem, to=ProblemStatus.CANCELLED, by=manager)
    with pytest.raises(Unprocessable):
        problems.update_problem(problem, by=manager, title="Again")


def test_update_refuses_the_status_and_names_it(manager):
    problem = factories.problem(by=manager)
    with pytest.raises(ValidationFailed) as error:
        problems.update_problem(problem, by=manager, status="resolved")
    assert set(error.value.fields) == {"status"}


def test_link_and_unlink_incidents(manager, customer_a):
    problem = factories.problem(by=manager)
    one, two = factories.incident(customer_a), factories.incident(customer_a)
    problems.link_incidents(problem, tickets=[one, two], by=manager)
    problems.unlink_incident(problem, ticket=one, by=manager)
    assert list(problem.incidents.all()) == [two]
    assert _verbs(problem)[-2:] == ["incidents_linked", "incident_unlinked"]


def test_a_known_error_for_a_new_problem_moves_it(manager):
    problem = factories.problem(by=manager)
    known_error = factories.known_error(
        by=manager, problem=problem, root_cause="Firmware defect", workaround="Power-cycle"
    )
    problem.refresh_from_db()
    assert problem.status == ProblemStatus.KNOWN_ERROR
    assert (problem.root_cause, problem.workaround) == ("Firmware defect", "Power-cycle")
    assert KnownError.objects.filter(problem=problem).get() == known_error


def test_a_known_error_needs_symptoms_and_workaround(manager):
    with pytest.raises(ValidationFailed) as error:
        factories.known_error(by=manager, symptoms="  ")
    assert set(error.value.fields) == {"symptoms"}


def test_retired_known_error_is_frozen(manager):
    known_error = factories.known_error(by=manager)
    known_errors.move_known_error(known_error, to=KnownErrorStatus.RETIRED, by=manager)
    with pytest.raises(Unprocessable):
        known_errors.update_known_error(known_error, by=manager, title="x")


def test_publish_as_article_links_the_known_error_its_problem_and_incidents(manager, customer_a):
    from itsm.knowledge.models import Article

    incident = factories.incident(customer_a)
    problem = factories.problem(by=manager, incidents=[incident])
    problems.move_problem(
        problem,
        to=ProblemStatus.KNOWN_ERROR,
        by=manager,
        root_cause="Idle timeout",
        workaround="Keep-alive",
    )
    known_error = problem.known_errors.get()

    article = known_errors.publish_article(known_error, by=manager)

    article = Article.objects.get(pk=article.pk)
    assert article.status == "draft"
    assert article.visibility == "internal"
    assert article.source == known_error.number
    assert "Keep-alive" in article.body and "Idle timeout" in article.body
    links = set(article.links.values_list("kind", "target_id"))
    assert {("known_error", known_error.pk), ("problem", problem.pk), ("ticket", incident.pk)} <= {
        (kind, int(pk)) for kind, pk in links
    }
    known_error.refresh_from_db()
    assert (known_error.article_id, known_error.article_number) == (article.pk, article.number)
    with pytest.raises(Unprocessable) as error:
        known_errors.publish_article(known_error, by=manager)
    assert error.value.code == "already_published"


def test_problems_and_known_errors_are_in_the_search_index_for_staff_only(manager):
    from itsm.knowledge import selectors as knowledge

    factories.problem(by=manager, title="Tablespace 表空间 full")
    factories.known_error(by=manager, title="Printer 卡纸 error")
    hits = knowledge.search(user=manager, query="表空间")
    assert [hit.kind for hit in hits] == ["problem"]
