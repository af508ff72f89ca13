"""Real mail servers for tests: Debian's dovecot (IMAP) and an aiosmtpd SMTP server.

``mail_servers`` (session fixture) starts, in a temporary directory:

- **dovecot** with its own configuration (``passdb``/``userdb`` passwd-file, one per
  account; Maildir; plain IMAP on 127.0.0.1 on a free port, no SSL; ``log_path`` in the
  directory) as an unprivileged process — the current user, or Debian's ``dovecot`` system
  user when the tests run as root (dovecot's login processes refuse to run as root);
- an **SMTP server** (aiosmtpd) on 127.0.0.1 that delivers every message it receives into
  each recipient's dovecot INBOX by IMAP APPEND, adding ``Return-Path`` and ``Delivered-To``
  as a delivery agent does. Every recipient gets an account on first delivery (password
  :data:`PASSWORD`), so a test can read what the product sent to anyone.

Both stop at the end of the session. dovecot is installed by ``scripts/ensure-mail-servers.sh``;
with ``ITSM_SKIP_MAIL_SERVERS=1`` the tests that use the fixture are skipped. Tests sharing
the servers are marked ``@pytest.mark.xdist_group("mail")`` (``--dist loadgroup`` runs them
in one process) and use addresses of their own, or call :meth:`MailServers.clear`.
"""

from __future__ import annotations

import asyncio
import contextlib
import email
import email.policy
import imaplib
import os
import pwd
import re
import shutil
import smtplib
import socket
import subprocess
import tempfile
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

DOVECOT = "/usr/sbin/dovecot"
PASSWORD = "secret"
START_TIMEOUT_SECONDS = 20

CONFIG = """\
base_dir = {root}/run
state_dir = {root}/state
log_path = {root}/dovecot.log
info_log_path = {root}/dovecot.log
protocols = imap
listen = 127.0.0.1
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
# a refused login answers at once (dovecot waits 2 s by default, against guessing) …
auth_failure_delay = 0
default_internal_user = {user}
default_internal_group = {group}
default_login_user = {user}
first_valid_uid = {uid}
first_valid_gid = {gid}
mail_location = maildir:{root}/mail/%u
mail_fsync = never
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {root}/users/%u
}}
userdb {{
  driver = passwd-file
  args = username_format=%u {root}/users/%u
  default_fields = uid={uid} gid={gid} home={root}/mail/%u
}}
service imap-login {{
  chroot =
  inet_listener imap {{
    address = 127.0.0.1
    port = {port}
  }}
  inet_listener imaps {{
    port = 0
  }}
}}
service anvil {{
  chroot =
  # … and delays no later login from the same address (the auth penalty: 4 s after one)
  unix_listener anvil-auth-penalty {{
    mode = 0
  }}
}}
"""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_for_port(port: int, process: subprocess.Popen | None, log: Path) -> None:
    deadline = time.monotonic() + START_TIMEOUT_SECONDS
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            break
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 1):
            return
        time.sleep(0.05)
    text = log.read_text(errors="replace") if log.exists() else "(no log)"
    raise RuntimeError(f"the mail server on port {port} did not start:\n{text[-3000:]}")


@dataclass
class Delivery:
    """One message the SMTP server received."""

    mail_from: str
    rcpt_tos: list[str]
    content: bytes

    @property
    def message(self) -> email.message.Message:
        return email.message_from_bytes(self.content, policy=email.policy.default)


class Dovecot:
    """dovecot in a temporary directory, run as an unprivileged user."""

    def __init__(self) -> None:
        self.root = Path(tempfile.mkdtemp(prefix="itsm-dovecot-"))
        self.port = free_port()
        self.lock = threading.Lock()
        if os.geteuid() == 0:
            account = pwd.getpwnam("dovecot")  # created by Debian's dovecot-core
            self.uid, self.gid, self.user = account.pw_uid, account.pw_gid, account.pw_name
            self.group = self.user
        else:
            self.uid, self.gid = os.getuid(), os.getgid()
            self.user = pwd.getpwuid(self.uid).pw_name
            import grp

            self.group = grp.getgrgid(self.gid).gr_name
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        for name in ("run", "state", "mail", "users"):
            (self.root / name).mkdir()
        (self.root / "dovecot.conf").write_text(
            CONFIG.format(
                root=self.root,
                user=self.user,
                group=self.group,
                uid=self.uid,
                gid=self.gid,
                port=self.port,
            )
        )
        if os.geteuid() == 0:
            for path in [self.root, *self.root.iterdir()]:
                os.chown(path, self.uid, self.gid)
            kwargs: dict = {"user": self.uid, "group": self.gid, "extra_groups": []}
        else:
            kwargs = {}
        self.process = subprocess.Popen(
            [DOVECOT, "-F", "-c", str(self.root / "dovecot.conf")],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            **kwargs,
        )
        _wait_for_port(self.port, self.process, self.root / "dovecot.log")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(5)
        shutil.rmtree(self.root, ignore_errors=True)

    def add_user(self, address: str, password: str = PASSWORD) -> None:
        """An IMAP account *address* (dovecot rereads the passwd-file when it changes)."""
        address = address.lower()
        if "/" in address or address.startswith("."):
            raise ValueError(f"not an address for a test account: {address}")
        with self.lock:
            # one passwd-file per account: dovecot checks a file it has read for changes at
            # most once a second, so a user added to a shared file could stay unknown
            path = self.root / "users" / address
            if path.exists():
                return
            path.write_text(f"{address}:{{PLAIN}}{password}::::::\n")

    def users(self) -> list[str]:
        return sorted(path.name for path in (self.root / "users").iterdir())

    def connect(self, address: str, password: str = PASSWORD) -> imaplib.IMAP4:
        client = imaplib.IMAP4("127.0.0.1", self.port, timeout=10)
        client.login(address.lower(), password)
        return client


