"""Service level management records: agreements (SLA / OLA / UC) with the contents of seed 003
§2.2, their targets, customer requirements and review meetings with action items
(R-SLM-01…08, R-REQ). SLA test tickets, which try an agreement's clocks, live in the clocks
app (``itsm.slm.clocks.models``)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from itsm.core.choices import Priority
from itsm.core.models import DomainModel, Organisation, Team
from itsm.core.policy import ADMIN, STAFF, ModelPolicy
from itsm.kpi.choices import Unit, unit_symbol
from itsm.slm.choices import (
    ACTION_MACHINE,
    AGREEMENT_MACHINE,
    DEFAULT_AGENDA,
    REQUIREMENT_MACHINE,
    REVIEW_MACHINE,
    REVIEW_TITLES,
    SLM_WRITERS,
    ActionStatus,
    AgreementKind,
    AgreementStatus,
    Frequency,
    RequirementKind,
    RequirementStatus,
    ReviewKind,
    ReviewStatus,
    TargetIndicator,
    TargetMetric,
)


class Agreement(DomainModel):
    """An SLA (with a customer), OLA (with an internal team) or UC (with a supplier).

    The text fields follow seed 003 §2.2. Once signed, content changes need a
    ``change_reference`` (the change record that authorised them). ``underpins`` links an OLA
    or UC to the SLAs it supports (R-SLM-08). ``ci`` is the agreement's configuration item.
    """

    number = models.CharField(_("number"), max_length=20, unique=True, editable=False)
    kind = models.CharField(_("kind"), max_length=10, choices=AgreementKind.choices)
    title = models.CharField(_("title"), max_length=200)
    status = models.CharField(
        _("status"), max_length=20, choices=AgreementStatus.choices, default=AgreementStatus.DRAFT
    )
    customer = models.ForeignKey(
        Organisation,
        verbose_name=_("customer"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="agreements",
    )
    team = models.ForeignKey(
        Team,
        verbose_name=_("internal team"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="agreements",
    )
    supplier = models.ForeignKey(
        Organisation,
        verbose_name=_("supplier"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="supplier_agreements",
    )
    services = models.ManyToManyField(
        "catalog.Service", verbose_name=_("services covered"), blank=True, related_name="agreements"
    )
    underpins = models.ManyToManyField(
        "self",
        verbose_name=_("supports the SLAs"),
        symmetrical=False,
        blank=True,
        related_name="underpinned_by",
    )
    calendar = models.ForeignKey(
        "calendars.BusinessCalendar",
        verbose_name=_("service hours"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    valid_from = models.DateField(_("valid from"), null=True, blank=True)
    valid_to = models.DateField(_("valid until"), null=True, blank=True)
    warning_percent = models.PositiveSmallIntegerField(
        _("warning threshold (percent of target)"), default=75
    )
    # seed 003 §2.2 contents
    authorisation = models.TextField(_("parties and authorisation"), blank=True)
    provider_signatory = models.CharField(_("provider signatory"), max_length=200, blank=True)
    customer_signatory = models.CharField(_("counterparty signatory"), max_length=200, blank=True)
    contacts = models.TextField(_("contacts and communication"), blank=True)
    planned_interruptions = models.TextField(_("planned and agreed interruptions"), blank=True)
    customer_duties = models.TextField(_("customer responsibilities"), blank=True)
    priority_guide = models.TextField(_("impact and priority guide"), blank=True)
    escalation_rules = models.TextField(_("escalation and notification process"), blank=True)
    complaint_procedure = models.TextField(_("complaint procedure"), blank=True)
    workload_limits = models.TextField(_("workload limits"), blank=True)
    charges = models.TextField(_("charges and financial management"), blank=True)
    procedures = models.TextField(_("service procedures"), blank=True)
    exceptions = models.TextField(_("exceptions"), blank=True)
    availability_review = models.TextField(_("initial availability review"), blank=True)
    # lifecycle
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("signed by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    signed_at = models.DateTimeField(_("signed at"), null=True, blank=True)
    change_reference = models.CharField(
        _("authorising change"),
        max_length=40,
        blank=True,
        help_text=_("Required to change a signed agreement (e.g. CHG-000042)."),
    )
    ci = models.ForeignKey(
        "cmdb.ConfigurationItem",
        verbose_name=_("configuration item"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    underpinning_warnings = models.JSONField(
        _("underpinning warnings"), default=list, blank=True, editable=False
    )

    policy = ModelPolicy(
        add=SLM_WRITERS,
        change=SLM_WRITERS,
        delete=ADMIN,
        tenant_field="customer",
        supplier_field="supplier",
        # OLAs/UCs are provider-internal: customers and suppliers never see the links, the
        # underpinning check or the agreement's CI
        internal_fields=("underpins", "underpinned_by", "underpinning_warnings", "ci"),
    )
    state_machine = AGREEMENT_MACHINE

    class Meta:
        verbose_name = _("agreement")
        verbose_name_plural = _("agreements")
        ordering = ("-created_at",)
        indexes = [
            models.Index(fields=["kind", "status"], name="slm_agreement_kind_status"),
            models.Index(fields=["customer", "status"], name="slm_agreement_customer"),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.title}"


class Target(DomainModel):
    """A measurable target of an agreement (seed 003 step 2): per service × priority for
    response/resolution (business minutes), availability %, or any indicator with its
    measurement method and monitoring frequency."""

    agreement = models.ForeignKey(
        Agreement, verbose_name=_("agreement"), on_delete=models.CASCADE, related_name="targets"
    )
    service = models.ForeignKey(
        "catalog.Service",
        verbose_name=_("service"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="targets",
    )
    priority = models.CharField(_("priority"), max_length=4, choices=Priority.choices, blank=True)
    metric = models.CharField(_("metric"), max_length=20, choices=TargetMetric.choices)
    name = models.CharField(_("indicator"), max_length=200, blank=True)
    indicator_kind = models.CharField(
        _("indicator kind"),
        max_length=30,
        choices=TargetIndicator.choices,
        default=TargetIndicator.CUSTOM,
        help_text=_(
            "For an other indicator: choose “SLA achievement target” to set the achievement "
            "the SLA reports compare with (in percent)."
        ),
    )
    target_value = models.DecimalField(_("target value"), max_digits=12, decimal_places=3)
    unit = models.CharField(
        _("unit"),
        max_length=20,
        choices=Unit.choices,
        blank=True,
        help_text=_("Minutes or hours for response and resolution; percent for availability."),
    )
    higher_is_better = models.BooleanField(_("higher is better"), default=False)
    measurement_method = models.TextField(_("measurement method"), blank=True)
    frequency = models.CharField(
        _("monitoring frequency"),
        max_length=20,
        choices=Frequency.choices,
        default=Frequency.MONTHLY,
    )

    policy = ModelPolicy(
        add=SLM_WRITERS,
        change=SLM_WRITERS,
        delete=SLM_WRITERS,
        tenant_field="agreement__customer",
        supplier_field="agreement__supplier",
    )

    class Meta:
        verbose_name = _("target")
        verbose_name_plural = _("targets")
        ordering = ("agreement", "metric", "priority", "id")
        indexes = [
            models.Index(
                fields=["agreement", "service", "priority", "metric"], name="slm_target_lookup"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_metric_display()} {self.priority} {self.target_value}{self.unit_symbol}"

    @property
    def unit_symbol(self) -> str:
        """The unit written after the value ("%", "min") in the active language."""
        return unit_symbol(self.unit)


class Requirement(DomainModel):
    """A customer's service requirement (服务需求识别, R-REQ), traceable to the targets that
    meet it."""

    customer = models.ForeignKey(
        Organisation,
        verbose_name=_("customer"),
        on_delete=models.PROTECT,
        related_name="service_requirements",
    )
    kind = models.CharField(_("kind"), max_length=20, choices=RequirementKind.choices)
    service = models.ForeignKey(
        "catalog.Service",
        verbose_name=_("service"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="requirements",
    )
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    status = models.CharField(
        _("status"),
        max_length=20,
        choices=RequirementStatus.choices,
        default=RequirementStatus.RECORDED,
    )
    targets = models.ManyToManyField(
        Target, verbose_name=_("met by targets"), blank=True, related_name="requirements"
    )
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reviewed by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)

    policy = ModelPolicy(add=SLM_WRITERS, change=SLM_WRITERS, delete=ADMIN, tenant_field="customer")
    state_machine = REQUIREMENT_MACHINE

    class Meta:
        verbose_name = _("service requirement")
        verbose_name_plural = _("service requirements")
        ordering = ("customer", "kind", "id")

    def __str__(self) -> str:
        return self.title


def _in_each_language(make) -> list[str]:
    """``make()`` evaluated in each language of the product (zh-Hans, en)."""
    texts = []
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            texts.append(make())
    return texts


class ReviewMeeting(DomainModel):
    """A review meeting of the seed 003 §5.2 schedule (回顾会议), with agenda, attendees and
    minutes; its action items feed continual improvement."""

    kind = models.CharField(_("kind"), max_length=30, choices=ReviewKind.choices)
    agreement = models.ForeignKey(
        Agreement,
        verbose_name=_("agreement"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="reviews",
    )
    customer = models.ForeignKey(
        Organisation,
        verbose_name=_("customer"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    title = models.CharField(_("title"), max_length=200)
    due_date = models.DateField(_("due by"))
    held_on = models.DateField(_("held on"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=ReviewStatus.choices, default=ReviewStatus.PLANNED
    )
    agenda = models.TextField(_("agenda"), blank=True)
    attendees = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name=_("attendees"), blank=True, related_name="+"
    )
    external_attendees = models.TextField(_("other attendees"), blank=True)
    minutes = models.TextField(_("minutes"), blank=True)

    policy = ModelPolicy(add=SLM_WRITERS, change=SLM_WRITERS, delete=ADMIN, tenant_field="customer")
    state_machine = REVIEW_MACHINE

    class Meta:
        verbose_name = _("review meeting")
        verbose_name_plural = _("review meetings")
        ordering = ("due_date", "id")
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "agreement", "due_date"], name="slm_review_unique"
            )
        ]

    def __str__(self) -> str:
        return self.shown_title

    @property
    def shown_title(self) -> str:
        """The title in the reader's language when it is the one the schedule generated (it
        is stored in the language the schedule ran in); a title typed by a person as is."""
        template = REVIEW_TITLES.get(self.kind)
        if template is None or self.due_date is None or not self.title:
            return self.title
        month, year = self.due_date.strftime("%Y-%m"), self.due_date.year
        for text in _in_each_language(lambda: str(template)):
            before, _sep, after = text.format(month=month, year=year, number="\0").partition("\0")
            number = self.title[len(before) : len(self.title) - len(after)]
            if (
                self.title.startswith(before)
                and self.title.endswith(after)
                and number
                and not any(c.isspace() for c in number)
            ):
                return str(template).format(month=month, year=year, number=number)
        return self.title

    @property
    def shown_agenda(self) -> str:
        """The agenda in the reader's language while it is the generated default."""
        default = DEFAULT_AGENDA.get(self.kind)
        if default is not None and self.agenda in _in_each_language(lambda: str(default)):
            return str(default)
        return self.agenda


class ActionItem(DomainModel):
    """An action agreed in a review meeting: owner, due date, status."""

    meeting = models.ForeignKey(
        ReviewMeeting, verbose_name=_("meeting"), on_delete=models.CASCADE, related_name="actions"
    )
    description = models.TextField(_("action"))
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    due_date = models.DateField(_("due date"))
    status = models.CharField(
        _("status"), max_length=20, choices=ActionStatus.choices, default=ActionStatus.OPEN
    )
    completed_at = models.DateTimeField(_("completed at"), null=True, blank=True)

    policy = ModelPolicy(view=STAFF, add=SLM_WRITERS, change=SLM_WRITERS, delete=SLM_WRITERS)
    state_machine = ACTION_MACHINE

    class Meta:
        verbose_name = _("action item")
        verbose_name_plural = _("action items")
        ordering = ("due_date", "id")

    def __str__(self) -> str:
        return self.description[:60]
