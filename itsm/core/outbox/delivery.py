"""Delivery of outbox messages: claim with a lease, send one at a time, mark, back off.

At-least-once with a stable idempotency key: a worker claims a batch of due rows (status
``sending`` + ``lease_until``), then for each row in turn marks the attempt, sends it and
marks it sent, each in its own short transaction. A worker that dies leaves its rows
``sending``; when their lease expires another worker reclaims them. At most the one message
that was in flight may have reached its receiver already: it is sent again with the same
key, so a receiver deduplicating on the key applies it once.

Claiming uses ``SELECT … FOR UPDATE SKIP LOCKED`` on PostgreSQL, so any number of workers
share the queue; on SQLite the IMMEDIATE transaction serialises claims.
"""

from __future__ import annotations

import hashlib
import hmac
import http.client
import json
import logging
import random
import socket
import threading
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import connection, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_noop

from itsm.core.outbox.choices import ChannelKind, MessageChannel, MessageStatus
from itsm.core.outbox.models import NotificationChannel, OutboxMessage
from itsm.core.outbox.targets import (
    UnresolvableTarget,
    UnsafeTarget,
    check_chat_url,
    check_http_url,
)
from itsm.core.stored_text import shown, stored

log = logging.getLogger(__name__)

BACKOFF_BASE_SECONDS = 15
BACKOFF_MAX_SECONDS = 6 * 3600
ERROR_MAX_LENGTH = 2000


class DeliveryError(Exception):
    """A send failed; the message is retried later."""


class PermanentError(DeliveryError):
    """A send cannot succeed by retrying (refused target, unknown channel): dead at once."""


@dataclass
class DeliveryResult:
    claimed: int = 0
    sent: int = 0
    failed: int = 0
    dead: int = 0
    skipped: int = 0
    errors: list[str] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.claimed)

    def summary(self) -> str:
        """The pass's counts and first errors, stored to be read in the reader's language."""
        counts = {
            "claimed": self.claimed,
            "sent": self.sent,
            "failed": self.failed,
            "dead": self.dead,
            "skipped": self.skipped,
        }
        if self.errors:
            return stored(
                gettext_noop(
                    "Claimed {claimed}, sent {sent}, failed {failed}, dead {dead}, "
                    "skipped {skipped}\n{errors}"
                ),
                errors="\n".join(self.errors[:20])[:8000],
                **counts,
            )
        return stored(
            gettext_noop(
                "Claimed {claimed}, sent {sent}, failed {failed}, dead {dead}, skipped {skipped}"
            ),
            **counts,
        )


def backoff(attempts: int) -> timedelta:
    """Delay before the next attempt after *attempts* failed ones: 15 s, 30 s, 60 s …
    capped at 6 h, with ±10 % jitter so failed batches do not retry in lockstep."""
    seconds = min(BACKOFF_BASE_SECONDS * 2 ** max(attempts - 1, 0), BACKOFF_MAX_SECONDS)
    return timedelta(seconds=seconds * random.uniform(0.9, 1.1))


def _lease() -> timedelta:
    return timedelta(seconds=settings.ITSM_OUTBOX_LEASE_SECONDS)


def claimable(now: datetime):
    """Rows a worker may take: due pending rows and rows whose lease has expired."""
    return Q(status=MessageStatus.PENDING, next_attempt_at__lte=now) | Q(
        status=MessageStatus.SENDING, lease_until__lt=now
    )


def claim_batch(worker_id: str, *, limit: int = 20, now: datetime | None = None) -> list[int]:
    """Lease up to *limit* due messages to *worker_id*; return their ids, oldest due first."""
    now = now or timezone.now()
    with transaction.atomic():
        queryset = OutboxMessage.objects.filter(claimable(now)).order_by("next_attempt_at", "id")
        if connection.features.has_select_for_update_skip_locked:
            queryset = queryset.select_for_update(skip_locked=True)
        ids = list(queryset.values_list("id", flat=True)[:limit])
        if ids:
            OutboxMessage.objects.filter(claimable(now), id__in=ids).update(
                status=MessageStatus.SENDING, lease_until=now + _lease(), leased_by=worker_id
            )
    return ids


