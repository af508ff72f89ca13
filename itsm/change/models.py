"""Change management records (变更管理, R-CHG-01…05): requests for change, the catalogue of
pre-approved standard change templates, the risk questionnaire and its thresholds, change
advisory boards and their decisions, maintenance and blackout windows.

The only writer is ``itsm.change.services``.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.dates import WEEKDAYS_ABBR
from django.utils.translation import gettext_lazy as _

from itsm.change.choices import (
    CHANGE_APPROVERS,
    CHANGE_MACHINE,
    CHANGE_MANAGERS,
    CHANGE_WRITERS,
    MEETING_MACHINE,
    WINDOW_WRITERS,
    ApprovalPath,
    ChangeCategory,
    ChangeKind,
    ChangeStatus,
    IncidentRelation,
    MeetingStatus,
    RiskLevel,
    Vote,
    WindowKind,
)
from itsm.core.models import DomainModel, Organisation, User
from itsm.core.policy import ANYONE, STAFF, ModelPolicy

_USER = settings.AUTH_USER_MODEL


class ChangeTemplate(DomainModel):
    """A pre-approved standard change (标准变更): its plans are copied into the change, which
    is scheduled without assessment or CAB."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=200)
    category = models.CharField(
        _("category"), max_length=20, choices=ChangeCategory.choices, default=ChangeCategory.OTHER
    )
    description = models.TextField(_("description"), blank=True)
    implementation_plan = models.TextField(_("implementation plan"))
    backout_plan = models.TextField(_("back-out plan"))
    test_plan = models.TextField(_("test plan"), blank=True)
    duration_minutes = models.PositiveIntegerField(_("usual duration (minutes)"), default=60)
    is_active = models.BooleanField(_("active"), default=True)

    policy = ModelPolicy(
        view=STAFF, add=CHANGE_MANAGERS, change=CHANGE_MANAGERS, delete=CHANGE_MANAGERS
    )

    class Meta:
        verbose_name = _("standard change template")
        verbose_name_plural = _("standard change templates")
        ordering = ("code",)

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class RiskQuestion(DomainModel):
    """A question of the risk questionnaire; ``answers`` is a list of ``{"label", "weight"}``:
    the weights of the chosen answers add up to the change's risk score."""

    order = models.PositiveSmallIntegerField(_("order"), default=100)
    text = models.CharField(_("question"), max_length=300)
    answers = models.JSONField(
        _("answers"), default=list, help_text=_("Each answer with its label and weight.")
    )
    is_active = models.BooleanField(_("active"), default=True)

    policy = ModelPolicy(
        view=STAFF, add=CHANGE_MANAGERS, change=CHANGE_MANAGERS, delete=CHANGE_MANAGERS
    )

    class Meta:
        verbose_name = _("risk question")
        verbose_name_plural = _("risk questions")
        ordering = ("order", "id")

    def __str__(self) -> str:
        return self.text


class RiskThreshold(DomainModel):
    """From ``min_score`` on, a change has this risk level and takes this approval path."""

    level = models.CharField(_("risk level"), max_length=10, choices=RiskLevel.choices, unique=True)
    min_score = models.PositiveIntegerField(_("from score"))
    approval_path = models.CharField(
        _("approval path"), max_length=20, choices=ApprovalPath.choices
    )

    policy = ModelPolicy(
        view=STAFF, add=CHANGE_MANAGERS, change=CHANGE_MANAGERS, delete=CHANGE_MANAGERS
    )

    class Meta:
        verbose_name = _("risk threshold")
        verbose_name_plural = _("risk thresholds")
        ordering = ("min_score",)

    def __str__(self) -> str:
        return f"{self.get_level_display()} ≥ {self.min_score}"


