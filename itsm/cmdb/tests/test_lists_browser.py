"""The CI list in a browser: sort by a header both ways, filter (the sort is kept), choose
columns (remembered on the next visit, then reset), and download the CSV of what is shown."""

from __future__ import annotations

import pytest

from itsm.cmdb.tests.factories import CIFactory
from itsm.core.choices import Role
from itsm.core.testing.factories import UserFactory
from itsm.core.testing.lists import (
    cells,
    choose_columns,
    csv_rows,
    download,
    headers,
    reset_columns,
    sort_by,
)

pytestmark = pytest.mark.browser


def test_sort_filter_choose_columns_and_export_the_ci_list(page, login, provider, customer_a):
    manager = UserFactory(
        username="cm-lists",
        organisation=provider,
        roles=[Role.CONFIGURATION_MANAGER],
        language="en",
    )
    for name in ("web-b", "web-a", "db-1", "web-c", "=cmd|' /C calc'!A0"):
        CIFactory(name=name, location="Room 1", customer=customer_a)

    login(manager)
    page.goto("/cmdb/")
    sort_by(page, "name")
    assert cells(page, "name") == sorted(cells(page, "name"))
    sort_by(page, "name", "descending")
    assert cells(page, "name")[:3] == ["web-c", "web-b", "web-a"]

    page.fill("[data-testid=filter-form] input[name=q]", "web")
    page.click("[data-testid=filter-form] button[type=submit]")
    page.wait_for_load_state()
    assert cells(page, "name") == ["web-c", "web-b", "web-a"]  # filtered, still descending
    assert "sort=-name" in page.url

    choose_columns(page, show=["updated_at"], hide=["identifier", "location", "customer"])
    shown = ["number", "name", "ci_class", "status", "criticality", "updated_at"]
    assert headers(page) == shown
    page.goto("/cmdb/")  # remembered for this user and list
    assert headers(page) == shown

    page.goto("/cmdb/?q=web&sort=-name")
    rows = csv_rows(download(page, "csv"))
    assert rows[0] == ["Number", "Name", "Class", "Status", "Criticality", "Updated"]
    assert [row[1] for row in rows[1:]] == ["web-c", "web-b", "web-a"]
    assert {row[3] for row in rows[1:]} == {"Planned"}  # the label, not the code

    page.goto("/cmdb/?q=cmd")
    rows = csv_rows(download(page, "csv"))
    assert rows[1][1] == "'=cmd|' /C calc'!A0"  # no formula reaches the spreadsheet

    reset_columns(page)
    assert "location" in headers(page) and "updated_at" not in headers(page)
