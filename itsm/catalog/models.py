"""The service catalogue (服务目录): categories with codes, services, service items
(R-CAT-01…05)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from itsm.catalog.choices import (
    CATALOG_WRITERS,
    SERVICE_MACHINE,
    ChargingBasis,
    ServiceStatus,
)
from itsm.core.models import DomainModel, Organisation
from itsm.core.policy import ADMIN, ModelPolicy


class ServiceCategory(DomainModel):
    """A node of the hierarchical classification (服务分类与编码); ``code`` is the full code,
    e.g. ``01.02``, and starts with the parent's code."""

    code = models.CharField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=200)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent category"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
    )
    description = models.TextField(_("description"), blank=True)

    policy = ModelPolicy(add=CATALOG_WRITERS, change=CATALOG_WRITERS, delete=ADMIN)

    class Meta:
        verbose_name = _("service category")
        verbose_name_plural = _("service categories")
        ordering = ("code",)

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class Service(DomainModel):
    """A service of the catalogue. Only published services can be requested or put in an
    agreement; ``customers`` are the organisations whose catalogue shows it."""

    code = models.CharField(_("service code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=200)
    category = models.ForeignKey(
        ServiceCategory,
        verbose_name=_("category"),
        on_delete=models.PROTECT,
        related_name="services",
    )
    description = models.TextField(
        _("description"), blank=True, help_text=_("In the customer's language.")
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("service owner"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="owned_services",
    )
    modes = models.JSONField(
        _("service modes"), default=list, blank=True, help_text=_("Values of ServiceMode.")
    )
    service_hours = models.ForeignKey(
        "calendars.BusinessCalendar",
        verbose_name=_("service hours"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    charging_basis = models.CharField(
        _("charging basis"),
        max_length=20,
        choices=ChargingBasis.choices,
        default=ChargingBasis.INCLUDED,
    )
    price = models.DecimalField(_("price"), max_digits=12, decimal_places=2, null=True, blank=True)
    price_note = models.CharField(_("price note"), max_length=200, blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=ServiceStatus.choices, default=ServiceStatus.DRAFT
    )
    customers = models.ManyToManyField(
        Organisation,
        verbose_name=_("customers"),
        blank=True,
        related_name="catalogue_services",
        limit_choices_to={"kind": "customer"},
    )
    business_ci = models.ForeignKey(
        "cmdb.ConfigurationItem",
        verbose_name=_("business service CI"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    linked_cis = models.ManyToManyField(
        "cmdb.ConfigurationItem",
        verbose_name=_("configuration items"),
        blank=True,
        related_name="catalogue_services",
    )
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("submitted by"),
    )
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("reviewed by"),
    )
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("published by"),
    )
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    retired_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("retired by"),
    )
    retired_at = models.DateTimeField(_("retired at"), null=True, blank=True)

    # writers may delete a draft that was never published (the service refuses any other);
    # customers see only the published services offered to them (R-CAT-05)
    policy = ModelPolicy(
        add=CATALOG_WRITERS,
        change=CATALOG_WRITERS,
        delete=CATALOG_WRITERS,
        tenant_field="customers",
        external_filter=models.Q(status=ServiceStatus.PUBLISHED),
        # internal configuration and workflow details
        internal_fields=(
            "business_ci",
            "linked_cis",
            "submitted_by",
            "submitted_at",
            "reviewed_by",
            "reviewed_at",
            "retired_by",
            "retired_at",
            "transitions",
        ),
    )
    state_machine = SERVICE_MACHINE

    class Meta:
        verbose_name = _("service")
        verbose_name_plural = _("services")
        ordering = ("code",)
        indexes = [models.Index(fields=["status", "code"], name="catalog_service_status")]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class ServiceItem(DomainModel):
    """A service item (服务项) that makes up a service, e.g. "PC fault repair"."""

    service = models.ForeignKey(
        Service, verbose_name=_("service"), on_delete=models.CASCADE, related_name="items"
    )
    code = models.CharField(_("code"), max_length=40)
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    order = models.PositiveSmallIntegerField(_("order"), default=100)
    form_fields = models.JSONField(
        _("order form fields"),
        default=list,
        blank=True,
        help_text=_("The questions a customer answers when ordering the item."),
    )
    fulfilment_tasks = models.JSONField(
        _("fulfilment tasks"),
        default=list,
        blank=True,
        help_text=_(
            "The tasks a request of the item is fulfilled by, each with an optional group."
        ),
    )

    policy = ModelPolicy(
        add=CATALOG_WRITERS,
        change=CATALOG_WRITERS,
        delete=CATALOG_WRITERS,
        tenant_field="service__customers",
        external_filter=models.Q(service__status=ServiceStatus.PUBLISHED),
        # which provider groups fulfil a request is the provider's business
        internal_fields=("fulfilment_tasks",),
    )

    class Meta:
        verbose_name = _("service item")
        verbose_name_plural = _("service items")
        ordering = ("service", "order", "code")
        constraints = [
            models.UniqueConstraint(fields=["service", "code"], name="catalog_item_code_unique")
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"
