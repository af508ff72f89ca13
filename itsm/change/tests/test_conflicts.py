"""Conflict detection (R-CHG-04): each kind with its reason, and the scheduling assistant."""

from __future__ import annotations

from datetime import time, timedelta

import pytest

from itsm.change import conflicts
from itsm.change.choices import ChangeStatus, ConflictKind, WindowKind
from itsm.change.models import Change
from itsm.change.services import changes, config
from itsm.change.tests.factories import at, ci, make_change, relate

pytestmark = pytest.mark.django_db


def _book(change, status=ChangeStatus.SCHEDULED):
    """Put *change* in a booked state (tests set it directly; services are tested elsewhere)."""
    Change.objects.filter(pk=change.pk).update(status=status)
    change.refresh_from_db()
    return change


def _kinds(change):
    found = conflicts.detect(conflicts.Subject.of(change))
    return [
        (c.kind, c.change_number or c.window_name or c.ci_number or c.agreement_number)
        for c in found
    ], found


@pytest.fixture
def graph():
    """app —runs_on→ vm ←runs_on— app2 —depends_on→ db3 (app2 is 2 hops from app, db3 3)."""
    app = ci("app")
    vm = ci("vm", "virtual_machine")
    app2 = ci("app2")
    db3 = ci("db3")
    relate(app, vm, "runs_on")
    relate(app2, vm, "runs_on")
    relate(app2, db3, "depends_on")
    return {"app": app, "vm": vm, "app2": app2, "db3": db3}


def test_same_ci_overlapping_window(graph, requester):
    other = _book(make_change(requester, cis=[graph["app"]], start=at(10, 23)))
    mine = make_change(requester, cis=[graph["app"]], start=at(10, 22))
    kinds, found = _kinds(mine)
    assert kinds == [(ConflictKind.SAME_CI, other.number)]
    assert conflicts.reason(found[0].as_dict()).startswith(
        f"{other.number} is planned on {graph['app'].number} in an overlapping window"
    )


def test_touching_windows_do_not_conflict(graph, requester):
    _book(make_change(requester, cis=[graph["app"]], start=at(11, 0)))  # 00:00 → 02:00
    mine = make_change(requester, cis=[graph["app"]], start=at(10, 22))  # 22:00 → 00:00
    assert _kinds(mine)[0] == []


def test_drafts_and_closed_changes_do_not_book_the_window(graph, requester):
    make_change(requester, cis=[graph["app"]])  # a draft
    _book(make_change(requester, cis=[graph["app"]]), ChangeStatus.CANCELLED)
    mine = make_change(requester, cis=[graph["app"]])
    assert _kinds(mine)[0] == []


def test_connected_ci_two_hops_away_with_its_path(graph, requester):
    near = _book(make_change(requester, cis=[graph["vm"]]))
    far = _book(make_change(requester, cis=[graph["app2"]]))
    _book(make_change(requester, cis=[graph["db3"]]))  # 3 hops: beyond the default depth
    mine = make_change(requester, cis=[graph["app"]])
    kinds, found = _kinds(mine)
    assert kinds == [(ConflictKind.NEARBY_CI, near.number), (ConflictKind.NEARBY_CI, far.number)]
    app, vm, app2 = graph["app"].number, graph["vm"].number, graph["app2"].number
    assert (found[0].depth, found[0].path) == (1, [app, vm])
    assert (found[1].depth, found[1].path) == (2, [app, vm, app2])
    assert f"2 relation(s) away ({app} → {vm} → {app2})" in conflicts.reason(found[1].as_dict())
    deeper = conflicts.detect(conflicts.Subject.of(mine), depth=3)
    assert [c.depth for c in deeper] == [1, 2, 3]


def test_a_change_on_the_same_and_a_connected_ci_is_one_same_ci_conflict(graph, requester):
    other = _book(make_change(requester, cis=[graph["app"], graph["vm"]]))
    mine = make_change(requester, cis=[graph["app"]])
    assert _kinds(mine)[0] == [(ConflictKind.SAME_CI, other.number)]


def test_outside_the_ci_maintenance_window(graph, requester, manager):
    config.create_window(
        by=manager,
        kind=WindowKind.MAINTENANCE,
        name="Sunday nights",
        ci=graph["app"],
        weekdays=[6],
        start_time=time(1),
        end_time=time(5),
        time_zone="Asia/Shanghai",
    )
    # 2031-03-09 is a Sunday
    inside = make_change(requester, cis=[graph["app"]], start=at(9, 2))
    assert _kinds(inside)[0] == []
    outside = make_change(requester, cis=[graph["app"]], start=at(9, 4))  # ends 06:00
    kinds, found = _kinds(outside)
    assert kinds == [(ConflictKind.OUTSIDE_MAINTENANCE, graph["app"].number)]
    assert conflicts.reason(found[0].as_dict()) == (
        f"The window is outside the maintenance windows of {graph['app'].number}."
    )
    # another CI without windows of its own, and no global ones: unconstrained
    assert _kinds(make_change(requester, cis=[graph["db3"]], start=at(9, 4)))[0] == []


def test_weekly_window_past_midnight(graph, requester, manager):
    window = config.create_window(
        by=manager,
        kind=WindowKind.MAINTENANCE,
        name="Nightly",
        ci=graph["app"],
        weekdays=[0, 1, 2, 3, 4, 5, 6],
        start_time=time(22),
        end_time=time(4),
    )
    assert conflicts.covers(window, at(10, 23), at(11, 3))
    assert not conflicts.covers(window, at(10, 21), at(10, 23))


