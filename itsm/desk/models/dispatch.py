"""Dispatch (派单, R-DSK-03): ordered rules that pick a ticket's assignment group and maybe an
assignee, and each person's presence (away, shift) that the automatic assignment respects."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from itsm.core.models import DomainModel, Organisation, Team
from itsm.core.policy import STAFF, ModelPolicy
from itsm.desk.choices import WORKERS, AssignMode, Channel, TicketKind
from itsm.desk.models.config import CONFIGURERS, Category

_USER = settings.AUTH_USER_MODEL


class DispatchRule(DomainModel):
    """When a ticket matches every condition set here, it goes to ``team`` (the first matching
    rule by ``order`` wins). Empty conditions match anything."""

    order = models.PositiveIntegerField(_("order"), default=100)
    name = models.CharField(_("name"), max_length=200)
    is_active = models.BooleanField(_("active"), default=True)
    kind = models.CharField(_("kind"), max_length=20, choices=TicketKind.choices, blank=True)
    category = models.ForeignKey(
        Category,
        verbose_name=_("category (and its subcategories)"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    service = models.ForeignKey(
        "catalog.Service",
        verbose_name=_("service"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    ci = models.ForeignKey(
        "cmdb.ConfigurationItem",
        verbose_name=_("configuration item"),
        on_delete=models.PROTECT,
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
    )
    channel = models.CharField(_("channel"), max_length=20, choices=Channel.choices, blank=True)
    time_from = models.TimeField(_("from (time of day)"), null=True, blank=True)
    time_to = models.TimeField(_("until (time of day)"), null=True, blank=True)
    weekdays = models.JSONField(
        _("weekdays"), default=list, blank=True, help_text=_("Empty: every day. 1 = Monday.")
    )
    team = models.ForeignKey(Team, verbose_name=_("assignment group"), on_delete=models.PROTECT)
    assign_mode = models.CharField(
        _("assign to a person"),
        max_length=20,
        choices=AssignMode.choices,
        default=AssignMode.GROUP,
    )
    last_assignee = models.ForeignKey(
        _USER,
        verbose_name=_("last assigned"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
    )

    policy = ModelPolicy(view=STAFF, add=CONFIGURERS, change=CONFIGURERS, delete=CONFIGURERS)

    class Meta:
        verbose_name = _("dispatch rule")
        verbose_name_plural = _("dispatch rules")
        ordering = ("order", "id")

    def __str__(self) -> str:
        return self.name


class AgentPresence(DomainModel):
    """Whether a person takes new work now: away (leave, training) or outside their shift
    (a business calendar of their working hours). Automatic assignment skips them."""

    user = models.OneToOneField(
        _USER, verbose_name=_("person"), on_delete=models.CASCADE, related_name="+"
    )
    away = models.BooleanField(_("away"), default=False)
    away_note = models.CharField(_("note"), max_length=200, blank=True)
    shift = models.ForeignKey(
        "calendars.BusinessCalendar",
        verbose_name=_("shift (working hours)"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    policy = ModelPolicy(view=STAFF, add=WORKERS, change=WORKERS, delete=CONFIGURERS)

    class Meta:
        verbose_name = _("presence")
        verbose_name_plural = _("presence")

    def __str__(self) -> str:
        return str(self.user)
