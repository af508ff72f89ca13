"""What happens on a ticket: entries (replies, customer comments, internal work notes,
e-mails), attachments, the Message-IDs that thread mail, fulfilment tasks, every dispatch and
return (退回), every escalation."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from itsm.core.models import DomainModel, Team, TimeStampedModel
from itsm.core.policy import ADMIN, ANYONE, STAFF, ModelPolicy
from itsm.core.querysets import RestrictedQuerySet
from itsm.desk.choices import (
    CUSTOMERS,
    TASK_MACHINE,
    WORKERS,
    EntryKind,
    EscalationKind,
    EscalationTrigger,
    TaskStatus,
)
from itsm.desk.models.tickets import Ticket

_USER = settings.AUTH_USER_MODEL
_TENANT = "ticket__customer"


class TicketEntry(TimeStampedModel):
    """One entry of a ticket's conversation. Internal entries (work notes) and the time spent
    are never shown to customers."""

    ticket = models.ForeignKey(
        Ticket, verbose_name=_("ticket"), on_delete=models.CASCADE, related_name="entries"
    )
    kind = models.CharField(_("kind"), max_length=20, choices=EntryKind.choices)
    internal = models.BooleanField(_("internal"), default=False)
    author = models.ForeignKey(
        _USER,
        verbose_name=_("author"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    author_email = models.EmailField(_("from"), blank=True)
    body = models.TextField(_("text"), blank=True)
    body_html = models.TextField(_("formatted text"), blank=True)
    time_spent_minutes = models.PositiveIntegerField(_("time spent (minutes)"), default=0)
    automatic = models.BooleanField(_("automatic"), default=False)
    at = models.DateTimeField(_("at"))
    mentions = models.JSONField(_("mentioned"), default=list, blank=True)

    objects = RestrictedQuerySet.as_manager()
    policy = ModelPolicy(
        view=ANYONE,
        add=WORKERS | CUSTOMERS,
        change=ADMIN,
        delete=ADMIN,
        tenant_field=_TENANT,
        external_filter=models.Q(internal=False),
        internal_fields=("time_spent_minutes", "mentions"),
    )

    class Meta:
        verbose_name = _("ticket entry")
        verbose_name_plural = _("ticket entries")
        ordering = ("at", "id")
        indexes = [models.Index(fields=["ticket", "at", "id"], name="desk_entry_ticket")]

    def __str__(self) -> str:
        return f"{self.ticket_id} {self.kind}"


class Attachment(TimeStampedModel):
    """A file on a ticket (or one of its entries); kept in the database, served only through
    the restricted download view (``Content-Disposition: attachment``)."""

    ticket = models.ForeignKey(
        Ticket, verbose_name=_("ticket"), on_delete=models.CASCADE, related_name="attachments"
    )
    entry = models.ForeignKey(
        TicketEntry,
        verbose_name=_("entry"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="attachments",
    )
    name = models.CharField(_("file name"), max_length=255)
    content_type = models.CharField(_("type"), max_length=120)
    size = models.PositiveBigIntegerField(_("size"))
    content = models.BinaryField(_("content"))
    content_id = models.CharField(_("content id"), max_length=255, blank=True)
    internal = models.BooleanField(_("internal"), default=False)
    uploaded_by = models.ForeignKey(
        _USER,
        verbose_name=_("uploaded by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    objects = RestrictedQuerySet.as_manager()
    policy = ModelPolicy(
        view=ANYONE,
        add=WORKERS | CUSTOMERS,
        change=ADMIN,
        delete=WORKERS,
        tenant_field=_TENANT,
        external_filter=models.Q(internal=False),
    )

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        ordering = ("created_at", "id")

    def __str__(self) -> str:
        return self.name


class TicketMessage(models.Model):
    """A Message-ID of an e-mail about a ticket, ours or received: replies are threaded by
    matching their In-Reply-To/References against these."""

    ticket = models.ForeignKey(
        Ticket, verbose_name=_("ticket"), on_delete=models.CASCADE, related_name="+"
    )
    entry = models.ForeignKey(
        TicketEntry,
        verbose_name=_("entry"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    message_id = models.CharField(_("Message-ID"), max_length=255, unique=True)
    outgoing = models.BooleanField(_("sent by us"), default=False)
    at = models.DateTimeField(_("at"), auto_now_add=True)

    objects = RestrictedQuerySet.as_manager()
    policy = ModelPolicy(view=STAFF, add=ADMIN, change=ADMIN, delete=ADMIN, tenant_field=_TENANT)

    class Meta:
        verbose_name = _("ticket e-mail id")
        verbose_name_plural = _("ticket e-mail ids")

    def __str__(self) -> str:
        return self.message_id


class Task(DomainModel):
    """A fulfilment task of a ticket (a service request's steps from its catalogue item)."""

    ticket = models.ForeignKey(
        Ticket, verbose_name=_("ticket"), on_delete=models.CASCADE, related_name="tasks"
    )
    order = models.PositiveSmallIntegerField(_("order"), default=1)
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    team = models.ForeignKey(
        Team,
        verbose_name=_("group"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    assignee = models.ForeignKey(
        _USER,
        verbose_name=_("assignee"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    status = models.CharField(
        _("status"), max_length=20, choices=TaskStatus.choices, default=TaskStatus.OPEN
    )
    done_at = models.DateTimeField(_("done at"), null=True, blank=True)

    state_machine = TASK_MACHINE
    policy = ModelPolicy(
        view=ANYONE, add=WORKERS, change=WORKERS, delete=ADMIN, tenant_field=_TENANT
    )

    class Meta:
        verbose_name = _("fulfilment task")
        verbose_name_plural = _("fulfilment tasks")
        ordering = ("ticket", "order", "id")

    def __str__(self) -> str:
        return self.title


class Assignment(models.Model):
    """One dispatch (派单) of a ticket to a group (and maybe a person), by a rule or by hand;
    a return (退回) closes it with the reason. The first-time dispatch success KPI reads these."""

    ticket = models.ForeignKey(
        Ticket, verbose_name=_("ticket"), on_delete=models.CASCADE, related_name="assignments"
    )
    team = models.ForeignKey(Team, verbose_name=_("group"), on_delete=models.PROTECT)
    assignee = models.ForeignKey(
        _USER,
        verbose_name=_("assignee"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    rule = models.ForeignKey(
        "desk.DispatchRule",
        verbose_name=_("dispatch rule"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    by = models.ForeignKey(
        _USER,
        verbose_name=_("by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    at = models.DateTimeField(_("at"))
    returned_at = models.DateTimeField(_("returned at"), null=True, blank=True)
    returned_by = models.ForeignKey(
        _USER,
        verbose_name=_("returned by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    return_reason = models.TextField(_("return reason"), blank=True)

    objects = RestrictedQuerySet.as_manager()
    policy = ModelPolicy(
        view=STAFF, add=WORKERS, change=WORKERS, delete=ADMIN, tenant_field=_TENANT
    )

    class Meta:
        verbose_name = _("dispatch")
        verbose_name_plural = _("dispatches")
        ordering = ("ticket", "at", "id")
        indexes = [
            models.Index(fields=["at", "id"], name="desk_assignment_at"),
            # a ticket's dispatches in order: the report's "first dispatch of the ticket"
            # (no earlier one) reads one short range per dispatch (docs/desk-reports.md)
            models.Index(fields=["ticket", "at", "id"], name="desk_assignment_ticket_at"),
        ]

    def __str__(self) -> str:
        return f"{self.ticket_id} → {self.team_id}"


class Escalation(models.Model):
    """One escalation of a ticket: functional (to the next line's group) or hierarchical (to the
    group leader, a manager), from a clock warning or breach or by hand (R-INC-02)."""

    ticket = models.ForeignKey(
        Ticket, verbose_name=_("ticket"), on_delete=models.CASCADE, related_name="escalations"
    )
    kind = models.CharField(_("kind"), max_length=20, choices=EscalationKind.choices)
    trigger = models.CharField(_("trigger"), max_length=20, choices=EscalationTrigger.choices)
    level = models.PositiveSmallIntegerField(_("level"))
    from_team = models.ForeignKey(
        Team,
        verbose_name=_("from group"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    to_team = models.ForeignKey(
        Team,
        verbose_name=_("to group"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    to_user = models.ForeignKey(
        _USER,
        verbose_name=_("to"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    reason = models.TextField(_("reason"), blank=True)
    by = models.ForeignKey(
        _USER,
        verbose_name=_("by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    at = models.DateTimeField(_("at"))

    objects = RestrictedQuerySet.as_manager()
    policy = ModelPolicy(view=STAFF, add=WORKERS, change=ADMIN, delete=ADMIN, tenant_field=_TENANT)

    class Meta:
        verbose_name = _("escalation")
        verbose_name_plural = _("escalations")
        ordering = ("ticket", "at", "id")

    def __str__(self) -> str:
        return f"{self.ticket_id} {self.kind} {self.level}"


class EditLock(models.Model):
    """Who has a ticket open to work on it, until when: the soft lock other agents see as
    "Being edited by …". A row of its own, not the ticket's: opening a page changes no
    record (its version and history stay as they are)."""

    ticket = models.OneToOneField(
        Ticket,
        verbose_name=_("ticket"),
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="+",
    )
    user = models.ForeignKey(
        _USER, verbose_name=_("being edited by"), on_delete=models.CASCADE, related_name="+"
    )
    until = models.DateTimeField(_("edit lock until"))

    objects = RestrictedQuerySet.as_manager()
    policy = ModelPolicy(
        view=STAFF, add=WORKERS, change=WORKERS, delete=WORKERS, tenant_field=_TENANT
    )

    class Meta:
        verbose_name = _("edit lock")
        verbose_name_plural = _("edit locks")

    def __str__(self) -> str:
        return f"{self.ticket_id} {self.user_id}"
