"""Records of management objectives (管理目标, R-OBJ-01/02): the annual policy and objective
plan (``Plan``), its objectives — each a KPI of the registry (or a figure entered by hand) with
a target, a period and a direction, decomposed to departments, projects and customers
(绩效责任书) as child objectives — and the actuals entered by hand (``ManualActual``) for
objectives whose KPI the registry does not compute (e.g. complaints).

Tenancy: plans are provider documents (staff only). A customer user sees the objectives
decomposed to their own organisation (``customer``: their performance responsibility
statement, agreed with them while the plan is still a draft) and those objectives' manual
actuals; never the provider-wide, department or project objectives.

The only writer is ``itsm.objectives.services``.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from itsm.core.models import DomainModel, Organisation, Team
from itsm.core.policy import ANYONE, STAFF, ModelPolicy
from itsm.kpi.choices import Direction, Period, Unit, unit_symbol
from itsm.kpi.registry import KPI, registry
from itsm.objectives.choices import (
    OBJECTIVE_WRITERS,
    PLAN_APPROVERS,
    PLAN_MACHINE,
    ObjectiveScope,
    PlanStatus,
)


class Plan(DomainModel):
    """The annual management policy and objective plan (年度运维服务指标规划): the policy
    (管理方针), the management's commitments (管理承诺) and the objectives. Drafted by one
    person, approved by another (four eyes)."""

    number = models.CharField(_("number"), max_length=20, unique=True, editable=False)
    year = models.PositiveSmallIntegerField(_("year"))
    title = models.CharField(_("title"), max_length=200)
    management_policy = models.TextField(_("management policy"), blank=True)
    commitments = models.TextField(_("commitments"), blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=PlanStatus.choices, default=PlanStatus.DRAFT
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("author"),
        on_delete=models.PROTECT,
        null=True,
        editable=False,
        related_name="+",
    )
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("approved by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
    )
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True, editable=False)

    policy = ModelPolicy(
        view=STAFF,
        add=OBJECTIVE_WRITERS,
        change=OBJECTIVE_WRITERS | PLAN_APPROVERS,
        delete=OBJECTIVE_WRITERS,
    )
    state_machine = PLAN_MACHINE

    class Meta:
        verbose_name = _("objective plan")
        verbose_name_plural = _("objective plans")
        ordering = ("-year", "-id")
        indexes = [
            models.Index(fields=["status", "id"], name="objectives_plan_status"),
            models.Index(fields=["year", "id"], name="objectives_plan_year"),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.title}"


class Objective(DomainModel):
    """One objective of a plan (管理目标): a KPI with a target in the KPI's unit, a period and a
    direction, for the whole provider or decomposed to a department, project or customer (a
    child of the objective it breaks down). An objective whose ``kpi_id`` the registry does
    not know is measured by hand (``ManualActual``)."""

    plan = models.ForeignKey(
        Plan, verbose_name=_("plan"), on_delete=models.CASCADE, related_name="objectives"
    )
    parent = models.ForeignKey(
        "self",
        verbose_name=_("decomposes"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="children",
        help_text=_("The objective this one breaks down (performance responsibility statement)."),
    )
    title = models.CharField(_("title"), max_length=200)
    kpi_id = models.CharField(
        _("KPI"),
        max_length=64,
        blank=True,
        help_text=_("A KPI of the catalogue; empty: the actual is entered by hand each period."),
    )
    unit = models.CharField(_("unit"), max_length=10, choices=Unit.choices, default=Unit.PERCENT)
    target = models.DecimalField(_("target"), max_digits=12, decimal_places=2)
    direction = models.CharField(
        _("direction"), max_length=10, choices=Direction.choices, default=Direction.HIGHER
    )
    period = models.CharField(
        _("period"), max_length=10, choices=Period.choices, default=Period.MONTH
    )
    scope = models.CharField(
        _("scope"), max_length=12, choices=ObjectiveScope.choices, default=ObjectiveScope.PROVIDER
    )
    team = models.ForeignKey(
        Team,
        verbose_name=_("department"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    project = models.CharField(_("project"), max_length=200, blank=True)
    customer = models.ForeignKey(
        Organisation,
        verbose_name=_("customer"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    owner = models.CharField(_("responsible"), max_length=200, blank=True)

    policy = ModelPolicy(
        view=ANYONE,
        add=OBJECTIVE_WRITERS,
        change=OBJECTIVE_WRITERS,
        delete=OBJECTIVE_WRITERS,
        tenant_field="customer",
    )

    class Meta:
        verbose_name = _("objective")
        verbose_name_plural = _("objectives")
        ordering = ("plan", "id")
        indexes = [
            models.Index(fields=["customer", "id"], name="objectives_obj_customer"),
            models.Index(fields=["kpi_id", "id"], name="objectives_obj_kpi"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def kpi(self) -> KPI | None:
        return registry.get(self.kpi_id) if self.kpi_id else None

    @property
    def manual(self) -> bool:
        """Measured by hand: no KPI of the registry computes it."""
        return self.kpi is None

    @property
    def symbol(self) -> str:
        """The unit's symbol in the active language ("%", "" for a score or count)."""
        return unit_symbol(self.unit)

    @property
    def kpi_name(self) -> str:
        kpi = self.kpi
        return str(kpi.name) if kpi else ""


class ManualActual(DomainModel):
    """The actual of a hand-measured objective for one period (first day of its month,
    quarter or year), with who entered it."""

    objective = models.ForeignKey(
        Objective, verbose_name=_("objective"), on_delete=models.CASCADE, related_name="actuals"
    )
    period_start = models.DateField(_("period start"))
    value = models.DecimalField(_("actual"), max_digits=12, decimal_places=2)
    note = models.TextField(_("note"), blank=True)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("entered by"),
        on_delete=models.PROTECT,
        null=True,
        editable=False,
        related_name="+",
    )

    policy = ModelPolicy(
        view=ANYONE,
        add=OBJECTIVE_WRITERS,
        change=OBJECTIVE_WRITERS,
        delete=OBJECTIVE_WRITERS,
        tenant_field="objective__customer",
    )

    class Meta:
        verbose_name = _("manual actual")
        verbose_name_plural = _("manual actuals")
        ordering = ("objective", "period_start")
        constraints = [
            models.UniqueConstraint(
                fields=["objective", "period_start"], name="objectives_actual_period"
            )
        ]

    def __str__(self) -> str:
        value = Decimal(self.value).normalize()
        return f"{self.objective} {self.period_start:%Y-%m}: {value:f}"
