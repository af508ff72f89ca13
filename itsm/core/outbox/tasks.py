"""Periodic jobs of the outbox: purge old rows, alert administrators about dead letters."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop

from itsm.core.outbox.choices import MessageStatus
from itsm.core.outbox.jobs import periodic
from itsm.core.outbox.models import Job, OutboxMessage
from itsm.core.stored_text import stored

DEAD_ALERT_KEY = "outbox.dead-letters"


@periodic("outbox.purge", every=timedelta(hours=6), label=gettext_lazy("Outbox clean-up"))
def purge(now) -> str:
    """Delete sent messages and job-run rows older than their retention."""
    sent_before = now - timedelta(days=settings.ITSM_OUTBOX_RETENTION_DAYS)
    jobs_before = now - timedelta(days=settings.ITSM_JOB_RETENTION_DAYS)
    with transaction.atomic():
        messages, _detail = OutboxMessage.objects.filter(
            status=MessageStatus.SENT, sent_at__lt=sent_before
        ).delete()
        jobs, _detail = (
            Job.objects.filter(started_at__lt=jobs_before).exclude(status="running").delete()
        )
    return stored(
        gettext_noop("Deleted {messages} sent message(s), {jobs} job run(s)"),
        messages=messages,
        jobs=jobs,
    )


@periodic(
    "outbox.dead-letter-alert",
    every=timedelta(hours=1),
    label=gettext_lazy("Undelivered messages alert"),
)
def dead_letter_alert(now) -> str:
    """E-mail the administrators once per new dead letter (keyed by the newest dead id)."""
    from itsm.core.outbox.services import notify_administrators

    dead = OutboxMessage.objects.filter(status=MessageStatus.DEAD).exclude(
        key__startswith=DEAD_ALERT_KEY
    )
    newest = dead.order_by("-id").values_list("id", flat=True).first()
    if newest is None:
        return stored(gettext_noop("No undelivered messages"))
    count = dead.count()
    base = settings.ITSM_BASE_URL.rstrip("/")
    subject = _("{count} outgoing message(s) could not be delivered").format(count=count)
    body = _(
        "{count} outgoing message(s) (e-mail, webhook or chat) failed after every retry. "
        "Review them and retry once the cause is fixed: {url}"
    ).format(count=count, url=f"{base}/outbox/messages/?status=dead")
    with transaction.atomic():
        sent = notify_administrators(key=f"{DEAD_ALERT_KEY}:{newest}", subject=subject, body=body)
    return stored(
        gettext_noop("{count} undelivered message(s); alerted {sent} administrator(s)"),
        count=count,
        sent=sent,
    )
