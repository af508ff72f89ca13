"""The CMDB demo step: a realistic topology, idempotent."""

from __future__ import annotations

import pytest

from itsm.cmdb.demo import BUSINESS_SERVICES, load_cmdb
from itsm.cmdb.models import ConfigurationItem, Relation
from itsm.core.demo import _organisations, _people

pytestmark = pytest.mark.django_db


def test_demo_topology_is_idempotent():
    _organisations()
    _people()
    first = load_cmdb()
    cis = ConfigurationItem.objects.count()
    relations = Relation.objects.count()
    assert first == cis + relations
    assert 60 <= cis <= 120
    assert load_cmdb() == 0
    assert (ConfigurationItem.objects.count(), Relation.objects.count()) == (cis, relations)
    assert BUSINESS_SERVICES == [
        "bs-huaxin-bank-online-banking",
        "bs-huaxin-bank-core-accounting",
        "bs-huaxin-bank-mobile-banking",
        "bs-city-hospital-his",
        "bs-city-hospital-pacs",
        "bs-east-logistics-wms",
        "bs-east-logistics-tms",
    ]
    online = ConfigurationItem.objects.get(identifier="bs-huaxin-bank-online-banking")
    assert (online.customer.code, online.ci_class.code) == ("huaxin-bank", "business_service")
    hosts = ConfigurationItem.objects.filter(ci_class__code="server")
    assert {h.customer_id for h in hosts} == {None}
    assert {h.supplier.code for h in hosts} == {"dawn-hardware"}
    # business service → application → database → VM → host → storage/network
    chain = [
        ("bs-huaxin-bank-core-accounting", "uses", "hx-core-banking"),
        ("hx-core-banking", "uses", "hx-oracle-core"),
        ("hx-oracle-core", "runs_on", "hx-db-01"),
        ("hx-db-01", "runs_on", "esxi-02"),
        ("esxi-02", "connected_to", "san-01"),
        ("esxi-02", "connected_to", "core-sw-01"),
    ]
    for source, kind, target in chain:
        assert Relation.objects.filter(
            source__identifier=source, type__code=kind, target__identifier=target
        ).exists(), (source, kind, target)
