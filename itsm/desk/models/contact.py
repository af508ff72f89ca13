"""Contact with the customer around tickets: phone calls logged at the console (R-DSK-06),
callbacks (回访) and satisfaction surveys (满意度调查, R-DSK-05), and the post-incident review of
a major incident (R-INC-03)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from itsm.core.models import DomainModel, Organisation, TimeStampedModel
from itsm.core.policy import ADMIN, ANYONE, STAFF, ModelPolicy
from itsm.core.querysets import RestrictedQuerySet
from itsm.desk.choices import (
    CUSTOMERS,
    WORKERS,
    CallbackOutcome,
    CallOutcome,
    SurveyChannel,
)
from itsm.desk.models.tickets import Ticket

_USER = settings.AUTH_USER_MODEL


class Call(DomainModel):
    """A phone call the desk took (or missed): start, end, answered, and what it became."""

    agent = models.ForeignKey(
        _USER,
        verbose_name=_("agent"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    caller = models.ForeignKey(
        _USER,
        verbose_name=_("caller"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    caller_name = models.CharField(_("caller name"), max_length=200, blank=True)
    caller_phone = models.CharField(_("phone"), max_length=40, blank=True)
    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("organisation"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    started_at = models.DateTimeField(_("call started"))
    ended_at = models.DateTimeField(_("call ended"), null=True, blank=True)
    answered = models.BooleanField(_("answered"), default=True)
    outcome = models.CharField(_("outcome"), max_length=20, choices=CallOutcome.choices)
    ticket = models.ForeignKey(
        Ticket,
        verbose_name=_("ticket"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="calls",
    )
    note = models.TextField(_("note"), blank=True)

    policy = ModelPolicy(
        view=STAFF, add=WORKERS, change=WORKERS, delete=WORKERS, tenant_field="organisation"
    )

    class Meta:
        verbose_name = _("call")
        verbose_name_plural = _("calls")
        ordering = ("-started_at", "-id")
        indexes = [models.Index(fields=["started_at", "id"], name="desk_call_started")]

    def __str__(self) -> str:
        return f"{self.caller_name or self.caller_phone} {self.started_at:%Y-%m-%d %H:%M}"

    @property
    def duration_seconds(self) -> int | None:
        if self.ended_at is None:
            return None
        return max(0, int((self.ended_at - self.started_at).total_seconds()))


class Callback(TimeStampedModel):
    """A callback (回访) to the customer after resolution, with its outcome."""

    ticket = models.ForeignKey(
        Ticket, verbose_name=_("ticket"), on_delete=models.CASCADE, related_name="callbacks"
    )
    by = models.ForeignKey(
        _USER, verbose_name=_("by"), on_delete=models.SET_NULL, null=True, related_name="+"
    )
    at = models.DateTimeField(_("at"))
    outcome = models.CharField(_("outcome"), max_length=20, choices=CallbackOutcome.choices)
    score = models.PositiveSmallIntegerField(_("score (1–5)"), null=True, blank=True)
    note = models.TextField(_("note"), blank=True)

    objects = RestrictedQuerySet.as_manager()
    policy = ModelPolicy(
        view=STAFF, add=WORKERS, change=ADMIN, delete=ADMIN, tenant_field="ticket__customer"
    )

    class Meta:
        verbose_name = _("callback")
        verbose_name_plural = _("callbacks")
        ordering = ("ticket", "at", "id")

    def __str__(self) -> str:
        return f"{self.ticket_id} {self.outcome}"


class Survey(TimeStampedModel):
    """The satisfaction survey of a resolved ticket: answered once, in the portal or through a
    signed one-time e-mail link, with a score of 1–5 and a comment."""

    ticket = models.OneToOneField(
        Ticket, verbose_name=_("ticket"), on_delete=models.CASCADE, related_name="survey"
    )
    nonce = models.CharField(_("link key"), max_length=40, unique=True, editable=False)
    sent_at = models.DateTimeField(_("sent at"))
    score = models.PositiveSmallIntegerField(_("score (1–5)"), null=True, blank=True)
    comment = models.TextField(_("comment"), blank=True)
    channel = models.CharField(
        _("answered through"), max_length=20, choices=SurveyChannel.choices, blank=True
    )
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    answered_by = models.ForeignKey(
        _USER,
        verbose_name=_("answered by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    objects = RestrictedQuerySet.as_manager()
    policy = ModelPolicy(
        view=ANYONE,
        add=WORKERS,
        change=WORKERS | CUSTOMERS,
        delete=ADMIN,
        tenant_field="ticket__customer",
        internal_fields=("nonce",),
    )

    class Meta:
        verbose_name = _("satisfaction survey")
        verbose_name_plural = _("satisfaction surveys")
        indexes = [models.Index(fields=["answered_at", "id"], name="desk_survey_answered")]

    def __str__(self) -> str:
        return f"{self.ticket_id} {self.score or '-'}"


class IncidentReview(TimeStampedModel):
    """The post-incident review (事后回顾) of a major incident; feeds problem management."""

    ticket = models.OneToOneField(
        Ticket, verbose_name=_("ticket"), on_delete=models.CASCADE, related_name="review"
    )
    summary = models.TextField(_("what happened"))
    root_cause = models.TextField(_("root cause"), blank=True)
    what_went_well = models.TextField(_("what went well"), blank=True)
    what_went_wrong = models.TextField(_("what went wrong"), blank=True)
    actions = models.TextField(_("follow-up actions"), blank=True)
    by = models.ForeignKey(
        _USER, verbose_name=_("by"), on_delete=models.SET_NULL, null=True, related_name="+"
    )
    at = models.DateTimeField(_("at"))

    objects = RestrictedQuerySet.as_manager()
    policy = ModelPolicy(
        view=STAFF, add=WORKERS, change=WORKERS, delete=ADMIN, tenant_field="ticket__customer"
    )

    class Meta:
        verbose_name = _("post-incident review")
        verbose_name_plural = _("post-incident reviews")

    def __str__(self) -> str:
        return str(self.ticket_id)
