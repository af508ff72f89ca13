"""The clock engine: start, pause, resume, stop, recalculation (GLPI #15605/#24481
regressions), the state machine, calendar edits and unconfirmed-year alerts."""

from __future__ import annotations

import pytest

from itsm.core.calendars import services as calendars
from itsm.core.errors import InvalidTransition, ValidationFailed
from itsm.core.models import TimelineEntry
from itsm.core.outbox.models import OutboxMessage
from itsm.slm.clocks import services
from itsm.slm.clocks.choices import CLOCK_MACHINE
from itsm.slm.clocks.models import Clock
from itsm.slm.clocks.tests.factories import at, start

H = 3600


pytestmark = pytest.mark.django_db


def test_start_computes_due_and_warning_over_the_lunch_break(record, cn_5x8):
    # Given a 4-hour resolution goal started Monday 2 March 2026 at 10:00
    clock = start(record, cn_5x8, when=at(2026, 3, 2, 10, 0))
    # Then 2 h before lunch + 2 h after: due 15:00; warning at 75 % = 3 h → 14:00
    assert clock.due_at == at(2026, 3, 2, 15, 0)
    assert clock.warn_at == at(2026, 3, 2, 14, 0)
    assert clock.next_event_at == clock.warn_at
    assert clock.state == "running" and clock.level == 0
    assert list(clock.segments.values_list("kind", "ended_at")) == [("running", None)]


def test_pause_and_resume_keep_elapsed_and_move_due(record, cn_5x8):
    clock = start(record, cn_5x8)  # Monday 09:00, 4 h → due 14:00
    assert clock.due_at == at(2026, 3, 2, 14, 0)
    # When paused at 10:30 (1.5 h elapsed) waiting for the customer, resumed next day 09:00
    services.pause_clock(clock, at=at(2026, 3, 2, 10, 30), reason="waiting for customer")
    clock.refresh_from_db()
    assert (clock.state, clock.elapsed_seconds, clock.due_at, clock.next_event_at) == (
        "paused",
        90 * 60,
        None,
        None,
    )
    services.resume_clock(clock, at=at(2026, 3, 3, 9, 0))
    clock.refresh_from_db()
    # Then 2.5 h remain from Tuesday 09:00: 3 h before lunch covers it → 11:30
    assert clock.due_at == at(2026, 3, 3, 11, 30)
    assert clock.warn_at == at(2026, 3, 3, 10, 30)  # 3 h − 1.5 h = 1.5 h after 09:00
    segments = list(clock.segments.values_list("kind", "business_seconds", "reason"))
    assert segments == [
        ("running", 90 * 60, ""),
        ("paused", 23400, "waiting for customer"),  # 10:30–12:00 + 13:00–18:00
        ("running", 0, ""),
    ]


def test_pause_needs_a_reason_and_state_checks(record, cn_5x8):
    clock = start(record, cn_5x8)
    with pytest.raises(ValidationFailed) as info:
        services.pause_clock(clock, at=at(2026, 3, 2, 10, 0), reason="  ")
    assert "reason" in info.value.fields
    with pytest.raises(InvalidTransition):
        services.resume_clock(clock, at=at(2026, 3, 2, 10, 0))
    with pytest.raises(ValidationFailed) as info:
        services.pause_clock(clock, at=at(2026, 3, 2, 8, 0), reason="x")
    assert "at" in info.value.fields
    with pytest.raises(ValidationFailed) as info:
        start(record, cn_5x8)  # the same metric twice
    assert "metric" in info.value.fields


