"""The demo step: items in several states, one raised from a review meeting's action, another
action left to raise; a second run adds nothing."""

from __future__ import annotations

import pytest
from django.test import override_settings

from itsm.core.demo import load_demo
from itsm.improvement.models import Item

pytestmark = [pytest.mark.slow, pytest.mark.django_db]  # loads the whole demo data


@override_settings(ITSM_DEMO_TICKETS=150)
def test_demo_makes_items_once():
    load_demo()
    statuses = dict(Item.objects.values_list("source", "status"))
    assert statuses == {
        "review_action": "planned",
        "audit": "closed",
        "complaint": "implementing",
        "kpi_miss": "proposed",
    }
    closed = Item.objects.get(source="audit")
    assert closed.verified_at is not None
    if closed.kpi_id:  # the demo's tickets gave the resolution rate of both months
        assert closed.before_value is not None and closed.after_value is not None
    assert Item.objects.get(source="review_action").review_action_id is not None
    count = Item.objects.count()
    load_demo()
    assert Item.objects.count() == count
