"""Mechanism tables: human numbering, timeline rows, API idempotency records and the
configuration stamps."""

from __future__ import annotations

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils.translation import gettext_lazy as _

from itsm.core.formatting import datetime_text


class NumberSequence(models.Model):
    """The last number handed out for one prefix (X-04). Written only by ``core.numbering``."""

    prefix = models.CharField(_("prefix"), max_length=10, primary_key=True)
    last_value = models.BigIntegerField(_("last value"), default=0)

    class Meta:
        verbose_name = _("number sequence")
        verbose_name_plural = _("number sequences")

    def __str__(self) -> str:
        return f"{self.prefix}{self.last_value}"


class ConfigStamp(models.Model):
    """The current token of one set of configuration tables (``core.stamps``): replaced by
    every write to them, it keys the per-process memos of that configuration. Written only by
    ``core.stamps``."""

    name = models.CharField(_("name"), max_length=60, primary_key=True)
    token = models.BigIntegerField(_("token"))

    class Meta:
        verbose_name = _("configuration stamp")
        verbose_name_plural = _("configuration stamps")

    def __str__(self) -> str:
        return f"{self.name}:{self.token}"


class TimelineEntry(models.Model):
    """One event in a record's life, written by a service (X-03). Never edited."""

    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE)
    object_id = models.CharField(max_length=64)
    record = GenericForeignKey("content_type", "object_id")
    verb = models.CharField(_("event"), max_length=60)
    at = models.DateTimeField(_("at"), db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    note = models.TextField(_("note"), blank=True)
    data = models.JSONField(_("data"), default=dict, blank=True)

    class Meta:
        verbose_name = _("timeline entry")
        verbose_name_plural = _("timeline entries")
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["content_type", "object_id", "at"])]

    def __str__(self) -> str:
        return f"{self.verb} @ {datetime_text(self.at)}"


class IdempotencyRecord(models.Model):
    """The stored answer to a create request sent with an ``Idempotency-Key`` (X-07)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=200)
    path = models.CharField(max_length=300)
    request_hash = models.CharField(max_length=64)
    status_code = models.PositiveSmallIntegerField()
    response_body = models.JSONField(null=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["user", "key", "path"], name="core_unique_idempotency_key"
            )
        ]

    def __str__(self) -> str:
        return self.key
