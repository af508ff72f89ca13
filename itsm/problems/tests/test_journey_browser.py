"""Problem management in the browser (issue 14, "Done when"), in zh-Hans and in English: the
detection proposes a problem from repeat incidents on one CI, the problem manager accepts it,
records the root cause and the workaround (the problem becomes a known error), and publishes
the known error as a knowledge article with one action; the manager submits the draft for
review and a second person (four eyes) publishes it. An agent logging a similar incident at the
console sees the article suggested as the summary is typed, and on the new ticket's page says
"this solved it" (recorded: counted and linked). Then the problem list: sort, filter, choose
columns and export."""

from __future__ import annotations

import pytest
from django.utils import translation

from itsm.cmdb.tests.factories import CIFactory
from itsm.core.choices import Role
from itsm.core.testing.browser import pick
from itsm.core.testing.lists import cells, choose_columns, download, headers, sort_by, xlsx_rows
from itsm.desk.models import Ticket
from itsm.knowledge.choices import ArticleStatus, LinkKind, UsageKind
from itsm.knowledge.models import Article, ArticleLink, ArticleUsage
from itsm.problems.choices import ProblemStatus
from itsm.problems.models import KnownError, Problem, ProblemProposal
from itsm.problems.services import detection
from itsm.problems.tests import factories

pytestmark = pytest.mark.browser


