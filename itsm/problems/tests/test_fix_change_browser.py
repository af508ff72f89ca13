"""The fix change in the browser, in zh-Hans and in English: the problem manager resolves an
investigated problem, picking the change that removes the cause by typing part of its title
(type-ahead), and the problem page then shows the change by number and title with its status
and a link to it."""

from __future__ import annotations

import pytest
from django.urls import reverse

from itsm.change.tests.factories import make_change
from itsm.core.choices import Role
from itsm.core.testing.browser import pick
from itsm.problems.choices import ProblemStatus
from itsm.problems.models import Problem
from itsm.problems.services import problems
from itsm.problems.tests import factories

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_resolve_with_the_fix_change_picked_by_title(page, login, language, provider):
    manager = factories.person(username="pm-fix", language=language)
    owner = factories.person(Role.CHANGE_MANAGER)
    change = make_change(owner, title="表空间扩容 Extend the USERS tablespace")
    make_change(owner, title="Replace the core switch")
    problem = factories.problem(by=manager, title="表空间满 Tablespace full")
    problems.move_problem(problem, to=ProblemStatus.INVESTIGATING, by=manager)

    login(manager)
    page.goto(f"/problems/{problem.pk}/")
    assert page.locator("html").get_attribute("lang") == language
    page.click("[data-step=resolve] summary")
    step = "[data-testid=step-resolve]"
    page.fill(f"{step} textarea[name=root_cause]", "自动扩展未开启 Autoextend was off")
    page.fill(f"{step} textarea[name=fix]", "开启自动扩展 Autoextend on")
    pick(page, f"{step} [data-field=fix_change]", "表空间", change.number)
    page.click(f"{step} [data-transition=resolve]")
    page.wait_for_selector("[data-testid=problem-status][data-status=resolved]")

    problem = Problem.objects.get(pk=problem.pk)
    assert problem.fix_change == change
    link = page.locator(f"[data-testid=fix-change] a[data-change='{change.number}']")
    assert link.inner_text() == f"{change.number} {change.title}"
    status = page.locator("[data-testid=fix-change-status]")
    assert status.get_attribute("data-status") == change.status
    assert status.inner_text().strip() == ("草稿" if language == "zh-hans" else "Draft")
    link.click()
    page.wait_for_url(f"**{reverse('change:change_detail', args=[change.pk])}")
