"""Historic import in a browser, in zh-Hans and English: upload an export, map it, run the
dry run (a bad row listed with its line), choose to skip the bad incident, confirm, watch
the progress to the end; the import log lists it."""

from __future__ import annotations

import pytest

from itsm.core.choices import Role
from itsm.core.testing.browser import pick
from itsm.core.testing.factories import UserFactory
from itsm.desk.imports import services
from itsm.desk.imports.tests.test_api import CSV
from itsm.desk.models import Ticket

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_upload_map_dry_run_and_import(page, login, customer_a, tmp_path, language):
    owner = UserFactory(username="desk-owner", roles=(Role.PROCESS_OWNER,), language=language)
    export = tmp_path / "servicenow.csv"
    export.write_text(CSV, encoding="utf-8")
    login(owner)

    page.goto("/desk/imports/")
    page.click("[data-testid=import-new]")
    page.set_input_files("input[name=file]", str(export))
    page.fill("input[name=source]", "ServiceNow")
    pick(page, "[data-field=customer]", "Customer", customer_a.code)
    page.click("[data-testid=import-upload]")

    # the mapping was guessed from the headers; the unknown state maps to "bad row"
    page.wait_for_selector("[data-testid=mapping-form]")
    assert page.input_value("select[name=col_1]") == "state"
    assert page.input_value("select[name=state_0]") == "bad"  # "-100" sorts first
    page.click("[data-testid=import-check]")

    report = page.locator("[data-testid=import-report]")
    report.wait_for()
    assert report.get_attribute("data-incidents") == "3"
    assert report.get_attribute("data-bad-rows") == "1"
    assert page.locator("[data-testid=bad-rows] tr[data-line='4']").count() == 1
    assert "-100" in page.inner_text("[data-testid=bad-rows]")
    assert not Ticket.objects.exists()

    page.check("[data-testid=skip-bad]")
    page.click("[data-testid=import-run]")
    page.click("[data-testid=confirm-submit]")  # imported history stays: asked first
    page.wait_for_selector("[data-testid=import-progress][data-status=queued]")

    assert services.run_queued() == 1  # what the worker's job does
    page.wait_for_selector("[data-testid=import-progress][data-status=done]")  # polled
    result = page.locator("[data-testid=import-result]")
    assert result.get_attribute("data-created") == "2"
    assert result.get_attribute("data-skipped") == "1"
    assert page.locator("[data-testid=import-skipped]").inner_text().count("INC2") == 1
    assert set(Ticket.objects.values_list("number", flat=True)) == {"INC1", "INC3"}

    page.goto("/desk/imports/")
    assert page.locator("[data-testid=import-table] tbody tr").count() == 1
    page.wait_for_selector("html[lang]")
    assert page.get_attribute("html", "lang").lower().startswith(language[:2])
