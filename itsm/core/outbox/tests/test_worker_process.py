"""The worker as a real process against the test database: crash safety and `itsm serve`.

The key acceptance test: 200 webhook messages to a real local receiver, the worker killed
with SIGKILL in the middle of delivering and restarted; every message arrives, the receiver
(deduplicating on Idempotency-Key) applies each exactly once, and at most one message per
kill arrives twice.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from urllib.parse import quote

import pytest
from django.db import connection, transaction

from itsm.core.outbox.models import Job, OutboxMessage
from itsm.core.outbox.services import enqueue
from itsm.core.outbox.tests.conftest import Receiver
from itsm.core.testing.sizes import size

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]

MESSAGES = size(dev=80, full=200)  # the kill comes after a fifth of them arrived
PAIR_MESSAGES = size(dev=40, full=100)


def database_url() -> str:
    s = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{s['NAME']}"
    auth = quote(s["USER"] or "", safe="")
    if s.get("PASSWORD"):
        auth += ":" + quote(s["PASSWORD"], safe="")
    return f"postgres://{auth}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"


def worker_env(**extra) -> dict:
    env = dict(os.environ)
    env.update(
        {
            "DATABASE_URL": database_url(),
            "ITSM_ENV_FILE": os.devnull,
            "ITSM_WEBHOOK_ALLOWLIST": "127.0.0.1",
            "ITSM_OUTBOX_LEASE_SECONDS": "5",
            "ITSM_WORKER_TICK_SECONDS": "1",
            "ITSM_OUTBOX_BATCH_SIZE": "10",
            "ITSM_WORKER_LEADER_SECONDS": "5",
            "ITSM_LOG_LEVEL": "WARNING",
        }
    )
    env.update(extra)
    return env


def start(args: list[str], log: Path, **extra) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "itsm", *args],
        env=worker_env(**extra),
        stdout=log.open("ab"),
        stderr=subprocess.STDOUT,
        cwd=Path(__file__).resolve().parents[4],
    )


def wait_for(predicate, *, timeout: float, what: str, proc=None, log: Path | None = None):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        if proc is not None and proc.poll() is not None:
            output = log.read_text(errors="replace")[-3000:] if log else ""
            pytest.fail(f"process exited ({proc.returncode}) while waiting for {what}:\n{output}")
        time.sleep(0.05)
    output = log.read_text(errors="replace")[-3000:] if log else ""
    pytest.fail(f"timed out waiting for {what}\n{output}")


def stop(proc: subprocess.Popen) -> int:
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            return proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
            pytest.fail("process did not stop on SIGTERM")
    return proc.returncode


def test_sigkill_mid_delivery_loses_nothing_and_duplicates_at_most_one(tmp_path, settings):
    settings.ITSM_WEBHOOK_ALLOWLIST = ["127.0.0.1"]
    log = tmp_path / "worker.log"
    with Receiver(delay=0.02) as receiver:
        with transaction.atomic():
            keys = [f"sigkill-test:{n}" for n in range(MESSAGES)]
            for key in keys:
                enqueue(key=key, channel="webhook", target=receiver.url, payload={"key": key})

        first = start(["worker"], log)
        try:
            wait_for(
                lambda: len(receiver.keys) >= MESSAGES // 5,
                timeout=30,
                what="first arrivals",
                proc=first,
                log=log,
            )
        finally:
            first.kill()  # SIGKILL: no chance to mark the message in flight
            first.wait()
        arrived_at_kill = len(set(receiver.keys))
        assert arrived_at_kill < MESSAGES, "killed too late to test anything"

        second = start(["worker"], log)
        try:
            wait_for(
                lambda: OutboxMessage.objects.filter(status="sent").count() == MESSAGES,
                timeout=45,
                what="all messages sent",
                proc=second,
                log=log,
            )
        finally:
            returncode = stop(second)

        received = receiver.keys
        applied = dict(receiver.applied)

    duplicates = len(received) - len(set(received))
    print(
        f"\n[{connection.vendor}] arrived before SIGKILL: {arrived_at_kill}; "
        f"requests: {len(received)}; distinct: {len(set(received))}; "
        f"duplicates: {duplicates}"
    )
    assert returncode == 0
    assert set(received) == set(keys)
    assert applied == dict.fromkeys(keys, 1)
    assert duplicates <= 1  # one kill → at most the one message in flight
    assert set(OutboxMessage.objects.values_list("status", flat=True)) == {"sent"}
    assert Job.objects.filter(name="outbox.deliver", status="ok").exists()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_serve_runs_gunicorn_with_the_embedded_worker(tmp_path, settings):
    settings.ITSM_WEBHOOK_ALLOWLIST = ["127.0.0.1"]
    log = tmp_path / "serve.log"
    port = _free_port()
    with Receiver() as receiver:
        enqueue(key="serve-1", channel="webhook", target=receiver.url, payload={})
        proc = start(
            ["serve", "--port", str(port), "--workers", "3"], log, ITSM_EMBEDDED_WORKER="1"
        )
        try:
            wait_for(
                lambda: receiver.keys == ["serve-1"],
                timeout=60,
                what="the embedded worker's delivery",
                proc=proc,
                log=log,
            )

            def login_page_ok():
                try:
                    url = f"http://127.0.0.1:{port}/accounts/login/"
                    with urllib.request.urlopen(url, timeout=2) as response:
                        return response.status == 200
                except OSError:
                    return False

            wait_for(login_page_ok, timeout=60, what="the login page", proc=proc, log=log)
        finally:
            returncode = stop(proc)
    output = log.read_text()
    assert f"http://127.0.0.1:{port}/" in output
    if connection.vendor == "sqlite":
        assert "1 process(es)" in output
    assert returncode == 0


def test_two_serve_instances_on_one_host_do_not_collide(tmp_path):
    """gunicorn's control socket (``$XDG_RUNTIME_DIR`` or ``~/.gunicorn/gunicorn.ctl``) is one
    path per user: a second instance took it over from the first. ``itsm serve`` turns it
    off (nothing here uses ``gunicornc``), so both serve and neither creates it."""
    home = tmp_path / "home"
    home.mkdir()
    procs = []
    try:
        for n in range(2):
            port = _free_port()
            log = tmp_path / f"serve-{n}.log"
            proc = start(
                ["serve", "--port", str(port), "--workers", "1"],
                log,
                HOME=str(home),
                XDG_RUNTIME_DIR=str(home),
                ITSM_EMBEDDED_WORKER="0",
            )
            procs.append((proc, port, log))
        for proc, port, log in procs:

            def login_page_ok(port=port):
                try:
                    url = f"http://127.0.0.1:{port}/accounts/login/"
                    with urllib.request.urlopen(url, timeout=2) as response:
                        return response.status == 200
                except OSError:
                    return False

            wait_for(login_page_ok, timeout=60, what="the login page", proc=proc, log=log)
        assert [p.name for p in home.rglob("*.ctl")] == []
        assert all(proc.poll() is None for proc, _port, _log in procs)
    finally:
        returncodes = [stop(proc) for proc, _port, _log in procs]
    assert returncodes == [0, 0]


def test_two_workers_at_once_share_the_queue_without_duplicates(tmp_path, settings):
    settings.ITSM_WEBHOOK_ALLOWLIST = ["127.0.0.1"]
    log = tmp_path / "workers.log"
    count = PAIR_MESSAGES
    with Receiver(delay=0.01) as receiver:
        with transaction.atomic():
            for n in range(count):
                enqueue(key=f"pair:{n}", channel="webhook", target=receiver.url, payload={})
        # unbuffered: each worker's "running" line reaches the log at once
        procs = [start(["worker"], log, PYTHONUNBUFFERED="1") for _ in range(2)]
        try:
            wait_for(
                lambda: OutboxMessage.objects.filter(status="sent").count() == count,
                timeout=40,
                what="all messages sent",
                proc=procs[0],
                log=log,
            )
            # a worker stops cleanly on SIGTERM once it runs; on a loaded machine the second
            # could still be starting when the first had sent everything, and die of it (-15)
            wait_for(
                lambda: log.read_text(errors="replace").count(" running; stop with") == 2,
                timeout=40,
                what="both workers running",
                proc=procs[1],
                log=log,
            )
        finally:
            codes = [stop(p) for p in procs]
        received = receiver.keys
    workers = set(Job.objects.filter(name="outbox.deliver").values_list("worker", flat=True))
    print(
        f"\n[{connection.vendor}] two workers: {len(received)} requests, "
        f"{len(workers)} worker(s) delivered"
    )
    assert codes == [0, 0]
    assert sorted(received) == sorted(f"pair:{n}" for n in range(count))  # no duplicates
