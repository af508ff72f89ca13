"""Problem management pages: lists, detail pages, create/edit/transition forms, incident links,
publishing, the proposal decision, detection rules and the report (page and Excel). Problems
are provider-internal: customers get 403 on every page."""

from __future__ import annotations

import io

import openpyxl
import pytest
from django.test import Client
from django.urls import reverse

from itsm.change.tests.factories import make_change
from itsm.cmdb.tests.factories import CIFactory
from itsm.core.choices import Role
from itsm.problems.choices import ProblemStatus
from itsm.problems.models import DetectionRule, KnownError, Problem, ProblemProposal
from itsm.problems.services import detection
from itsm.problems.tests import factories

pytestmark = pytest.mark.django_db


def _client(user) -> Client:
    client = Client(headers={"accept-language": "en"})
    client.force_login(user)
    return client


def _messages(response) -> list[str]:
    return [str(m) for m in response.context["messages"]] if response.context else []


def test_lists_and_detail_pages_render_for_staff(manager, customer_a):
    incident = factories.incident(customer_a)
    problem = factories.problem(by=manager, incidents=[incident], title="Relay 邮件 drops")
    known_error = factories.known_error(by=manager, title="Printer jam")
    factories.rule(dimension="ci", threshold=2)
    client = _client(manager)
    for name in ("problem_list", "known_error_list", "proposal_list", "rule_list", "report"):
        assert client.get(reverse(f"problems:{name}")).status_code == 200, name
    page = client.get(reverse("problems:problem_detail", args=[problem.pk]))
    assert page.status_code == 200
    text = page.content.decode()
    assert problem.number in text and incident.number in text and "Relay 邮件 drops" in text
    page = client.get(reverse("problems:known_error_detail", args=[known_error.pk]))
    assert known_error.number in page.content.decode()
    listing = client.get(reverse("problems:problem_list"), {"q": problem.number})
    assert f'data-number="{problem.number}"' in listing.content.decode()


def test_customers_are_refused_everywhere(manager, customer_user, customer_a):
    problem = factories.problem(by=manager)
    known_error = factories.known_error(by=manager)
    client = _client(customer_user)
    for url in (
        reverse("problems:problem_list"),
        reverse("problems:problem_detail", args=[problem.pk]),
        reverse("problems:known_error_detail", args=[known_error.pk]),
        reverse("problems:proposal_list"),
        reverse("problems:report"),
        reverse("problems:problem_create"),
    ):
        assert client.get(url).status_code == 403, url


def test_create_from_incidents_and_edit(manager, customer_a):
    one, two = factories.incident(customer_a), factories.incident(customer_a)
    client = _client(manager)
    response = client.post(
        reverse("problems:problem_create"),
        {
            "title": "Backups fail nightly",
            "priority": "p2",
            "incidents": f"{one.number}, {two.number}",
        },
    )
    problem = Problem.objects.get(title="Backups fail nightly")
    assert response.status_code == 302
    assert response["Location"] == reverse("problems:problem_detail", args=[problem.pk])
    assert set(problem.incidents.all()) == {one, two}

    response = client.post(
        reverse("problems:problem_edit", args=[problem.pk]),
        {
            "version": problem.version,
            "title": problem.title,
            "priority": "p2",
            "rca_method": "five_whys",
            "root_cause": "The tape library times out",
            "cause_category": "hardware",
        },
    )
    assert response.status_code == 302, response.context["form"].errors
    problem.refresh_from_db()
    assert (problem.rca_method, problem.cause_category) == ("five_whys", "hardware")
    assert problem.version == 2


def test_create_names_the_field_of_a_taken_incident(manager, customer_a):
    incident = factories.incident(customer_a)
    first = factories.problem(by=manager, incidents=[incident])
    response = _client(manager).post(
        reverse("problems:problem_create"),
        {"title": "Again", "priority": "p3", "incidents": incident.number},
    )
    assert response.status_code == 200
    assert response.context["form"].errors["incidents"] == [
        f"{incident.number} is already linked to {first.number}."
    ]


def test_transition_form_records_the_known_error(manager):
    problem = factories.problem(by=manager, description="Drops")
    client = _client(manager)
    url = reverse("problems:problem_transition", args=[problem.pk])
    response = client.post(url, {"to": "known_error", "version": 1}, follow=True)
    assert any("required" in m for m in _messages(response))
    client.post(
        url,
        {"to": "known_error", "version": 1, "root_cause": "Idle timeout", "workaround": "Ping"},
    )
    problem.refresh_from_db()
    assert problem.status == ProblemStatus.KNOWN_ERROR
    assert KnownError.objects.filter(problem=problem, workaround="Ping").exists()


