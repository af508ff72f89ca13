"""The fix through a linked change (R-PRB-01): ``Problem.fix_change`` is set through the
service, the edit page, the "resolve" step and the API, only to a change the acting user may
see (else an error naming ``fix_change``); the problem page shows the change by number and
title with its status and a link; the old free text ``change_reference`` stays read-only and
is shown only while no change is linked; the migration links the texts that are the number of
an existing change."""

from __future__ import annotations

import importlib

import pytest
from django.apps import apps as django_apps
from django.test import Client
from django.urls import reverse

from itsm.change.tests.factories import make_change
from itsm.core.choices import Role
from itsm.core.errors import ValidationFailed
from itsm.core.testing.api import assert_error, client_for
from itsm.problems.choices import ProblemStatus
from itsm.problems.models import Problem
from itsm.problems.services import problems
from itsm.problems.tests import factories

pytestmark = pytest.mark.django_db

PROBLEMS = "api:problems-api:problem"


@pytest.fixture
def change(provider):
    owner = factories.person(Role.CHANGE_MANAGER)
    return make_change(owner, title="表空间扩容 Extend the USERS tablespace")


def _client(user) -> Client:
    client = Client(headers={"accept-language": user.language})
    client.force_login(user)
    return client


def test_the_service_links_the_fix_change_and_refuses_one_the_user_may_not_see(
    manager, change, customer_user
):
    problem = factories.problem(by=manager, fix_change=change)
    assert Problem.objects.get(pk=problem.pk).fix_change == change

    other = factories.problem(by=manager)
    problems.move_problem(other, to=ProblemStatus.INVESTIGATING, by=manager)
    problems.move_problem(
        other,
        to=ProblemStatus.RESOLVED,
        by=manager,
        root_cause="Autoextend off",
        fix="Autoextend on",
        fix_change=change,
    )
    other.refresh_from_db()
    assert (other.status, other.fix_change) == (ProblemStatus.RESOLVED, change)

    # a customer's person does not see the provider's change without its organisation
    with pytest.raises(ValidationFailed) as refused:
        factories.problem(by=customer_user, fix_change=change)
    assert set(refused.value.fields) == {"fix_change"}
    third = factories.problem(by=manager)
    with pytest.raises(ValidationFailed) as refused:
        problems.update_problem(third, by=customer_user, fix_change=change)
    assert set(refused.value.fields) == {"fix_change"}
    assert Problem.objects.get(pk=third.pk).fix_change is None

    problems.update_problem(third, by=manager, fix_change=change)
    problems.update_problem(third, by=manager, fix_change=None)
    assert Problem.objects.get(pk=third.pk).fix_change is None


def test_the_edit_page_links_the_change_and_the_problem_page_shows_it(manager, change):
    problem = factories.problem(by=manager)
    client = _client(manager)
    url = reverse("problems:problem_edit", args=[problem.pk])
    data = {"version": problem.version, "title": problem.title, "priority": "p3"}

    refused = client.post(url, {**data, "fix_change": "CHG-999999"})
    assert refused.status_code == 200
    assert list(refused.context["form"].errors) == ["fix_change"]
    assert Problem.objects.get(pk=problem.pk).fix_change is None

    response = client.post(url, {**data, "fix_change": change.number})
    assert response.status_code == 302, response.context["form"].errors
    assert Problem.objects.get(pk=problem.pk).fix_change == change

    chinese = factories.person(language="zh-hans")
    for reader, status in ((manager, "Draft"), (chinese, "草稿")):
        page = _client(reader).get(reverse("problems:problem_detail", args=[problem.pk]))
        html = page.content.decode()
        detail = reverse("change:change_detail", args=[change.pk])
        assert f'<a href="{detail}" data-change="{change.number}">' in html
        assert f"{change.number} {change.title}</a>" in html
        assert 'data-testid="fix-change-status" data-status="draft"' in html
        assert status in html.split('data-testid="fix-change-status"')[1][:300]
        assert 'data-testid="change-reference"' not in html


