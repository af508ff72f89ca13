"""Configuration audit against a discovery snapshot (R-CMDB-05): differences, decisions,
accuracy, snapshot validation."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.utils import timezone, translation

from itsm.cmdb import selectors, services
from itsm.cmdb.audit import services as audits
from itsm.cmdb.audit.snapshot import normalise
from itsm.cmdb.choices import AttributeType, AuditStatus, CIStatus, DifferenceKind
from itsm.cmdb.models import AuditDifference, ConfigurationAudit, ConfigurationItem
from itsm.core.choices import Role
from itsm.core.errors import InvalidTransition, ValidationFailed
from itsm.core.testing.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


@pytest.fixture
def manager(provider):
    return UserFactory(
        username="cfg-manager", organisation=provider, roles=[Role.CONFIGURATION_MANAGER]
    )


@pytest.fixture
def cmdb(manager):
    """Servers and a storage array in the CMDB; see ``SNAPSHOT`` for what discovery finds."""
    server = services.get_class("server")
    services.create_attribute(
        ci_class=server,
        key="virtualised",
        name_zh="虚拟化",
        name_en="Virtualised",
        type=AttributeType.BOOLEAN,
        by=manager,
    )

    def ci(name, identifier, cls="server", status=CIStatus.IN_USE, **attributes):
        return services.create_ci(
            name=name,
            ci_class=services.get_class(cls),
            identifier=identifier,
            attributes=attributes,
            status=status,
            by=manager,
        )

    return {
        "app": ci(
            "app-01",
            "SRV-001",
            cpu_cores=16,
            memory_gb=64,
            ip="10.0.0.1",
            os="CentOS 7",
            virtualised=True,
            warranty_until="2027-01-31",
        ),
        "db": ci("db-01", "SRV-002", cpu_cores=32),
        "web": ci("web-01", "", cpu_cores=8),
        "old": ci("old-01", "SRV-004", status=CIStatus.RETIRED),
        "lost": ci("lost-01", "SRV-005"),
        "san": ci("san-1", "STO-1", cls="storage", capacity_tb="2.5"),
        "vm": ci("vm-01", "VM-1", cls="virtual_machine"),  # class not in the snapshot
    }


SNAPSHOT = [
    {  # same as the CMDB once normalised: case, "16", 64.0, CIDR, "yes", 2027/01/31
        "identifier": "srv-001",
        "class": "server",
        "name": "APP-01",
        "attributes": {
            "cpu_cores": "16",
            "memory_gb": 64.0,
            "ip": "10.0.0.1/24",
            "os": "CentOS 7",
            "virtualised": "yes",
            "warranty_until": "2027/01/31",
        },
    },
    {"identifier": "SRV-002", "class": "server", "name": "db-02", "attributes": {"cpu_cores": 48}},
    {"identifier": "SN-WEB", "class": "server", "name": "Web-01", "attributes": {"cpu_cores": "8"}},
    {"identifier": "SRV-009", "class": "server", "name": "new-01", "attributes": {"cpu_cores": 4}},
    {
        "identifier": "STO-1",
        "class": "storage",
        "name": "san-1",
        "attributes": {"capacity_tb": "2.50"},
    },
]


def _diffs(audit):
    return {
        (d.kind, d.ci_id, d.identifier, d.attribute): (d.cmdb_value, d.discovered_value)
        for d in audit.differences.all()
    }


def test_differences_missing_unexpected_drifted(cmdb, manager):
    audit = audits.create_audit(title="Q1 discovery", by=manager, items=SNAPSHOT)

    assert audit.number.startswith("CFA-")
    assert audit.status == AuditStatus.OPEN
    assert audit.performed_by == manager
    assert _diffs(audit) == {
        (DifferenceKind.DRIFTED, cmdb["db"].pk, "SRV-002", "name"): ("db-01", "db-02"),
        (DifferenceKind.DRIFTED, cmdb["db"].pk, "SRV-002", "attributes.cpu_cores"): (32, 48),
        (DifferenceKind.DRIFTED, cmdb["web"].pk, "SN-WEB", "identifier"): ("", "SN-WEB"),
        (DifferenceKind.MISSING, cmdb["lost"].pk, "SRV-005", ""): (
            {"number": cmdb["lost"].number, "status": "in_use"},
            None,
        ),
        (DifferenceKind.UNEXPECTED, None, "SRV-009", ""): (
            None,
            {"name": "new-01", "attributes": {"cpu_cores": 4}},
        ),
    }
    # checked: 4 matched pairs (app, db, web, san) + 1 missing + 1 unexpected; exact: app, san
    assert (audit.checked_count, audit.matched_count) == (6, 2)
    assert audit.accuracy == pytest.approx(2 / 6)
    figures = audits.audit_figures(audit)
    assert figures.counts == {"missing": 1, "unexpected": 1, "drifted": 3}
    assert figures.pending == 5
    assert figures.accuracy_after == pytest.approx(2 / 6)


def test_scope_class_skips_other_classes(cmdb, manager):
    audit = audits.create_audit(
        title="Storage only", by=manager, items=SNAPSHOT, scope_class=services.get_class("storage")
    )
    assert (audit.checked_count, audit.matched_count) == (1, 1)
    assert audit.differences.count() == 0
    assert audit.status == AuditStatus.CLOSED  # nothing to decide
    assert audit.closed_at is not None


@pytest.mark.parametrize(
    ("attr_type", "left", "right"),
    [
        (AttributeType.INTEGER, "16", 16),
        (AttributeType.INTEGER, 16.0, "16"),
        (AttributeType.DECIMAL, "2.50", 2.5),
        (AttributeType.DECIMAL, "3", 3.0),
        (AttributeType.BOOLEAN, "yes", True),
        (AttributeType.BOOLEAN, "否", False),
        (AttributeType.IP_ADDRESS, "2001:DB8:0:0::1", "2001:db8::1"),
        (AttributeType.IP_ADDRESS, "10.0.0.1/24", "10.0.0.1"),
        (AttributeType.DATE, "2026/03/01", "2026-03-01"),
        (AttributeType.STRING, "  CentOS ", "CentOS"),
    ],
)
def test_normalisation_makes_equal(attr_type, left, right):
    assert normalise(attr_type, left) == normalise(attr_type, right)


@pytest.mark.parametrize(
    ("attr_type", "left", "right"),
    [
        (AttributeType.INTEGER, "16", 17),
        (AttributeType.DECIMAL, "2.51", 2.5),
        (AttributeType.BOOLEAN, "yes", False),
        (AttributeType.IP_ADDRESS, "10.0.0.1", "10.0.0.2"),
        (AttributeType.STRING, "CentOS", "centos"),
    ],
)
def test_normalisation_keeps_real_differences(attr_type, left, right):
    assert normalise(attr_type, left) != normalise(attr_type, right)


def test_accept_and_reject(cmdb, manager):
    audit = audits.create_audit(title="Q1", by=manager, items=SNAPSHOT)
    by_key = {(d.kind, d.ci_id, d.attribute): d for d in audit.differences.all()}
    db, web, lost = cmdb["db"], cmdb["web"], cmdb["lost"]
    db_version = db.version

    audits.decide_difference(
        by_key[(DifferenceKind.DRIFTED, db.pk, "attributes.cpu_cores")], accept=True, by=manager
    )
    audits.decide_difference(
        by_key[(DifferenceKind.DRIFTED, db.pk, "name")], accept=True, by=manager
    )
    db.refresh_from_db()
    assert db.attributes["cpu_cores"] == 48
    assert db.name == "db-02"
    assert db.version == db_version + 2
    latest = list(db.history.order_by("-history_date")[:2])
    assert [h.change_reference for h in latest] == [audit.number, audit.number]
    assert [h.history_user_id for h in latest] == [manager.pk, manager.pk]

    unexpected = audit.differences.get(kind=DifferenceKind.UNEXPECTED)
    audits.decide_difference(unexpected, accept=True, by=manager)
    unexpected.refresh_from_db()
    created = ConfigurationItem.objects.get(identifier="SRV-009")
    assert unexpected.ci == created
    assert (created.name, created.status, created.ci_class.code) == ("new-01", "in_use", "server")
    assert created.attributes == {"cpu_cores": 4}
    assert created.change_reference == audit.number

    audits.decide_difference(
        audit.differences.get(kind=DifferenceKind.MISSING), accept=True, by=manager
    )
    lost.refresh_from_db()
    assert lost.status == CIStatus.RETIRED
    assert lost.change_reference == audit.number

    identifier_diff = by_key[(DifferenceKind.DRIFTED, web.pk, "identifier")]
    audits.decide_difference(identifier_diff, accept=False, by=manager, note="Wrong serial")
    identifier_diff.refresh_from_db()
    web.refresh_from_db()
    assert web.identifier == ""
    assert identifier_diff.decision == "rejected"
    assert identifier_diff.decided_by == manager
    assert identifier_diff.decided_at is not None
    assert identifier_diff.note == "Wrong serial"

    audit.refresh_from_db()
    assert audit.status == AuditStatus.CLOSED  # the last pending difference was decided
    figures = audits.audit_figures(audit)
    # corrected: db (both accepted), lost (retired), the new server; web stays inaccurate
    assert (figures.corrected, figures.pending) == (3, 0)
    assert figures.accuracy == pytest.approx(2 / 6)
    assert figures.accuracy_after == pytest.approx(5 / 6)
    verbs = [e.verb for e in audit_timeline(audit)]
    assert verbs == ["created"] + ["difference_accepted"] * 4 + ["difference_rejected", "closed"]

    with pytest.raises(InvalidTransition):
        audits.decide_difference(identifier_diff, accept=True, by=manager)


def audit_timeline(audit):
    from itsm.core.timeline import timeline_for

    return list(timeline_for(audit).order_by("at", "id"))


def test_bulk_accept_is_all_or_nothing(cmdb, manager):
    services.create_ci(
        name="ghost",
        ci_class=services.get_class("hardware"),
        identifier="SRV-009",  # the unexpected server's identifier is taken by another CI
        status=CIStatus.RETIRED,
        by=manager,
    )
    audit = audits.create_audit(title="Q1", by=manager, items=SNAPSHOT)
    with pytest.raises(ValidationFailed) as caught:
        audits.decide_differences(audit, accept=True, by=manager)
    unexpected = audit.differences.get(kind=DifferenceKind.UNEXPECTED)
    assert list(caught.value.fields) == [f"differences.{unexpected.pk}"]
    assert audit.differences.filter(decision="pending").count() == 5
    cmdb["db"].refresh_from_db()
    assert cmdb["db"].attributes["cpu_cores"] == 32  # not applied

    others = audit.differences.exclude(pk=unexpected.pk).values_list("pk", flat=True)
    assert audits.decide_differences(audit, accept=True, by=manager, ids=list(others)) == 4
    cmdb["db"].refresh_from_db()
    assert cmdb["db"].attributes["cpu_cores"] == 48
    assert audits.decide_differences(audit, accept=False, by=manager, note="known") == 1
    audit.refresh_from_db()
    assert audit.status == AuditStatus.CLOSED


def test_close_needs_force_while_pending(cmdb, manager):
    audit = audits.create_audit(title="Q1", by=manager, items=SNAPSHOT)
    with pytest.raises(ValidationFailed) as caught:
        audits.close_audit(audit, by=manager)
    assert caught.value.code == "pending_differences"
    audits.close_audit(audit, by=manager, force=True, note="Rest next quarter")
    audit.refresh_from_db()
    assert audit.status == AuditStatus.CLOSED
    with pytest.raises(InvalidTransition):
        audits.decide_difference(audit.differences.first(), accept=True, by=manager)
    with pytest.raises(InvalidTransition):
        audits.close_audit(audit, by=manager, force=True)


def test_configuration_accuracy_kpi(cmdb, manager):
    assert selectors.configuration_accuracy() is None
    first = audits.create_audit(title="Q1", by=manager, items=SNAPSHOT)  # 2 of 6
    assert selectors.configuration_accuracy() is None  # still open
    audits.close_audit(first, by=manager, force=True)
    second = audits.create_audit(  # 1 of 1, closed at once
        title="Storage", by=manager, items=SNAPSHOT, scope_class=services.get_class("storage")
    )
    assert second.status == AuditStatus.CLOSED
    assert selectors.configuration_accuracy() == pytest.approx(3 / 7)
    later = timezone.now() + timedelta(days=1)
    assert selectors.configuration_accuracy(since=later) is None
    assert selectors.configuration_accuracy(until=later) == pytest.approx(3 / 7)


def test_invalid_snapshot_is_rejected_with_rows_and_nothing_stored(cmdb, manager):
    bad = [
        {"identifier": "A", "class": "server", "name": "ok"},
        {"identifier": "B", "class": "spaceship", "name": "x"},
        {"identifier": "C", "class": "server", "name": ""},
        {"identifier": "D", "class": "server", "name": "d", "attributes": {"cpu_cores": "many"}},
        {"identifier": "a", "class": "server", "name": "dup"},
        {"identifier": "E", "class": "server", "name": "e", "attributes": {"colour": "red"}},
        "not an object?",
    ]
    with pytest.raises(ValidationFailed) as caught:
        audits.create_audit(title="Bad", by=manager, items=bad)
    assert caught.value.fields == {"rows.7": ["Row 7: Not an object."]}

    with pytest.raises(ValidationFailed) as caught:
        audits.create_audit(title="Bad", by=manager, items=bad[:6])
    assert caught.value.fields == {
        "rows.2": ["Row 2: Unknown class “spaceship”."],
        "rows.3": ["Row 3: The name is missing."],
        "rows.4": ["Row 4: Attribute “cpu_cores”: Enter a whole number."],
        "rows.5": ["Row 5: The identifier “a” is already on row 1."],
        "rows.6": ["Row 6: The class “server” has no attribute “colour”."],
    }
    assert ConfigurationAudit.objects.count() == 0
    assert AuditDifference.objects.count() == 0


def test_csv_snapshot_and_file_errors(cmdb, manager):
    text = (
        "identifier,class,name,cpu_cores,ip\n"
        "SRV-001,server,app-01,16,10.0.0.1\n"
        "SRV-002,server,db-01,32,\n"
        "SRV-005,server,lost-01,,\n"
        "STO-1,storage,san-1,,\n"
    )
    audit = audits.create_audit(title="CSV", by=manager, file=text.encode(), filename="scan.csv")
    assert audit.source_name == "scan.csv"
    # 4 exact pairs + web-01 missing (no identifier, not in the file); old-01 is retired
    assert (audit.checked_count, audit.matched_count) == (5, 4)
    assert list(audit.differences.values_list("kind", "name")) == [("missing", "web-01")]
    assert audit.status == AuditStatus.OPEN

    bad = "identifier,class,name,cpu_cores\nX,server,x,abc\nY,,y,\n"
    with pytest.raises(ValidationFailed) as caught:
        audits.create_audit(title="CSV", by=manager, file=bad.encode(), filename="scan.csv")
    assert caught.value.fields == {
        "rows.2": ["Row 2: Attribute “cpu_cores”: Enter a whole number."],
        "rows.3": ["Row 3: The class is missing."],
    }
    with pytest.raises(ValidationFailed) as caught:
        audits.create_audit(title="JSON", by=manager, file=b"{not json", filename="scan.json")
    assert list(caught.value.fields) == ["file"]
    with pytest.raises(ValidationFailed) as caught:
        audits.create_audit(title="Exe", by=manager, file=b"MZ...", filename="scan.exe")
    assert list(caught.value.fields) == ["file"]
    assert ConfigurationAudit.objects.count() == 1


def test_json_items_object_file(cmdb, manager):
    content = json.dumps({"items": SNAPSHOT}).encode()
    audit = audits.create_audit(title="JSON", by=manager, file=content, filename="scan.json")
    assert (audit.checked_count, audit.matched_count) == (6, 2)
