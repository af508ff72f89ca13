"""Outbox messages, notification channels, job runs and the worker leader lock (X-05).

The database is the truth: an outgoing message is a row written in the same transaction as
the change that caused it, so it leaves only after that transaction commits; the worker
claims due rows with a lease, sends them one at a time and marks each one sent.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from itsm.core.formatting import datetime_text
from itsm.core.models import DomainModel
from itsm.core.outbox.choices import ChannelKind, JobStatus, MessageChannel, MessageStatus
from itsm.core.policy import ADMIN, ADMIN_ONLY, STAFF, ModelPolicy
from itsm.core.querysets import RestrictedQuerySet
from itsm.core.stored_text import shown


class OutboxMessage(models.Model):
    """One outgoing e-mail, webhook call or chat notification.

    ``key`` is unique (enqueueing the same key twice keeps one row) and is sent to the
    receiver as its idempotency key (``Idempotency-Key`` header, e-mail ``Message-ID``).
    Delivery is at-least-once: a worker killed between sending and marking repeats at most
    the one message it had in flight, with the same key.

    Written only by ``outbox.services`` and ``outbox.delivery``. Not a ``DomainModel``: rows
    change state several times each and are purged after a while, so field history would
    only cost writes.
    """

    key = models.CharField(_("key"), max_length=200, unique=True)
    channel = models.CharField(_("channel"), max_length=20, choices=MessageChannel.choices)
    target = models.CharField(
        _("target"),
        max_length=2000,
        help_text=_("E-mail address, webhook URL or notification channel name."),
    )
    payload = models.JSONField(_("payload"), default=dict)
    status = models.CharField(
        _("status"), max_length=10, choices=MessageStatus.choices, default=MessageStatus.PENDING
    )
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt at"))
    lease_until = models.DateTimeField(_("lease until"), null=True, blank=True)
    leased_by = models.CharField(_("leased by"), max_length=100, blank=True)
    last_error = models.TextField(_("last error"), blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)

    objects = RestrictedQuerySet.as_manager()

    # Provider-internal; staff may look, administrators may retry dead letters.
    policy = ModelPolicy(view=STAFF, change=ADMIN, tenant_field=None)

    class Meta:
        verbose_name = _("outbox message")
        verbose_name_plural = _("outbox messages")
        ordering = ["-id"]
        indexes = [
            # the claim query: due pending rows, and sending rows whose lease expired
            models.Index(fields=["status", "next_attempt_at"], name="outbox_due_idx"),
            models.Index(fields=["status", "lease_until"], name="outbox_lease_idx"),
            # purge of old sent rows
            models.Index(fields=["status", "sent_at"], name="outbox_sent_idx"),
        ]

    def __str__(self) -> str:
        return self.key

    @property
    def error_text(self) -> str:
        """The last delivery error in the reader's language where the product wrote it
        (``core.stored_text``); a receiver's or library's own message as it came."""
        return shown(self.last_error)


class NotificationChannel(DomainModel):
    """A named chat or webhook target configured by an administrator.

    Outbox messages address it by ``name`` (channel ``chat``, or ``webhook``). Its URL is
    checked against SSRF when saved (``clean``) and again when each message is sent.
    """

    name = models.SlugField(
        _("name"),
        max_length=100,
        unique=True,
        help_text=_("Used as the target of outbox messages, e.g. “ops-dingtalk”."),
    )
    kind = models.CharField(_("kind"), max_length=20, choices=ChannelKind.choices)
    url = models.CharField(
        _("URL"),
        max_length=1000,
        help_text=_(
            "The robot or webhook URL given by the chat service (https://…), or its apprise "
            "form (dingtalk://, wecombot://, feishu://, slack://)."
        ),
    )
    secret = models.CharField(
        _("secret"),
        max_length=200,
        blank=True,
        help_text=_(
            "DingTalk signing secret, or for a generic webhook the key of the "
            "X-ITSM-Signature HMAC-SHA256 header. Leave empty if not used."
        ),
    )
    is_active = models.BooleanField(_("active"), default=True)
    notes = models.TextField(_("notes"), blank=True)

    policy = ModelPolicy(view=ADMIN, tenant_field=None, **ADMIN_ONLY)

    class Meta:
        verbose_name = _("notification channel")
        verbose_name_plural = _("notification channels")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        from itsm.core.outbox.targets import validate_channel_url

        super().clean()
        if self.url and self.kind:
            validate_channel_url(kind=self.kind, url=self.url, field="url")


class Job(models.Model):
    """One run of a periodic job or of a worker action (e.g. an outbox delivery pass)."""

    name = models.CharField(_("name"), max_length=100)
    started_at = models.DateTimeField(_("started at"))
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=JobStatus.choices, default=JobStatus.RUNNING
    )
    detail = models.TextField(_("detail"), blank=True)
    worker = models.CharField(_("worker"), max_length=100, blank=True)

    objects = RestrictedQuerySet.as_manager()

    policy = ModelPolicy(view=STAFF, tenant_field=None)

    class Meta:
        verbose_name = _("job run")
        verbose_name_plural = _("job runs")
        ordering = ["-started_at", "-id"]
        indexes = [
            models.Index(fields=["name", "-started_at"], name="outbox_job_name_idx"),
            models.Index(fields=["-started_at"], name="outbox_job_started_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.name} @ {datetime_text(self.started_at)}"

    @property
    def label(self) -> str:
        """The job's translated label (``@periodic(label=…)``), or its name."""
        from itsm.core.outbox.jobs import job_label

        return job_label(self.name)

    @property
    def detail_text(self) -> str:
        """The run's result in the reader's language (``core.stored_text``)."""
        return shown(self.detail)

    @property
    def duration(self):
        if self.finished_at is None:
            return None
        return self.finished_at - self.started_at


class WorkerLease(models.Model):
    """A named lock held by one worker until ``expires_at`` (the periodic-jobs leader)."""

    name = models.CharField(_("name"), max_length=100, primary_key=True)
    holder = models.CharField(_("holder"), max_length=100)
    expires_at = models.DateTimeField(_("expires at"))

    class Meta:
        verbose_name = _("worker lease")
        verbose_name_plural = _("worker leases")

    def __str__(self) -> str:
        return f"{self.name}: {self.holder}"
