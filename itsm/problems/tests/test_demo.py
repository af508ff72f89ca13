"""The demo step: problems in each state, known errors (one published as an article), rules
and proposals from the demo incidents, made through the services; a second run adds nothing."""

from __future__ import annotations

import pytest
from django.test import override_settings

from itsm.core.demo import load_demo
from itsm.problems.models import DetectionRule, KnownError, Problem

pytestmark = [pytest.mark.slow, pytest.mark.django_db]  # loads the whole demo data


@override_settings(ITSM_DEMO_TICKETS=150)
def test_demo_makes_problems_in_each_state_once():
    load_demo()
    statuses = set(Problem.objects.values_list("status", flat=True))
    assert {"new", "investigating", "known_error", "resolved"} <= statuses
    assert KnownError.objects.count() == 2
    assert KnownError.objects.exclude(article_id=None).count() == 1
    assert DetectionRule.objects.count() == 3
    counts = (Problem.objects.count(), KnownError.objects.count())
    assert load_demo() == 0
    assert (Problem.objects.count(), KnownError.objects.count()) == counts
