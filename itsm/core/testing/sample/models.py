from django.db import models
from django.utils.translation import gettext_lazy as _

from itsm.core.models import DomainModel, Organisation
from itsm.core.policy import ModelPolicy
from itsm.core.testing.sample.choices import ENGINEERS, SAMPLE_MACHINE, WRITERS, SampleStatus


class SampleTicket(DomainModel):
    """A minimal ticket: numbered, owned by a customer, moved through a state machine."""

    number = models.CharField(_("number"), max_length=20, unique=True, editable=False)
    title = models.CharField(_("title"), max_length=200)
    customer = models.ForeignKey(
        Organisation,
        verbose_name=_("customer"),
        on_delete=models.PROTECT,
        related_name="sample_tickets",
    )
    status = models.CharField(
        _("status"), max_length=20, choices=SampleStatus.choices, default=SampleStatus.NEW
    )
    resolution = models.TextField(_("resolution"), blank=True)

    policy = ModelPolicy(tenant_field="customer", add=WRITERS, change=WRITERS, delete=ENGINEERS)
    state_machine = SAMPLE_MACHINE

    class Meta:
        verbose_name = _("sample ticket")
        verbose_name_plural = _("sample tickets")

    def __str__(self) -> str:
        return f"{self.number} {self.title}"