class AdvisoryBoard(DomainModel):
    """A change advisory board (CAB, 变更咨询委员会) or the emergency CAB: members vote; a
    decision is reached once ``quorum`` members have voted: approved when more approve than
    reject, else rejected; a single rejection is final when ``veto`` is set."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=200)
    is_emergency = models.BooleanField(_("emergency CAB"), default=False)
    members = models.ManyToManyField(
        User, verbose_name=_("members"), blank=True, related_name="advisory_boards"
    )
    quorum = models.PositiveSmallIntegerField(
        _("quorum"), default=2, help_text=_("Votes needed (abstentions count) for a decision.")
    )
    veto = models.BooleanField(
        _("one rejection rejects"),
        default=False,
        help_text=_("A single rejection rejects the change without waiting for the quorum."),
    )
    is_active = models.BooleanField(_("active"), default=True)

    # asked, and refused by the API: a CAB is deactivated instead
    policy = ModelPolicy(
        view=STAFF, add=CHANGE_MANAGERS, change=CHANGE_MANAGERS, delete=CHANGE_MANAGERS
    )

    class Meta:
        verbose_name = _("change advisory board")
        verbose_name_plural = _("change advisory boards")
        ordering = ("code",)

    def __str__(self) -> str:
        return self.name


#: fields only provider staff receive: the internal notes and the working data of the process
CHANGE_INTERNAL_FIELDS = (
    "internal_notes",
    "risk_answers",
    "risk_score",
    "conflicts",
    "conflicts_checked_at",
    "board",
    "implementer",
)


class Change(DomainModel):
    """A request for change (RFC, 变更请求) from raising to post-implementation review."""

    number = models.CharField(_("number"), max_length=20, unique=True, editable=False)
    kind = models.CharField(_("kind"), max_length=20, choices=ChangeKind.choices)
    title = models.CharField(_("summary"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    category = models.CharField(
        _("category"), max_length=20, choices=ChangeCategory.choices, default=ChangeCategory.OTHER
    )
    reason = models.TextField(_("reason for change"), blank=True)
    template = models.ForeignKey(
        ChangeTemplate,
        verbose_name=_("standard change template"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    implementation_plan = models.TextField(_("implementation plan"), blank=True)
    backout_plan = models.TextField(_("back-out plan"), blank=True)
    test_plan = models.TextField(_("test plan"), blank=True)
    planned_start = models.DateTimeField(_("planned start"), null=True, blank=True)
    planned_end = models.DateTimeField(_("planned end"), null=True, blank=True)
    actual_start = models.DateTimeField(_("actual start"), null=True, blank=True)
    actual_end = models.DateTimeField(_("actual end"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=ChangeStatus.choices, default=ChangeStatus.DRAFT
    )
    cis = models.ManyToManyField(
        "cmdb.ConfigurationItem", verbose_name=_("affected CIs"), blank=True, related_name="+"
    )
    services = models.ManyToManyField(
        "catalog.Service", verbose_name=_("affected services"), blank=True, related_name="+"
    )
    customers = models.ManyToManyField(
        Organisation,
        verbose_name=_("affected customers"),
        blank=True,
        related_name="+",
        help_text=_("Computed from the CIs and services: who sees the change."),
    )
    requester = models.ForeignKey(
        _USER, verbose_name=_("requester"), on_delete=models.PROTECT, related_name="+"
    )
    owner = models.ForeignKey(
        _USER,
        verbose_name=_("change owner"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    implementer = models.ForeignKey(
        _USER,
        verbose_name=_("implementer"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    # assessment (R-CHG-02)
    risk_answers = models.JSONField(_("risk answers"), default=dict, blank=True)
    risk_score = models.PositiveIntegerField(_("risk score"), null=True, blank=True)
    risk_level = models.CharField(
        _("risk level"), max_length=10, choices=RiskLevel.choices, blank=True
    )
    approval_path = models.CharField(
        _("approval path"), max_length=20, choices=ApprovalPath.choices, blank=True
    )
    impact = models.JSONField(_("impact"), default=dict, blank=True, editable=False)
    assessed_at = models.DateTimeField(_("assessed at"), null=True, blank=True)
    # conflicts (R-CHG-04): the last check, kept for the page and the approvers
    conflicts = models.JSONField(_("conflicts"), default=list, blank=True, editable=False)
    conflicts_checked_at = models.DateTimeField(_("conflicts checked at"), null=True, blank=True)
    # approval (R-CHG-03)
    board = models.ForeignKey(
        AdvisoryBoard,
        verbose_name=_("CAB"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    approval_round = models.PositiveSmallIntegerField(_("approval round"), default=0)
    # implementation and review (R-CHG-05)
    rolled_back = models.BooleanField(_("rolled back"), default=False)
    outcome_note = models.TextField(_("outcome"), blank=True)
    review_note = models.TextField(_("post-implementation review"), blank=True)
    internal_notes = models.TextField(_("internal notes"), blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)

    # customers see the changes that affect their organisation, never drafts, and without
    # the internal fields
    policy = ModelPolicy(
        view=ANYONE,
        add=CHANGE_WRITERS,
        change=CHANGE_WRITERS,
        delete=CHANGE_WRITERS,  # asked, and refused by the API: a change is cancelled instead
        tenant_field="customers",
        external_filter=~models.Q(status=ChangeStatus.DRAFT),
        internal_fields=CHANGE_INTERNAL_FIELDS,
    )
    state_machine = CHANGE_MACHINE

    class Meta:
        verbose_name = _("change")
        verbose_name_plural = _("changes")
        ordering = ("-id",)
        indexes = [
            # the conflict checks: booked changes overlapping a window
            models.Index(fields=["status", "planned_start"], name="change_status_start"),
            models.Index(fields=["implementer", "planned_start"], name="change_implementer"),
            models.Index(fields=["planned_start", "id"], name="change_start"),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.title}"


class CabMeeting(DomainModel):
    """A meeting of a CAB (or of the emergency CAB): when and where, who attends, its agenda
    of changes awaiting the board's approval, the decisions taken there and its minutes."""

    board = models.ForeignKey(
        AdvisoryBoard, verbose_name=_("CAB"), on_delete=models.PROTECT, related_name="meetings"
    )
    title = models.CharField(_("title"), max_length=200)
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    location = models.CharField(_("location"), max_length=200, blank=True)
    online_link = models.URLField(_("online meeting link"), blank=True)
    attendees = models.ManyToManyField(
        User, verbose_name=_("attendees"), blank=True, related_name="+"
    )
    minutes = models.TextField(_("minutes"), blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=MeetingStatus.choices, default=MeetingStatus.PLANNED
    )

    # asked, and refused by the API: a meeting is cancelled instead
    policy = ModelPolicy(
        view=STAFF, add=CHANGE_MANAGERS, change=CHANGE_MANAGERS, delete=CHANGE_MANAGERS
    )
    state_machine = MEETING_MACHINE

    class Meta:
        verbose_name = _("CAB meeting")
        verbose_name_plural = _("CAB meetings")
        ordering = ("-starts_at", "-id")
        indexes = [models.Index(fields=["starts_at", "id"], name="change_meeting_start")]

    def __str__(self) -> str:
        return self.title


