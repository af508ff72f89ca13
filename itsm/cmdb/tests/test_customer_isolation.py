"""A customer user of the CMDB sees nothing of another customer's configuration items nor of
shared infrastructure they do not use — through the API and the pages — and is refused
provider-only pages and actions."""

import pytest
from django.test import Client

from itsm.cmdb import services
from itsm.cmdb.tests.factories import CIFactory, RelationFactory

pytestmark = pytest.mark.django_db


def test_customer_sees_nothing_foreign(customer_user, customer_a, customer_b, client_for):
    mine = CIFactory(customer=customer_a, name="MINE")
    foreign = CIFactory(customer=customer_b, name="FOREIGNCI")
    shared = CIFactory(ci_class=services.get_class("virtual_machine"), name="SHAREDVM")
    RelationFactory(source=mine, target=shared)
    r2 = RelationFactory(source=foreign, target=shared)
    r3 = RelationFactory(source=foreign, target=mine, type=services.get_relation_type("depends_on"))
    api = client_for(customer_user)
    out = {}
    for url in [
        "/api/cmdb/cis/",
        f"/api/cmdb/cis/{foreign.pk}/",
        f"/api/cmdb/cis/{shared.pk}/",
        f"/api/cmdb/cis/{foreign.pk}/as-of/?at=2030-01-01",
        f"/api/cmdb/cis/{mine.pk}/as-of/?at=2030-01-01",
        f"/api/cmdb/cis/{foreign.pk}/impact/",
        f"/api/cmdb/cis/{mine.pk}/impact/",
        f"/api/cmdb/cis/{mine.pk}/impact/?direction=dependencies",
        f"/cmdb/cis/{mine.pk}/impact/?direction=dependencies",
        f"/api/cmdb/cis/{shared.pk}/impact/",
        "/api/cmdb/relations/",
        f"/api/cmdb/relations/{r2.pk}/",
        f"/api/cmdb/relations/{r3.pk}/",
        f"/api/cmdb/relations/?target={mine.pk}",
        "/api/cmdb/audits/",
        "/api/cmdb/classes/",
        "/api/cmdb/relation-types/",
        "/api/cmdb/attributes/",
    ]:
        r = api.get(url)
        out[url] = (r.status_code, r.content.decode()[:3000])
    r = api.post("/api/cmdb/import/", {})
    out["import"] = (r.status_code, r.content.decode()[:300])
    r = api.post(
        f"/api/cmdb/cis/{mine.pk}/transition/", {"to": "retired", "version": 1}, format="json"
    )
    out["trans"] = (r.status_code, r.content.decode()[:300])
    c = Client()
    c.force_login(customer_user)
    for url in [
        "/cmdb/",
        f"/cmdb/cis/{foreign.pk}/",
        f"/cmdb/cis/{shared.pk}/",
        f"/cmdb/cis/{mine.pk}/",
        f"/cmdb/cis/{foreign.pk}/as-of/?at=2030-01-01",
        f"/cmdb/cis/{mine.pk}/as-of/?at=2030-01-01",
        f"/cmdb/cis/{foreign.pk}/impact/",
        f"/cmdb/cis/{mine.pk}/impact/",
        f"/cmdb/cis/{foreign.pk}/edit/",
        "/cmdb/audits/",
        "/cmdb/import/",
        "/cmdb/classes/",
        "/cmdb/relation-types/",
        "/cmdb/audits/new/",
        "/cmdb/cis/new/",
    ]:
        r = c.get(url)
        out["H" + url] = (r.status_code, r.content.decode())
    for k, (_code, body) in out.items():
        leak = [n for n in ("FOREIGNCI", "SHAREDVM", foreign.number, shared.number) if n in body]
        assert leak == [], k
    assert out["/api/cmdb/cis/"][0] == 200 and out["H/cmdb/"][0] == 200
    foreign = [
        f"/api/cmdb/cis/{foreign.pk}/",
        f"/api/cmdb/cis/{shared.pk}/",
        f"/api/cmdb/cis/{foreign.pk}/as-of/?at=2030-01-01",
        f"/api/cmdb/cis/{foreign.pk}/impact/",
        f"/api/cmdb/cis/{shared.pk}/impact/",
        f"/api/cmdb/relations/{r2.pk}/",
        f"/api/cmdb/relations/{r3.pk}/",
        f"H/cmdb/cis/{foreign.pk}/",
        f"H/cmdb/cis/{shared.pk}/",
        f"H/cmdb/cis/{foreign.pk}/as-of/?at=2030-01-01",
        f"H/cmdb/cis/{foreign.pk}/impact/",
        f"H/cmdb/cis/{foreign.pk}/edit/",
    ]
    assert {k: out[k][0] for k in foreign} == {k: 404 for k in foreign}
    staff_only = [
        "/api/cmdb/audits/",
        "import",
        "trans",
        "H/cmdb/audits/",
        "H/cmdb/import/",
        "H/cmdb/classes/",
        "H/cmdb/relation-types/",
        "H/cmdb/audits/new/",
        "H/cmdb/cis/new/",
    ]
    assert {k: out[k][0] for k in staff_only} == {k: 403 for k in staff_only}