def test_blackout_on_the_ci_a_connected_ci_and_global(graph, requester, manager):
    mine = make_change(requester, cis=[graph["app"]])
    config.create_window(
        by=manager,
        kind=WindowKind.BLACKOUT,
        name="VM freeze",
        ci=graph["app2"],
        starts_at=at(10, 0),
        ends_at=at(12, 0),
    )
    config.create_window(
        by=manager,
        kind=WindowKind.BLACKOUT,
        name="Year-end freeze",
        starts_at=at(10, 23),
        ends_at=at(11, 1),
    )
    config.create_window(  # does not overlap
        by=manager, kind=WindowKind.BLACKOUT, name="Later", starts_at=at(20, 0), ends_at=at(21, 0)
    )
    config.create_window(  # a connected CI, but beyond depth 2
        by=manager,
        kind=WindowKind.BLACKOUT,
        name="DB freeze",
        ci=graph["db3"],
        starts_at=at(10, 0),
        ends_at=at(12, 0),
    )
    kinds, found = _kinds(mine)
    assert kinds == [
        (ConflictKind.BLACKOUT, "Year-end freeze"),
        (ConflictKind.BLACKOUT, "VM freeze"),
    ]
    assert conflicts.reason(found[0].as_dict()) == (
        "The blackout window “Year-end freeze” for everything (global) overlaps the window."
    )
    assert "on {}, 2 relation(s) away".format(graph["app2"].number) in conflicts.reason(
        found[1].as_dict()
    )


def test_implementer_already_scheduled(graph, requester, implementer):
    elsewhere = _book(make_change(requester, cis=[graph["db3"]], implementer=implementer))
    mine = make_change(requester, implementer=implementer)
    kinds, found = _kinds(mine)
    assert kinds == [(ConflictKind.IMPLEMENTER_BUSY, elsewhere.number)]
    assert conflicts.reason(found[0].as_dict()).startswith(
        f"The implementer is already scheduled for {elsewhere.number}"
    )


def test_sla_service_hours_without_an_agreed_interruption(requester, manager, customer_a):
    from itsm.catalog.tests.factories import service_hours
    from itsm.slm.services.agreements import create_agreement

    agreement = create_agreement(
        kind="sla", title="Gold", by=None, customer=customer_a, calendar=service_hours()
    )
    mine = make_change(requester, start=at(11, 10))  # a Tuesday, 10:00–12:00
    mine.impact = {"agreements": [{"id": agreement.pk}]}
    kinds, found = _kinds(mine)
    assert kinds == [(ConflictKind.SLA_SERVICE_HOURS, agreement.number)]
    # at night: outside the service hours
    night = conflicts.Subject.of(mine, start=at(11, 20), end=at(11, 22))
    assert conflicts.detect(night) == []
    # an interruption agreed in the SLA covers the window
    config.create_window(
        by=manager,
        kind=WindowKind.MAINTENANCE,
        name="Agreed",
        agreement=agreement,
        starts_at=at(11, 9),
        ends_at=at(11, 13),
    )
    assert _kinds(mine)[0] == []


def test_check_conflicts_stores_them_and_reschedule_checks_again(graph, requester):
    other = _book(make_change(requester, cis=[graph["vm"]]))
    mine = make_change(requester, cis=[graph["app"]])
    mine = changes.submit(mine, by=requester)
    assert [c["change_number"] for c in mine.conflicts] == [other.number]
    mine = changes.reschedule(mine, by=requester, planned_start=at(12, 22), planned_end=at(13, 0))
    mine.refresh_from_db()
    assert mine.conflicts == []
    assert mine.conflicts_checked_at is not None


def test_assistant_proposes_the_next_free_window(graph, requester, manager):
    _book(make_change(requester, cis=[graph["vm"]], start=at(10, 22), hours=3))  # → 01:00
    config.create_window(
        by=manager,
        kind=WindowKind.BLACKOUT,
        name="Freeze",
        starts_at=at(11, 1),
        ends_at=at(11, 2, 30),
    )
    mine = make_change(requester, cis=[graph["app"]], start=at(10, 22))
    proposal = conflicts.propose_window(
        conflicts.Subject.of(mine), duration=timedelta(hours=2), after=at(10, 21)
    )
    # 21:00 would overlap the booked change (22:00–01:00), then the freeze until 02:30
    assert proposal == (at(11, 2, 30), at(11, 4, 30))
    assert conflicts.detect(conflicts.Subject.of(mine, start=proposal[0], end=proposal[1])) == []


def test_assistant_keeps_inside_the_maintenance_window(graph, requester, manager):
    config.create_window(
        by=manager,
        kind=WindowKind.MAINTENANCE,
        name="Sunday nights",
        ci=graph["app"],
        weekdays=[6],
        start_time=time(1),
        end_time=time(5),
    )
    mine = make_change(requester, cis=[graph["app"]], start=at(10, 22))
    proposal = conflicts.propose_window(
        conflicts.Subject.of(mine), duration=timedelta(hours=2), after=at(10, 0)
    )
    assert proposal == (at(16, 1), at(16, 3))  # the next Sunday 01:00
