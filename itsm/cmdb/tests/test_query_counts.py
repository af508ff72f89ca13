"""CMDB list pages and API lists make the same number of queries whatever the number of rows."""

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from itsm.cmdb import services
from itsm.cmdb.audit.services import create_audit
from itsm.cmdb.tests.factories import CIFactory, RelationFactory

pytestmark = pytest.mark.django_db


def _query_counts(admin_user, client_for, ci, audit_record) -> dict:
    page = Client()
    page.force_login(admin_user)
    api = client_for(admin_user)
    counts = {}
    for client, url in [
        (page, "/cmdb/"),
        (page, "/cmdb/audits/"),
        (page, f"/cmdb/audits/{audit_record.pk}/"),
        (page, "/cmdb/classes/"),
        (page, "/cmdb/relation-types/"),
        (page, f"/cmdb/cis/{ci.pk}/"),
        (api, "/api/cmdb/cis/"),
        (api, "/api/cmdb/relations/"),
        (api, "/api/cmdb/audits/"),
        (api, "/api/cmdb/differences/"),
        (api, f"/api/cmdb/audits/{audit_record.pk}/differences/"),
    ]:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200, url
        counts[url.replace(f"/{audit_record.pk}/", "/<audit>/") if "audits" in url else url] = len(
            queries.captured_queries
        )
    return counts


def test_list_pages_do_not_query_per_row(admin_user, client_for, customer_a):
    hub = CIFactory(customer=customer_a, identifier="hub")
    cis, audits = [hub], []

    def grow(count):
        for _i in range(count):
            ci = CIFactory(customer=customer_a, identifier=f"id-{len(cis)}")
            RelationFactory(source=ci, target=CIFactory(ci_class=services.get_class("server")))
            RelationFactory(source=ci, target=hub, type=services.get_relation_type("depends_on"))
            cis.append(ci)
            items = [
                {"identifier": c.identifier, "class": "application", "name": "renamed"} for c in cis
            ]
            items.append({"identifier": f"new-{len(cis)}", "class": "server", "name": "n"})
            audits.append(create_audit(title="scan", items=items, by=admin_user))

    grow(1)
    few = _query_counts(admin_user, client_for, hub, audits[0])
    grow(5)
    many = _query_counts(admin_user, client_for, hub, audits[-1])
    assert many == few
