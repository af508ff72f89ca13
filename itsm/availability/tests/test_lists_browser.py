"""The outage list in a browser, in Chinese: sort by number both ways, filter by kind (the
sort is kept), hide columns, and download the Excel export of what is shown."""

from __future__ import annotations

import pytest

from itsm.availability import services
from itsm.conftest import _user
from itsm.core.choices import Role
from itsm.core.testing.lists import cells, choose_columns, download, headers, sort_by, xlsx_rows
from itsm.slm.tests.factories_reports import local, make_service

pytestmark = pytest.mark.browser


def test_sort_filter_choose_columns_and_export_the_outage_list(page, login, provider, customer_a):
    agent = _user("avail-list", provider, Role.SERVICE_DESK, language="zh-hans")
    service = make_service(name="Email")
    made = [
        services.record_outage(
            service=service,
            customer=customer_a,
            kind="planned" if n % 2 else "unplanned",
            started_at=local(2026, 3, 2 + n, 10),
        )
        for n in range(4)
    ]
    login(agent)
    page.goto("/availability/outages/")
    sort_by(page, "number", "descending")
    assert cells(page, "number") == sorted((o.number for o in made), reverse=True)

    page.select_option("[data-testid=filter-form] select[name=kind]", "planned")
    page.click("[data-testid=filter-form] button[type=submit]")
    page.wait_for_load_state()
    planned = sorted((o.number for o in made if o.kind == "planned"), reverse=True)
    assert cells(page, "number") == planned
    assert "sort=-number" in page.url

    choose_columns(page, hide=["customer", "source", "ended_at"])
    assert headers(page) == ["number", "service", "kind", "started_at"]

    rows = xlsx_rows(download(page, "xlsx"))
    assert [row[0] for row in rows[1:]] == planned
