"""The clock engine: start, pause, resume, stop, recalculation (GLPI #15605/#24481
regressions), calendar edits, and the sweeper's exactly-once steps."""

from __future__ import annotations

import threading
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.db import connection

from itsm.core.calendars import services as calendars
from itsm.core.errors import InvalidTransition, ValidationFailed
from itsm.core.models import TimelineEntry
from itsm.core.outbox.models import OutboxMessage
from itsm.slm.clocks import services
from itsm.slm.clocks.models import Clock, ClockSegment

TZ = ZoneInfo("Asia/Shanghai")
H = 3600


def at(*args) -> datetime:
    return datetime(*args, tzinfo=TZ)


def start(record, calendar, *, goal_minutes=240, when=None, metric="resolution", **kw):
    return services.start_clock(
        record=record,
        metric=metric,
        calendar=calendar,
        goal_seconds=goal_minutes * 60,
        at=when or at(2026, 3, 2, 9, 0),  # Monday
        customer=record.customer,
        **kw,
    )


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


def test_sweep_warns_then_breaches_each_once(record, cn_5x8, admin_user):
    clock = start(record, cn_5x8)  # due 14:00, warning 12:00 → first instant is 12:00
    assert services.sweep(now=at(2026, 3, 2, 11, 59)) == 0
    assert services.sweep(now=at(2026, 3, 2, 12, 30)) == 1
    assert services.sweep(now=at(2026, 3, 2, 12, 31)) == 0
    clock.refresh_from_db()
    assert (clock.level, clock.warned_at, clock.next_event_at) == (
        1,
        at(2026, 3, 2, 12, 0),
        at(2026, 3, 2, 14, 0),
    )
    assert services.sweep(now=at(2026, 3, 2, 14, 0)) == 1
    assert services.sweep(now=at(2026, 3, 2, 15, 0)) == 0
    clock.refresh_from_db()
    assert (clock.level, clock.breached, clock.breached_at, clock.next_event_at) == (
        2,
        True,
        at(2026, 3, 2, 14, 0),
        None,
    )
    verbs = list(
        TimelineEntry.objects.filter(object_id=str(record.pk), verb__startswith="sla_")
        .order_by("at")
        .values_list("verb", "at")
    )
    assert verbs == [
        ("sla_warning", at(2026, 3, 2, 12, 0)),
        ("sla_breached", at(2026, 3, 2, 14, 0)),
    ]
    keys = sorted(
        OutboxMessage.objects.filter(key__startswith="clock:").values_list("key", flat=True)
    )
    assert keys == [
        f"clock:{clock.pk}:level:1:admin:{admin_user.pk}",
        f"clock:{clock.pk}:level:2:admin:{admin_user.pk}",
    ]


def test_sweep_writes_on_the_clock_when_the_record_is_gone(record, cn_5x8):
    clock = start(record, cn_5x8, goal_minutes=60)
    record.delete()
    assert services.sweep(now=at(2026, 3, 2, 12, 0)) == 2
    assert sorted(
        TimelineEntry.objects.filter(object_id=str(clock.pk), verb__startswith="sla_").values_list(
            "verb", flat=True
        )
    ) == ["sla_breached", "sla_warning"]


def test_sweep_skips_paused_and_stopped(record, cn_5x8):
    clock = start(record, cn_5x8, goal_minutes=60)
    services.pause_clock(clock, at=at(2026, 3, 2, 9, 30), reason="waiting")
    assert services.sweep(now=at(2026, 3, 5, 9, 0)) == 0


def test_escalation_handler_called_once_per_step(record, cn_5x8):
    from itsm.core.testing.sample.models import SampleTicket

    calls = []

    def handler(clocks, *, level, at):
        calls.append((sorted(c.pk for c in clocks), level))

    services.register_escalation_handler(SampleTicket, handler)
    try:
        clock = start(record, cn_5x8, goal_minutes=60)
        services.sweep(now=at(2026, 3, 2, 12, 0))
        services.sweep(now=at(2026, 3, 2, 13, 0))
    finally:
        services.unregister_escalation_handler(SampleTicket, handler)
    assert calls == [([clock.pk], 1), ([clock.pk], 2)]


def _many_due_clocks(customer, calendar, n):
    from itsm.core.testing.sample.services import create_sample_ticket

    for i in range(n):
        ticket = create_sample_ticket(title=f"T{i}", customer=customer)
        start(ticket, calendar, goal_minutes=60)


def test_two_sweeps_in_a_row_apply_each_level_once(customer_a, cn_5x8, admin_user):
    _many_due_clocks(customer_a, cn_5x8, 30)
    now = at(2026, 3, 2, 12, 0)
    assert services.sweep(now=now, batch=7) == 60
    assert services.sweep(now=now, batch=7) == 0
    assert TimelineEntry.objects.filter(verb="sla_warning").count() == 30
    assert TimelineEntry.objects.filter(verb="sla_breached").count() == 30
    assert OutboxMessage.objects.filter(key__startswith="clock:").count() == 60


@pytest.mark.django_db(transaction=True)
def test_concurrent_sweeps_apply_each_level_once(customer_a, cn_5x8, admin_user):
    # Two threads sweep the same due clocks (real concurrency on PostgreSQL; SQLite's
    # IMMEDIATE transactions serialise them)
    _many_due_clocks(customer_a, cn_5x8, 40)
    now = at(2026, 3, 2, 12, 0)
    results: list[int] = []
    errors: list[BaseException] = []
    barrier = threading.Barrier(2)

    def run():
        try:
            barrier.wait()
            results.append(services.sweep(now=now, batch=5))
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert sum(results) == 80
    assert TimelineEntry.objects.filter(verb="sla_warning").count() == 40
    assert TimelineEntry.objects.filter(verb="sla_breached").count() == 40
    assert set(Clock.objects.values_list("level", flat=True)) == {2}
    assert OutboxMessage.objects.filter(key__startswith="clock:").count() == 80
    assert ClockSegment.objects.count() == 40


def test_sweep_is_a_periodic_worker_job(record, cn_5x8):
    from itsm.core.outbox.jobs import discover

    job = discover()["clocks.sweep"]
    assert job.every.total_seconds() == 60
    start(record, cn_5x8, goal_minutes=60)
    from django.utils import translation

    from itsm.core.stored_text import shown

    with translation.override("en"):
        assert shown(job.fn(at(2026, 3, 2, 12, 0))) == "Escalations applied: 2"
