"""An edit of a CI that changes nothing (its form saved as it was) writes nothing: no new
version and the change that authorised the last real modification stays on record
(issue 8, item 1)."""

from __future__ import annotations

import pytest

from itsm.cmdb import services
from itsm.core.choices import Role
from itsm.core.errors import Conflict
from itsm.core.testing.factories import UserFactory


@pytest.fixture
def manager(provider):
    return UserFactory(username="cm", organisation=provider, roles=[Role.CONFIGURATION_MANAGER])


@pytest.fixture
def host(manager, customer_a):
    return services.create_ci(
        name="Host 1",
        ci_class=services.get_class("server"),
        by=manager,
        customer=customer_a,
        attributes={"cpu_cores": "16"},
        change_reference="CHG-000001",
    )


def test_unchanged_edit_keeps_version_and_change_reference(host, manager, customer_a):
    services.update_ci(
        host,
        by=manager,
        version=1,
        change_reference="",
        name="Host 1",
        customer=customer_a,
        attributes={"cpu_cores": 16},
    )
    host.refresh_from_db()
    assert (host.version, host.change_reference, host.history.count()) == (1, "CHG-000001", 1)


def test_unchanged_edit_of_a_stale_form_conflicts(host, manager):
    services.update_ci(host, by=manager, version=1, change_reference="CHG-2", name="Host 2")
    with pytest.raises(Conflict) as excinfo:
        services.update_ci(host, by=manager, version=1, name="Host 2")
    assert list(excinfo.value.fields) == ["version"]