def test_link_unlink_and_publish(manager, customer_a):
    known_error = factories.known_error(by=manager)
    incident = factories.incident(customer_a)
    client = _client(manager)
    client.post(
        reverse("problems:known_error_link", args=[known_error.pk]), {"incidents": incident.number}
    )
    assert list(known_error.incidents.all()) == [incident]
    response = client.post(
        reverse("problems:known_error_publish", args=[known_error.pk]), follow=True
    )
    known_error.refresh_from_db()
    assert known_error.article_id is not None
    assert _messages(response)[-1] == f"Published as draft article {known_error.article_number}."
    client.post(
        reverse("problems:known_error_unlink", args=[known_error.pk]), {"incident": incident.pk}
    )
    assert list(known_error.incidents.all()) == []


def test_accept_and_dismiss_pages(manager, customer_a):
    factories.rule(dimension="ci", threshold=2)
    ci_one, ci_two = CIFactory(), CIFactory()
    for ci in (ci_one, ci_two):
        factories.incident(customer_a, cis=[ci])
        factories.incident(customer_a, cis=[ci])
    detection.detect()
    one = ProblemProposal.objects.get(key=ci_one.pk)
    two = ProblemProposal.objects.get(key=ci_two.pk)
    client = _client(manager)
    page = client.get(reverse("problems:proposal_detail", args=[one.pk]))
    assert 'data-testid="accept"' in page.content.decode()

    response = client.post(
        reverse("problems:proposal_accept", args=[one.pk]), {"priority": "p2", "title": ""}
    )
    one.refresh_from_db()
    assert response["Location"] == reverse("problems:problem_detail", args=[one.problem_id])
    dismiss = reverse("problems:proposal_dismiss", args=[two.pk])
    asked = client.post(dismiss, {"reason": "Noise"})  # it cannot be undone: asked first
    assert asked.status_code == 200
    assert f"Dismiss the proposal “{two}”?" in asked.content.decode()
    two.refresh_from_db()
    assert two.status == "proposed"
    client.post(dismiss, {"reason": "Noise", "confirmed": "yes"})
    two.refresh_from_db()
    assert (two.status, two.reason) == ("dismissed", "Noise")


def test_rule_pages(manager):
    client = _client(manager)
    response = client.post(
        reverse("problems:rule_create"),
        {"name": "Same CI", "dimension": "ci", "threshold": 1, "window_days": 7, "is_active": "on"},
    )
    assert response.status_code == 200
    assert "threshold" in response.context["form"].errors
    client.post(
        reverse("problems:rule_create"),
        {"name": "Same CI", "dimension": "ci", "threshold": 3, "window_days": 7, "is_active": "on"},
    )
    rule = DetectionRule.objects.get(name="Same CI")
    client.post(
        reverse("problems:rule_edit", args=[rule.pk]),
        {"version": 1, "name": "Same CI", "dimension": "ci", "threshold": 4, "window_days": 7},
    )
    rule.refresh_from_db()
    assert (rule.threshold, rule.is_active) == (4, False)


def test_report_page_and_excel(manager):
    problem = factories.problem(by=manager)
    from itsm.problems.services import problems

    problems.move_problem(problem, to=ProblemStatus.INVESTIGATING, by=manager)
    problems.move_problem(
        problem,
        to=ProblemStatus.RESOLVED,
        by=manager,
        root_cause="Disk",
        fix="New disk",
        rca_method="five_whys",
        cause_category="hardware",
    )
    client = _client(manager)
    page = client.get(reverse("problems:report"))
    assert page.status_code == 200
    report = page.context["report"]
    assert (report.opened, report.resolved) == (1, 1)
    assert [(c.cause_category, c.count) for c in report.causes] == [("hardware", 1)]
    assert report.completeness.value == 100
    bad = client.get(reverse("problems:report"), {"start": "2026-13"})
    assert bad.status_code == 400
    assert bad.context["form"].errors["start"] == ["Enter a month as YYYY-MM."]
    response = client.get(reverse("problems:report_excel"))
    book = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    assert book.sheetnames == ["Summary", "By month", "Cause categories"]
    values = {row[0]: row[1] for row in book["Summary"].iter_rows(min_row=3, values_only=True)}
    assert (values["Problems opened"], values["Problems resolved"]) == (1, 1)


