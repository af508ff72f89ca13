"""Records of availability management (可用性管理, R-AVC-01): an outage of a service.

The only writer is ``itsm.availability.services``.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from itsm.availability.choices import OUTAGE_WRITERS, OutageKind, OutageSource
from itsm.core.models import DomainModel, Organisation
from itsm.core.policy import ANYONE, ModelPolicy


class Outage(DomainModel):
    """An interruption of a service, for one customer or (no customer) for every customer of
    the service: unplanned (from an incident, an alert or entered by hand) or planned (from a
    change or entered by hand). Open while ``ended_at`` is empty."""

    number = models.CharField(_("number"), max_length=20, unique=True, editable=False)
    service = models.ForeignKey(
        "catalog.Service", verbose_name=_("service"), on_delete=models.PROTECT, related_name="+"
    )
    customer = models.ForeignKey(
        Organisation,
        verbose_name=_("customer"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("Empty: the outage affects every customer of the service."),
    )
    kind = models.CharField(
        _("kind"), max_length=20, choices=OutageKind.choices, default=OutageKind.UNPLANNED
    )
    source = models.CharField(
        _("source"), max_length=20, choices=OutageSource.choices, default=OutageSource.MANUAL
    )
    started_at = models.DateTimeField(_("start"))
    ended_at = models.DateTimeField(
        _("end"), null=True, blank=True, help_text=_("Empty while the outage lasts.")
    )
    ticket = models.ForeignKey(
        "desk.Ticket",
        verbose_name=_("incident"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    change = models.ForeignKey(
        "change.Change",
        verbose_name=_("change"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    reference = models.CharField(
        _("external reference"),
        max_length=200,
        blank=True,
        help_text=_("E.g. the fingerprint of the monitoring alert that opened it."),
    )
    description = models.TextField(_("description"), blank=True)

    policy = ModelPolicy(
        view=ANYONE,
        add=OUTAGE_WRITERS,
        change=OUTAGE_WRITERS,
        delete=OUTAGE_WRITERS,
        tenant_field="customer",
    )

    class Meta:
        verbose_name = _("outage")
        verbose_name_plural = _("outages")
        ordering = ("-started_at", "-id")
        indexes = [
            models.Index(fields=["service", "started_at"], name="outage_service_start"),
            models.Index(fields=["started_at", "id"], name="outage_start"),
            models.Index(fields=["ended_at"], name="outage_end"),
            models.Index(fields=["source", "reference"], name="outage_reference"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["ticket"],
                condition=models.Q(ticket__isnull=False, source="incident"),
                name="outage_one_per_incident",
            ),
            models.CheckConstraint(
                condition=models.Q(ended_at__isnull=True)
                | models.Q(ended_at__gte=models.F("started_at")),
                name="outage_ends_after_start",
            ),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def is_open(self) -> bool:
        return self.ended_at is None
