"""Services of the outbox: enqueue messages, notify administrators, retry dead letters,
manage notification channels. Delivery itself lives in ``outbox.delivery``."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from itsm.core.errors import InvalidTransition, ValidationFailed
from itsm.core.outbox.choices import MessageChannel, MessageStatus
from itsm.core.outbox.models import NotificationChannel, OutboxMessage
from itsm.core.selectors import administrators
from itsm.core.services import save_versioned
from itsm.core.timeline import record_event
from itsm.core.writes import insert_rows, new_row

#: set after a transaction that enqueued messages commits; an embedded worker waits on it
wakeup = threading.Event()

KEY_MAX_LENGTH: int = OutboxMessage._meta.get_field("key").max_length or 200

#: composes ``(subject, body)`` in the active language (see ``notify_administrators``)
Compose = Callable[[], tuple[str, str]]


@dataclass(frozen=True)
class Message:
    """One outgoing message for :func:`enqueue_many` (the arguments of :func:`enqueue`)."""

    key: str
    channel: str
    target: str
    payload: dict
    available_at: datetime | None = None


def enqueue(
    *,
    key: str,
    channel: str,
    target: str,
    payload: dict,
    available_at: datetime | None = None,
) -> OutboxMessage:
    """Add one outgoing message, unless a message with *key* exists (then return that one).

    Call it inside the transaction of the change that causes the message: the row commits
    (and so leaves) with that change, or not at all. *key* is the message's identity and
    is sent to the receiver as its idempotency key; derive it from what the message is
    about (e.g. ``"incident:42:resolved:mail:7"``), not from the time.
    """
    enqueue_many(
        [
            Message(
                key=key, channel=channel, target=target, payload=payload, available_at=available_at
            )
        ]
    )
    return OutboxMessage.objects.get(key=key)


def enqueue_many(messages: Iterable[Message], *, new_keys: bool = False, along=()) -> int:
    """Add many outgoing messages at once, with :func:`enqueue`'s rules: each is validated,
    and a message whose key exists (or came earlier in *messages*) is skipped, so a repeat
    is a no-op. One ``INSERT … ON CONFLICT DO NOTHING`` per 500 rows: a concurrent enqueue
    of the same key leaves one row and does not break the caller's transaction. Returns how
    many messages were new. *new_keys*: the caller knows no key can exist yet (they name a
    record created in its transaction), so the existing keys are not read first. *along*:
    the caller's rows written with the messages (``core.writes.Rows``; in the same statement
    on PostgreSQL), e.g. the Message-IDs a ticket keeps."""
    batch: dict[str, Message] = {}
    for message in messages:
        errors = _errors(message)
        if errors:
            raise ValidationFailed(fields=errors)
        batch.setdefault(message.key, message)
    keys = list(batch)
    existing: set[str] = set()
    for start in range(0, 0 if new_keys else len(keys), _CHUNK):
        existing.update(
            OutboxMessage.objects.filter(key__in=keys[start : start + _CHUNK]).values_list(
                "key", flat=True
            )
        )
    now = timezone.now()
    rows = [
        new_row(
            OutboxMessage,
            key=m.key,
            channel=m.channel,
            target=m.target,
            payload=m.payload,
            next_attempt_at=m.available_at or now,
        )
        for m in batch.values()
        if m.key not in existing
    ]
    compiled = rows
    if len(rows) > 100:
        OutboxMessage.objects.bulk_create(rows, ignore_conflicts=True, batch_size=_CHUNK)
        compiled = []
    insert_rows(compiled, ignore_conflicts=True, along=along)  # the statement compiled once
    if rows:
        transaction.on_commit(wakeup.set)
    return len(rows)


_CHUNK = 500


def _errors(message: Message) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    if not message.key or len(message.key) > KEY_MAX_LENGTH:
        errors["key"] = [
            str(_("A key of 1 to {max} characters is required.")).format(max=KEY_MAX_LENGTH)
        ]
    if not MessageChannel.has(message.channel):
        errors["channel"] = [str(_("Unknown channel: {channel}")).format(channel=message.channel)]
    if not message.target:
        errors["target"] = [str(_("A target is required."))]
    if not isinstance(message.payload, dict):
        errors["payload"] = [str(_("The payload must be a JSON object."))]
    else:
        try:
            json.dumps(message.payload)
        except (TypeError, ValueError):
            errors["payload"] = [str(_("The payload must be a JSON object."))]
    return errors


def notify_administrators(
    *, key: str, subject: str = "", body: str = "", compose: Compose | None = None
) -> int:
    """E-mail every active administrator with an e-mail address.

    The text is *subject*/*body*, or ``compose()`` → ``(subject, body)`` called in each
    administrator's language and time zone (``in_reader_language``). One message per
    administrator, keyed ``"{key}:admin:{user id}"`` so a repeated call with the same *key*
    sends nothing twice. Returns how many messages were newly enqueued.
    """
    admins = administrators().exclude(email="").only("pk", "email", "language", "time_zone")
    messages = []
    for user in admins:
        if compose is not None:
            with in_reader_language(user):
                subject, body = compose()
        messages.append(
            Message(
                key=f"{key}:admin:{user.pk}",
                channel=MessageChannel.EMAIL,
                target=user.email,
                payload={"subject": str(subject), "body": str(body)},
            )
        )
    with transaction.atomic():
        return enqueue_many(messages)


@contextmanager
def in_reader_language(user) -> Iterator[None]:
    """Compose text for *user*: their language and time zone (the installation's when unset)."""
    language = getattr(user, "language", "") or settings.LANGUAGE_CODE
    zone = getattr(user, "time_zone", "") or settings.TIME_ZONE
    if translation.get_language() == language and timezone.get_current_timezone_name() == zone:
        yield  # already the reader's (the usual case): nothing to switch, nor to switch back
        return
    with translation.override(language), timezone.override(zone):
        yield


def retry_message(message: OutboxMessage, *, by) -> OutboxMessage:
    """Put a dead message back in the queue with a fresh attempt count."""
    with transaction.atomic():
        updated = OutboxMessage.objects.filter(pk=message.pk, status=MessageStatus.DEAD).update(
            status=MessageStatus.PENDING,
            attempts=0,
            next_attempt_at=timezone.now(),
            lease_until=None,
            leased_by="",
        )
        if not updated:
            raise InvalidTransition(_("Only dead messages can be retried."))
        message.refresh_from_db()
        record_event(message, "retried", by=by, data={"last_error": message.last_error[:500]})
        transaction.on_commit(wakeup.set)
    return message


# --- notification channels --------------------------------------------------------------------

CHANNEL_FIELDS = ("name", "kind", "url", "secret", "is_active", "notes")


def create_channel(
    *, by, name: str, kind: str, url: str, secret: str = "", is_active: bool = True, notes: str = ""
) -> NotificationChannel:
    """Create a notification channel; its URL is checked against SSRF (``clean``)."""
    with transaction.atomic():
        channel = NotificationChannel(
            name=name, kind=kind, url=url, secret=secret, is_active=is_active, notes=notes
        )
        channel.full_clean()
        channel.save()
        record_event(channel, "created", by=by)
    return channel


def update_channel(
    channel: NotificationChannel, *, by, expected_version: int | None, **fields
) -> NotificationChannel:
    """Change a notification channel (URL re-checked); 409 on a concurrent edit."""
    unknown = set(fields) - set(CHANNEL_FIELDS)
    if unknown:
        raise ValidationFailed(fields={name: [str(_("Unknown field."))] for name in unknown})
    with transaction.atomic():
        for name, value in fields.items():
            setattr(channel, name, value)
        save_versioned(channel, expected_version=expected_version, by=by)
        record_event(
            channel, "updated", by=by, data={"fields": sorted(f for f in fields if f != "secret")}
        )
    return channel


def delete_channel(channel: NotificationChannel, *, by) -> None:
    """Delete a notification channel (messages still addressed to it will fail)."""
    with transaction.atomic():
        record_event(channel, "deleted", by=by, data={"name": channel.name})
        channel.delete()
