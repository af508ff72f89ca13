"""Smoke test of the UI shell in a real browser (Chromium through Playwright)."""

import re

import pytest
from playwright.sync_api import expect

from itsm.core import services
from itsm.core.models import User

pytestmark = pytest.mark.browser


def test_login_dashboard_language_switch_and_logout(page, login, admin_user, customer_user):
    # given an administrator of the provider (saved language: zh-hans) and one customer user
    services.create_team(code="desk", name="Service desk", organisation=admin_user.organisation)

    # when they sign in
    login(admin_user)

    # then the dashboard shows the real counts, in Chinese
    expect(page).to_have_url(re.compile(r"/$"))
    counts = page.get_by_test_id("dashboard-counts")
    expect(counts.locator("[data-count=organisations]")).to_have_text("2")
    expect(counts.locator("[data-count=users]")).to_have_text("2")
    expect(counts.locator("[data-count=teams]")).to_have_text("1")
    nav = page.get_by_test_id("main-nav")
    expect(nav.get_by_role("link", name="仪表板")).to_be_visible()
    # the chart was drawn by our own static ECharts
    expect(page.locator("#chart-users-per-organisation svg")).to_have_count(1)

    # when they switch to English, the page and their saved language follow
    page.get_by_test_id("language-switch").get_by_role("button", name="English").click()
    expect(nav.get_by_role("link", name="Dashboard")).to_be_visible()
    expect(nav.get_by_role("link", name="仪表板")).to_have_count(0)
    assert User.objects.get(pk=admin_user.pk).language == "en"

    # and back to Chinese
    page.get_by_test_id("language-switch").get_by_role("button", name="简体中文").click()
    expect(nav.get_by_role("link", name="仪表板")).to_be_visible()
    assert User.objects.get(pk=admin_user.pk).language == "zh-hans"

    # when they log out from the user menu, they land on the login page
    page.get_by_test_id("user-menu").click()
    page.get_by_test_id("logout").click()
    expect(page).to_have_url(re.compile(r"/accounts/login/$"))
    expect(page.locator("input[name=username]")).to_be_visible()

    # and the dashboard asks them to sign in again
    page.goto("/")
    expect(page).to_have_url(re.compile(r"/accounts/login/\?next=/$"))