def _start_attempt(message_id: int, worker_id: str) -> OutboxMessage | None:
    """Count the attempt and renew the lease if *worker_id* still holds it."""
    now = timezone.now()
    with transaction.atomic():
        updated = OutboxMessage.objects.filter(
            id=message_id, status=MessageStatus.SENDING, leased_by=worker_id
        ).update(lease_until=now + _lease(), attempts=F("attempts") + 1)
        if not updated:
            return None  # reclaimed by another worker after our lease expired, or retried
        return OutboxMessage.objects.get(id=message_id)


def _finish(message: OutboxMessage, worker_id: str, **fields) -> bool:
    with transaction.atomic():
        return bool(
            OutboxMessage.objects.filter(
                id=message.id, status=MessageStatus.SENDING, leased_by=worker_id
            ).update(lease_until=None, leased_by="", **fields)
        )


def deliver_one(message_id: int, worker_id: str, result: DeliveryResult) -> None:
    message = _start_attempt(message_id, worker_id)
    if message is None:
        result.skipped += 1
        return
    max_attempts = settings.ITSM_OUTBOX_MAX_ATTEMPTS
    if message.attempts > max_attempts:
        # A worker died during each of the previous attempts (poison message?): stop.
        _finish(
            message,
            worker_id,
            status=MessageStatus.DEAD,
            attempts=max_attempts,
            last_error=_truncate(
                message.last_error
                or stored(gettext_noop("Gave up: the worker stopped during every attempt."))
            ),
        )
        result.dead += 1
        return
    try:
        send(message)
    except Exception as exc:  # any failure of one message must not stop the others
        permanent = isinstance(exc, PermanentError)
        error = _truncate(
            f"{type(exc).__name__}: {exc}" if not isinstance(exc, DeliveryError) else str(exc)
        )
        if permanent or message.attempts >= max_attempts:
            _finish(message, worker_id, status=MessageStatus.DEAD, last_error=error)
            result.dead += 1
            log.warning(
                "outbox message %s is dead after %s attempt(s): %s",
                message.key,
                message.attempts,
                shown(error),
            )
        else:
            _finish(
                message,
                worker_id,
                status=MessageStatus.PENDING,
                last_error=error,
                next_attempt_at=timezone.now() + backoff(message.attempts),
            )
            result.failed += 1
        result.errors.append(f"{message.key}: {shown(error)}")
        return
    _finish(message, worker_id, status=MessageStatus.SENT, sent_at=timezone.now(), last_error="")
    result.sent += 1


def deliver_due(
    worker_id: str, *, limit: int = 20, stop: threading.Event | None = None
) -> DeliveryResult:
    """Claim one batch of due messages and deliver them one at a time."""
    result = DeliveryResult()
    ids = claim_batch(worker_id, limit=limit)
    result.claimed = len(ids)
    for position, message_id in enumerate(ids):
        if stop is not None and stop.is_set():
            # Hand the rest back at once instead of waiting for the lease to expire.
            with transaction.atomic():
                OutboxMessage.objects.filter(
                    id__in=ids[position:], status=MessageStatus.SENDING, leased_by=worker_id
                ).update(status=MessageStatus.PENDING, lease_until=None, leased_by="")
            result.skipped += len(ids) - position
            break
        deliver_one(message_id, worker_id, result)
    return result


def _truncate(text: str) -> str:
    return text if len(text) <= ERROR_MAX_LENGTH else text[: ERROR_MAX_LENGTH - 1] + "…"


# --- sending ----------------------------------------------------------------------------------


