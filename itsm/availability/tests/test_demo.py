"""The demo step: outages of the demo's P1/P2 and major incidents and implemented changes, an
unplanned outage and a planned interruption entered by hand; a second run adds nothing. The
steps run up to this module's (the later modules' steps do not feed it)."""

from __future__ import annotations

import pytest
from django.db import transaction
from django.test import override_settings

from itsm.availability.demo import load_availability
from itsm.availability.models import Outage
from itsm.core.demo import DEMO_STEPS

pytestmark = [pytest.mark.slow, pytest.mark.django_db]  # loads the whole demo data


def _load_up_to_availability() -> None:
    for step in DEMO_STEPS[: DEMO_STEPS.index(load_availability) + 1]:
        with transaction.atomic():
            step()


@override_settings(ITSM_DEMO_TICKETS=150)
def test_demo_makes_outages_once():
    _load_up_to_availability()
    kinds = set(Outage.objects.values_list("kind", "source"))
    assert ("unplanned", "manual") in kinds and ("planned", "manual") in kinds
    assert Outage.objects.filter(source="incident").exists()
    count = Outage.objects.count()
    assert load_availability() == 0
    assert Outage.objects.count() == count
