"""A real Prometheus Alertmanager for tests (Debian's ``prometheus-alertmanager``).

``alertmanager`` (fixture) is a function ``start(webhook_url, token, *, copies=2)`` that runs,
in a temporary directory, an Alertmanager on 127.0.0.1 on a free port (clustering off, its
own storage) whose one receiver posts every notification to *webhook_url* with
``Authorization: Bearer <token>`` — *copies* times, as an HA pair of Alertmanagers does, so
every delivery arrives duplicated. Grouping and repetition are short (``group_wait`` 1 s,
``group_interval`` 2 s, ``repeat_interval`` 3 s): within seconds a firing alert is delivered,
delivered again (the repeat) and its resolution delivered. The process stops at the end of the
test. Alerts go in through its HTTP API (``/api/v2/alerts``) with :meth:`Alertmanager.post`.

The binary is installed by ``scripts/ensure-alertmanager.sh``; the test is skipped only when
it is missing and ``ITSM_SKIP_ALERTMANAGER=1``.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import socket
import subprocess
import tempfile
import time
import urllib.request
from collections.abc import Callable, Iterator
from datetime import datetime
from pathlib import Path

import pytest

ALERTMANAGER = "/usr/bin/prometheus-alertmanager"
START_TIMEOUT_SECONDS = 20

CONFIG = """\
route:
  receiver: itsm
  group_by: ['alertname', 'instance']
  group_wait: 1s
  group_interval: 2s
  repeat_interval: 3s
receivers:
  - name: itsm
    webhook_configs:
{webhooks}
"""

WEBHOOK = """\
      - url: {url}
        send_resolved: true
        max_alerts: 0
        http_config:
          authorization:
            type: Bearer
            credentials: {token}
"""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _rfc3339(moment: datetime) -> str:
    return moment.isoformat().replace("+00:00", "Z")


class Alertmanager:
    """One running Alertmanager (see the module's docstring)."""

    def __init__(self, webhook_url: str, token: str, *, copies: int = 2) -> None:
        self.root = Path(tempfile.mkdtemp(prefix="itsm-alertmanager-"))
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        webhooks = "".join(WEBHOOK.format(url=webhook_url, token=token) for _ in range(copies))
        (self.root / "alertmanager.yml").write_text(CONFIG.format(webhooks=webhooks))
        self.log = self.root / "alertmanager.log"
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        with self.log.open("wb") as log:
            self.process = subprocess.Popen(
                [
                    ALERTMANAGER,
                    f"--config.file={self.root / 'alertmanager.yml'}",
                    f"--storage.path={self.root / 'data'}",
                    f"--web.listen-address=127.0.0.1:{self.port}",
                    "--cluster.listen-address=",
                    "--log.level=debug",
                ],
                stdout=log,
                stderr=subprocess.STDOUT,
                cwd=self.root,
            )
        deadline = time.monotonic() + START_TIMEOUT_SECONDS
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                break
            with contextlib.suppress(OSError):
                with urllib.request.urlopen(f"{self.url}/-/ready", timeout=1) as answer:
                    if answer.status == 200:
                        return
            time.sleep(0.1)
        raise RuntimeError(f"Alertmanager did not start:\n{self.log_text()[-3000:]}")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)
        shutil.rmtree(self.root, ignore_errors=True)

    def log_text(self) -> str:
        return self.log.read_text(errors="replace") if self.log.exists() else "(no log)"

    def post(
        self,
        *,
        labels: dict[str, str],
        annotations: dict[str, str] | None = None,
        starts_at: datetime,
        ends_at: datetime | None = None,
    ) -> None:
        """Send one alert to ``/api/v2/alerts`` (an end in the past resolves it)."""
        alert: dict = {
            "labels": labels,
            "annotations": annotations or {},
            "startsAt": _rfc3339(starts_at),
            "generatorURL": "http://prometheus.test/graph",
        }
        if ends_at is not None:
            alert["endsAt"] = _rfc3339(ends_at)
        request = urllib.request.Request(
            f"{self.url}/api/v2/alerts",
            data=json.dumps([alert]).encode(),
            headers={"Content-Type": "application/json"},
            method="POST",
        )
        with urllib.request.urlopen(request, timeout=10) as answer:
            if answer.status != 200:
                raise RuntimeError(f"Alertmanager answered {answer.status}")

    def alerts(self) -> list[dict]:
        """The alerts Alertmanager holds (``GET /api/v2/alerts``)."""
        with urllib.request.urlopen(f"{self.url}/api/v2/alerts", timeout=10) as answer:
            return json.loads(answer.read())


def require_alertmanager() -> None:
    """Skip (``ITSM_SKIP_ALERTMANAGER=1`` and no binary) or fail (no binary) clearly."""
    if os.access(ALERTMANAGER, os.X_OK):
        return
    if os.environ.get("ITSM_SKIP_ALERTMANAGER") == "1":
        pytest.skip(
            f"{ALERTMANAGER} is missing and ITSM_SKIP_ALERTMANAGER=1: the real Alertmanager "
            "test is skipped"
        )
    pytest.fail(
        f"{ALERTMANAGER} is missing: run scripts/ensure-alertmanager.sh "
        "(or set ITSM_SKIP_ALERTMANAGER=1 to skip the real Alertmanager test)"
    )


@pytest.fixture
def alertmanager() -> Iterator[Callable[..., Alertmanager]]:
    """``start(webhook_url, token, *, copies=2)`` → a running :class:`Alertmanager`."""
    require_alertmanager()
    started: list[Alertmanager] = []

    def start(webhook_url: str, token: str, *, copies: int = 2) -> Alertmanager:
        manager = Alertmanager(webhook_url, token, copies=copies)
        started.append(manager)
        manager.start()
        return manager

    try:
        yield start
    finally:
        for manager in started:
            manager.stop()


def wait_for(condition: Callable[[], object], *, timeout: float = 40, what: str = "") -> object:
    """Poll *condition* until it is truthy (returned) or fail after *timeout* seconds."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what or condition}")
        time.sleep(0.2)