def test_glpi_pause_then_priority_change_keeps_the_pause(record, cn_5x8):
    # Given a clock that ran 1 h, was paused 2 h (business), and resumed
    clock = start(record, cn_5x8, goal_minutes=480)
    services.pause_clock(clock, at=at(2026, 3, 2, 10, 0), reason="waiting for customer")
    services.resume_clock(clock, at=at(2026, 3, 2, 14, 0))  # 10–12 + 13–14 = 3 h paused
    # When the priority changes at 15:00 to a 4-hour goal
    services.recalculate_clock(clock, at=at(2026, 3, 2, 15, 0), goal_seconds=4 * H, priority="p1")
    clock.refresh_from_db()
    # Then elapsed is 1 h + 1 h (14–15); the pause is not counted; 2 h remain from 15:00
    assert clock.elapsed_seconds == 2 * H
    assert clock.due_at == at(2026, 3, 2, 17, 0)
    assert clock.warn_at == at(2026, 3, 2, 16, 0)
    assert clock.priority == "p1"
    # And the timeline of the record explains the recalculation
    entry = TimelineEntry.objects.get(verb="sla_recalculated")
    assert entry.data["before"]["goal_seconds"] == 8 * H
    assert entry.data["after"] == {
        "goal_seconds": 4 * H,
        "calendar": cn_5x8.pk,
        "priority": "p1",
        "elapsed_seconds": 2 * H,
    }


def test_glpi_priority_change_while_paused_stays_paused(record, cn_5x8):
    clock = start(record, cn_5x8, goal_minutes=480)
    services.pause_clock(clock, at=at(2026, 3, 2, 11, 0), reason="waiting for customer")
    services.recalculate_clock(clock, at=at(2026, 3, 2, 15, 0), goal_seconds=3 * H)
    clock.refresh_from_db()
    assert (clock.state, clock.elapsed_seconds, clock.due_at) == ("paused", 2 * H, None)
    services.resume_clock(clock, at=at(2026, 3, 2, 16, 0))
    clock.refresh_from_db()
    assert clock.due_at == at(2026, 3, 2, 17, 0)


def test_calendar_change_keeps_elapsed_measured_on_the_old_calendar(record, cn_5x8, all_day):
    # Given a 7×24 clock running from Saturday 7 March 2026 00:00 (8 h goal)
    clock = start(record, all_day, goal_minutes=480, when=at(2026, 3, 7, 0, 0))
    # When at 06:00 the calendar becomes China 5×8 (6 h elapsed on 7×24)
    services.recalculate_clock(clock, at=at(2026, 3, 7, 6, 0), calendar=cn_5x8)
    clock.refresh_from_db()
    # Then the 6 h stay; 2 h remain on 5×8 → Monday 11:00
    assert clock.elapsed_seconds == 6 * H
    assert clock.due_at == at(2026, 3, 9, 11, 0)
    assert list(clock.segments.values_list("business_seconds", flat=True)) == [6 * H, 0]


def test_new_goal_already_exceeded_breaches_on_next_sweep(record, cn_5x8):
    clock = start(record, cn_5x8, goal_minutes=480)
    change = at(2026, 3, 2, 13, 0)  # 3 h elapsed
    services.recalculate_clock(clock, at=change, goal_seconds=2 * H)
    clock.refresh_from_db()
    assert clock.next_event_at == change and clock.due_at == change
    assert services.sweep(now=at(2026, 3, 2, 13, 1)) == 2  # warning and breach
    clock.refresh_from_db()
    assert (clock.level, clock.breached, clock.breached_at) == (2, True, change)


def test_level_never_goes_down_on_a_larger_goal(record, cn_5x8):
    clock = start(record, cn_5x8, goal_minutes=60)
    services.sweep(now=at(2026, 3, 2, 10, 30))
    clock.refresh_from_db()
    assert (clock.level, clock.breached_at) == (2, at(2026, 3, 2, 10, 0))
    services.recalculate_clock(clock, at=at(2026, 3, 2, 11, 0), goal_seconds=8 * H)
    clock.refresh_from_db()
    assert (clock.level, clock.breached, clock.next_event_at) == (2, True, None)
    assert clock.due_at == at(2026, 3, 2, 18, 0)


def test_stop_after_due_is_breached_without_a_sweep(record, cn_5x8):
    clock = start(record, cn_5x8, goal_minutes=60)
    services.stop_clock(clock, at=at(2026, 3, 2, 10, 5))
    clock.refresh_from_db()
    assert (clock.state, clock.elapsed_seconds, clock.breached) == ("stopped", 65 * 60, True)
    assert clock.breached_at == at(2026, 3, 2, 10, 0)
    assert clock.next_event_at is None
    assert services.sweep(now=at(2026, 3, 3, 9, 0)) == 0


