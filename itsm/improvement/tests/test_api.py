"""Improvement register API: the shared endpoint tests, and the journey through the actions
(transition with four eyes, measure, effect) with tenancy."""

from __future__ import annotations

import pytest

from itsm.core.choices import Role
from itsm.core.testing.api import APIEndpointTests, assert_error, client_for
from itsm.core.testing.factories import UserFactory
from itsm.improvement.models import Item
from itsm.improvement.tests.factories import make_item

pytestmark = pytest.mark.django_db

ITEM_URL = "api:improvement-api:item"


def _staff(username, *roles):
    from itsm.core.models import User
    from itsm.core.testing.factories import get_provider

    return User.objects.filter(username=username).first() or UserFactory(
        username=username, organisation=get_provider(), roles=roles
    )


class TestItemAPI(APIEndpointTests):
    model = Item
    url_name = ITEM_URL
    tenancy = "customer"
    required_fields = ("source", "title")
    writer_roles = (Role.PROCESS_OWNER,)
    limited_roles = (Role.ENGINEER_L2,)
    invalid_filters = ({"status": "bogus"}, {"source": "rumour"}, {"due_after": "soon"})

    def make_row(self, owner):
        return make_item(_staff("imp-api-owner", Role.PROCESS_OWNER), customer=owner)

    def create_payload(self, env):
        return {
            "source": "complaint",
            "source_key": "CMP-000042",
            "title": "Night calls wait too long",
            "goal": "95 % answered within 20 s",
            "customer": env.customer_a.pk,
            "kpi_id": "improvement_on_time",
        }

    def update_payload(self, env, row):
        return {"title": "Night calls wait far too long", "plan": "Add a night shift."}


def test_the_lifecycle_through_the_api_with_four_eyes(customer_a, customer_user):
    owner = _staff("imp-api-po", Role.PROCESS_OWNER)
    approver = _staff("imp-api-qm", Role.QUALITY_MANAGER)
    item = make_item(owner, customer=customer_a)
    url = f"/api/improvement/items/{item.pk}/"
    client = client_for(owner)
    body = client.post(url + "transition/", {"to": "planned", "version": 1}, format="json")
    assert body.status_code == 200, body.content
    assert body.json()["status"] == "planned"
    # the owner may not approve their own item
    refused = client.post(url + "transition/", {"to": "approved", "version": 2}, format="json")
    assert_error(refused, 403, "permission_denied")
    approved = client_for(approver).post(
        url + "transition/", {"to": "approved", "version": 2, "note": "ok"}, format="json"
    )
    assert approved.status_code == 200, approved.content
    assert approved.json()["approved_by"] == approver.pk
    client.post(url + "transition/", {"to": "implementing", "version": 3}, format="json")
    missing = client.post(url + "transition/", {"to": "verifying", "version": 4}, format="json")
    assert_error(missing, 400, "validation", fields=("implementation_notes",))
    verifying = client.post(
        url + "transition/",
        {"to": "verifying", "version": 4, "implementation_notes": "Shift added."},
        format="json",
    )
    assert verifying.json()["status"] == "verifying"
    # measuring needs a KPI: a 400 naming it
    assert_error(
        client.post(url + "measure/", {}, format="json"), 400, "validation", fields=("kpi_id",)
    )
    empty = client.post(url + "effect/", {"effect_note": ""}, format="json")
    assert_error(empty, 400, "validation", fields=("effect_note",))
    effect = client.post(url + "effect/", {"effect_note": "Waits halved."}, format="json")
    assert effect.status_code == 200, effect.content
    closed = client.post(
        url + "transition/", {"to": "closed", "version": effect.json()["version"]}, format="json"
    )
    assert closed.json()["status"] == "closed"
    # the customer sees the item, without the internal fields
    seen = client_for(customer_user).get(url).json()
    assert seen["status"] == "closed"
    assert "internal_notes" not in seen and "source_key" not in seen
