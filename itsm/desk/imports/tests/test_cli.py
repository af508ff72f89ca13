"""``itsm import-tickets``: dry run listing bad rows, refusal without --skip-bad, the import."""

from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command

from itsm.desk.imports.models import TicketImport
from itsm.desk.imports.tests.conftest import first_lines, with_bad_states
from itsm.desk.models import ImportedFacts, Ticket

pytestmark = pytest.mark.django_db


def _call(*args) -> str:
    out = io.StringIO()
    call_command("import-tickets", *args, stdout=out)
    return out.getvalue()


def test_the_cli_checks_then_imports_skipping_only_when_told(
    sample_bytes, provider, customer_a, tmp_path
):
    path = tmp_path / "events.csv"
    path.write_bytes(with_bad_states(first_lines(sample_bytes, 201), (3,)))  # INC0000045 bad

    dry = _call(str(path), "--source", "ServiceNow", "--customer", "cust-a", "--dry-run")
    assert "200 rows" in dry
    assert "1 bad rows" in dry
    assert "line 3 INC0000045: Unknown state “-100”." in dry or "line 3 INC0000045:" in dry
    with pytest.raises(CommandError, match="--skip-bad"):
        _call(str(path), "--source", "ServiceNow", "--customer", "cust-a")
    assert not Ticket.objects.exists()

    out = _call(str(path), "--source", "ServiceNow", "--customer", "cust-a", "--skip-bad")

    assert "rows/s" in out
    done = TicketImport.objects.order_by("-id").first()
    assert done.status == "done"
    assert done.skipped == [{"number": "INC0000045", "line": 3}]
    assert Ticket.objects.count() == done.created_count == done.incident_count - 1
    assert not ImportedFacts.objects.filter(source_number="INC0000045").exists()
    again = _call(str(path), "--source", "ServiceNow", "--customer", "cust-a", "--skip-bad")
    assert (
        "0 tickets created" in again or TicketImport.objects.order_by("-id")[0].created_count == 0
    )


def test_the_cli_names_a_missing_customer(tmp_path, provider):
    path = tmp_path / "e.csv"
    path.write_text("number,state,opened_at\nINC1,New,1/1/2020\n")
    with pytest.raises(CommandError, match="nobody"):
        _call(str(path), "--source", "X", "--customer", "nobody")
