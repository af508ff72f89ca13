"""Records of continual improvement (持续改进, R-CSI-03): the improvement register.

The only writer is ``itsm.improvement.services``.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from itsm.core.models import DomainModel, Organisation
from itsm.core.policy import ANYONE, ModelPolicy
from itsm.improvement.choices import (
    IMPROVEMENT_WRITERS,
    ITEM_MACHINE,
    PHASE_OF,
    ItemSource,
    ItemStatus,
)

_USER = settings.AUTH_USER_MODEL

#: fields only provider staff receive
ITEM_INTERNAL_FIELDS = (
    "source_key",
    "review_action",
    "incident",
    "change",
    "approved_by",
    "internal_notes",
)


class Item(DomainModel):
    """A service improvement item (服务改进项): where it comes from, its goal, owner and plan,
    its approval (a change and/or an approver other than its owner and its author), its
    implementation, the effect verified on a KPI measured before and after, and its closure."""

    number = models.CharField(_("number"), max_length=20, unique=True, editable=False)
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    source = models.CharField(_("source"), max_length=20, choices=ItemSource.choices)
    source_key = models.CharField(
        _("source reference"),
        max_length=120,
        help_text=_("What raised the item: an audit finding, a KPI and month, a complaint…"),
    )
    review_action = models.ForeignKey(
        "slm.ActionItem",
        verbose_name=_("review meeting action"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    incident = models.ForeignKey(
        "desk.Ticket",
        verbose_name=_("incident"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    customer = models.ForeignKey(
        Organisation,
        verbose_name=_("customer"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("Leave empty for an improvement of the provider as a whole."),
    )
    status = models.CharField(
        _("status"), max_length=20, choices=ItemStatus.choices, default=ItemStatus.PROPOSED
    )
    raised_by = models.ForeignKey(
        _USER,
        verbose_name=_("raised by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    # Plan
    goal = models.TextField(_("goal"), blank=True)
    owner = models.ForeignKey(
        _USER,
        verbose_name=_("owner"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    plan = models.TextField(_("plan"), blank=True)
    due_date = models.DateField(_("due date"), null=True, blank=True)
    change = models.ForeignKey(
        "change.Change",
        verbose_name=_("change"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("The change that approves the work, when it needs one."),
    )
    approved_by = models.ForeignKey(
        _USER,
        verbose_name=_("approved by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True)
    # Do
    implementation_notes = models.TextField(_("implementation notes"), blank=True)
    # Check: the effect on a KPI of the registry, measured before and after
    kpi_id = models.CharField(_("KPI"), max_length=60, blank=True)
    before_start = models.DateField(_("before: from"), null=True, blank=True)
    before_end = models.DateField(_("before: until"), null=True, blank=True)
    before_value = models.DecimalField(
        _("value before"), max_digits=14, decimal_places=4, null=True, blank=True
    )
    after_start = models.DateField(_("after: from"), null=True, blank=True)
    after_end = models.DateField(_("after: until"), null=True, blank=True)
    after_value = models.DecimalField(
        _("value after"), max_digits=14, decimal_places=4, null=True, blank=True
    )
    effect_note = models.TextField(_("effect"), blank=True)
    verified_by = models.ForeignKey(
        _USER,
        verbose_name=_("verified by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    verified_at = models.DateTimeField(_("verified at"), null=True, blank=True)
    # Act
    closure_note = models.TextField(_("closure note"), blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    internal_notes = models.TextField(_("internal notes"), blank=True)

    # customers see the items of their own organisation, without the internal fields
    policy = ModelPolicy(
        view=ANYONE,
        add=IMPROVEMENT_WRITERS,
        change=IMPROVEMENT_WRITERS,
        delete=IMPROVEMENT_WRITERS,  # asked, and refused by the API: rejected or cancelled
        tenant_field="customer",
        internal_fields=ITEM_INTERNAL_FIELDS,
    )
    state_machine = ITEM_MACHINE

    class Meta:
        verbose_name = _("improvement item")
        verbose_name_plural = _("improvement items")
        ordering = ("-id",)
        constraints = [
            models.UniqueConstraint(
                fields=["source", "source_key"], name="improvement_item_source_key"
            )
        ]
        indexes = [
            models.Index(fields=["status", "due_date"], name="improvement_status_due"),
            models.Index(fields=["customer", "status"], name="improvement_customer"),
            models.Index(fields=["closed_at"], name="improvement_closed"),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.title}"

    @property
    def phase(self):
        """The PDCA phase of the current status (``None`` when rejected or cancelled)."""
        return PHASE_OF.get(self.status)
