"""Historic import of the real ServiceNow event log sample and the BPIC 2013 log (R-DEP-04)."""

from __future__ import annotations

import csv
import io
from collections import Counter

import pytest
from django.contrib.contenttypes.models import ContentType

from itsm.core.errors import ValidationFailed
from itsm.core.models import TimelineEntry
from itsm.desk.choices import TicketStatus
from itsm.desk.imports import services
from itsm.desk.imports.choices import ImportShape, ImportStatus
from itsm.desk.imports.tests.conftest import with_bad_states
from itsm.desk.models import ImportedFacts, Ticket
from itsm.slm.clocks.selectors import all_clocks

pytestmark = pytest.mark.django_db


def _import(data, by, customer, *, name="incidents.csv", source="ServiceNow", skip_bad=False):
    ticket_import = services.create_import(
        by=by, upload=data, file_name=name, source=source, customer=customer
    )
    ticket_import = services.dry_run(ticket_import, by=by)
    if ticket_import.problems and not skip_bad:
        return ticket_import
    ticket_import = services.queue_import(ticket_import, by=by, skip_bad=skip_bad)
    return services.run_import(ticket_import)


def _final_snapshots(data: bytes) -> dict[str, dict]:
    """The last row (highest sys_mod_count) of each incident, read independently."""
    final: dict[str, dict] = {}
    for row in csv.DictReader(io.StringIO(data.decode("utf-8-sig"))):
        known = final.get(row["number"])
        if known is None or int(row["sys_mod_count"]) >= int(known["sys_mod_count"]):
            final[row["number"]] = row
    return final


def test_the_sample_gives_its_incidents_with_rebuilt_timelines(
    sample_bytes, admin_user, customer_a
):
    done = _import(sample_bytes, admin_user, customer_a)

    final = _final_snapshots(sample_bytes)
    assert done.status == ImportStatus.DONE
    assert done.shape == ImportShape.EVENTS
    assert (done.total_rows, done.incident_count, done.created_count) == (21453, 3000, 3000)
    assert Ticket.objects.filter(customer=customer_a).count() == 3000
    assert ImportedFacts.objects.filter(source="ServiceNow").count() == 3000
    ticket = Ticket.objects.get(number="INC0000045")
    assert (ticket.status, ticket.priority, ticket.impact, ticket.channel) == (
        TicketStatus.CLOSED,
        "p3",
        "2",
        "phone",
    )
    assert ticket.assignment_group.name == "Group 56"
    assert ticket.category.name == "Category 55"
    facts = ticket.imported_facts
    assert (facts.made_sla, facts.reassignment_count, facts.reopen_count) == (True, 0, 0)
    assert facts.caller == "Caller 2403"
    entries = TimelineEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(Ticket), object_id=str(ticket.pk)
    ).order_by("at", "id")
    assert [(e.verb, e.note) for e in entries] == [
        ("imported", "Opened in ServiceNow"),
        ("imported_state", "New → Resolved"),
        ("imported_state", "Resolved → Closed"),
    ]
    assert entries[1].data["by"] == "Updated by 642"
    # every final state and SLA verdict as the file's last snapshots say
    states = Counter(f.source_state for f in ImportedFacts.objects.all())
    assert states == Counter(row["incident_state"] for row in final.values())
    made = Counter(f.made_sla for f in ImportedFacts.objects.all())
    assert made[True] == sum(1 for row in final.values() if row["made_sla"] == "true")
    reassigned = sum(f.reassignment_count for f in ImportedFacts.objects.all())
    assert reassigned == sum(int(row["reassignment_count"]) for row in final.values())
    # history starts no clocks
    assert not all_clocks().exists()


def test_importing_twice_changes_nothing(sample_bytes, admin_user, customer_a):
    _import(sample_bytes, admin_user, customer_a)
    entries = TimelineEntry.objects.count()

    again = _import(sample_bytes, admin_user, customer_a)

    assert again.status == ImportStatus.DONE
    assert (again.created_count, again.unchanged_count) == (0, 3000)
    assert Ticket.objects.count() == 3000
    assert TimelineEntry.objects.count() == entries + 5  # only the second import's own rows


def test_the_dry_run_lists_every_bad_row_and_nothing_is_written(
    sample_bytes, admin_user, customer_a
):
    data = with_bad_states(sample_bytes, (3, 4, 30))  # INC0000045 rows 2 and 3, and another

    checked = _import(data, admin_user, customer_a)

    assert checked.status == ImportStatus.CHECKED
    assert [(p["line"], p["reason"]) for p in checked.problems] == [
        (3, "Unknown state “-100”."),
        (4, "Unknown state “-100”."),
        (30, "Unknown state “-100”."),
    ]
    assert not Ticket.objects.exists()
    with pytest.raises(ValidationFailed) as refused:
        services.queue_import(checked, by=admin_user)
    assert "skip_bad" in refused.value.fields


def test_bad_incidents_are_skipped_only_when_chosen_and_logged(
    sample_bytes, admin_user, customer_a
):
    data = with_bad_states(sample_bytes, (3, 30))
    bad = {row[0] for row in csv.reader(io.StringIO(data.decode("utf-8-sig"))) if row[1] == "-100"}

    done = _import(data, admin_user, customer_a, skip_bad=True)

    assert done.status == ImportStatus.DONE
    assert done.created_count == 3000 - len(bad) == 2998
    assert {s["number"] for s in done.skipped} == bad
    assert not Ticket.objects.filter(number__in=bad).exists()
    assert "2 bad incidents skipped, as chosen" in done.log_text


def test_the_bpic_2013_log_imports(bpic_bytes, admin_user, customer_a):
    done = _import(bpic_bytes, admin_user, customer_a, name="bpic.csv", source="Volvo IT")

    assert done.status == ImportStatus.DONE
    assert (done.total_rows, done.incident_count, done.created_count) == (65533, 7554, 7554)
    ticket = Ticket.objects.get(number="1-364285768")
    assert ticket.status == TicketStatus.CLOSED
    assert ticket.impact == "2"
    facts = ticket.imported_facts
    assert (facts.reassignment_count, facts.reopen_count) == (5, 1)
    verbs = Counter(
        TimelineEntry.objects.filter(
            object_id=str(ticket.pk), verb__startswith="imported"
        ).values_list("verb", flat=True)
    )
    assert verbs["imported_reopened"] == 1
    assert verbs["imported_reassigned"] == 5
