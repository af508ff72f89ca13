"""Facts of a ticket imported from another tool (R-DEP-04): what the old tool knew and the
product did not measure — its SLA verdict, its reassignment and reopen counts, its times.

A ticket with facts is an imported ticket: it was written by
``itsm.desk.services.imported`` in bulk, with its timeline rebuilt from the old tool's
snapshots, and started no clock and sent no notification. Its number is the old tool's
(``source_number``), unique per ``source`` so that importing the same file again changes
nothing.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from itsm.core.policy import STAFF, ModelPolicy
from itsm.desk.models.tickets import Ticket


class ImportedFacts(models.Model):
    """The old tool's facts about one imported ticket (written once, never edited)."""

    ticket = models.OneToOneField(
        Ticket,
        verbose_name=_("ticket"),
        on_delete=models.CASCADE,
        related_name="imported_facts",
    )
    source = models.CharField(_("source system"), max_length=60)
    source_number = models.CharField(_("number in the source system"), max_length=60)
    source_state = models.CharField(_("state in the source system"), max_length=60, blank=True)
    made_sla = models.BooleanField(_("SLA met (source verdict)"), null=True, blank=True)
    reassignment_count = models.PositiveIntegerField(_("reassignments"), default=0)
    reopen_count = models.PositiveIntegerField(_("reopened"), default=0)
    opened_at = models.DateTimeField(_("opened at"))
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    caller = models.CharField(_("caller"), max_length=200, blank=True)
    import_reference = models.CharField(_("import"), max_length=40, blank=True)
    imported_at = models.DateTimeField(_("imported at"))

    policy = ModelPolicy(view=STAFF, tenant_field="ticket__customer")

    class Meta:
        verbose_name = _("imported ticket facts")
        verbose_name_plural = _("imported ticket facts")
        constraints = [
            models.UniqueConstraint(
                fields=["source", "source_number"], name="desk_imported_source_number"
            )
        ]
        indexes = [models.Index(fields=["opened_at", "id"], name="desk_imported_opened")]

    def __str__(self) -> str:
        return f"{self.source} {self.source_number}"
