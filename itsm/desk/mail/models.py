"""Mailboxes the desk polls over IMAP, and the log of every mail received."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from itsm.core.choices import OrganisationKind
from itsm.core.models import TimeStampedModel
from itsm.core.models.base import DomainHistoricalRecords
from itsm.core.policy import ADMIN_ONLY, STAFF, ModelPolicy
from itsm.core.querysets import RestrictedQuerySet
from itsm.desk.choices import TicketKind
from itsm.desk.mail.choices import MailKind, Outcome, Security


def split_addresses(text: str) -> list[str]:
    """The addresses of a list written one per line or separated by commas or semicolons."""
    parts = text.replace(";", ",").replace("\n", ",").split(",")
    found: list[str] = []
    for part in parts:
        address = part.strip().lower()
        if address and address not in found:
            found.append(address)
    return found


class Mailbox(TimeStampedModel):
    """An IMAP mailbox (收件箱) the desk reads: every new mail becomes a ticket, or an entry of
    the ticket it answers. ``uid_validity``/``last_uid`` remember how far it has been read."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    host = models.CharField(_("IMAP host"), max_length=255)
    port = models.PositiveIntegerField(_("IMAP port"), default=993)
    security = models.CharField(
        _("connection security"), max_length=20, choices=Security.choices, default=Security.SSL
    )
    username = models.CharField(_("user name"), max_length=255)
    password = models.CharField(_("password"), max_length=255, blank=True)
    folder = models.CharField(_("folder"), max_length=255, default="INBOX")
    addresses = models.TextField(
        _("desk addresses"),
        help_text=_(
            "The addresses this mailbox receives for (one per line), e.g. "
            "servicedesk@example.com. Mail that names one of them in X-Loop is our own."
        ),
    )
    default_customer = models.ForeignKey(
        "core.Organisation",
        verbose_name=_("default customer"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        limit_choices_to={"kind": OrganisationKind.CUSTOMER},
        help_text=_(
            "Customer of the tickets from senders who are not users. Empty: such mail is "
            "kept as unmatched for the desk to look at."
        ),
    )
    default_kind = models.CharField(
        _("kind of new tickets"),
        max_length=20,
        choices=TicketKind.choices,
        default=TicketKind.INCIDENT,
    )
    is_active = models.BooleanField(_("active"), default=True)
    uid_validity = models.BigIntegerField(_("UIDVALIDITY"), null=True, blank=True, editable=False)
    last_uid = models.BigIntegerField(_("last UID read"), default=0, editable=False)
    last_polled_at = models.DateTimeField(_("last polled"), null=True, blank=True, editable=False)
    last_error = models.TextField(_("last error"), blank=True, editable=False)
    version = models.PositiveIntegerField(_("version"), default=1, editable=False)
    history = DomainHistoricalRecords(excluded_fields=["password"])

    objects = RestrictedQuerySet.as_manager()

    policy = ModelPolicy(view=STAFF, tenant_field=None, **ADMIN_ONLY)

    class Meta:
        verbose_name = _("mailbox")
        verbose_name_plural = _("mailboxes")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def address_list(self) -> list[str]:
        return split_addresses(self.addresses)


class InboundMail(models.Model):
    """One mail read from a mailbox and what became of it (provider staff only).

    ``dedupe_key`` holds the Message-ID of the first copy processed and is unique, so a
    re-poll or a copy sent to a second desk address is recorded as a duplicate and does
    nothing; duplicates leave it empty. The text is kept for mail that made no ticket
    (unmatched, rejected, bounces) so the desk can read it here."""

    mailbox = models.ForeignKey(
        Mailbox,
        verbose_name=_("mailbox"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="received",
    )
    uid = models.BigIntegerField(_("UID"), null=True, blank=True)
    uid_validity = models.BigIntegerField(_("UIDVALIDITY"), null=True, blank=True)
    message_id = models.CharField(_("Message-ID"), max_length=255, db_index=True)
    dedupe_key = models.CharField(max_length=255, null=True, blank=True, unique=True)
    from_address = models.CharField(_("from"), max_length=254, blank=True)
    from_name = models.CharField(_("sender name"), max_length=200, blank=True)
    recipients = models.TextField(_("recipients"), blank=True)
    subject = models.CharField(_("subject"), max_length=500, blank=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    received_at = models.DateTimeField(_("received"), auto_now_add=True, db_index=True)
    size = models.PositiveIntegerField(_("size (bytes)"), default=0)
    kind = models.CharField(_("kind"), max_length=20, choices=MailKind.choices)
    reason = models.CharField(_("why automatic"), max_length=300, blank=True)
    outcome = models.CharField(_("outcome"), max_length=30, choices=Outcome.choices)
    ticket = models.ForeignKey(
        "desk.Ticket",
        verbose_name=_("ticket"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    detail = models.TextField(_("detail"), blank=True)
    text = models.TextField(_("text"), blank=True)

    objects = RestrictedQuerySet.as_manager()

    policy = ModelPolicy(view=STAFF, tenant_field=None)

    class Meta:
        verbose_name = _("received mail")
        verbose_name_plural = _("received mail")
        ordering = ["-id"]
        indexes = [
            models.Index(fields=["outcome", "id"], name="deskmail_inbound_outcome"),
            models.Index(fields=["mailbox", "uid"], name="deskmail_inbound_uid"),
        ]

    def __str__(self) -> str:
        return self.subject or self.message_id
