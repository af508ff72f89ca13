"""Records of capacity management (容量管理, R-CAP): what is measured (``Metric``), the measured
values (``Sample``) and the capacity plan of a service (``CapacityPlan``).

Tenancy: a metric belongs to the customer of its CI (``customer``, copied from the CI by the
services); customer users see the metrics of their own CIs and their samples, never a metric
of a shared CI or of a service alone, and never a capacity plan (provider planning documents).

The only writer is ``itsm.capacity.services``.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from itsm.capacity.choices import (
    CAPACITY_WRITERS,
    PLAN_MACHINE,
    Direction,
    ForecastMethod,
    PlanStatus,
)
from itsm.core.models import DomainModel, Organisation
from itsm.core.policy import ANYONE, STAFF, ModelPolicy
from itsm.core.querysets import RestrictedQuerySet

METRIC_INTERNAL_FIELDS = ("service", "description")


class Metric(DomainModel):
    """What is measured (容量指标): a named quantity of a CI and/or a service, its unit, its
    warning and critical thresholds and whether higher or lower values are worse."""

    name = models.CharField(_("name"), max_length=120)
    unit = models.CharField(_("unit"), max_length=20, blank=True, help_text=_("E.g. %, GB, ms."))
    description = models.TextField(_("description"), blank=True)
    ci = models.ForeignKey(
        "cmdb.ConfigurationItem",
        verbose_name=_("configuration item"),
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
    customer = models.ForeignKey(
        Organisation,
        verbose_name=_("customer"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
        help_text=_("The customer of the CI: who sees the metric."),
    )
    key = models.CharField(
        _("key"),
        max_length=200,
        blank=True,
        help_text=_(
            "How monitoring names the metric (e.g. the Prometheus alert's metric label); unique "
            "when given."
        ),
    )
    direction = models.CharField(
        _("direction"), max_length=10, choices=Direction.choices, default=Direction.UP
    )
    warning_threshold = models.FloatField(_("warning threshold"), null=True, blank=True)
    critical_threshold = models.FloatField(_("critical threshold"), null=True, blank=True)
    forecast_method = models.CharField(
        _("forecast method"),
        max_length=10,
        choices=ForecastMethod.choices,
        default=ForecastMethod.AUTO,
    )
    season_days = models.PositiveSmallIntegerField(
        _("season (days)"),
        default=7,
        help_text=_("The length of the repeating pattern the seasonal forecast looks for."),
    )
    last_value = models.FloatField(_("last value"), null=True, blank=True, editable=False)
    last_at = models.DateTimeField(_("last sample"), null=True, blank=True, editable=False)

    policy = ModelPolicy(
        view=ANYONE,
        add=CAPACITY_WRITERS,
        change=CAPACITY_WRITERS,
        delete=CAPACITY_WRITERS,
        tenant_field="customer",
        internal_fields=METRIC_INTERNAL_FIELDS,
    )

    class Meta:
        verbose_name = _("capacity metric")
        verbose_name_plural = _("capacity metrics")
        ordering = ("name", "id")
        constraints = [
            models.UniqueConstraint(
                fields=["key"], condition=~models.Q(key=""), name="capacity_metric_key"
            )
        ]
        indexes = [
            models.Index(fields=["customer", "id"], name="capacity_metric_customer"),
            models.Index(fields=["name", "id"], name="capacity_metric_name"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.unit})" if self.unit else self.name

    def breaches(self, value: float, threshold: float | None) -> bool:
        """Whether *value* is at or beyond *threshold* in the metric's bad direction."""
        if threshold is None:
            return False
        return value >= threshold if self.direction == Direction.UP else value <= threshold


class Sample(models.Model):
    """One measured value of a metric at an instant; one per (metric, instant): a resent
    sample replaces the value, never duplicates it."""

    metric = models.ForeignKey(
        Metric, verbose_name=_("metric"), on_delete=models.CASCADE, related_name="samples"
    )
    at = models.DateTimeField(_("measured at"))
    value = models.FloatField(_("value"))

    objects = RestrictedQuerySet.as_manager()
    policy = ModelPolicy(
        view=ANYONE,
        add=CAPACITY_WRITERS,
        change=frozenset(),
        delete=CAPACITY_WRITERS,
        tenant_field="metric__customer",
    )

    class Meta:
        verbose_name = _("sample")
        verbose_name_plural = _("samples")
        ordering = ("metric", "at")
        constraints = [
            models.UniqueConstraint(fields=["metric", "at"], name="capacity_sample_metric_at")
        ]

    def __str__(self) -> str:
        return f"{self.metric_id} @ {self.at:%Y-%m-%d %H:%M}: {self.value:g}"


class CapacityPlan(DomainModel):
    """The capacity plan of a service for a period (容量计划): current and forecast demand,
    when an upgrade is due and what it costs, the effect of planned changes."""

    number = models.CharField(_("number"), max_length=20, unique=True, editable=False)
    title = models.CharField(_("title"), max_length=200)
    service = models.ForeignKey(
        "catalog.Service", verbose_name=_("service"), on_delete=models.PROTECT, related_name="+"
    )
    status = models.CharField(
        _("status"), max_length=20, choices=PlanStatus.choices, default=PlanStatus.DRAFT
    )
    period_start = models.DateField(_("period start"))
    period_end = models.DateField(_("period end"))
    current_demand = models.TextField(_("current demand"), blank=True)
    forecast_demand = models.TextField(_("forecast demand"), blank=True)
    upgrade_due = models.DateField(_("upgrade due"), null=True, blank=True)
    upgrade_cost = models.DecimalField(
        _("upgrade cost"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    upgrade_description = models.TextField(_("upgrade"), blank=True)
    changes_effect = models.TextField(_("effect of planned changes"), blank=True)
    changes = models.ManyToManyField(
        "change.Change", verbose_name=_("planned changes"), blank=True, related_name="+"
    )
    metrics = models.ManyToManyField(
        Metric, verbose_name=_("metrics"), blank=True, related_name="plans"
    )
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True, editable=False)

    policy = ModelPolicy(
        view=STAFF,
        add=CAPACITY_WRITERS,
        change=CAPACITY_WRITERS | {"service_level_manager", "process_owner"},
        delete=CAPACITY_WRITERS,
    )
    state_machine = PLAN_MACHINE

    class Meta:
        verbose_name = _("capacity plan")
        verbose_name_plural = _("capacity plans")
        ordering = ("-id",)
        indexes = [models.Index(fields=["status", "id"], name="capacity_plan_status")]

    def __str__(self) -> str:
        return f"{self.number} {self.title}"