def test_stop_on_time_is_met(record, cn_5x8):
    clock = start(record, cn_5x8, goal_minutes=60)
    services.stop_clock(clock, at=at(2026, 3, 2, 10, 0))
    clock.refresh_from_db()
    assert (clock.elapsed_seconds, clock.breached, clock.level) == (3600, False, 0)
    with pytest.raises(InvalidTransition):
        services.stop_clock(clock, at=at(2026, 3, 2, 11, 0))


def test_holiday_entered_while_running_moves_due(record, cn_5x8):
    # Given a 16-hour goal started Monday 7 Dec 2026 09:00: due Tuesday 18:00
    clock = start(record, cn_5x8, goal_minutes=16 * 60, when=at(2026, 12, 7, 9, 0))
    assert clock.due_at == at(2026, 12, 8, 18, 0)
    # When an administrator enters Tuesday 8 December as a holiday
    calendars.add_day(cn_5x8, date=at(2026, 12, 8, 0, 0).date(), kind="holiday", by=None)
    clock.refresh_from_db()
    # Then the recomputer moved the due time to Wednesday 18:00, elapsed untouched
    assert clock.due_at == at(2026, 12, 9, 18, 0)
    assert clock.warn_at == at(2026, 12, 9, 14, 0)  # 12 h: Monday 8 h + 4 h of Wednesday
    assert clock.elapsed_seconds == 0


def test_the_clock_state_moves_only_along_its_machine(record, cn_5x8, monkeypatch):
    assert Clock.state_machine is CLOCK_MACHINE
    clock = start(record, cn_5x8)
    with pytest.raises(InvalidTransition) as info:
        services.resume_clock(clock, at=at(2026, 3, 2, 10, 0))  # running → running
    assert list(info.value.fields) == ["state"]
    services.stop_clock(clock, at=at(2026, 3, 2, 10, 0), cancel=True)
    clock.refresh_from_db()
    assert clock.state == "cancelled"
    for action in (
        lambda: services.pause_clock(clock, at=at(2026, 3, 2, 11, 0), reason="x"),
        lambda: services.stop_clock(clock, at=at(2026, 3, 2, 11, 0)),
        lambda: services.recalculate_clock(clock, at=at(2026, 3, 2, 11, 0), goal_seconds=H),
    ):
        with pytest.raises(InvalidTransition) as info:
            action()
        assert list(info.value.fields) == ["state"]
    # the engine asks the machine: without its "pause" transition a running clock cannot pause
    other = start(record, cn_5x8, metric="response")
    without_pause = tuple(t for t in CLOCK_MACHINE.transitions if t.name != "pause")
    monkeypatch.setattr(CLOCK_MACHINE, "transitions", without_pause)
    with pytest.raises(InvalidTransition):
        services.pause_clock(other, at=at(2026, 3, 2, 10, 0), reason="waiting")
    other.refresh_from_db()
    assert other.state == "running"


def test_a_deadline_in_an_unconfirmed_year_alerts_administrators_once(
    customer_a, cn_5x8, admin_user
):
    from itsm.core.calendars.services import alert_key
    from itsm.core.testing.sample.services import create_sample_ticket

    # Given two clocks on China 5×8 whose deadlines fall in 2027 (no holidays entered yet)
    first = start(
        create_sample_ticket(title="A", customer=customer_a), cn_5x8, when=at(2027, 3, 1, 9)
    )
    second = start(
        create_sample_ticket(title="B", customer=customer_a), cn_5x8, when=at(2027, 3, 2, 9)
    )
    services.pause_clock(first, at=at(2027, 3, 1, 10), reason="waiting")
    services.resume_clock(first, at=at(2027, 3, 1, 11))
    # Then both are flagged and the administrators were told once about the calendar's 2027
    assert first.unconfirmed_years == second.unconfirmed_years == [2027]
    keys = list(OutboxMessage.objects.values_list("key", flat=True))
    assert keys == [f"{alert_key(cn_5x8, 2027)}:admin:{admin_user.pk}"]
    # and a deadline in a confirmed year alerts nobody
    OutboxMessage.objects.all().delete()
    start(create_sample_ticket(title="C", customer=customer_a), cn_5x8, when=at(2026, 3, 2, 9))
    assert not OutboxMessage.objects.exists()
