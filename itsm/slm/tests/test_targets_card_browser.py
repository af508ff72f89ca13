"""The targets card of a signed agreement at 1440 px (issue 8, item 8): every Delete button is
visible (not clipped by the card), and the change-reference box beside it has a label that says
why it is needed."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from itsm.slm.services import agreements as agreement_services
from itsm.slm.tests.factories import make_signed_sla, slm_manager

pytestmark = pytest.mark.browser

MEASUREMENT = (
    "(agreed service time − downtime) / agreed service time, monthly, "
    "measured by the monitoring system at the customer's branch offices"
)


def test_delete_buttons_fit_and_reference_boxes_are_labelled(page, login, customer_a):
    manager = slm_manager(language="en")
    agreement = make_signed_sla(
        customer_a,
        by=manager,
        targets=[("response", "p1", 15), ("resolution", "p1", 240), ("resolution", "p2", 480)],
    )
    agreement_services.add_target(
        agreement=agreement,
        by=manager,
        change_reference="CHG-000042",
        metric="availability",
        target_value="99.95",
        measurement_method=MEASUREMENT,
    )
    page.set_viewport_size({"width": 1440, "height": 900})
    login(manager)

    page.goto(f"/slm/agreements/{agreement.pk}/")

    table = page.get_by_test_id("target-table")
    frame = table.locator("xpath=..").bounding_box()
    buttons = table.get_by_test_id("target-delete")
    expect(buttons).to_have_count(4)
    for button in buttons.all():
        box = button.bounding_box()
        assert box["x"] >= frame["x"] - 0.5
        assert box["x"] + box["width"] <= frame["x"] + frame["width"] + 0.5
    # nothing scrolls sideways inside the card
    assert table.locator("xpath=..").evaluate("e => e.scrollWidth <= e.clientWidth")

    references = table.locator("input[name=change_reference]")
    expect(references).to_have_count(4)
    for reference in references.all():
        expect(reference).to_have_accessible_name("Change authorising the deletion")
        expect(reference).to_have_accessible_description(
            "The agreement is signed: deleting a target needs the change record that "
            "authorises it (e.g. CHG-000042)."
        )
