"""The shell in Chromium (issue 8, items 3, 9 and 15): an irreversible action asks first and
"Cancel" changes nothing; the English header fits one row at 1440 px with its drop-down menus;
a name and the code after it in a title are apart; keyboard focus is visible."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from itsm.cmdb import services as cmdb
from itsm.cmdb.models import ConfigurationItem
from itsm.core.calendars import services as calendars
from itsm.core.choices import Role
from itsm.core.testing.factories import UserFactory

pytestmark = pytest.mark.browser


@pytest.fixture
def manager(provider):
    cmdb.ensure_builtins()
    return UserFactory(
        username="cm-shell",
        organisation=provider,
        roles=[Role.CONFIGURATION_MANAGER, Role.ADMINISTRATOR],
        language="en",
    )


def test_retiring_a_planned_ci_asks_first_and_cancel_changes_nothing(page, login, manager):
    ci = cmdb.create_ci(name="spare router", ci_class=cmdb.get_class("application"), by=None)
    login(manager)
    page.goto(f"/cmdb/cis/{ci.pk}/")
    button = page.get_by_test_id("transition-cancel")
    expect(button).to_have_text("Retire without putting in use…")

    # the first click only asks, saying what will happen
    button.click()
    expect(page.get_by_test_id("confirm-page")).to_be_visible()
    expect(page.get_by_test_id("confirm-consequence")).to_contain_text("cannot be put in use later")
    expect(page.get_by_test_id("breadcrumbs")).to_contain_text("spare router")

    # "Cancel" goes back and nothing changed
    page.get_by_test_id("confirm-cancel").click()
    expect(page).to_have_url(f"{page.url.split('/cmdb/')[0]}/cmdb/cis/{ci.pk}/")
    assert ConfigurationItem.objects.get(pk=ci.pk).status == "planned"

    # confirming retires it
    page.get_by_test_id("transition-cancel").click()
    page.get_by_test_id("confirm-submit").click()
    expect(page.locator("[data-testid=transition-cancel]")).to_have_count(0)
    assert ConfigurationItem.objects.get(pk=ci.pk).status == "retired"


def test_english_header_is_one_row_at_1440_px_and_groups_open(page, login, manager):
    page.set_viewport_size({"width": 1440, "height": 900})
    login(manager)
    page.goto("/")
    entries = page.locator("[data-testid=main-nav] > li")
    tops = {round(entries.nth(i).bounding_box()["y"]) for i in range(entries.count())}
    assert len(tops) == 1, tops  # one row
    right = max(
        entries.nth(i).bounding_box()["x"] + entries.nth(i).bounding_box()["width"]
        for i in range(entries.count())
    )
    assert right <= 1440
    # requirements and review meetings are reachable from the menu
    page.locator("[data-nav-group=slm] > a").click()
    page.get_by_role("link", name="Service requirements").click()
    expect(page).to_have_url(f"{page.url.split('/slm/')[0]}/slm/requirements/")
    expect(page.get_by_test_id("breadcrumbs")).to_contain_text("Dashboard")


def test_title_keeps_a_space_between_name_and_code(page, login, manager):
    calendar = calendars.create_calendar(
        by=None,
        code="7x24",
        name="7×24",
        intervals=[{"weekday": d, "start": "00:00", "end": "00:00"} for d in range(7)],
    )
    login(manager)
    page.goto(f"/calendars/{calendar.pk}/")
    gap = page.evaluate(
        """() => {
        const title = document.querySelector("h2.page-title");
        const range = document.createRange();
        range.selectNodeContents(title.firstChild);
        return title.querySelector("span").getBoundingClientRect().left
            - range.getBoundingClientRect().right;
    }"""
    )
    assert gap >= 4  # at least a space's width, not "7×247x24"


def test_keyboard_focus_is_visible_on_links_and_buttons(page, login, manager):
    login(manager)
    page.goto("/cmdb/")
    seen = {}
    for _ in range(40):
        page.keyboard.press("Tab")
        focused = page.evaluate(
            """() => {
            const el = document.activeElement;
            const style = getComputedStyle(el);
            const kind = el.tagName === "A" ? "link" : (el.tagName === "BUTTON" ? "button" : "");
            return [kind, style.outlineStyle, parseFloat(style.outlineWidth)];
        }"""
        )
        kind, style, width = focused
        if kind and kind not in seen:
            seen[kind] = (style, width)
        if len(seen) == 2:
            break
    assert seen == {"link": ("solid", 3.0), "button": ("solid", 3.0)}
