"""Release management records (发布管理, R-REL): a release plan bundling approved changes, its
test records and its go/no-go decisions.

The only writer is ``itsm.releases.services``.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from itsm.core.models import DomainModel, Organisation
from itsm.core.policy import ANYONE, STAFF, ModelPolicy
from itsm.releases.choices import (
    RELEASE_DECIDERS,
    RELEASE_MACHINE,
    RELEASE_WRITERS,
    Decision,
    ReleaseKind,
    ReleaseStatus,
    TestResult,
)

_USER = settings.AUTH_USER_MODEL

#: fields only provider staff receive
RELEASE_INTERNAL_FIELDS = ("internal_notes", "ci_versions", "manager")


class Release(DomainModel):
    """A release (发布): a plan that bundles changes, is tested, decided go or no-go, deployed
    and either succeeds (the CMDB takes the new CI versions) or is rolled back."""

    number = models.CharField(_("number"), max_length=20, unique=True, editable=False)
    kind = models.CharField(_("kind"), max_length=20, choices=ReleaseKind.choices)
    title = models.CharField(_("title"), max_length=200)
    version_label = models.CharField(
        _("release version"), max_length=60, blank=True, help_text=_("E.g. 5.3.0 or 2026.11.")
    )
    description = models.TextField(_("description"), blank=True)
    status = models.CharField(
        _("status"),
        max_length=20,
        choices=ReleaseStatus.choices,
        default=ReleaseStatus.PLANNING,
    )
    planned_at = models.DateTimeField(_("planned deployment"), null=True, blank=True)
    changes = models.ManyToManyField(
        "change.Change", verbose_name=_("changes"), blank=True, related_name="+"
    )
    customers = models.ManyToManyField(
        Organisation,
        verbose_name=_("affected customers"),
        blank=True,
        related_name="+",
        help_text=_("The customers of the bundled changes: who sees the release."),
    )
    manager = models.ForeignKey(
        _USER,
        verbose_name=_("release manager"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    deployment_plan = models.TextField(_("deployment plan"), blank=True)
    rollback_plan = models.TextField(_("rollback plan"), blank=True)
    ci_versions = models.JSONField(
        _("CI versions"),
        default=dict,
        blank=True,
        help_text=_("The version each CI takes when the release is deployed (CI id → version)."),
    )
    deploy_started_at = models.DateTimeField(_("deployment start"), null=True, blank=True)
    deploy_ended_at = models.DateTimeField(_("deployment end"), null=True, blank=True)
    outcome_note = models.TextField(_("outcome"), blank=True)
    internal_notes = models.TextField(_("internal notes"), blank=True)
    closed_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    # customers see the releases of the changes that affect them, once planned
    policy = ModelPolicy(
        view=ANYONE,
        add=RELEASE_WRITERS,
        change=RELEASE_WRITERS,
        delete=RELEASE_WRITERS,  # asked, and refused by the API: a release is cancelled instead
        tenant_field="customers",
        external_filter=~models.Q(status__in=(ReleaseStatus.PLANNING, ReleaseStatus.CANCELLED)),
        internal_fields=RELEASE_INTERNAL_FIELDS,
    )
    state_machine = RELEASE_MACHINE

    class Meta:
        verbose_name = _("release")
        verbose_name_plural = _("releases")
        ordering = ("-id",)
        indexes = [
            models.Index(fields=["status", "closed_at"], name="release_status_closed"),
            models.Index(fields=["planned_at", "id"], name="release_planned"),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.title}"


class ReleaseTest(DomainModel):
    """A test record of a release: what was tested, the result, by whom and when."""

    release = models.ForeignKey(
        Release, verbose_name=_("release"), on_delete=models.CASCADE, related_name="tests"
    )
    subject = models.CharField(_("what was tested"), max_length=200)
    result = models.CharField(_("result"), max_length=10, choices=TestResult.choices)
    tested_by = models.ForeignKey(
        _USER, verbose_name=_("tested by"), on_delete=models.PROTECT, related_name="+"
    )
    tested_at = models.DateTimeField(_("tested at"))
    note = models.TextField(_("note"), blank=True)

    policy = ModelPolicy(view=STAFF, add=RELEASE_WRITERS, change=frozenset(), delete=frozenset())

    class Meta:
        verbose_name = _("release test")
        verbose_name_plural = _("release tests")
        ordering = ("release", "tested_at", "id")

    def __str__(self) -> str:
        return f"{self.subject}: {self.get_result_display()}"


class ReleaseDecision(DomainModel):
    """A go/no-go decision on a release, with its comment."""

    release = models.ForeignKey(
        Release, verbose_name=_("release"), on_delete=models.CASCADE, related_name="decisions"
    )
    decision = models.CharField(_("decision"), max_length=10, choices=Decision.choices)
    comment = models.TextField(_("comment"))
    decided_by = models.ForeignKey(
        _USER, verbose_name=_("decided by"), on_delete=models.PROTECT, related_name="+"
    )

    policy = ModelPolicy(view=STAFF, add=RELEASE_DECIDERS, change=frozenset(), delete=frozenset())

    class Meta:
        verbose_name = _("go/no-go decision")
        verbose_name_plural = _("go/no-go decisions")
        ordering = ("release", "id")

    def __str__(self) -> str:
        return f"{self.get_decision_display()}: {self.comment[:40]}"
