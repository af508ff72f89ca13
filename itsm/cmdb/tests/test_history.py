"""History of CIs (R-CMDB-02): who, when and which change per version; a CI as of a date."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from itsm.cmdb import services
from itsm.cmdb.models import ConfigurationItem, Relation
from itsm.cmdb.selectors import ci_as_of
from itsm.cmdb.tests.factories import CIFactory
from itsm.core.choices import Role
from itsm.core.errors import NotFound
from itsm.core.testing.factories import UserFactory

pytestmark = pytest.mark.django_db


def at(month: int, day: int = 1) -> datetime:
    return datetime(2026, month, day, 9, 0, tzinfo=UTC)


def _date_last_version(model, pk, when):
    """Pretend the newest historical row of *pk* was written at *when* (time travel)."""
    record = model.history.filter(id=pk).order_by("-history_id").first()
    model.history.filter(history_id=record.history_id).update(history_date=when)


@pytest.fixture
def timeline(provider):
    """A VM created on 1 Jan, edited on 1 Feb (CHG-1) and 1 Mar (CHG-2) by two people; an
    application ran on it from 10 Feb to 20 Feb."""
    alice = UserFactory(username="alice", organisation=provider, roles=[Role.CONFIGURATION_MANAGER])
    bob = UserFactory(username="bob", organisation=provider, roles=[Role.CONFIGURATION_MANAGER])
    vm = CIFactory(
        name="vm-01",
        ci_class=services.get_class("virtual_machine"),
        attributes={"vcpu": 2, "memory_gb": 4},
        by=alice,
    )
    _date_last_version(ConfigurationItem, vm.pk, at(1))
    services.update_ci(
        vm, by=alice, version=1, change_reference="CHG-1", attributes={"vcpu": 4, "memory_gb": 8}
    )
    _date_last_version(ConfigurationItem, vm.pk, at(2))
    services.update_ci(vm, by=bob, version=2, change_reference="CHG-2", name="vm-01-new")
    _date_last_version(ConfigurationItem, vm.pk, at(3))
    app = CIFactory(name="billing", by=alice)
    _date_last_version(ConfigurationItem, app.pk, at(1))
    relation = services.create_relation(
        source=app, target=vm, type=services.get_relation_type("runs_on"), by=alice
    )
    _date_last_version(Relation, relation.pk, at(2, 10))
    relation_pk = relation.pk
    services.delete_relation(relation, by=bob, change_reference="CHG-3")
    _date_last_version(Relation, relation_pk, at(2, 20))
    return vm, app, alice, bob


def test_versions_keep_who_when_and_change(timeline):
    vm, _app, alice, bob = timeline
    rows = [
        (r.history_date, r.history_user, r.change_reference, r.name, r.attributes)
        for r in vm.history.order_by("history_date")
    ]
    assert rows == [
        (at(1), alice, "", "vm-01", {"vcpu": 2, "memory_gb": 4}),
        (at(2), alice, "CHG-1", "vm-01", {"vcpu": 4, "memory_gb": 8}),
        (at(3), bob, "CHG-2", "vm-01-new", {"vcpu": 4, "memory_gb": 8}),
    ]


def test_as_of_each_date(timeline):
    vm, app, alice, bob = timeline
    january = ci_as_of(vm, at(1, 15))
    assert (january.ci.name, january.version, january.changed_by) == ("vm-01", 1, alice)
    assert {r.key: r.value for r in january.attributes if r.value is not None} == {
        "vcpu": 2,
        "memory_gb": 4,
    }
    assert january.outgoing == [] and january.incoming == []

    mid_february = ci_as_of(vm, at(2, 15))
    assert (mid_february.ci.name, mid_february.change_reference) == ("vm-01", "CHG-1")
    assert [(r.other, r.direction, r.relation.type.code) for r in mid_february.incoming] == [
        (app, "in", "runs_on")
    ]
    assert [r.other for r in ci_as_of(app, at(2, 15)).outgoing] == [vm]

    march = ci_as_of(vm, at(3, 2))
    assert (march.ci.name, march.change_reference, march.changed_by) == ("vm-01-new", "CHG-2", bob)
    assert march.incoming == []
    assert ci_as_of(vm, at(2, 25)).incoming == []

    with pytest.raises(NotFound):
        ci_as_of(vm, datetime(2025, 12, 31, tzinfo=UTC))
