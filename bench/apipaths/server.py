"""The ``itsm serve`` under test, HTTP clients of it, and the CPU meters of its processes and
their database backends."""

from __future__ import annotations

import http.client
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.parse
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import harness  # noqa: E402

# --- the server ----------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def server_env(args, db_url: str, root: Path) -> dict:
    env = dict(os.environ)
    env.pop("DJANGO_SETTINGS_MODULE", None)
    env.update(
        {
            "SECRET_KEY": "bench-only",
            "ITSM_ENV_FILE": "/dev/null",
            "DATABASE_URL": db_url,
            "ITSM_DATA_DIR": str(Path("/tmp") / f"{args.db}_data"),
            "ITSM_EMBEDDED_WORKER": "0",
            "ITSM_DEBUG": "0",
            "PYTHONPATH": str(root),
        }
    )
    return env


def itsm_file(env: dict, root: Path) -> str:
    """Where ``itsm`` imports from with the server's environment (must be *root*)."""
    return subprocess.run(
        [sys.executable, "-c", "import itsm; print(itsm.__file__)"],
        env=env,
        cwd=root,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()


class Server:
    """``itsm serve --workers N`` as a subprocess."""

    def __init__(self, args, env: dict, root: Path):
        self.port = free_port()
        self.log = Path("/tmp") / f"{args.db}_server.log"
        command = [
            sys.executable,
            "-c",
            "from itsm.__main__ import main; main()",
            "serve",
            "--host",
            "127.0.0.1",
            "--port",
            str(self.port),
            "--workers",
            str(args.workers),
        ]
        if getattr(args, "threads", None):
            command += ["--threads", str(args.threads)]
        with open(self.log, "wb") as log:
            self.process = subprocess.Popen(
                command, env=env, cwd=root, stdout=log, stderr=subprocess.STDOUT
            )
        deadline = time.monotonic() + 90
        while True:
            if self.process.poll() is not None:
                raise SystemExit(f"itsm serve exited: see {self.log}")
            try:
                conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=5)
                conn.request("GET", "/accounts/login/")
                status = conn.getresponse().status
                conn.close()
                if status == 200 and len(self.workers()) == args.workers:
                    break
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise SystemExit(f"itsm serve did not answer: see {self.log}")
            time.sleep(0.3)

    def workers(self) -> list[int]:
        pid = self.process.pid
        try:
            with open(f"/proc/{pid}/task/{pid}/children") as handle:
                return [int(child) for child in handle.read().split()]
        except OSError:
            return []

    def pids(self) -> list[int]:
        return [self.process.pid, *self.workers()]

    def stop(self) -> None:
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


# --- HTTP ----------------------------------------------------------------------------------------


class Client:
    """One keep-alive connection with fixed headers (a token or a session cookie)."""

    def __init__(self, port: int, headers: dict | None = None):
        self.port = port
        self.headers = dict(headers or {})
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)

    def request(self, method: str, path: str, body: bytes | None = None, headers=None):
        merged = {**self.headers, **(headers or {})}
        for attempt in range(2):
            try:
                self.conn.request(method, path, body=body, headers=merged)
                response = self.conn.getresponse()
                return response.status, response.read(), response
            except (http.client.RemoteDisconnected, ConnectionError, BrokenPipeError):
                # the server closed an idle keep-alive connection: open a new one
                self.conn.close()
                self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=120)
                if attempt:
                    raise
        raise AssertionError("unreachable")


def session_cookie(port: int, username: str, password: str) -> str:
    """Sign in through ``/accounts/login/`` (CSRF token from the form) like a browser."""
    client = Client(port)
    status, body, response = client.request("GET", "/accounts/login/")
    cookies = _cookies(response)
    token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', body).group(1).decode()
    form = urllib.parse.urlencode(
        {"csrfmiddlewaretoken": token, "username": username, "password": password}
    ).encode()
    status, body, response = client.request(
        "POST",
        "/accounts/login/",
        form,
        {
            "Content-Type": "application/x-www-form-urlencoded",
            "Cookie": "; ".join(f"{k}={v}" for k, v in cookies.items()),
            "Referer": f"http://127.0.0.1:{port}/accounts/login/",
        },
    )
    cookies.update(_cookies(response))
    if status != 302 or "sessionid" not in cookies:
        raise SystemExit(f"login of {username} failed: {status}")
    return "; ".join(f"{k}={v}" for k, v in cookies.items())


def _cookies(response) -> dict:
    found = {}
    for header in response.headers.get_all("Set-Cookie") or []:
        name, _sep, rest = header.partition("=")
        found[name.strip()] = rest.split(";", 1)[0]
    return found


# --- CPU of the server and its database backends -------------------------------------------------


def threads_cpu_ns(pids) -> int:
    """CPU of *pids* with all their threads, in nanoseconds. gunicorn's gthread workers serve
    requests in threads, and ``/proc/<pid>/schedstat`` (``harness.process_cpu_ns``) counts the
    main thread only; ``/proc/<pid>/task/*/schedstat`` counts each live thread."""
    total = 0
    for pid in pids:
        try:
            tasks = os.listdir(f"/proc/{pid}/task")
        except OSError:
            continue
        for task in tasks:
            try:
                with open(f"/proc/{pid}/task/{task}/schedstat") as handle:
                    total += int(handle.read().split()[0])
            except (OSError, ValueError, IndexError):
                pass
    return total


class Meter:
    """CPU of the server's processes and of its database backends between start and stop."""

    def __init__(self, server: Server, pg_url: str, db: str, exclude: set[int]):
        self.server, self.pg_url, self.db, self.exclude = server, pg_url, db, exclude

    def backends(self) -> dict[int, int]:
        pids = [
            pid
            for pid in harness.database_backend_pids(self.pg_url, self.db)
            if pid not in self.exclude
        ]
        return {pid: harness.process_cpu_ns([pid]) for pid in pids}

    def start(self) -> None:
        self.app0 = threads_cpu_ns(self.server.pids())
        self.db0 = self.backends()

    def stop(self) -> tuple[float, float]:
        """(application ms, database ms) since :meth:`start`."""
        app = threads_cpu_ns(self.server.pids()) - self.app0
        db = sum(cpu - self.db0.get(pid, 0) for pid, cpu in self.backends().items())
        return app / 1e6, db / 1e6


def stat_database(db_url: str, db: str) -> dict:
    import psycopg

    with psycopg.connect(db_url, autocommit=True) as conn:
        row = conn.execute(
            "SELECT xact_commit + xact_rollback, tup_inserted, tup_updated, tup_fetched "
            "FROM pg_stat_database WHERE datname = %s",
            [db],
        ).fetchone()
    return dict(zip(("transactions", "inserted", "updated", "fetched"), row, strict=True))
