"""The agreement list in a browser: a manager sorts, filters, chooses columns and downloads the
CSV; a customer sees and exports only their own agreements, without the internal columns."""

from __future__ import annotations

import pytest

from itsm.core.testing.lists import (
    cells,
    choose_columns,
    csv_rows,
    download,
    headers,
    sort_by,
)
from itsm.slm.tests.factories import make_signed_sla, make_sla, slm_manager

pytestmark = pytest.mark.browser


def test_sort_filter_choose_columns_and_export_the_agreement_list(
    page, login, customer_a, customer_b, customer_user
):
    manager = slm_manager(username="slm-lists", language="en")
    active = make_signed_sla(customer_a, by=manager)
    drafts = [make_sla(customer_a, by=manager, title=f"Draft {n}") for n in range(3)]
    theirs = make_sla(customer_b, by=manager, title="Other customer")
    mine = sorted([active.number, *(d.number for d in drafts)])

    login(manager)
    page.goto("/slm/")
    sort_by(page, "number", "descending")
    assert cells(page, "number") == sorted([*mine, theirs.number], reverse=True)

    page.select_option("[data-testid=filter-form] select[name=customer]", str(customer_a.pk))
    page.click("[data-testid=filter-form] button[type=submit]")
    page.wait_for_load_state()
    assert cells(page, "number") == mine[::-1]

    choose_columns(page, hide=["valid_from", "valid_to", "target_count"], show=["signed_at"])
    assert "signed_at" in headers(page) and "valid_to" not in headers(page)
    rows = csv_rows(download(page, "csv"))
    assert rows[0] == [
        "Number",
        "Title",
        "Kind",
        "Party",
        "Status",
        "Underpinning warnings",
        "Signed at",
    ]
    assert [row[0] for row in rows[1:]] == mine[::-1]
    assert {row[2] for row in rows[1:]} == {"Service level agreement (SLA)"}  # not "sla"

    login(customer_user)
    page.goto("/slm/")
    assert sorted(cells(page, "number")) == mine  # only their own agreements
    page.click("[data-testid=list-columns-toggle]")
    offered = page.locator("[data-testid=list-columns] input[name=columns]").evaluate_all(
        "inputs => inputs.map(i => i.value)"
    )
    assert "party" not in offered and "underpinning_warnings" not in offered
    rows = csv_rows(download(page, "csv"))
    assert sorted(row[0] for row in rows[1:]) == mine
    assert "Party" not in rows[0] and "当事方" not in rows[0]
