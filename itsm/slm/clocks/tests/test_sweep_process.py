"""The sweeper as a real process against the test database, killed with SIGKILL mid-sweep
and restarted: every escalation step (timeline row, outbox message, escalation handler) of
every clock exists exactly once.

The kill lands mid-batch by construction, not by timing: the first sweeper process this test
starts registers an escalation handler that, in the second batch, writes a marker file and
waits — after that batch's level updates, timeline rows and outbox messages are written,
before they commit. The test kills it once the marker exists. Production code has no test
hook."""

from __future__ import annotations

import subprocess
import sys
from collections import Counter
from datetime import timedelta
from pathlib import Path

import pytest
from django.contrib.contenttypes.models import ContentType
from django.utils import timezone

from itsm.core.models import TimelineEntry
from itsm.core.outbox.models import OutboxMessage
from itsm.core.outbox.tests.test_worker_process import wait_for, worker_env
from itsm.core.testing.sizes import size
from itsm.slm.clocks.models import Clock, SlaTestTicket
from itsm.slm.clocks.tests.factories import make_all_day, open_test_ticket, signed_sla

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]

CLOCKS = size(dev=100, full=300)  # the kill comes in the second batch of 20
SWEEPER = """
import os, sys, time
import django
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "itsm.config.settings")
django.setup()
from django.utils import timezone
from itsm.slm.clocks.choices import ClockLevel
from itsm.slm.clocks.services import register_escalation_handler, sweep
from itsm.slm.clocks.models import SlaTestTicket

marker = sys.argv[1] if len(sys.argv) > 1 else ""
breaches = 0

def hold_second_batch(clocks, *, level, at):
    global breaches
    if marker and level == ClockLevel.BREACHED:
        breaches += 1
        if breaches == 2:  # written, not committed: wait for the kill
            open(marker, "w").write(str(len(clocks)))
            time.sleep(3600)

register_escalation_handler(SlaTestTicket, hold_second_batch)
while True:
    applied = sweep(now=timezone.now(), batch=BATCH)
    print("applied", applied, flush=True)
    if not applied:
        time.sleep(0.2)
"""
BATCH = 20


def _start(log: Path, marker: Path | None = None) -> subprocess.Popen:
    script = SWEEPER.replace("BATCH", str(BATCH))
    return subprocess.Popen(
        [sys.executable, "-c", script, *([str(marker)] if marker else [])],
        env=worker_env(),
        stdout=log.open("ab"),
        stderr=subprocess.STDOUT,
        cwd=Path(__file__).resolve().parents[4],
    )


def test_sigkill_mid_sweep_applies_each_step_exactly_once(tmp_path, customer_a, admin_user):
    # Given 300 running clocks whose warning and due times have passed, on one test ticket
    agreement = signed_sla(customer_a, calendar=make_all_day())
    ticket = open_test_ticket(agreement, opened_at=timezone.now() - timedelta(minutes=5))
    Clock.objects.filter(object_id=ticket.pk).delete()
    past = timezone.now() - timedelta(minutes=1)
    ticket_type = ContentType.objects.get_for_model(SlaTestTicket)
    Clock.objects.bulk_create(
        [
            Clock(
                content_type=ticket_type,
                object_id=ticket.pk,
                record_label=str(ticket),
                customer=customer_a,
                agreement=agreement,
                metric=f"m{n}",
                calendar=agreement.calendar,
                goal_seconds=60,
                started_at=past - timedelta(minutes=1),
                segment_started_at=past - timedelta(minutes=1),
                warn_at=past - timedelta(seconds=15),
                due_at=past,
                next_event_at=past - timedelta(seconds=15),
            )
            for n in range(CLOCKS)
        ]
    )
    log = tmp_path / "sweeper.log"
    # When a sweeper is killed with SIGKILL in the middle of its second batch (the first
    # committed), then a new one finishes the work
    marker = tmp_path / "in-second-batch"
    first = _start(log, marker)
    try:
        wait_for(marker.exists, timeout=60, what="the second batch", proc=first, log=log)
    finally:
        first.kill()
        first.wait()
    # the killed batch left nothing: only the first batch's clocks moved, each step once
    assert marker.read_text() == str(BATCH)
    assert Clock.objects.filter(level__gt=0).count() == BATCH
    assert set(Clock.objects.filter(level__gt=0).values_list("level", flat=True)) == {2}
    moved = TimelineEntry.objects.filter(verb__in=("sla_warning", "sla_breached", "escalated"))
    assert moved.count() == 3 * BATCH
    assert OutboxMessage.objects.filter(key__startswith="clock:").count() == 2 * BATCH
    second = _start(log)
    try:
        wait_for(
            lambda: Clock.objects.filter(level=2).count() == CLOCKS,
            timeout=90,
            what="all clocks breached",
            proc=second,
            log=log,
        )
    finally:
        second.kill()
        second.wait()
    # Then each clock has exactly one warning, one breach and one escalation row, and one
    # outbox message per level
    rows = Counter(
        (entry["data"]["clock"], entry["verb"])
        for entry in TimelineEntry.objects.filter(
            content_type=ticket_type,
            object_id=str(ticket.pk),
            verb__in=("sla_warning", "sla_breached", "escalated"),
        ).values("data", "verb")
    )
    ids = list(Clock.objects.values_list("pk", flat=True))
    expected = {
        (pk, verb): 1 for pk in ids for verb in ("sla_warning", "sla_breached", "escalated")
    }
    assert dict(rows) == expected
    keys = set(OutboxMessage.objects.filter(key__startswith="clock:").values_list("key", flat=True))
    assert keys == {
        f"clock:{pk}:level:{level}:admin:{admin_user.pk}" for pk in ids for level in (1, 2)
    }
    assert set(Clock.objects.values_list("level", "breached")) == {(2, True)}
    print(f"\nbreached before SIGKILL: {BATCH} of {CLOCKS}; the killed batch rolled back")
