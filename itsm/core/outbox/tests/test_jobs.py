from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone, translation

from itsm.core.outbox import jobs
from itsm.core.outbox.choices import MessageStatus
from itsm.core.outbox.models import Job, OutboxMessage, WorkerLease
from itsm.core.outbox.services import enqueue
from itsm.core.stored_text import shown

pytestmark = pytest.mark.django_db


@pytest.fixture
def registry(monkeypatch):
    """An empty job registry for the test; returns the calls made. The apps' ``tasks``
    modules are imported first: imported while the registry is swapped (by a ``discover()``
    during the test, from any thread), their jobs would register into the test's registry and
    be missing from the real one for the rest of the session."""
    jobs.discover()
    monkeypatch.setattr(jobs, "registry", {})
    calls: list[tuple[str, object]] = []

    @jobs.periodic("test.tick", every=timedelta(minutes=5))
    def tick(now):
        calls.append(("tick", now))
        return "ticked"

    @jobs.periodic("test.broken", every=timedelta(minutes=5))
    def broken(now):
        calls.append(("broken", now))
        raise ValueError("boom")

    return calls


def test_leader_lock_has_one_holder_until_it_expires():
    now = timezone.now()
    ttl = timedelta(seconds=30)

    assert jobs.acquire_lease("L", "w1", ttl=ttl, now=now) is True
    assert jobs.acquire_lease("L", "w2", ttl=ttl, now=now + timedelta(seconds=10)) is False
    assert jobs.acquire_lease("L", "w1", ttl=ttl, now=now + timedelta(seconds=20)) is True
    # renewed at +20 s, so still held at +40 s
    assert jobs.acquire_lease("L", "w2", ttl=ttl, now=now + timedelta(seconds=40)) is False
    # w1 stopped renewing: after expiry w2 takes over, and w1 is now refused
    assert jobs.acquire_lease("L", "w2", ttl=ttl, now=now + timedelta(seconds=51)) is True
    assert jobs.acquire_lease("L", "w1", ttl=ttl, now=now + timedelta(seconds=52)) is False
    assert WorkerLease.objects.get(name="L").holder == "w2"


def test_release_hands_the_lock_over_at_once():
    jobs.acquire_lease("L", "w1")
    jobs.release_lease("L", "w1")

    assert jobs.acquire_lease("L", "w2") is True


def test_only_the_leader_runs_periodic_jobs_and_each_run_is_recorded(registry):
    first = jobs.run_once("w1")
    second = jobs.run_once("w2")

    assert (first.leader, second.leader) == (True, False)
    assert [name for name, _ in registry] == ["tick", "broken"]
    runs = {job.name: job for job in Job.objects.all()}
    assert set(runs) == {"test.tick", "test.broken"}
    assert (runs["test.tick"].status, runs["test.tick"].detail) == ("ok", "ticked")
    assert runs["test.broken"].status == "failed"
    assert "ValueError: boom" in runs["test.broken"].detail
    assert {job.worker for job in runs.values()} == {"w1"}
    assert all(job.finished_at is not None for job in runs.values())


def test_jobs_run_again_only_when_due(registry):
    jobs.run_once("w1")
    jobs.run_once("w1")
    assert len(registry) == 2  # not due yet

    Job.objects.update(started_at=timezone.now() - timedelta(minutes=6))
    jobs.run_once("w1")

    assert len(registry) == 4
    assert Job.objects.filter(name="test.tick").count() == 2


def test_expired_leader_is_replaced(registry):
    jobs.run_once("w1")
    WorkerLease.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    Job.objects.update(started_at=timezone.now() - timedelta(minutes=6))

    result = jobs.run_once("w2")

    assert result.leader is True
    assert Job.objects.filter(worker="w2").count() == 2


def test_delivery_passes_are_recorded(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    enqueue(key="m", channel="email", target="a@example.com", payload={})

    jobs.run_once("w1")
    jobs.run_once("w1")  # nothing to deliver: no row

    run = Job.objects.get(name=jobs.DELIVERY_JOB)
    assert (run.status, run.worker) == ("ok", "w1")
    with translation.override("en"):
        assert run.detail_text.startswith("Claimed 1, sent 1")
        assert run.label == "Outbox delivery"


def test_tasks_modules_are_discovered():
    registry = jobs.discover()

    assert {"outbox.purge", "outbox.dead-letter-alert"} <= set(registry)


def test_purge_deletes_old_sent_messages_and_job_rows(settings):
    from itsm.core.outbox.tasks import purge

    settings.ITSM_OUTBOX_RETENTION_DAYS = 30
    now = timezone.now()
    old = enqueue(key="old", channel="email", target="a@example.com", payload={})
    enqueue(key="recent", channel="email", target="a@example.com", payload={})
    enqueue(key="old-dead", channel="email", target="a@example.com", payload={})
    OutboxMessage.objects.filter(key__in=["old", "recent"]).update(status="sent", sent_at=now)
    OutboxMessage.objects.filter(pk=old.pk).update(sent_at=now - timedelta(days=31))
    OutboxMessage.objects.filter(key="old-dead").update(status="dead")
    Job.objects.create(name="x", started_at=now - timedelta(days=400), status="ok")

    detail = purge(now)

    with translation.override("en"):
        assert shown(detail) == "Deleted 1 sent message(s), 1 job run(s)"
    assert sorted(OutboxMessage.objects.values_list("key", flat=True)) == ["old-dead", "recent"]


def test_dead_letter_alert_notifies_administrators_once_per_new_dead_letter(admin_user):
    from itsm.core.outbox.tasks import dead_letter_alert

    with translation.override("en"):
        assert shown(dead_letter_alert(timezone.now())) == "No undelivered messages"
    enqueue(key="a", channel="email", target="x@example.com", payload={})
    OutboxMessage.objects.filter(key="a").update(status=MessageStatus.DEAD)

    first = dead_letter_alert(timezone.now())
    second = dead_letter_alert(timezone.now())

    with translation.override("en"):
        assert shown(first) == "1 undelivered message(s); alerted 1 administrator(s)"
        assert shown(second) == "1 undelivered message(s); alerted 0 administrator(s)"
    alert = OutboxMessage.objects.get(key__startswith="outbox.dead-letters")
    assert alert.target == "admin@example.com"
    assert "/outbox/messages/?status=dead" in alert.payload["body"]
    # the alert itself dying does not trigger another alert
    OutboxMessage.objects.filter(pk=alert.pk).update(status=MessageStatus.DEAD)
    with translation.override("en"):
        assert shown(dead_letter_alert(timezone.now())).endswith("alerted 0 administrator(s)")


def test_periodic_refuses_a_non_positive_interval():
    with pytest.raises(ValueError):
        jobs.periodic("x", every=timedelta(0))


def test_worker_once_command(registry, capsys):
    from django.core.management import call_command

    with translation.override("en"):
        call_command("worker", "--once", "--id", "cli")

    out = capsys.readouterr().out
    assert "Claimed 0" in out and "leader=True" in out
    assert Job.objects.filter(worker="cli").count() >= 2
