"""Data of the KPI tests: the crafted clocks of the SLA report tests (figures listed in
``itsm/slm/tests/test_reports.py``) and configuration audits closed in and around March 2026."""

from __future__ import annotations

import pytest
from django.utils import translation

from itsm.cmdb.models import ConfigurationAudit
from itsm.slm.tests.factories_reports import local, report_dataset


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def make_audit(number, *, status="closed", checked, matched, closed_at=None):
    # audits only feed the figure here: rows are created directly, as the report tests do
    return ConfigurationAudit.objects.create(
        number=number,
        title=f"Audit {number}",
        status=status,
        checked_count=checked,
        matched_count=matched,
        closed_at=closed_at,
    )


@pytest.fixture
def data(customer_a, customer_b):
    """March 2026 (local time): clocks — all customers 6 met of 11 measured, customer A 5 of 9,
    customer B 1 of 2; audits closed — 3 matching of 7 checked (an open audit and one closed in
    April do not count; one closed at 23:30 on 31 March local time does)."""
    d = report_dataset(customer_a, customer_b)
    d.audit1 = make_audit("CA-1", checked=5, matched=2, closed_at=local(2026, 3, 10, 10))
    d.audit2 = make_audit("CA-2", checked=2, matched=1, closed_at=local(2026, 3, 31, 23, 30))
    d.audit3 = make_audit("CA-3", checked=4, matched=4, closed_at=local(2026, 4, 1, 0, 30))
    d.audit4 = make_audit("CA-4", status="open", checked=9, matched=0)
    return d


@pytest.fixture
def en(admin_user):
    """*admin_user* reading English (users read Chinese unless they chose otherwise)."""
    admin_user.language = "en"
    admin_user.save(update_fields=["language"])
    return admin_user
