"""Fixtures of the outbox tests: a fake DNS, and a real local HTTP receiver."""

from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from itsm.core.outbox import targets

#: host name → addresses the fake resolver answers
FAKE_DNS = {
    "hooks.example.com": ["93.184.216.34"],
    "internal.example.com": ["10.1.2.3"],
    "metadata.example.com": ["169.254.169.254"],
    "mixed.example.com": ["93.184.216.34", "127.0.0.1"],
    "v6loop.example.com": ["::1"],
    "mapped.example.com": ["::ffff:127.0.0.1"],
    "oapi.dingtalk.com": ["203.119.169.1"],
    "qyapi.weixin.qq.com": ["109.244.194.1"],
    "open.feishu.cn": ["220.181.1.1"],
    "hooks.slack.com": ["54.1.2.3"],
    "localhost": ["127.0.0.1"],
    "127.1": ["127.0.0.1"],
}


@pytest.fixture(autouse=True)
def fake_dns(monkeypatch):
    """No network in unit tests: host names resolve through a copy of ``FAKE_DNS``."""
    table = {host: list(addresses) for host, addresses in FAKE_DNS.items()}

    def resolve(host, port):
        if host not in table:
            raise targets.UnresolvableTarget(f"The host {host} cannot be resolved.")
        return list(table[host])

    monkeypatch.setattr(targets, "resolve", resolve)
    return table


class Receiver:
    """A threaded HTTP server that records every POST and applies each key once."""

    def __init__(self, *, delay: float = 0.0, status: int = 200):
        self.delay = delay
        self.status = status
        self.lock = threading.Lock()
        self.requests: list[dict] = []  # every request, duplicates included
        self.applied: dict[str, int] = {}  # key → times applied (dedupe on the key)
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length)
                key = self.headers.get("Idempotency-Key")
                with receiver.lock:
                    receiver.requests.append(
                        {
                            "key": key,
                            "body": json.loads(body or b"null"),
                            "headers": dict(self.headers),
                        }
                    )
                    if key not in receiver.applied:
                        receiver.applied[key] = 0
                    if receiver.applied[key] == 0:
                        receiver.applied[key] = 1  # applied once; repeats are ignored
                if receiver.delay:
                    time.sleep(receiver.delay)
                self.send_response(receiver.status)
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"ok")

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/hook"

    @property
    def keys(self) -> list[str]:
        with self.lock:
            return [r["key"] for r in self.requests]

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver():
    with Receiver() as r:
        yield r