def _wait_for_suggestion(page, title: str, suggested: str) -> None:
    """Wait for *suggested* under the summary *title*, retyping its last character when
    nothing shows for a while, as a user would: the suggestions follow the summary's key
    presses (htmx ``keyup changed delay``), and on a busy machine the one key press of the
    test was seen lost once in about twenty runs (CI, 2026-11-30), never reproduced with the
    requests logged."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    for _attempt in range(2):
        try:
            page.wait_for_selector(suggested, timeout=7_500)
            return
        except PlaywrightTimeout:
            last = page.input_value(title)[-1]
            page.press(title, "Backspace")
            page.press(title, last)
    page.wait_for_selector(suggested)


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_accept_proposal_record_cause_and_publish_the_known_error(
    page, login, language, customer_a
):
    manager = factories.person(username="pm-browser", language=language)
    factories.rule(dimension="ci", threshold=3, window_days=7)
    ci = CIFactory(name="vpn-gw-01")
    incidents = [
        factories.incident(customer_a, title=f"VPN 断线 drops {n}", cis=[ci]) for n in range(3)
    ]
    detection.detect()
    proposal = ProblemProposal.objects.get()

    # the problem manager finds the proposal and accepts it
    login(manager)
    page.goto("/problems/proposals/?status=proposed")
    assert page.locator("html").get_attribute("lang") == language
    page.click(f"[data-label='{proposal.label}'] a")
    page.wait_for_selector("[data-testid=accept-form]")
    assert page.locator("[data-testid=incident-table] tbody tr").count() == 3
    page.fill("[data-testid=accept-form] input[name=title]", "VPN 客户端断线 / VPN drops")
    page.select_option("[data-testid=accept-form] select[name=priority]", "p2")
    page.click("[data-testid=accept]")
    page.wait_for_selector("[data-testid=problem-status][data-status=new]")
    problem = Problem.objects.get()
    assert set(problem.incidents.all()) == set(incidents)
    assert list(problem.cis.all()) == [ci]

    # records the root cause and the workaround: the problem becomes a known error
    page.click("[data-step=known_error] summary")
    page.fill("[data-testid=step-known_error] textarea[name=root_cause]", "防火墙空闲超时 600 s")
    page.fill(
        "[data-testid=step-known_error] textarea[name=workaround]", "开启保活 keep-alive 60 s"
    )
    page.click("[data-testid=step-known_error] button[data-transition=known_error]")
    page.wait_for_selector("[data-testid=problem-status][data-status=known_error]")
    problem.refresh_from_db()
    assert problem.status == ProblemStatus.KNOWN_ERROR
    assert problem.root_cause == "防火墙空闲超时 600 s"
    known_error = KnownError.objects.get(problem=problem)

    # publishes the known error as an article with one action
    page.click(f"[data-testid=known-errors] a:has-text('{known_error.number}')")
    page.wait_for_selector("[data-testid=publish-article]")
    assert "开启保活 keep-alive 60 s" in page.inner_text("[data-testid=workaround]")
    page.click("[data-testid=publish-article]")
    page.wait_for_selector("[data-testid=publish-article]", state="detached")
    known_error.refresh_from_db()
    assert known_error.article_number
    assert known_error.article_number in page.inner_text("[data-testid=article]")
    assert page.locator("[data-testid=publish-article]").count() == 0
    article = Article.objects.get(number=known_error.article_number)
    assert article.status == ArticleStatus.DRAFT

    # the manager submits the draft for review; the submitter may not publish it (four eyes)
    page.click(f"[data-testid=article] a:has-text('{article.number}')")
    page.wait_for_selector("[data-testid=article-status][data-status=draft]")
    page.click("[data-testid=transitions] button[data-transition=submit]")
    page.wait_for_selector("[data-testid=article-status][data-status=review]")
    assert page.locator("[data-testid=four-eyes]").count() == 1
    assert page.locator("button[data-transition=publish]").count() == 0

    # a second reviewer publishes it
    reviewer = factories.person(Role.QUALITY_MANAGER, language=language)
    login(reviewer)
    page.goto(f"/knowledge/articles/{article.pk}/")
    page.click("[data-testid=transitions] button[data-transition=publish]")
    page.wait_for_selector("[data-testid=article-status][data-status=published]")
    article.refresh_from_db()
    assert article.status == ArticleStatus.PUBLISHED
    assert (article.submitted_by, article.reviewed_by) == (manager, reviewer)

    # an agent logging a similar incident sees the article suggested while typing the summary
    agent = factories.person(Role.SERVICE_DESK, language=language)
    login(agent)
    page.goto("/desk/console/")
    assert page.locator("html").get_attribute("lang") == language
    pick(page, "[data-testid=console] [data-field=customer]", "Customer", customer_a.code)
    title = "[data-testid=console] input[name=title]"
    page.fill(title, "VPN 又断线 / VPN drops again")
    page.press(title, "End")
    suggested = f"[data-testid=kb-suggest] [data-suggestion='{article.number}']"
    _wait_for_suggestion(page, title, suggested)
    assert article.title in page.inner_text(suggested)
    page.click("[data-testid=console-save]")
    page.wait_for_selector("[data-testid=ticket-status]")
    ticket = Ticket.objects.exclude(pk__in=[i.pk for i in incidents]).get()
    assert ticket.title == "VPN 又断线 / VPN drops again"

    # on the ticket's page the same article is offered: "this solved it" is recorded
    page.click(f"{suggested} [data-testid=solved]")
    page.wait_for_selector(f"{suggested} [data-testid=solved-recorded]")
    assert ticket.number in page.inner_text(f"{suggested} [data-testid=solved-recorded]")
    usage = ArticleUsage.objects.get(article=article, kind=UsageKind.RESOLUTION)
    assert (usage.ticket_id, usage.by) == (ticket.pk, agent)
    article.refresh_from_db()
    assert article.resolution_count == 1
    assert ArticleLink.objects.filter(
        article=article, kind=LinkKind.TICKET, target_id=ticket.pk
    ).exists()

    # one of the repeat incidents shows its problem and known error with the workaround
    page.goto(f"/desk/tickets/{incidents[0].pk}/")
    shown = page.locator(f"[data-testid=ticket-problems] [data-problem='{problem.number}']")
    shown.wait_for()
    with translation.override(language):
        assert str(ProblemStatus.KNOWN_ERROR.label) in shown.inner_text()
    assert "开启保活 keep-alive 60 s" in shown.inner_text()
    known = page.locator(f"[data-testid=ticket-problems] [data-known-error='{known_error.number}']")
    assert article.number in known.inner_text()
    known.locator("a", has_text=known_error.title).click()
    page.wait_for_selector("[data-testid=known-error-number]")
    assert page.inner_text("[data-testid=known-error-number]") == known_error.number


def test_sort_filter_choose_columns_and_export_the_problem_list(page, login, provider):
    manager = factories.person(username="pm-list", language="zh-hans")
    made = [factories.problem(by=manager, title=f"Problem {n}") for n in range(4)]
    from itsm.problems.services import problems

    for problem in made[:2]:
        problems.move_problem(problem, to=ProblemStatus.INVESTIGATING, by=manager)
    investigating = sorted(p.number for p in made[:2])

    login(manager)
    page.goto("/problems/")
    sort_by(page, "number", "ascending")
    assert cells(page, "number") == sorted(p.number for p in made)

    page.select_option("[data-testid=filter-form] select[name=status]", "investigating")
    page.click("[data-testid=filter-form] button[type=submit]")
    page.wait_for_load_state()
    assert cells(page, "number") == investigating
    assert "sort=number" in page.url

    choose_columns(page, hide=["priority", "manager", "created_at"])
    assert headers(page) == ["number", "title", "status"]
    page.reload()
    assert headers(page) == ["number", "title", "status"]

    rows = xlsx_rows(download(page, "xlsx"))
    with translation.override("zh-hans"):
        assert rows[0] == [
            str(translation.gettext(label)) for label in ("Number", "Summary", "Status")
        ]
        assert {row[2] for row in rows[1:]} == {translation.gettext("Investigating")}
    assert [row[0] for row in rows[1:]] == investigating
