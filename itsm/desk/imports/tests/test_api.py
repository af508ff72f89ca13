"""API of historic ticket import: the shared endpoint tests, then upload → dry run → run."""

from __future__ import annotations

import pytest

from itsm.core.choices import Role
from itsm.core.testing.api import CreateDeleteAPIEndpointTests, client_for
from itsm.desk.imports import services
from itsm.desk.imports.models import TicketImport
from itsm.desk.models import Ticket

CSV = (
    "number,incident_state,opened_at,sys_updated_at,priority,assignment_group,made_sla\n"
    "INC1,New,1/3/2016 09:00,1/3/2016 09:00,3 - Moderate,Group 1,true\n"
    "INC1,Resolved,1/3/2016 09:00,2/3/2016 10:00,3 - Moderate,Group 1,true\n"
    "INC2,-100,1/3/2016 09:30,1/3/2016 09:30,2 - High,Group 2,false\n"
    "INC3,Active,3/3/2016 08:00,3/3/2016 08:00,1 - Critical,Group 2,false\n"
)


class TestTicketImportAPI(CreateDeleteAPIEndpointTests):
    model = TicketImport
    url_name = "api:deskimport-api:import"
    tenancy = "staff"
    required_fields = ("source", "customer")
    write_only_fields = ("content",)
    invalid_filters = ({"status": "bogus"},)

    def make_row(self, owner):
        return services.create_import(
            by=None, upload=CSV, file_name="x.csv", source="ServiceNow", customer=owner
        )

    def create_payload(self, env):
        return {
            "source": "ServiceNow",
            "customer": env.customer_a.code,
            "file_name": "export.csv",
            "content": CSV,
        }


@pytest.mark.django_db
def test_upload_dry_run_and_run_through_the_api(provider, customer_a):
    from itsm.core.testing.factories import UserFactory

    manager = UserFactory(username="imp-owner", roles=(Role.PROCESS_OWNER,))
    client = client_for(manager)
    base = "/api/desk/imports/imports/"

    created = client.post(
        base,
        {"source": "ServiceNow", "customer": customer_a.code, "file_name": "e.csv", "content": CSV},
        format="json",
    )
    assert created.status_code == 201, created.json()
    pk = created.json()["id"]
    assert created.json()["mapping"]["incident_state"] == "state"
    assert created.json()["state_map"]["-100"] == "bad"

    checked = client.post(f"{base}{pk}/dry-run/", format="json").json()
    assert checked["status"] == "checked"
    # the reason is written in the API request's language (the installation's: zh-Hans)
    [problem] = checked["problems"]
    assert (problem["line"], problem["number"]) == (4, "INC2")
    assert problem["reason"] in ("Unknown state “-100”.", "未知状态“-100”。")
    refused = client.post(f"{base}{pk}/run/", {}, format="json")
    assert refused.status_code == 400
    assert refused.json()["code"] == "validation"
    assert "skip_bad" in refused.json()["fields"]

    queued = client.post(f"{base}{pk}/run/", {"skip_bad": True}, format="json").json()
    assert queued["status"] == "queued"
    assert services.run_queued() == 1
    done = client.get(f"{base}{pk}/").json()
    assert (done["status"], done["created_count"], done["percent"]) == ("done", 2, 100)
    assert done["skipped"] == [{"number": "INC2", "line": 4}]
    assert set(Ticket.objects.values_list("number", flat=True)) == {"INC1", "INC3"}


@pytest.mark.django_db
def test_a_bad_mapping_answers_a_translated_error_naming_the_field(provider, customer_a):
    from itsm.core.testing.factories import UserFactory

    client = client_for(UserFactory(username="imp-owner2", roles=(Role.PROCESS_OWNER,)))
    base = "/api/desk/imports/imports/"
    pk = client.post(
        base,
        {"source": "S", "customer": customer_a.code, "file_name": "e.csv", "content": CSV},
        format="json",
    ).json()["id"]

    response = client.post(f"{base}{pk}/mapping/", {"mapping": {"number": "bogus"}}, format="json")

    assert response.status_code == 400
    assert response.json()["code"] == "validation"
    assert "“bogus”" in response.json()["fields"]["mapping"][0]  # the column's problem, named
    not_csv = client.post(
        base,
        {"source": "S", "customer": customer_a.code, "file_name": "e.txt", "content": CSV},
        format="json",
    )
    assert not_csv.status_code == 400
    assert "file" in not_csv.json()["fields"]


@pytest.mark.django_db
def test_remapping_the_state_column_reads_its_values_again(provider, customer_a):
    ticket_import = services.create_import(
        by=None, upload=CSV, file_name="x.csv", source="S", customer=customer_a
    )
    column_map = {**ticket_import.mapping, "incident_state": "", "priority": "state"}

    ticket_import = services.set_mapping(
        ticket_import,
        by=None,
        column_map=column_map,
        state_map={"-100": "resolved", "New": "new"},  # the old column's values: dropped
        priority_map={},
    )

    assert set(ticket_import.state_map) == {"3 - Moderate", "2 - High", "1 - Critical"}
    assert set(ticket_import.state_map.values()) == {"bad"}  # no state words: bad until mapped
    assert ticket_import.priority_map == {}
