"""``change.selectors.suppression_at`` (issue 13, events): whether an alert on a CI or service
at a time is expected — inside a maintenance window (one-off or weekly) on it, or inside the
window of an approved (scheduled or implementing) change on it."""

from __future__ import annotations

from datetime import time, timedelta

import pytest
from django.utils import translation

from itsm.change import selectors
from itsm.change.choices import ChangeStatus, WindowKind
from itsm.change.models import Change
from itsm.change.services import config
from itsm.change.tests.factories import at, ci, make_change

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def _set_status(change, status, **fields):
    Change.objects.filter(pk=change.pk).update(status=status, **fields)  # a test fixture


def test_a_one_off_maintenance_window_on_the_ci():
    web = ci("web")
    config.create_window(
        by=None,
        kind=WindowKind.MAINTENANCE,
        name="Patch night",
        ci=web,
        starts_at=at(10, 22),
        ends_at=at(11, 2),
    )
    assert selectors.suppression_at(at=at(10, 23), ci=web) == "Maintenance window “Patch night”"
    assert selectors.suppression_at(at=at(11, 3), ci=web) == ""
    assert selectors.suppression_at(at=at(10, 23), ci=ci("other")) == ""


def test_a_weekly_maintenance_window_on_the_service_ci_pair():
    db = ci("db")
    # 2031-03-09 is a Sunday; weekly Sunday 01:00–05:00 Asia/Shanghai
    config.create_window(
        by=None,
        kind=WindowKind.MAINTENANCE,
        name="Sunday",
        ci=db,
        weekdays=[6],
        start_time=time(1, 0),
        end_time=time(5, 0),
    )
    assert selectors.suppression_at(at=at(9, 2), ci=db) == "Maintenance window “Sunday”"
    assert selectors.suppression_at(at=at(16, 4, 59), ci=db) == "Maintenance window “Sunday”"
    assert selectors.suppression_at(at=at(10, 2), ci=db) == ""


def test_a_blackout_or_inactive_window_suppresses_nothing():
    web = ci("web")
    for kind, active in ((WindowKind.BLACKOUT, True), (WindowKind.MAINTENANCE, False)):
        config.create_window(
            by=None,
            kind=kind,
            name=f"{kind} {active}",
            ci=web,
            starts_at=at(10, 22),
            ends_at=at(11, 2),
            is_active=active,
        )
    assert selectors.suppression_at(at=at(10, 23), ci=web) == ""


def test_a_scheduled_change_suppresses_inside_its_planned_window_only(engineer):
    web = ci("web")
    change = make_change(engineer, cis=[web], start=at(10, 22), hours=2, title="Upgrade")
    assert selectors.suppression_at(at=at(10, 23), ci=web) == ""  # a draft is not approved
    _set_status(change, ChangeStatus.SCHEDULED)
    expected = f"Approved change {change.number} “Upgrade”"
    assert selectors.suppression_at(at=at(10, 23), ci=web) == expected
    assert selectors.suppression_at(at=at(10, 21), ci=web) == ""
    assert selectors.suppression_at(at=at(11, 0), ci=web) == ""


def test_an_implementing_change_suppresses_from_its_start_while_it_overruns(engineer):
    web = ci("web")
    change = make_change(engineer, cis=[web], start=at(10, 22), hours=2, title="Upgrade")
    _set_status(change, ChangeStatus.IMPLEMENTING, actual_start=at(10, 21, 30))
    expected = f"Approved change {change.number} “Upgrade”"
    assert selectors.suppression_at(at=at(10, 21, 45), ci=web) == expected
    assert selectors.suppression_at(at=at(11, 1), ci=web) == expected  # overrunning
    assert selectors.suppression_at(at=at(10, 21), ci=web) == ""
    _set_status(change, ChangeStatus.REVIEW)
    assert selectors.suppression_at(at=at(10, 23), ci=web) == ""


def test_a_change_on_the_service_and_no_ci_or_service():
    assert selectors.suppression_at(at=at(10, 23)) == ""
    assert selectors.suppression_at(at=at(10, 23) + timedelta(days=1), ci=None, service=None) == ""


def test_the_candidates_are_the_cis_and_services_with_a_window_or_an_approved_change(engineer):
    web, db, other = ci("web"), ci("db"), ci("other")
    config.create_window(
        by=None,
        kind=WindowKind.MAINTENANCE,
        name="Patch",
        ci=web,
        starts_at=at(10, 22),
        ends_at=at(11, 2),
    )
    scheduled = make_change(engineer, cis=[db])
    make_change(engineer, cis=[other])  # a draft: no candidate
    _set_status(scheduled, ChangeStatus.SCHEDULED)
    cis, services = selectors.suppression_candidates()
    assert cis == {web.pk, db.pk}
    assert services == set()
