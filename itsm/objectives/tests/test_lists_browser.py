"""The objective plan list in a browser, in Chinese: sort by year both ways, filter by status
(the sort is kept), hide columns, and download the Excel export of what is shown."""

from __future__ import annotations

import pytest

from itsm.conftest import _user
from itsm.core.choices import Role
from itsm.core.testing.lists import cells, choose_columns, download, headers, sort_by, xlsx_rows
from itsm.objectives.tests.factories import approve, make_plan, manual_objective

pytestmark = pytest.mark.browser


def test_sort_filter_choose_columns_and_export_the_plan_list(page, login, provider):
    author = _user("obj-list", provider, Role.QUALITY_MANAGER, language="zh-hans")
    approver = _user("obj-list-rep", provider, Role.MANAGEMENT_REPRESENTATIVE)
    plans = [make_plan(author, year=2024 + n, title=f"Plan {2024 + n}") for n in range(4)]
    for plan in plans[::2]:
        manual_objective(author, plan)
        approve(plan, by=approver)
    login(author)
    page.goto("/objectives/plans/")
    sort_by(page, "year", "ascending")
    assert cells(page, "year") == ["2024", "2025", "2026", "2027"]

    page.select_option("[data-testid=filter-form] select[name=status]", "approved")
    page.click("[data-testid=filter-form] button[type=submit]")
    page.wait_for_load_state()
    assert cells(page, "year") == ["2024", "2026"]
    assert "sort=year" in page.url

    choose_columns(page, hide=["author", "approved_by"])
    assert headers(page) == ["number", "year", "title", "status"]

    rows = xlsx_rows(download(page, "xlsx"))
    assert [row[1] for row in rows[1:]] == [2024, 2026]
