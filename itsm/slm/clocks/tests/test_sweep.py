"""The sweep: each warning and breach applied exactly once (sequential and concurrent sweeps,
records gone, paused clocks, escalation handlers), and the e-mails in each reader's language."""

from __future__ import annotations

import threading

import pytest
from django.db import connection

from itsm.core.models import TimelineEntry, User
from itsm.core.outbox.models import OutboxMessage
from itsm.slm.clocks import services
from itsm.slm.clocks.models import Clock, ClockSegment
from itsm.slm.clocks.tests.factories import at, start

H = 3600


pytestmark = pytest.mark.django_db


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


def test_each_administrator_reads_the_warning_in_their_language(record, cn_5x8):
    from itsm.core.choices import Role
    from itsm.core.testing.factories import UserFactory

    UserFactory(username="admin-zh", roles=[Role.ADMINISTRATOR], language="zh-hans")
    english = UserFactory(username="admin-en", roles=[Role.ADMINISTRATOR], language="en")
    User.objects.filter(pk=english.pk).update(time_zone="UTC")
    clock = start(record, cn_5x8)  # warning at 12:00, due at 14:00
    assert services.sweep(now=at(2026, 3, 2, 12, 30)) == 1
    mail = {m.target: m.payload for m in OutboxMessage.objects.filter(key__startswith="clock:")}
    label = clock.record_label
    assert mail["admin-en@example.com"]["subject"] == f"SLA warning: {label} Resolution time"
    assert mail["admin-zh@example.com"]["subject"] == f"SLA 预警：{label} 解决时间"
    assert "reached its warning level" in mail["admin-en@example.com"]["body"]
    assert "reached its warning level" not in mail["admin-zh@example.com"]["body"]
    assert "解决时间" in mail["admin-zh@example.com"]["body"]
    # the due time (2 March 2026 14:00 in Shanghai) in each reader's time zone
    assert "06:00" in mail["admin-en@example.com"]["body"]
    assert "14:00" in mail["admin-zh@example.com"]["body"]
