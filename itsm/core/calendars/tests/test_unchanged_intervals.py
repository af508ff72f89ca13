"""Saving a calendar's weekly hours unchanged (the calendar form saved as it was) keeps them:
no new rules token, no recomputed deadlines, no timeline row (issue 8, item 1)."""

from __future__ import annotations

from datetime import time

import pytest

from itsm.core.calendars import services
from itsm.core.calendars.tests.conftest import ALL_DAY_7X24
from itsm.core.timeline import timeline_for


@pytest.fixture
def recomputed():
    calls = []

    def recompute(calendar, years):
        calls.append(years)

    services.register_deadline_recomputer(recompute)
    yield calls
    services.unregister_deadline_recomputer(recompute)


def test_same_intervals_change_nothing(all_day, admin_user, recomputed):
    token = all_day.rules_token
    ids = sorted(all_day.intervals.values_list("pk", flat=True))
    events = timeline_for(all_day).count()

    rows = services.set_weekly_intervals(
        all_day, intervals=list(reversed(ALL_DAY_7X24)), by=admin_user
    )

    all_day.refresh_from_db()
    assert all_day.rules_token == token
    assert sorted(row.pk for row in rows) == ids
    assert timeline_for(all_day).count() == events
    assert recomputed == []


def test_changed_intervals_are_replaced(all_day, admin_user):
    token = all_day.rules_token
    services.set_weekly_intervals(
        all_day, intervals=[{"weekday": 0, "start": time(9), "end": time(17)}], by=admin_user
    )
    all_day.refresh_from_db()
    assert all_day.rules_token != token
    assert list(all_day.intervals.values_list("weekday", "start", "end")) == [
        (0, time(9), time(17))
    ]
