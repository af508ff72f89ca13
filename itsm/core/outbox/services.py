"""Services of the outbox: enqueue messages, notify administrators, retry dead letters,
manage notification channels. Delivery itself lives in ``outbox.delivery``."""

from __future__ import annotations

import json
import threading
from datetime import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from itsm.core.errors import InvalidTransition, ValidationFailed
from itsm.core.outbox.choices import MessageChannel, MessageStatus
from itsm.core.outbox.models import NotificationChannel, OutboxMessage
from itsm.core.selectors import administrators
from itsm.core.services import save_versioned
from itsm.core.timeline import record_event

#: set after a transaction that enqueued messages commits; an embedded worker waits on it
wakeup = threading.Event()

KEY_MAX_LENGTH = OutboxMessage._meta.get_field("key").max_length


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
    message, _created = _enqueue(
        key=key, channel=channel, target=target, payload=payload, available_at=available_at
    )
    return message


def _enqueue(*, key, channel, target, payload, available_at) -> tuple[OutboxMessage, bool]:
    errors: dict[str, list[str]] = {}
    if not key or len(key) > KEY_MAX_LENGTH:
        errors["key"] = [
            str(_("A key of 1 to {max} characters is required.")).format(max=KEY_MAX_LENGTH)
        ]
    if channel not in MessageChannel.values:
        errors["channel"] = [str(_("Unknown channel: {channel}")).format(channel=channel)]
    if not target:
        errors["target"] = [str(_("A target is required."))]
    if not isinstance(payload, dict):
        errors["payload"] = [str(_("The payload must be a JSON object."))]
    else:
        try:
            json.dumps(payload)
        except (TypeError, ValueError):
            errors["payload"] = [str(_("The payload must be a JSON object."))]
    if errors:
        raise ValidationFailed(fields=errors)
    existing = OutboxMessage.objects.filter(key=key).first()
    if existing is not None:
        return existing, False
    # INSERT … ON CONFLICT DO NOTHING: a concurrent enqueue of the same key leaves one row
    # and does not break the caller's transaction.
    OutboxMessage.objects.bulk_create(
        [
            OutboxMessage(
                key=key,
                channel=channel,
                target=target,
                payload=payload,
                next_attempt_at=available_at or timezone.now(),
            )
        ],
        ignore_conflicts=True,
    )
    transaction.on_commit(wakeup.set)
    return OutboxMessage.objects.get(key=key), True


def notify_administrators(*, key: str, subject: str, body: str) -> int:
    """E-mail *subject*/*body* to every active administrator with an e-mail address.

    One message per administrator, keyed ``"{key}:admin:{user id}"`` so a repeated call with
    the same *key* sends nothing twice. Returns how many messages were newly enqueued.
    """
    admins = administrators().exclude(email="").only("pk", "email")
    created = 0
    with transaction.atomic():
        for user in admins:
            _message, new = _enqueue(
                key=f"{key}:admin:{user.pk}",
                channel=MessageChannel.EMAIL,
                target=user.email,
                payload={"subject": str(subject), "body": str(body)},
                available_at=None,
            )
            created += new
    return created


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