def test_the_resolve_step_links_the_change_by_its_number(manager, change):
    problem = factories.problem(by=manager)
    problems.move_problem(problem, to=ProblemStatus.INVESTIGATING, by=manager)
    client = _client(manager)
    page = client.get(reverse("problems:problem_detail", args=[problem.pk])).content.decode()
    assert 'name="fix_change"' in page.split('data-step="resolve"')[1]
    url = reverse("problems:problem_transition", args=[problem.pk])
    step = {"to": "resolved", "version": 2, "root_cause": "Autoextend off", "fix": "On"}

    response = client.post(url, {**step, "fix_change": "CHG-999999"}, follow=True)
    assert "Fix change: Unknown change." in [str(m) for m in response.context["messages"]]
    assert Problem.objects.get(pk=problem.pk).status == ProblemStatus.INVESTIGATING

    client.post(url, {**step, "fix_change": change.number.lower()})
    problem.refresh_from_db()
    assert (problem.status, problem.fix_change) == (ProblemStatus.RESOLVED, change)


def test_the_earlier_reference_is_shown_only_without_a_link(manager, change):
    problem = factories.problem(by=manager)
    Problem.objects.filter(pk=problem.pk).update(change_reference="RFC-2025-17")
    client = _client(manager)
    url = reverse("problems:problem_detail", args=[problem.pk])
    html = client.get(url).content.decode()
    assert 'data-testid="change-reference">RFC-2025-17<' in html
    assert "Earlier change reference" in html
    Problem.objects.filter(pk=problem.pk).update(fix_change=change)
    assert 'data-testid="change-reference"' not in client.get(url).content.decode()


def test_the_api_links_the_change_through_the_restricted_choices(manager, change):
    problem = factories.problem(by=manager)
    client = client_for(manager)
    url = reverse(f"{PROBLEMS}-detail", args=[problem.pk])

    refused = client.patch(url, {"fix_change": 999999, "version": 1}, format="json")
    assert_error(refused, 400, "validation", fields=("fix_change",))

    response = client.patch(
        url, {"fix_change": change.pk, "change_reference": "X-1", "version": 1}, format="json"
    )
    assert response.status_code == 200, response.json()
    body = response.json()
    assert (body["fix_change"], body["change_reference"]) == (change.pk, "")
    assert Problem.objects.get(pk=problem.pk).fix_change == change

    created = client.post(
        reverse(f"{PROBLEMS}-list"), {"title": "Disk full", "fix_change": change.pk}, format="json"
    )
    assert created.status_code == 201, created.json()
    assert created.json()["fix_change"] == change.pk


def test_the_api_transition_refuses_an_unknown_change_naming_the_field(manager, change):
    problem = factories.problem(by=manager)
    problems.move_problem(problem, to=ProblemStatus.INVESTIGATING, by=manager)
    client = client_for(manager)
    url = reverse(f"{PROBLEMS}-transition", args=[problem.pk])
    step = {"to": "resolved", "version": 2, "root_cause": "Autoextend off", "fix": "On"}
    refused = client.post(url, {**step, "fix_change": 999999}, format="json")
    assert_error(refused, 400, "validation", fields=("fix_change",))
    response = client.post(url, {**step, "fix_change": change.pk}, format="json")
    assert response.status_code == 200, response.json()
    assert (response.json()["status"], response.json()["fix_change"]) == ("resolved", change.pk)


def test_the_migration_links_references_that_name_an_existing_change(manager, change):
    migration = importlib.import_module("itsm.problems.migrations.0002_fix_change")
    named = factories.problem(by=manager, title="Named")
    spaced = factories.problem(by=manager, title="Spaced, lower case")
    unknown = factories.problem(by=manager, title="Unknown number")
    free = factories.problem(by=manager, title="Free text")
    for row, text in (
        (named, change.number),
        (spaced, f"  {change.number.lower()} "),
        (unknown, "CHG-999999"),
        (free, "the vendor patch"),
    ):
        Problem.objects.filter(pk=row.pk).update(change_reference=text)

    migration.link_fix_changes(django_apps, None)

    linked = dict(Problem.objects.values_list("title", "fix_change"))
    assert linked == {
        "Named": change.pk,
        "Spaced, lower case": change.pk,
        "Unknown number": None,
        "Free text": None,
    }
    # the old text is kept as it was
    assert Problem.objects.get(pk=unknown.pk).change_reference == "CHG-999999"
    assert Problem.objects.get(pk=named.pk).version == named.version
