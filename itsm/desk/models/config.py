"""What the desk is configured with: the category tree, the impact × urgency priority matrix,
canned responses per group, and which ticket states pause an agreement's clocks."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from itsm.core.choices import Priority
from itsm.core.models import DomainModel, Team
from itsm.core.policy import ADMIN, STAFF, ModelPolicy
from itsm.desk.choices import DESK_MANAGERS, WORKERS, Impact, TicketKind, Urgency

CONFIGURERS = DESK_MANAGERS | ADMIN


class Category(DomainModel):
    """A node of the ticket category tree (事件分类), e.g. ``hardware.pc``."""

    code = models.CharField(_("code"), max_length=60, unique=True)
    name = models.CharField(_("name"), max_length=200)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent category"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
    )
    kind = models.CharField(
        _("for kind"),
        max_length=20,
        choices=TicketKind.choices,
        blank=True,
        help_text=_("Empty: offered for every kind of ticket."),
    )
    order = models.PositiveSmallIntegerField(_("order"), default=100)
    is_active = models.BooleanField(_("active"), default=True)

    # the provider's classification of its work: customers classify by service (the portal)
    policy = ModelPolicy(view=STAFF, add=CONFIGURERS, change=CONFIGURERS, delete=CONFIGURERS)

    class Meta:
        verbose_name = _("ticket category")
        verbose_name_plural = _("ticket categories")
        ordering = ("order", "code")

    def __str__(self) -> str:
        return self.name


class PriorityRule(DomainModel):
    """One cell of the priority matrix: impact × urgency → priority (R-DSK-02)."""

    impact = models.CharField(_("impact"), max_length=2, choices=Impact.choices)
    urgency = models.CharField(_("urgency"), max_length=2, choices=Urgency.choices)
    priority = models.CharField(_("priority"), max_length=4, choices=Priority.choices)

    policy = ModelPolicy(view=STAFF, add=CONFIGURERS, change=CONFIGURERS, delete=CONFIGURERS)

    class Meta:
        verbose_name = _("priority matrix cell")
        verbose_name_plural = _("priority matrix")
        ordering = ("impact", "urgency")
        constraints = [
            models.UniqueConstraint(fields=["impact", "urgency"], name="desk_priority_cell")
        ]

    def __str__(self) -> str:
        return f"{self.get_impact_display()} × {self.get_urgency_display()}"


class CannedResponse(DomainModel):
    """A prepared reply (常用回复) of a group, with placeholders such as ``{number}``."""

    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("text"))
    team = models.ForeignKey(
        Team,
        verbose_name=_("group"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("Empty: offered to every group."),
    )
    is_active = models.BooleanField(_("active"), default=True)

    policy = ModelPolicy(view=STAFF, add=WORKERS, change=WORKERS, delete=CONFIGURERS)

    class Meta:
        verbose_name = _("canned response")
        verbose_name_plural = _("canned responses")
        ordering = ("title", "id")

    def __str__(self) -> str:
        return self.title


class ClockPolicy(DomainModel):
    """Which ticket states pause the clocks of an agreement (default: pending on customer)."""

    agreement = models.OneToOneField(
        "slm.Agreement",
        verbose_name=_("agreement"),
        on_delete=models.CASCADE,
        related_name="+",
    )
    pause_states = models.JSONField(_("states that pause the clocks"), default=list, blank=True)

    policy = ModelPolicy(view=STAFF, add=CONFIGURERS, change=CONFIGURERS, delete=CONFIGURERS)

    class Meta:
        verbose_name = _("clock pause rule")
        verbose_name_plural = _("clock pause rules")

    def __str__(self) -> str:
        return str(self.agreement)


class GroupSettings(DomainModel):
    """What the desk knows of an assignment group beyond its members: where its tickets go on
    a functional escalation (the next line), who is told on a hierarchical one (the group
    leader, then this manager), and its chat channel for notifications."""

    team = models.OneToOneField(
        Team, verbose_name=_("group"), on_delete=models.CASCADE, related_name="+"
    )
    next_line = models.ForeignKey(
        Team,
        verbose_name=_("next-line group"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    manager = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("manager"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    chat_channel = models.SlugField(
        _("chat channel"),
        max_length=60,
        blank=True,
        help_text=_("The name of a notification channel (DingTalk, WeCom, Feishu, Slack …)."),
    )

    policy = ModelPolicy(view=STAFF, add=CONFIGURERS, change=CONFIGURERS, delete=CONFIGURERS)

    class Meta:
        verbose_name = _("group settings")
        verbose_name_plural = _("group settings")

    def __str__(self) -> str:
        return str(self.team)