def send(message: OutboxMessage) -> None:
    """Send *message* once through its channel; raise ``DeliveryError`` on failure."""
    if message.channel == MessageChannel.EMAIL:
        send_email(message)
    elif message.channel == MessageChannel.WEBHOOK:
        if message.target.lower().startswith(("http://", "https://")):
            post_json(message.target, message.payload, key=message.key)
        else:
            send_to_channel(_channel(message.target), message)
    elif message.channel == MessageChannel.CHAT:
        send_to_channel(_channel(message.target), message)
    else:
        raise PermanentError(
            stored(gettext_noop("Unknown channel “{channel}”."), channel=message.channel)
        )


def _channel(name: str) -> NotificationChannel:
    channel = NotificationChannel.objects.filter(name=name).first()
    if channel is None:
        raise PermanentError(
            stored(gettext_noop("No notification channel named “{name}”."), name=name)
        )
    if not channel.is_active:
        raise PermanentError(
            stored(gettext_noop("The notification channel “{name}” is not active."), name=name)
        )
    return channel


#: headers a payload may set on its e-mail (``payload["headers"]``), by lower-case name; any
#: other is dropped. Threading (References, In-Reply-To), loop protection (RFC 3834
#: Auto-Submitted, Exchange's X-Auto-Response-Suppress, X-Loop, Precedence) and Reply-To.
EMAIL_HEADERS_ALLOWED = {
    name.lower(): name
    for name in (
        "References",
        "In-Reply-To",
        "Auto-Submitted",
        "X-Auto-Response-Suppress",
        "Reply-To",
        "X-Loop",
        "Precedence",
    )
}


def _mail_domain() -> str:
    return settings.DEFAULT_FROM_EMAIL.rsplit("@", 1)[-1].strip(" >") or "itsm.local"


def message_id_for(key: str) -> str:
    """The e-mail Message-ID of the message with *key*: stable across re-sends."""
    digest = hashlib.sha256(key.encode()).hexdigest()[:40]
    return f"<outbox.{digest}@{_mail_domain()}>"


def _one_line(value: object) -> str:
    """A header value on one line: a line break in a payload must not add a header."""
    return " ".join(str(value).split())


def email_headers(message: OutboxMessage) -> dict[str, str]:
    """The headers of *message*'s e-mail: its Message-ID (``message_id_for(key)``, or the
    payload's own ``Message-ID`` when that is on our domain, so a sender that recorded the id
    before enqueueing keeps it), the key, and the allow-listed ``payload["headers"]``."""
    headers = {"Message-ID": message_id_for(message.key), "X-ITSM-Key": message.key}
    extra = message.payload.get("headers")
    if not isinstance(extra, dict):
        return headers
    for name, value in extra.items():
        if not isinstance(name, str) or value is None:
            continue
        value = _one_line(value)
        if not value:
            continue
        if name.lower() == "message-id":
            if (
                value.startswith("<")
                and value.endswith(">")
                and value[1:-1].count("@") == 1
                and value[1:-1].rsplit("@", 1)[1].lower() == _mail_domain().lower()
            ):
                headers["Message-ID"] = value
            continue
        canonical = EMAIL_HEADERS_ALLOWED.get(name.lower())
        if canonical:
            headers[canonical] = value
    return headers


def send_email(message: OutboxMessage) -> None:
    payload = message.payload
    email = EmailMultiAlternatives(
        subject=str(payload.get("subject", "")),
        body=str(payload.get("body", "")),
        from_email=payload.get("from") or settings.DEFAULT_FROM_EMAIL,
        to=[message.target],
        headers=email_headers(message),
        connection=get_connection(fail_silently=False),
    )
    if payload.get("html"):
        email.attach_alternative(str(payload["html"]), "text/html")
    try:
        email.send()
    except Exception as exc:
        raise DeliveryError(
            stored(
                gettext_noop("E-mail to {target} failed: {error}"),
                target=message.target,
                error=str(exc),
            )
        ) from exc


class _PinnedHTTPConnection(http.client.HTTPConnection):
    """Connects to the address the SSRF check approved, whatever DNS says now."""

    def __init__(self, *args, address: str, **kwargs):
        super().__init__(*args, **kwargs)
        self._address = address

    def connect(self):
        self.sock = socket.create_connection((self._address, self.port), self.timeout)


