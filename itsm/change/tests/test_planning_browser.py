"""The change manager's planning in a browser, in English and in Chinese: the change calendar
(month and week, navigation, maintenance shaded, blackout marked, the CI filter by type-ahead)
and a CAB meeting — planned with its board and attendees picked by name, its agenda built from
the change awaiting the CAB, a member's decision with its comment recorded at the meeting,
then held and closed with the minutes after the confirmation."""

from __future__ import annotations

from datetime import time

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from itsm.change.models import CabMeeting, Change
from itsm.change.services import assessment, changes, config
from itsm.change.tests.factories import at, ci, make_change, make_template
from itsm.core.testing.browser import pick

pytestmark = pytest.mark.browser

SAVE = ".page-body form[method=post] button[type=submit].btn-primary"


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_calendar_and_cab_meeting(page, login, requester, manager, cab_members, language):
    for user in (manager, cab_members[0]):
        type(user).objects.filter(pk=user.pk).update(language=language)
    host, other = ci("db-01", "server"), ci("db-02", "server")
    standard = changes.create_change(
        by=requester,
        kind="standard",
        template=make_template(manager),
        title="数据库补丁 DB patch",
        planned_start=at(10, 22),
        planned_end=at(10, 23),
        cis=[host],
    )
    changes.schedule_standard(standard, by=requester)
    elsewhere = changes.create_change(
        by=requester,
        kind="standard",
        template=make_template(manager),
        title="Other host",
        planned_start=at(11, 20),
        planned_end=at(11, 21),
        cis=[other],
    )
    changes.schedule_standard(elsewhere, by=requester)
    config.create_window(
        by=manager,
        kind="maintenance",
        name="Sunday nights",
        ci=host,
        weekdays=[6],
        start_time=time(1),
        end_time=time(5),
    )
    config.create_window(
        by=manager, kind="blackout", name="Freeze", starts_at=at(20, 0), ends_at=at(21, 0)
    )
    question = config.create_question(
        by=manager,
        text="Tested?",
        answers=[{"label": "Yes", "weight": 0}, {"label": "No", "weight": 9}],
    )
    config.set_threshold(by=manager, level="low", min_score=0, approval_path="change_manager")
    config.set_threshold(by=manager, level="high", min_score=8, approval_path="cab")
    board = config.create_board(
        by=manager, code="cab", name="变更咨询委员会 CAB", quorum=1, members=cab_members[:2]
    )
    awaiting = changes.submit(
        make_change(requester, cis=[ci("crm")], start=at(12, 22), title="CRM 升级 upgrade"),
        by=requester,
    )
    assessment.assess(awaiting, by=requester, answers={str(question.pk): 1})
    assessment.request_approval(awaiting, by=requester)

    # --- the calendar -------------------------------------------------------------------------
    login(manager)
    assert page.locator("html").get_attribute("lang") == language
    page.goto("/changes/")
    page.click("[data-testid=calendar-link]")
    page.wait_for_selector("[data-testid=calendar][data-view=month]")
    page.goto("/changes/calendar/?view=month&date=2031-03-10")
    day = page.locator('[data-testid=calendar-day][data-date="2031-03-10"]')
    assert standard.number in day.inner_text()
    assert page.locator('[data-date="2031-03-16"][data-maintenance=yes]').count() == 1
    assert page.locator('[data-date="2031-03-20"][data-blackout=yes]').count() == 1
    assert "Freeze" in page.inner_text('[data-date="2031-03-20"]')
    page.click("[data-testid=calendar-next]")
    page.wait_for_url("**date=2031-04-01**")
    page.click("[data-testid=calendar-previous]")
    page.wait_for_url("**date=2031-03-01**")
    page.click("[data-testid=calendar-week]")
    page.wait_for_selector("[data-testid=calendar][data-view=week]")
    assert page.locator("[data-testid=calendar-day]").count() == 7
    page.goto("/changes/calendar/?view=week&date=2031-03-10")
    assert elsewhere.number in page.inner_text("[data-testid=calendar]")
    pick(page, "[data-field=ci]", "db-01", host.number)
    page.click("[data-testid=calendar-apply]")
    page.wait_for_url(f"**ci={host.number}**")
    shown = page.inner_text("[data-testid=calendar]")
    assert standard.number in shown and elsewhere.number not in shown
    page.click(f"[data-testid=calendar-change] a:has-text('{standard.number}')")
    page.wait_for_selector("[data-testid=change-status][data-status=scheduled]")

    # --- a CAB meeting --------------------------------------------------------------------------
    page.goto("/changes/")
    page.click("[data-testid=meeting-link]")
    page.click("[data-testid=meeting-create]")
    # the pickers first (a picker's drop-down may stay open), then the plain fields
    pick(page, "[data-field=board]", "cab", board.code)
    pick(page, "[data-field=attendees]", cab_members[0].username, cab_members[0].username)
    title = page.locator("input[name=title]")
    title.click()
    title.fill("CAB 周例会 Weekly")
    page.fill("input[name=starts_at]", "2031-03-09T10:00")
    page.fill("input[name=ends_at]", "2031-03-09T11:00")
    page.fill("input[name=location]", "3F")
    assert title.input_value() == "CAB 周例会 Weekly"
    page.click(SAVE)
    try:
        page.wait_for_selector("[data-testid=meeting-status][data-status=planned]")
    except PlaywrightTimeout:  # say why the form did not save
        errors = page.locator(
            "[data-testid=form-errors], .invalid-feedback, .alert"
        ).all_inner_texts()
        raise AssertionError(f"the meeting was not saved: {page.url} {errors}") from None
    meeting = CabMeeting.objects.get()
    assert list(meeting.attendees.all()) == [cab_members[0]]
    page.click("[data-testid=agenda-generate]")
    page.wait_for_selector(f'[data-testid=agenda-item][data-change="{awaiting.number}"]')

    login(cab_members[0])
    page.goto(f"/changes/meetings/{meeting.pk}/")
    page.select_option("[data-testid=agenda-decide] select[name=vote]", "approve")
    page.fill("[data-testid=agenda-decide] input[name=comment]", "测试充分 Well tested")
    page.click("[data-testid=agenda-decide] [data-testid=decide-submit]")
    page.wait_for_selector("[data-testid=agenda-status][data-status=scheduled]")
    assert "测试充分 Well tested" in page.inner_text("[data-testid=decisions]")
    assert Change.objects.get(pk=awaiting.pk).status == "scheduled"

    login(manager)
    page.goto(f"/changes/meetings/{meeting.pk}/")
    page.click('[data-transition="hold"]')
    page.wait_for_selector("[data-testid=meeting-status][data-status=held]")
    page.fill("[data-testid=close] textarea[name=minutes]", "批准 1 项 One approved")
    page.click("[data-testid=close-submit]")
    page.click("[data-testid=confirm-submit]")
    page.wait_for_selector("[data-testid=meeting-status][data-status=closed]")
    assert "One approved" in page.inner_text("[data-testid=minutes]")
