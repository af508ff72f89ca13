"""The service list in a browser, in Chinese: sort by a header both ways, filter by status
(the sort is kept), hide columns (remembered), and download the Excel export of what is shown."""

from __future__ import annotations

import pytest
from django.utils import translation

from itsm.catalog import services
from itsm.catalog.tests.factories import make_service
from itsm.core.testing.lists import (
    cells,
    choose_columns,
    download,
    headers,
    sort_by,
    xlsx_rows,
)

pytestmark = pytest.mark.browser


def test_sort_filter_choose_columns_and_export_the_service_list(
    page, login, slm, writer, customer_a
):
    made = [make_service(customers=[customer_a], by=writer) for _ in range(4)]
    for service in made[:3]:
        services.submit_service(service, by=writer)
    in_review = sorted(s.code for s in made[:3])

    login(slm)  # a zh-Hans user
    page.goto("/catalog/")
    sort_by(page, "code", "descending")
    assert cells(page, "code") == sorted((s.code for s in made), reverse=True)

    page.select_option("[data-testid=filter-form] select[name=status]", "in_review")
    page.click("[data-testid=filter-form] button[type=submit]")
    page.wait_for_load_state()
    assert cells(page, "code") == in_review[::-1]
    assert "sort=-code" in page.url

    choose_columns(page, hide=["modes", "service_hours", "owner", "item_count"])
    assert headers(page) == ["code", "name", "category", "status"]
    page.reload()
    assert headers(page) == ["code", "name", "category", "status"]

    rows = xlsx_rows(download(page, "xlsx"))
    with translation.override("zh-hans"):
        assert rows[0] == [
            str(translation.gettext(label)) for label in ("Code", "Name", "Category", "Status")
        ]
        assert {row[3] for row in rows[1:]} == {translation.gettext("In review")}
    assert [row[0] for row in rows[1:]] == in_review[::-1]  # filtered and sorted as shown