class _PinnedHTTPSConnection(http.client.HTTPSConnection):
    def __init__(self, *args, address: str, **kwargs):
        super().__init__(*args, **kwargs)
        self._address = address

    def connect(self):
        sock = socket.create_connection((self._address, self.port), self.timeout)
        # certificate checked against the URL's host name (SNI), not the address
        # HTTPSConnection keeps its TLS context in ``_context``, which typeshed does not declare
        context = self._context  # type: ignore[attr-defined]
        self.sock = context.wrap_socket(sock, server_hostname=self.host)


def _refused(exc: Exception) -> str:
    """The stored error of a target the SSRF guard refused (its reason is already translated,
    in the worker's language)."""
    return stored(gettext_noop("Refused target: {reason}"), reason=str(exc))


def post_json(url: str, payload: dict, *, key: str, secret: str = "") -> int:
    """POST *payload* as JSON to *url* with ``Idempotency-Key: key``; return the status.

    The host is checked against SSRF first and the connection pinned to the checked
    address; redirects are not followed (a 3xx is a failure).
    """
    try:
        checked = check_http_url(url)
    except UnsafeTarget as exc:
        raise PermanentError(_refused(exc)) from None
    except UnresolvableTarget as exc:
        raise DeliveryError(str(exc)) from None
    body = json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode()
    headers = {
        "Content-Type": "application/json; charset=utf-8",
        "Idempotency-Key": key,
        "User-Agent": "itsm-outbox/1",
    }
    if secret:
        headers["X-ITSM-Signature"] = (
            "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
        )
    timeout = settings.ITSM_OUTBOX_HTTP_TIMEOUT_SECONDS
    cls = _PinnedHTTPSConnection if checked.scheme == "https" else _PinnedHTTPConnection
    conn = cls(checked.host, checked.port, timeout=timeout, address=checked.address)
    parts = checked.url.split("://", 1)[1]
    path = "/" + parts.split("/", 1)[1] if "/" in parts else "/"
    path = path.split("#", 1)[0]
    try:
        conn.request("POST", path, body=body, headers=headers)
        response = conn.getresponse()
        text = response.read(500).decode("utf-8", "replace")
    except (OSError, http.client.HTTPException) as exc:
        raise DeliveryError(
            stored(gettext_noop("POST {host} failed: {error}"), host=checked.host, error=str(exc))
        ) from exc
    finally:
        conn.close()
    if not 200 <= response.status < 300:
        raise DeliveryError(
            stored(
                gettext_noop("POST {host} answered {status}: {text}"),
                host=checked.host,
                status=response.status,
                text=text[:200],
            )
        )
    return response.status


def send_to_channel(channel: NotificationChannel, message: OutboxMessage) -> None:
    payload = message.payload
    if channel.kind == ChannelKind.GENERIC:
        post_json(channel.url, payload, key=message.key, secret=channel.secret)
        return
    try:
        url = check_chat_url(kind=channel.kind, url=channel.url, secret=channel.secret)
    except UnsafeTarget as exc:
        raise PermanentError(_refused(exc)) from None
    except UnresolvableTarget as exc:
        raise DeliveryError(str(exc)) from None
    send_apprise(
        url,
        title=str(payload.get("title", "")),
        body=str(payload.get("body", "") or payload.get("text", "")),
    )


def send_apprise(url: str, *, title: str, body: str) -> None:
    """Send one chat notification through apprise; raise ``DeliveryError`` with its log."""
    import apprise

    notifier = apprise.Apprise()
    if not notifier.add(url):
        raise PermanentError(stored(gettext_noop("The chat service does not accept this URL.")))
    with apprise.LogCapture(level=logging.WARNING) as output:
        ok = notifier.notify(title=title, body=body or title)
        captured = output.getvalue().strip()
    if not ok:
        raise DeliveryError(
            stored(
                gettext_noop("The chat notification failed: {error}"),
                error=captured or "—",
            )
        )
