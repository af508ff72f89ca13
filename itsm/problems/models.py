"""Problem management (问题管理, R-PRB-01/02): problems, known errors (已知错误), proactive
detection rules and the problems they propose.

Problems are provider-internal, as in ServiceNow (the problem table is for the ITIL roles):
customers see none of these records (``view=STAFF``, no tenant field). What customers may learn
of a known error reaches them as a knowledge article, whose visibility the knowledge base
decides. The only writer is ``itsm.problems.services``.
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from itsm.core.choices import Priority
from itsm.core.models import DomainModel, Team
from itsm.core.policy import ADMIN, STAFF, ModelPolicy
from itsm.problems.choices import (
    KNOWN_ERROR_MACHINE,
    PROBLEM_MACHINE,
    PROBLEM_MANAGERS,
    PROBLEM_WRITERS,
    PROPOSAL_MACHINE,
    CauseCategory,
    Dimension,
    KnownErrorStatus,
    ProblemSource,
    ProblemStatus,
    ProposalStatus,
    RcaMethod,
)

_USER = settings.AUTH_USER_MODEL


class Problem(DomainModel):
    """A problem (问题): the unknown cause of one or more incidents, investigated until its root
    cause is found (known error) and removed (resolved, normally through a change)."""

    number = models.CharField(_("number"), max_length=20, unique=True, editable=False)
    title = models.CharField(_("summary"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=ProblemStatus.choices, default=ProblemStatus.NEW
    )
    priority = models.CharField(
        _("priority"), max_length=4, choices=Priority.choices, default=Priority.P3
    )
    source = models.CharField(
        _("source"), max_length=20, choices=ProblemSource.choices, default=ProblemSource.MANUAL
    )
    manager = models.ForeignKey(
        _USER,
        verbose_name=_("problem manager"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    assignment_group = models.ForeignKey(
        Team,
        verbose_name=_("assignment group"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    service = models.ForeignKey(
        "catalog.Service",
        verbose_name=_("affected service"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    category = models.ForeignKey(
        "desk.Category",
        verbose_name=_("category"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    cis = models.ManyToManyField(
        "cmdb.ConfigurationItem", verbose_name=_("affected CIs"), blank=True, related_name="+"
    )
    incidents = models.ManyToManyField(
        "desk.Ticket", verbose_name=_("incidents"), blank=True, related_name="+"
    )
    # root cause analysis (根因分析)
    rca_method = models.CharField(
        _("analysis method"), max_length=20, choices=RcaMethod.choices, blank=True
    )
    root_cause = models.TextField(_("root cause"), blank=True)
    cause_category = models.CharField(
        _("cause category"), max_length=20, choices=CauseCategory.choices, blank=True
    )
    workaround = models.TextField(_("workaround"), blank=True)
    fix = models.TextField(
        _("fix"), blank=True, help_text=_("How the root cause was (or will be) removed.")
    )
    fix_change = models.ForeignKey(
        "change.Change",
        verbose_name=_("fix change"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("The change that removes the cause (type a number or a title)."),
    )
    #: the free-text change number recorded before ``fix_change`` existed (read-only; the
    #: migration linked those naming an existing change)
    change_reference = models.CharField(
        _("earlier change reference"),
        max_length=40,
        blank=True,
        editable=False,
        help_text=_("The change number typed before changes were linked."),
    )
    known_error_at = models.DateTimeField(_("known error at"), null=True, blank=True)
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    reopen_count = models.PositiveSmallIntegerField(_("reopened"), default=0)

    state_machine = PROBLEM_MACHINE
    # delete: the service answers that problems are cancelled, never deleted
    policy = ModelPolicy(
        view=STAFF, add=PROBLEM_WRITERS, change=PROBLEM_WRITERS, delete=PROBLEM_WRITERS
    )

    class Meta:
        verbose_name = _("problem")
        verbose_name_plural = _("problems")
        indexes = [
            models.Index(fields=["status", "id"], name="problems_problem_status"),
            models.Index(fields=["priority", "id"], name="problems_problem_priority"),
            models.Index(fields=["created_at", "id"], name="problems_problem_created"),
            models.Index(fields=["resolved_at", "id"], name="problems_problem_resolved"),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.title}"

    @property
    def is_open(self) -> bool:
        return self.status in (
            ProblemStatus.NEW,
            ProblemStatus.INVESTIGATING,
            ProblemStatus.KNOWN_ERROR,
        )


class KnownError(DomainModel):
    """A known error (已知错误): a problem whose root cause and workaround are known, recorded so
    that the desk can recognise its incidents and apply the workaround."""

    number = models.CharField(_("number"), max_length=20, unique=True, editable=False)
    title = models.CharField(_("title"), max_length=200)
    status = models.CharField(
        _("status"),
        max_length=20,
        choices=KnownErrorStatus.choices,
        default=KnownErrorStatus.ACTIVE,
    )
    problem = models.ForeignKey(
        Problem,
        verbose_name=_("problem"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="known_errors",
    )
    symptoms = models.TextField(_("symptoms"))
    workaround = models.TextField(_("workaround"))
    root_cause = models.TextField(_("root cause"), blank=True)
    service = models.ForeignKey(
        "catalog.Service",
        verbose_name=_("affected service"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    category = models.ForeignKey(
        "desk.Category",
        verbose_name=_("category"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    cis = models.ManyToManyField(
        "cmdb.ConfigurationItem", verbose_name=_("affected CIs"), blank=True, related_name="+"
    )
    incidents = models.ManyToManyField(
        "desk.Ticket", verbose_name=_("incidents"), blank=True, related_name="+"
    )
    # the knowledge article made from it (a loose reference: the article lives in the knowledge
    # base, which links back to the known error itself)
    article_id = models.PositiveBigIntegerField(_("article"), null=True, blank=True)
    article_number = models.CharField(_("article number"), max_length=40, blank=True)
    published_at = models.DateTimeField(_("published as article at"), null=True, blank=True)

    state_machine = KNOWN_ERROR_MACHINE
    # delete: the service answers that known errors are retired, never deleted
    policy = ModelPolicy(
        view=STAFF, add=PROBLEM_WRITERS, change=PROBLEM_WRITERS, delete=PROBLEM_WRITERS
    )

    class Meta:
        verbose_name = _("known error")
        verbose_name_plural = _("known errors")
        indexes = [models.Index(fields=["status", "id"], name="problems_ke_status")]

    def __str__(self) -> str:
        return f"{self.number} {self.title}"


class DetectionRule(DomainModel):
    """A proactive detection rule: *threshold* or more incidents on one CI, service or category
    opened within *window_days* are proposed as a problem (R-PRB-01)."""

    name = models.CharField(_("name"), max_length=100)
    dimension = models.CharField(_("group by"), max_length=20, choices=Dimension.choices)
    threshold = models.PositiveSmallIntegerField(
        _("threshold"),
        default=3,
        validators=[MinValueValidator(2), MaxValueValidator(1000)],
        help_text=_("How many incidents make a proposal (2 or more)."),
    )
    window_days = models.PositiveSmallIntegerField(
        _("window (days)"),
        default=7,
        validators=[MinValueValidator(1), MaxValueValidator(365)],
        help_text=_("Incidents opened within this many days are counted."),
    )
    is_active = models.BooleanField(_("active"), default=True)

    policy = ModelPolicy(
        view=STAFF, add=PROBLEM_MANAGERS, change=PROBLEM_MANAGERS, delete=PROBLEM_MANAGERS
    )

    class Meta:
        verbose_name = _("detection rule")
        verbose_name_plural = _("detection rules")
        ordering = ("dimension", "name")

    def __str__(self) -> str:
        return self.name


class ProblemProposal(DomainModel):
    """A problem proposed by the detection job from repeat incidents on one CI, service or
    category; a problem manager accepts it (the problem is created with the incidents linked)
    or dismisses it (remembered: its incidents no longer count towards a new proposal)."""

    rule = models.ForeignKey(
        DetectionRule,
        verbose_name=_("detection rule"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="proposals",
    )
    dimension = models.CharField(_("group by"), max_length=20, choices=Dimension.choices)
    key = models.PositiveBigIntegerField(_("grouped record"))
    label = models.CharField(_("on"), max_length=250)
    status = models.CharField(
        _("status"),
        max_length=20,
        choices=ProposalStatus.choices,
        default=ProposalStatus.PROPOSED,
    )
    incidents = models.ManyToManyField(
        "desk.Ticket", verbose_name=_("incidents"), blank=True, related_name="+"
    )
    incident_count = models.PositiveIntegerField(_("incidents"), default=0)
    first_opened_at = models.DateTimeField(_("first incident at"), null=True, blank=True)
    last_opened_at = models.DateTimeField(_("last incident at"), null=True, blank=True)
    decided_by = models.ForeignKey(
        _USER,
        verbose_name=_("decided by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    reason = models.TextField(_("reason"), blank=True)
    problem = models.ForeignKey(
        Problem,
        verbose_name=_("problem"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="proposals",
    )

    state_machine = PROPOSAL_MACHINE
    policy = ModelPolicy(view=STAFF, change=PROBLEM_MANAGERS, delete=ADMIN)

    class Meta:
        verbose_name = _("proposed problem")
        verbose_name_plural = _("proposed problems")
        indexes = [
            models.Index(fields=["status", "id"], name="problems_proposal_status"),
            models.Index(fields=["dimension", "key", "status"], name="problems_proposal_key"),
        ]

    def __str__(self) -> str:
        return str(
            _("{count} incidents on {label}").format(count=self.incident_count, label=self.label)
        )