class _Handler:
    def __init__(self, servers: MailServers) -> None:
        self.servers = servers

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        delivery = Delivery(
            mail_from=envelope.mail_from or "",
            rcpt_tos=[r.lower() for r in envelope.rcpt_tos],
            content=bytes(envelope.original_content or envelope.content),
        )
        loop = asyncio.get_running_loop()
        try:
            await loop.run_in_executor(None, self.servers.deliver, delivery)
        except Exception as exc:  # report to the client as a temporary failure
            return f"451 delivery failed: {exc}"
        return "250 Message accepted for delivery"


class MailServers:
    """The running dovecot and SMTP server, and helpers to send and read mail."""

    def __init__(self) -> None:
        self.dovecot = Dovecot()
        self.deliveries: list[Delivery] = []
        self._controller = None

    @property
    def imap_port(self) -> int:
        return self.dovecot.port

    @property
    def smtp_port(self) -> int:
        assert self._controller is not None
        return self._controller.port

    def start(self) -> None:
        from aiosmtpd.controller import Controller

        self.dovecot.start()
        self._controller = Controller(
            _Handler(self), hostname="127.0.0.1", port=free_port(), decode_data=False
        )
        self._controller.start()

    def stop(self) -> None:
        if self._controller is not None:
            with contextlib.suppress(Exception):
                self._controller.stop()
        self.dovecot.stop()

    # --- accounts and delivery --------------------------------------------------------------

    def add_user(self, address: str, password: str = PASSWORD) -> None:
        self.dovecot.add_user(address, password)

    def deliver(self, delivery: Delivery) -> None:
        """Put *delivery* into each recipient's INBOX, as a delivery agent would."""
        self.deliveries.append(delivery)
        for rcpt in delivery.rcpt_tos:
            self.append(rcpt, delivery.content, mail_from=delivery.mail_from)

    def append(self, address: str, content: bytes, *, mail_from: str | None = None) -> None:
        """Store *content* in *address*'s INBOX directly (no SMTP)."""
        self.add_user(address)
        if mail_from is not None:
            trace = f"Return-Path: <{mail_from}>\r\nDelivered-To: {address}\r\n".encode()
            content = trace + content
        client = self.dovecot.connect(address)
        try:
            status, data = client.append("INBOX", None, None, content)
            if status != "OK":
                raise RuntimeError(f"APPEND to {address} failed: {data!r}")
        finally:
            client.logout()

    def send(self, raw: bytes, *, to: list[str] | str, mail_from: str = "sender@example.net"):
        """Send *raw* through the SMTP server (as a remote mail server would)."""
        recipients = [to] if isinstance(to, str) else list(to)
        # SMTP lines end in CRLF; smtplib fixes bare LFs of text but sends bytes as they are
        raw = re.sub(rb"\r?\n", b"\r\n", raw)
        with smtplib.SMTP("127.0.0.1", self.smtp_port, timeout=10) as smtp:
            smtp.sendmail(mail_from, recipients, raw)

    # --- reading ----------------------------------------------------------------------------

    def messages(self, address: str) -> list[bytes]:
        """Every message in *address*'s INBOX, oldest first."""
        self.add_user(address)
        client = self.dovecot.connect(address)
        try:
            client.select("INBOX", readonly=True)
            status, data = client.uid("search", None, "ALL")
            uids = data[0].split() if data and data[0] else []
            found = []
            for uid in uids:
                status, parts = client.uid("fetch", uid, "(BODY.PEEK[])")
                found.extend(p[1] for p in parts if isinstance(p, tuple))
            return found
        finally:
            client.logout()

    def clear(self, address: str) -> None:
        """Delete every message in *address*'s INBOX."""
        self.add_user(address)
        client = self.dovecot.connect(address)
        try:
            client.select("INBOX")
            client.store("1:*", "+FLAGS.SILENT", r"(\Deleted)")
            client.expunge()
        except imaplib.IMAP4.error:
            pass  # an empty mailbox has no 1:*
        finally:
            client.logout()


@pytest.fixture(scope="session")
def mail_servers() -> Iterator[MailServers]:
    """dovecot + SMTP for the session (skipped only with ``ITSM_SKIP_MAIL_SERVERS=1``)."""
    if os.environ.get("ITSM_SKIP_MAIL_SERVERS") == "1":
        pytest.skip("ITSM_SKIP_MAIL_SERVERS=1: the real IMAP/SMTP server tests are skipped")
    if not os.access(DOVECOT, os.X_OK):
        pytest.fail(
            f"{DOVECOT} is missing: run scripts/ensure-mail-servers.sh "
            "(or set ITSM_SKIP_MAIL_SERVERS=1 to skip the mail server tests)"
        )
    servers = MailServers()
    try:
        servers.start()
        yield servers
    finally:
        servers.stop()