class AgendaItem(DomainModel):
    """A change on a CAB meeting's agenda, in the agenda's order (``position``)."""

    meeting = models.ForeignKey(
        CabMeeting, verbose_name=_("CAB meeting"), on_delete=models.CASCADE, related_name="items"
    )
    change = models.ForeignKey(
        Change, verbose_name=_("change"), on_delete=models.CASCADE, related_name="+"
    )
    position = models.PositiveSmallIntegerField(_("position"), default=1)
    note = models.CharField(_("note"), max_length=500, blank=True)

    policy = ModelPolicy(
        view=STAFF, add=CHANGE_MANAGERS, change=CHANGE_MANAGERS, delete=CHANGE_MANAGERS
    )

    class Meta:
        verbose_name = _("agenda item")
        verbose_name_plural = _("agenda items")
        ordering = ("meeting", "position", "id")
        constraints = [
            models.UniqueConstraint(fields=["meeting", "change"], name="change_agenda_once")
        ]

    def __str__(self) -> str:
        return f"{self.position}. {self.change}"


class Approval(DomainModel):
    """One approval decision on a change, with its comment: the change manager's, or a CAB
    member's vote (``round``: the change's approval round it was given in)."""

    change = models.ForeignKey(
        Change, verbose_name=_("change"), on_delete=models.CASCADE, related_name="approvals"
    )
    approver = models.ForeignKey(
        _USER, verbose_name=_("approver"), on_delete=models.PROTECT, related_name="+"
    )
    board = models.ForeignKey(
        AdvisoryBoard,
        verbose_name=_("CAB"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    meeting = models.ForeignKey(
        CabMeeting,
        verbose_name=_("CAB meeting"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="decisions",
    )
    round = models.PositiveSmallIntegerField(_("approval round"), default=1)
    vote = models.CharField(_("decision"), max_length=10, choices=Vote.choices)
    comment = models.TextField(_("comment"))

    policy = ModelPolicy(
        view=STAFF,
        add=CHANGE_APPROVERS,
        change=frozenset(),
        delete=frozenset(),
    )

    class Meta:
        verbose_name = _("approval decision")
        verbose_name_plural = _("approval decisions")
        ordering = ("change", "round", "id")
        constraints = [
            models.UniqueConstraint(
                fields=["change", "round", "approver"], name="change_approval_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.change_id} {self.vote}"


class Window(DomainModel):
    """A maintenance window (changes belong inside it) or a blackout (freeze) window (no
    change inside it), on a CI, a service, an agreement (the planned interruptions an SLA
    allows) or global (none of the three).

    Either one-off (``starts_at``–``ends_at``) or weekly (``weekdays`` 0 = Monday …, from
    ``start_time`` to ``end_time`` in ``time_zone``; an end at or before the start runs past
    midnight), optionally bounded by ``starts_at``/``ends_at``."""

    kind = models.CharField(_("kind"), max_length=20, choices=WindowKind.choices)
    name = models.CharField(_("name"), max_length=200)
    ci = models.ForeignKey(
        "cmdb.ConfigurationItem",
        verbose_name=_("configuration item"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
    )
    service = models.ForeignKey(
        "catalog.Service",
        verbose_name=_("service"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
    )
    agreement = models.ForeignKey(
        "slm.Agreement",
        verbose_name=_("agreement"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
    )
    starts_at = models.DateTimeField(_("from"), null=True, blank=True)
    ends_at = models.DateTimeField(_("until"), null=True, blank=True)
    weekdays = models.JSONField(
        _("weekdays"), default=list, blank=True, help_text=_("0 = Monday … 6 = Sunday.")
    )
    start_time = models.TimeField(_("daily start"), null=True, blank=True)
    end_time = models.TimeField(_("daily end"), null=True, blank=True)
    time_zone = models.CharField(_("time zone"), max_length=60, default="Asia/Shanghai")
    note = models.TextField(_("note"), blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    policy = ModelPolicy(
        view=STAFF, add=WINDOW_WRITERS, change=WINDOW_WRITERS, delete=WINDOW_WRITERS
    )

    class Meta:
        verbose_name = _("maintenance or blackout window")
        verbose_name_plural = _("maintenance and blackout windows")
        ordering = ("kind", "starts_at", "id")
        indexes = [
            models.Index(fields=["kind", "starts_at"], name="change_window_kind"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_weekly(self) -> bool:
        return bool(self.weekdays)

    @property
    def applies_to(self) -> str:
        """What the window is on (a CI, a service, an agreement) or "Global"."""
        if self.ci_id:
            return str(getattr(self.ci, "number", ""))
        if self.service_id:
            return str(self.service)
        if self.agreement_id:
            return str(getattr(self.agreement, "number", ""))
        return str(_("Global"))

    @property
    def weekly_text(self) -> str:
        """E.g. "Sun 01:00–05:00" for a weekly window, empty for a one-off one."""
        if not self.weekdays or self.start_time is None or self.end_time is None:
            return ""
        days = " ".join(str(WEEKDAYS_ABBR[int(d)]) for d in self.weekdays)
        return f"{days} {self.start_time:%H:%M}–{self.end_time:%H:%M}"


class IncidentLink(DomainModel):
    """An incident linked to the change that caused it or fixed it (R-CHG-05, issue 12). The
    desk does not import change: the ticket page loads the links as a fragment by URL name."""

    change = models.ForeignKey(
        Change, verbose_name=_("change"), on_delete=models.CASCADE, related_name="incident_links"
    )
    ticket = models.ForeignKey(
        "desk.Ticket", verbose_name=_("incident"), on_delete=models.CASCADE, related_name="+"
    )
    relation = models.CharField(_("relation"), max_length=10, choices=IncidentRelation.choices)
    note = models.TextField(_("note"), blank=True)

    policy = ModelPolicy(view=STAFF, add=CHANGE_WRITERS, change=frozenset(), delete=CHANGE_WRITERS)

    class Meta:
        verbose_name = _("incident link")
        verbose_name_plural = _("incident links")
        ordering = ("change", "id")
        constraints = [
            models.UniqueConstraint(
                fields=["change", "ticket", "relation"], name="change_incident_link_once"
            )
        ]
        indexes = [
            # the ticket page's fragment and the change report's count of caused incidents
            models.Index(fields=["ticket", "change"], name="change_incident_ticket"),
            models.Index(fields=["relation", "change"], name="change_incident_relation"),
        ]

    def __str__(self) -> str:
        return f"{self.change_id} {self.relation} {self.ticket_id}"
