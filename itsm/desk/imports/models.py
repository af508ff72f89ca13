"""Records of historic ticket import: one ``TicketImport`` per uploaded file, from upload
through mapping and dry run to the job that writes the tickets (its progress and log)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from itsm.core.choices import Role
from itsm.core.models import DomainModel, Organisation
from itsm.core.policy import STAFF, ModelPolicy
from itsm.core.stored_text import shown
from itsm.desk.choices import DESK_MANAGERS
from itsm.desk.imports.choices import IMPORT_MACHINE, ImportShape, ImportStatus, UnknownValues

#: who may import history: the desk's process owners and group leaders, and administrators
IMPORTERS = DESK_MANAGERS | frozenset({Role.ADMINISTRATOR.value})


class TicketImport(DomainModel):
    """One file of another tool's incidents, its mapping, its dry-run report and its run."""

    file_name = models.CharField(_("file"), max_length=255)
    source = models.CharField(
        _("source system"),
        max_length=60,
        help_text=_("Names the old tool; numbers are unique per source system."),
    )
    customer = models.ForeignKey(
        Organisation,
        verbose_name=_("customer"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    shape = models.CharField(_("shape"), max_length=10, choices=ImportShape.choices, blank=True)
    headers = models.JSONField(_("columns"), default=list, blank=True)
    mapping = models.JSONField(_("mapping"), default=dict, blank=True)
    state_map = models.JSONField(_("state mapping"), default=dict, blank=True)
    priority_map = models.JSONField(_("priority mapping"), default=dict, blank=True)
    day_first = models.BooleanField(_("day first dates"), default=True)
    unknown_groups = models.CharField(
        _("unknown groups"),
        max_length=10,
        choices=UnknownValues.choices,
        default=UnknownValues.CREATE,
    )
    unknown_categories = models.CharField(
        _("unknown categories"),
        max_length=10,
        choices=UnknownValues.choices,
        default=UnknownValues.CREATE,
    )
    skip_bad = models.BooleanField(
        _("skip the bad incidents"),
        default=False,
        help_text=_("Import the other incidents and record the skipped ones in the log."),
    )
    status = models.CharField(
        _("status"), max_length=10, choices=ImportStatus.choices, default=ImportStatus.UPLOADED
    )
    total_rows = models.PositiveIntegerField(_("rows"), default=0)
    incident_count = models.PositiveIntegerField(_("incidents"), default=0)
    done_rows = models.PositiveIntegerField(_("rows done"), default=0)
    created_count = models.PositiveIntegerField(_("tickets created"), default=0)
    unchanged_count = models.PositiveIntegerField(_("already imported"), default=0)
    problems = models.JSONField(_("bad rows"), default=list, blank=True)
    skipped = models.JSONField(_("skipped incidents"), default=list, blank=True)
    log = models.TextField(_("log"), blank=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    state_machine = IMPORT_MACHINE
    policy = ModelPolicy(
        view=STAFF, add=IMPORTERS, change=IMPORTERS, delete=IMPORTERS, tenant_field=None
    )

    class Meta:
        verbose_name = _("ticket import")
        verbose_name_plural = _("ticket imports")
        ordering = ["-id"]
        indexes = [models.Index(fields=["status", "id"], name="deskimport_status")]

    def __str__(self) -> str:
        return f"{self.file_name} ({self.source})"

    @property
    def reference(self) -> str:
        return f"IMP-{self.pk}"

    @property
    def log_text(self) -> str:
        """The log in the reader's language (lines stored with ``core.stored_text``)."""
        return "\n".join(shown(line) for line in self.log.splitlines())

    @property
    def percent(self) -> int:
        if not self.total_rows:
            return 0
        return min(100, round(100 * self.done_rows / self.total_rows))


class ImportFile(models.Model):
    """The uploaded file of an import, kept apart so the import's field history does not copy
    it at every step."""

    ticket_import = models.OneToOneField(
        TicketImport, verbose_name=_("import"), on_delete=models.CASCADE, related_name="file"
    )
    content = models.BinaryField(_("content"))

    policy = ModelPolicy(view=STAFF, tenant_field=None)

    class Meta:
        verbose_name = _("import file")
        verbose_name_plural = _("import files")

    def __str__(self) -> str:
        return str(self.ticket_import)