def test_edit_forms_submitted_unchanged_change_nothing(manager, customer_a):
    ci = CIFactory()
    category = factories.category()
    change = make_change(factories.person(Role.CHANGE_MANAGER), title="Replace the disk")
    problem = factories.problem(
        by=manager,
        manager=manager,
        cis=[ci],
        category=category,
        root_cause="Disk",
        fix_change=change,
    )
    known_error = factories.known_error(by=manager, cis=[ci], category=category)
    rule = factories.rule()
    client = _client(manager)
    for name, row in (
        ("problem_edit", problem),
        ("known_error_edit", known_error),
        ("rule_edit", rule),
    ):
        url = reverse(f"problems:{name}", args=[row.pk])
        form = client.get(url).context["form"]
        data = {}
        for field in form:
            value = field.value()
            if value is None or value is False:
                continue
            if isinstance(value, list):  # a picker's options, or several choices
                value = ",".join(str(v["value"] if isinstance(v, dict) else v) for v in value)
            data[field.html_name] = value
        response = client.post(url, data)
        assert response.status_code == 302, (name, response.context["form"].errors)
        row.refresh_from_db()
        assert row.version == 1, name
    assert Problem.objects.get(pk=problem.pk).fix_change == change


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_the_ticket_page_shows_its_problems_and_known_errors(
    manager, customer_a, customer_user, language
):
    from django.utils import translation

    from itsm.problems.choices import KnownErrorStatus

    incident = factories.incident(customer_a, title="VPN drops")
    other = factories.incident(customer_a, title="Printer jam")
    problem = factories.problem(by=manager, incidents=[incident], title="VPN 断线 drops")
    known_error = factories.known_error(
        by=manager, title="防火墙超时 Firewall timeout", incidents=[incident]
    )
    factories.problem(by=manager, incidents=[other], title="Printer problem")
    client = Client()
    client.force_login(factories.person(language=language))

    ticket_page = client.get(reverse("desk:ticket_detail", args=[incident.pk])).content.decode()
    url = reverse("problems:ticket_problems") + f"?ticket={incident.pk}"
    assert f'hx-get="{url}"'.replace("&", "&amp;") in ticket_page

    text = client.get(url).content.decode()
    assert f'data-problem="{problem.number}"' in text
    assert reverse("problems:problem_detail", args=[problem.pk]) in text
    assert f'data-known-error="{known_error.number}"' in text
    assert reverse("problems:known_error_detail", args=[known_error.pk]) in text
    assert "Enable keep-alive." in text  # the known error's workaround
    assert "Printer problem" not in text  # another ticket's problem
    with translation.override(language):
        assert str(ProblemStatus.NEW.label) in text
        assert str(KnownErrorStatus.ACTIVE.label) in text
        assert translation.gettext("Problems and known errors") in text
    if language == "zh-hans":
        assert "Workaround" not in text and "New" not in text

    empty = client.get(reverse("problems:ticket_problems") + f"?ticket={other.pk}")
    assert 'data-problem="' in empty.content.decode()  # the other ticket: its own problem only
    assert known_error.number not in empty.content.decode()
    nothing = client.get(reverse("problems:ticket_problems"))  # no ticket: nothing to show
    assert nothing.status_code == 200 and "data-problem" not in nothing.content.decode()
    for bad in ("x", "-1", "9" * 19, "987654"):
        response = client.get(reverse("problems:ticket_problems"), {"ticket": bad})
        assert response.status_code == 404, bad

    customer = _client(customer_user)
    assert customer.get(url).status_code == 403
    customer_page = customer.get(reverse("desk:ticket_detail", args=[incident.pk]))
    assert customer_page.status_code == 200
    assert "ticket-problems" not in customer_page.content.decode()


def test_the_suggestions_mark_a_known_error_as_such(manager):
    known_error = factories.known_error(by=manager, title="防火墙超时 Firewall timeout")
    text = _client(manager).get(reverse("knowledge:suggest"), {"q": "防火墙超时"}).content.decode()
    assert f'data-suggestion="{known_error.number}"' in text
    assert '<span class="badge bg-orange-lt me-1">Known error</span>' in text


def test_a_deleted_draft_article_leaves_the_known_error_unpublished(manager):
    """The knowledge base deletes a draft that was never published: its known error may be
    published again (it is not "already published" as an article that no longer exists)."""
    from itsm.knowledge import services as knowledge
    from itsm.knowledge.models import Article

    known_error = factories.known_error(by=manager, title="Printer jam")
    client = _client(manager)
    publish = reverse("problems:known_error_publish", args=[known_error.pk])
    client.post(publish)
    known_error.refresh_from_db()
    first = Article.objects.get(pk=known_error.article_id)
    page = client.get(reverse("problems:known_error_detail", args=[known_error.pk]))
    assert 'data-testid="publish-article"' not in page.content.decode()
    knowledge.delete_article(first, by=manager)

    page = client.get(reverse("problems:known_error_detail", args=[known_error.pk]))
    assert 'data-testid="publish-article"' in page.content.decode()
    assert first.number not in page.content.decode()
    response = client.post(publish)
    assert _messages(client.get(response["Location"]))[-1].startswith("Published as draft")
    known_error.refresh_from_db()
    second = Article.objects.get(pk=known_error.article_id)
    assert second.pk != first.pk and known_error.article_number == second.number
