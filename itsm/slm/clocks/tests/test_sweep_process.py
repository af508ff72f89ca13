"""The sweeper as a real process against the test database, killed with SIGKILL mid-sweep
and restarted: every escalation step (timeline row, outbox message, escalation handler) of
every clock exists exactly once.

The window the kill aims at comes from the sweeper process this test starts: it registers an
escalation handler that lingers inside each batch's transaction, after the batch's updates,
timeline rows and outbox messages are written and before they commit. Production code has no
test hook."""

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

CLOCKS = size(dev=100, full=300)  # the kill comes after a fifth of them breached
SWEEPER = """
import os, time
import django
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "itsm.config.settings")
django.setup()
from django.utils import timezone
from itsm.slm.clocks.services import register_escalation_handler, sweep
from itsm.slm.clocks.testtickets import SlaTestTicket

def linger(clocks, *, level, at):  # mid-batch: written, not yet committed
    time.sleep(0.05)

register_escalation_handler(SlaTestTicket, linger)
while True:
    applied = sweep(now=timezone.now(), batch=20)
    print("applied", applied, flush=True)
    if not applied:
        time.sleep(0.2)
"""


def _start(log: Path) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-c", SWEEPER],
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
    # When a sweeper is killed with SIGKILL while sweeping (batches of 20, a pause inside each
    # batch's transaction), then a new one finishes the work
    first = _start(log)
    try:
        wait_for(
            lambda: Clock.objects.filter(level=2).count() >= CLOCKS // 5,
            timeout=60,
            what="first breaches",
            proc=first,
            log=log,
        )
    finally:
        first.kill()
        first.wait()
    at_kill = Clock.objects.filter(level=2).count()
    assert at_kill < CLOCKS, "killed too late to test anything"
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
    print(f"\nbreached before SIGKILL: {at_kill} of {CLOCKS}")
