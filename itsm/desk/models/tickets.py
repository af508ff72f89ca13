"""The ticket (工单): an incident, a service request or a consultation, from intake to close.

One table for the three kinds, as ServiceNow's task table and iTop's ticket class do: the
desk's queue, dispatch, clocks and reports treat them alike, and a kind changes what is
required (``choices.REQUIRED_FIELDS``) and its number prefix (``INC-``, ``REQ-``, ``CON-``).
The only writer is ``itsm.desk.services``.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from itsm.core.choices import Priority
from itsm.core.models import DomainModel, Organisation, Team
from itsm.core.policy import ANYONE, ModelPolicy
from itsm.desk.choices import (
    CUSTOMERS,
    OPEN_STATES,
    TICKET_MACHINE,
    WORKERS,
    Channel,
    Impact,
    ResolutionCode,
    TicketKind,
    TicketStatus,
    Urgency,
)
from itsm.desk.models.config import Category

_USER = settings.AUTH_USER_MODEL

#: fields customers never receive (API) nor see (pages): the desk's internal working data
TICKET_INTERNAL_FIELDS = (
    "time_spent_minutes",
    "return_count",
    "reassignment_count",
    "escalation_level",
    "missing_fields",
    "flapping",
)


#: the open tickets (``choices.OPEN_STATES``), the condition of the queue's partial indexes —
#: the queue's own filter (``status IN (…)`` of these or some of them) lets PostgreSQL use them
_OPEN = models.Q(status__in=[str(state) for state in OPEN_STATES])


class Ticket(DomainModel):
    """An incident (事件), service request (服务请求) or consultation (咨询)."""

    number = models.CharField(_("number"), max_length=20, unique=True, editable=False)
    kind = models.CharField(_("kind"), max_length=20, choices=TicketKind.choices)
    title = models.CharField(_("summary"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=TicketStatus.choices, default=TicketStatus.NEW
    )
    category = models.ForeignKey(
        Category,
        verbose_name=_("category"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    impact = models.CharField(_("impact"), max_length=2, choices=Impact.choices, blank=True)
    urgency = models.CharField(_("urgency"), max_length=2, choices=Urgency.choices, blank=True)
    priority = models.CharField(_("priority"), max_length=4, choices=Priority.choices, blank=True)
    service = models.ForeignKey(
        "catalog.Service",
        verbose_name=_("service"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    service_item = models.ForeignKey(
        "catalog.ServiceItem",
        verbose_name=_("catalogue item"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    form_data = models.JSONField(_("request form"), default=dict, blank=True)
    cis = models.ManyToManyField(
        "cmdb.ConfigurationItem",
        verbose_name=_("affected CIs"),
        blank=True,
        related_name="+",
    )
    customer = models.ForeignKey(
        Organisation, verbose_name=_("customer"), on_delete=models.PROTECT, related_name="+"
    )
    contact = models.ForeignKey(
        _USER,
        verbose_name=_("contact"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    contact_email = models.EmailField(_("contact e-mail"), blank=True)
    channel = models.CharField(_("channel"), max_length=20, choices=Channel.choices)
    agreement = models.ForeignKey(
        "slm.Agreement",
        verbose_name=_("agreement"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    assignment_group = models.ForeignKey(
        Team,
        verbose_name=_("assignment group"),
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
    opened_at = models.DateTimeField(_("opened at"))
    responded_at = models.DateTimeField(_("first response at"), null=True, blank=True)
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    due_at = models.DateTimeField(
        _("due at"),
        null=True,
        blank=True,
        help_text=_("The resolution clock's due time; empty while it is paused or stopped."),
    )
    breached = models.BooleanField(_("SLA breached"), default=False)
    resolution_code = models.CharField(
        _("resolution code"), max_length=20, choices=ResolutionCode.choices, blank=True
    )
    resolution = models.TextField(_("resolution"), blank=True)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent ticket"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
    )
    merged_into = models.ForeignKey(
        "self",
        verbose_name=_("merged into"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="merged",
    )
    is_major = models.BooleanField(_("major incident"), default=False)
    # marked by event management when the alert behind the incident kept changing state
    flapping = models.BooleanField(_("flapping"), default=False)
    major_manager = models.ForeignKey(
        _USER,
        verbose_name=_("major incident manager"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    major_declared_at = models.DateTimeField(_("declared major at"), null=True, blank=True)
    update_interval_minutes = models.PositiveIntegerField(
        _("update every (minutes)"), null=True, blank=True
    )
    next_update_at = models.DateTimeField(_("next update due at"), null=True, blank=True)
    satisfaction = models.PositiveSmallIntegerField(_("satisfaction"), null=True, blank=True)
    # desk work figures (internal): kept on the row so the queue and reports read no joins
    time_spent_minutes = models.PositiveIntegerField(_("time spent (minutes)"), default=0)
    return_count = models.PositiveSmallIntegerField(_("returns"), default=0)
    reassignment_count = models.PositiveSmallIntegerField(_("reassignments"), default=0)
    reopen_count = models.PositiveSmallIntegerField(_("reopened"), default=0)
    escalation_level = models.PositiveSmallIntegerField(_("escalation level"), default=0)
    missing_fields = models.JSONField(_("missing fields"), default=list, blank=True)
    is_complete = models.BooleanField(_("complete record"), default=True)

    state_machine = TICKET_MACHINE
    policy = ModelPolicy(
        view=ANYONE,
        add=WORKERS | CUSTOMERS,
        change=WORKERS,
        delete=WORKERS,  # the API answers that tickets are cancelled, never deleted
        tenant_field="customer",
        internal_fields=TICKET_INTERNAL_FIELDS,
    )

    class Meta:
        verbose_name = _("ticket")
        verbose_name_plural = _("tickets")
        indexes = [
            # the queue: open tickets by due time, per group, per customer, per assignee
            models.Index(fields=["status", "due_at", "id"], name="desk_ticket_status_due"),
            models.Index(fields=["assignment_group", "due_at", "id"], name="desk_ticket_group_due"),
            models.Index(fields=["assignee", "due_at", "id"], name="desk_ticket_assignee_due"),
            models.Index(fields=["customer", "id"], name="desk_ticket_customer"),
            models.Index(fields=["customer", "due_at", "id"], name="desk_ticket_customer_due"),
            models.Index(fields=["priority", "due_at", "id"], name="desk_ticket_priority_due"),
            models.Index(fields=["opened_at", "id"], name="desk_ticket_opened"),
            models.Index(fields=["contact", "id"], name="desk_ticket_contact"),
            # the queue (issue 11, migration 0005): the open tickets alone, by due time — the
            # tickets waiting (pending: no due time) follow the due ones in the same index
            # instead of among every closed ticket's empty due time
            models.Index(fields=["due_at", "id"], name="desk_ticket_open_due", condition=_OPEN),
            # every ticket by due time (the "All tickets" view), the open major incidents
            models.Index(fields=["due_at", "id"], name="desk_ticket_due"),
            models.Index(
                fields=["due_at", "id"],
                name="desk_ticket_open_major_due",
                condition=_OPEN & models.Q(is_major=True),
            ),
            models.Index(
                fields=["assignment_group", "due_at", "id"],
                name="desk_ticket_open_group_due",
                condition=_OPEN,
            ),
            models.Index(
                fields=["customer", "due_at", "id"],
                name="desk_ticket_open_customer_due",
                condition=_OPEN,
            ),
            models.Index(
                fields=["assignee", "due_at", "id"],
                name="desk_ticket_open_assignee_due",
                condition=_OPEN,
            ),
            # the knowledge search's ticket indexer reads the tickets changed after its mark
            models.Index(fields=["updated_at", "id"], name="desk_ticket_updated"),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.title}"

    @property
    def is_open(self) -> bool:
        return self.status not in (
            TicketStatus.RESOLVED,
            TicketStatus.CLOSED,
            TicketStatus.CANCELLED,
        )
