"""SLA clocks (R-SLM-05): one generic clock per (record, metric), on any record kind that
carries targets (incidents, requests, problems, complaints, changes, SLA test tickets).

The stored ``due_at`` / ``warn_at`` are computed with business-time arithmetic when the clock
starts, resumes or is recalculated; ``next_event_at`` is the earliest pending escalation time
and is what the sweeper looks for (rule 4 of DESIGN: clocks are computed, not polled).
``elapsed_seconds`` is the business time of the closed running segments; segments record every
running and paused stretch so the UI can explain the clock.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from itsm.core.choices import Priority
from itsm.core.formatting import datetime_text
from itsm.core.models import DomainModel, Organisation, TimeStampedModel
from itsm.core.policy import ADMIN, STAFF, ModelPolicy
from itsm.core.querysets import RestrictedQuerySet
from itsm.slm.choices import SLM_WRITERS
from itsm.slm.clocks.choices import (
    CLOCK_MACHINE,
    TEST_TICKET_MACHINE,
    ClockState,
    SegmentKind,
    TestTicketStatus,
    metric_label,
)


class Clock(TimeStampedModel):
    """A running/paused/stopped SLA clock for one record and one metric."""

    content_type = models.ForeignKey(
        ContentType, verbose_name=_("record type"), on_delete=models.CASCADE, related_name="+"
    )
    object_id = models.PositiveBigIntegerField(_("record id"))
    record = GenericForeignKey("content_type", "object_id")
    record_label = models.CharField(_("record"), max_length=220, blank=True)
    customer = models.ForeignKey(
        Organisation,
        verbose_name=_("customer"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    agreement = models.ForeignKey(
        "slm.Agreement",
        verbose_name=_("agreement"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="clocks",
    )
    target = models.ForeignKey(
        "slm.Target",
        verbose_name=_("target"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="clocks",
    )
    service = models.ForeignKey(
        "catalog.Service",
        verbose_name=_("service"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    metric = models.CharField(_("metric"), max_length=20)
    priority = models.CharField(_("priority"), max_length=4, blank=True)
    calendar = models.ForeignKey(
        "calendars.BusinessCalendar",
        verbose_name=_("calendar"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    goal_seconds = models.PositiveBigIntegerField(_("goal (business seconds)"))
    warning_percent = models.PositiveSmallIntegerField(_("warning at (%)"), default=75)
    state = models.CharField(
        _("state"), max_length=20, choices=ClockState.choices, default=ClockState.RUNNING
    )
    started_at = models.DateTimeField(_("started at"))
    stopped_at = models.DateTimeField(_("stopped at"), null=True, blank=True)
    elapsed_seconds = models.PositiveBigIntegerField(_("elapsed business seconds"), default=0)
    segment_started_at = models.DateTimeField(
        _("running since"), null=True, blank=True, help_text=_("Empty while paused or stopped.")
    )
    warn_at = models.DateTimeField(_("warning due at"), null=True, blank=True)
    due_at = models.DateTimeField(_("due at"), null=True, blank=True)
    next_event_at = models.DateTimeField(_("next escalation at"), null=True, blank=True)
    level = models.PositiveSmallIntegerField(_("escalation level"), default=0)
    warned_at = models.DateTimeField(_("warned at"), null=True, blank=True)
    breached_at = models.DateTimeField(_("breached at"), null=True, blank=True)
    breached = models.BooleanField(_("breached"), default=False)
    breach_cause = models.TextField(_("breach cause"), blank=True)
    unconfirmed_years = models.JSONField(_("unconfirmed calendar years"), default=list, blank=True)
    pause_reason = models.CharField(_("pause reason"), max_length=200, blank=True)

    objects = RestrictedQuerySet.as_manager()
    policy = ModelPolicy(add=ADMIN, change=ADMIN, delete=ADMIN, tenant_field="customer")
    state_machine = CLOCK_MACHINE

    class Meta:
        verbose_name = _("SLA clock")
        verbose_name_plural = _("SLA clocks")
        constraints = [
            models.UniqueConstraint(
                fields=["content_type", "object_id", "metric"], name="clocks_clock_unique"
            )
        ]
        indexes = [
            # the sweeper: running clocks whose next escalation time has passed
            models.Index(
                fields=["next_event_at"],
                condition=Q(state="running"),
                name="clocks_clock_sweep",
            ),
            models.Index(fields=["agreement", "started_at"], name="clocks_clock_agreement"),
            models.Index(fields=["customer", "started_at"], name="clocks_clock_customer"),
            # the reports' measured clocks: stopped, or breached, in the period (without them
            # every clock was read; docs/desk-reports.md "Cost"). New clocks run unbreached,
            # so a create writes neither.
            models.Index(
                fields=["stopped_at"], condition=Q(state="stopped"), name="clocks_clock_stopped"
            ),
            models.Index(
                fields=["breached_at"], condition=Q(breached=True), name="clocks_clock_breached"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.record_label} {metric_label(self.metric)}"


class ClockSegment(models.Model):
    """One running or paused stretch of a clock, with the business time it counted."""

    clock = models.ForeignKey(
        Clock, verbose_name=_("clock"), on_delete=models.CASCADE, related_name="segments"
    )
    kind = models.CharField(_("kind"), max_length=10, choices=SegmentKind.choices)
    started_at = models.DateTimeField(_("from"))
    ended_at = models.DateTimeField(_("until"), null=True, blank=True)
    business_seconds = models.PositiveBigIntegerField(_("business seconds"), default=0)
    reason = models.CharField(_("reason"), max_length=200, blank=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    objects = RestrictedQuerySet.as_manager()
    policy = ModelPolicy(add=ADMIN, change=ADMIN, delete=ADMIN, tenant_field="clock__customer")

    class Meta:
        verbose_name = _("clock segment")
        verbose_name_plural = _("clock segments")
        ordering = ("clock", "started_at", "id")

    def __str__(self) -> str:
        return f"{self.kind} {datetime_text(self.started_at)}"


class SlaTestTicket(DomainModel):
    """A ticket used to try an agreement's clocks before real tickets exist (SLA 测试单): it
    starts the response and resolution clocks of its agreement × service × priority. Its only
    writer is ``itsm.slm.clocks.services.testtickets`` (it lived in the ``slm`` app before;
    the migrations ``slm.0004`` and ``clocks.0002`` moved it with its rows)."""

    number = models.CharField(_("number"), max_length=20, unique=True, editable=False)
    title = models.CharField(_("title"), max_length=200)
    agreement = models.ForeignKey(
        "slm.Agreement", verbose_name=_("agreement"), on_delete=models.PROTECT, related_name="+"
    )
    service = models.ForeignKey(
        "catalog.Service",
        verbose_name=_("service"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    priority = models.CharField(_("priority"), max_length=4, choices=Priority.choices)
    customer = models.ForeignKey(
        Organisation,
        verbose_name=_("customer"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    status = models.CharField(
        _("status"), max_length=20, choices=TestTicketStatus.choices, default=TestTicketStatus.OPEN
    )
    opened_at = models.DateTimeField(_("opened at"))

    state_machine = TEST_TICKET_MACHINE

    # a provider tool for trying an agreement's clocks (its timeline shows the internal
    # escalations): customers neither list nor open test tickets, even for their own agreements
    policy = ModelPolicy(
        view=STAFF, add=SLM_WRITERS, change=SLM_WRITERS, delete=ADMIN, tenant_field="customer"
    )

    class Meta:
        verbose_name = _("SLA test ticket")
        verbose_name_plural = _("SLA test tickets")
        ordering = ("-created_at",)

    def __str__(self) -> str:
        return f"{self.number} {self.title}"
