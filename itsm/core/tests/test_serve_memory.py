"""``itsm serve``'s master does not hold the application (issue 10 item 6): it replaces itself
with a lean gunicorn-only interpreter, and the workers import Django after their fork."""

from __future__ import annotations

import urllib.request

import pytest

from itsm.core.outbox.tests.test_worker_process import _free_port, start, stop, wait_for

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]


def _rss_kb(pid: int) -> int:
    with open(f"/proc/{pid}/status") as handle:
        for line in handle:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    raise AssertionError("no VmRSS")


def _children(pid: int) -> list[int]:
    with open(f"/proc/{pid}/task/{pid}/children") as handle:
        return [int(child) for child in handle.read().split()]


def test_the_master_is_lean_and_the_worker_loads_the_application(tmp_path):
    port = _free_port()
    log = tmp_path / "serve.log"
    proc = start(["serve", "--port", str(port), "--workers", "1"], log, ITSM_EMBEDDED_WORKER="0")
    try:

        def login_page_ok():
            try:
                url = f"http://127.0.0.1:{port}/accounts/login/"
                with urllib.request.urlopen(url, timeout=2) as response:
                    return response.status == 200
            except OSError:
                return False

        wait_for(login_page_ok, timeout=60, what="the login page", proc=proc, log=log)
        with open(f"/proc/{proc.pid}/cmdline", "rb") as handle:
            command = handle.read().replace(b"\0", b" ").decode()
        assert "run_master" in command  # same pid, now the lean interpreter
        (worker,) = _children(proc.pid)
        # the worker has Django and every app loaded; the master only gunicorn
        assert _rss_kb(proc.pid) * 2 < _rss_kb(worker)
    finally:
        returncode = stop(proc)
    assert returncode == 0


_CHECK_EXTRAS = """
import json, sys
from itsm.core.management.commands.serve import import_drf_without_extras
import_drf_without_extras()
import django
django.setup()
from rest_framework import compat
from rest_framework.utils.formatting import markup_description
import markdown, requests
print(json.dumps({
    "compat": [compat.markdown is None, compat.pygments is None, compat.requests is None],
    "importable_after": [markdown.__name__, requests.__name__],
    "description": str(markup_description("*Tickets*\\nof <b>all</b> kinds")),
}))
"""


@pytest.mark.django_db(transaction=False)
def test_the_workers_import_drf_without_its_unused_extras():
    """``itsm serve``'s workers keep markdown, pygments and requests out of DRF's start-up
    (7 MB a worker); the browsable API then shows a view's docstring as escaped plain text,
    and the packages stay importable for code that needs them (apprise)."""
    import json
    import subprocess
    import sys

    from itsm.core.outbox.tests.test_worker_process import worker_env

    out = subprocess.run(
        [sys.executable, "-c", _CHECK_EXTRAS],
        env=worker_env(DJANGO_SETTINGS_MODULE="itsm.config.settings"),
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    ).stdout
    result = json.loads(out.strip().splitlines()[-1])
    assert result["compat"] == [True, True, True]
    assert result["importable_after"] == ["markdown", "requests"]
    assert result["description"] == "<p>*Tickets*<br />of &lt;b&gt;all&lt;/b&gt; kinds</p>"
