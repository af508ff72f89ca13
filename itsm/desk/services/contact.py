"""Phone calls logged at the agent console (R-DSK-06), callbacks (回访) and satisfaction
surveys (R-DSK-05).

A survey is created when a ticket is resolved; its e-mail link is signed
(``django.core.signing``, salted, with the survey's random key) and works once: an answered
survey refuses a second answer, through the link or the portal.
"""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta

from django.core import signing
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from itsm.core import policy
from itsm.core.errors import Forbidden, InvalidTransition, NotFound, ValidationFailed
from itsm.core.timeline import record_event
from itsm.desk.choices import (
    CUSTOMERS,
    CallbackOutcome,
    CallOutcome,
    SurveyChannel,
    TicketStatus,
)
from itsm.desk.models import Call, Callback, Survey, Ticket
from itsm.desk.services import notifications

SURVEY_SALT = "itsm.desk.survey"
#: a survey link is valid this long after it was sent
SURVEY_MAX_AGE = 60 * 60 * 24 * 30


def log_call(
    *,
    by,
    started_at: datetime,
    ended_at: datetime | None = None,
    answered: bool = True,
    outcome: str,
    caller=None,
    caller_name: str = "",
    caller_phone: str = "",
    organisation=None,
    ticket: Ticket | None = None,
    note: str = "",
) -> Call:
    """Keep a phone call: its start and end, whether it was answered and what it became."""
    errors: dict[str, list[str]] = {}
    if started_at is None or timezone.is_naive(started_at):
        errors["started_at"] = [str(_("An aware date and time is required."))]
    elif started_at > timezone.now() + timedelta(minutes=5):
        errors["started_at"] = [str(_("A call cannot start in the future."))]
    if ended_at is not None and started_at is not None and ended_at < started_at:
        errors["ended_at"] = [str(_("The call cannot end before it started."))]
    if outcome not in CallOutcome.values:
        errors["outcome"] = [str(_("Choose what the call became."))]
    elif not answered and outcome != CallOutcome.MISSED:
        errors["outcome"] = [str(_("An unanswered call is a missed call."))]
    elif answered and outcome == CallOutcome.MISSED:
        errors["answered"] = [str(_("A missed call was not answered."))]
    if outcome in (CallOutcome.TICKET, CallOutcome.UPDATED) and ticket is None:
        errors["ticket"] = [str(_("Choose the ticket the call is about."))]
    if caller is not None and organisation is None:
        organisation = caller.organisation
    if ticket is not None and organisation is not None and ticket.customer_id != organisation.pk:
        errors["ticket"] = [str(_("The ticket belongs to another organisation."))]
    if errors:
        raise ValidationFailed(fields=errors)
    with transaction.atomic():
        call = Call.objects.create(
            agent=by if getattr(by, "pk", None) else None,
            caller=caller,
            caller_name=(caller_name or (caller.get_full_name() if caller else "")).strip()[:200],
            caller_phone=(caller_phone or getattr(caller, "phone", "") or "").strip()[:40],
            organisation=organisation,
            started_at=started_at,
            ended_at=ended_at,
            answered=answered,
            outcome=outcome,
            ticket=ticket,
            note=note or "",
        )
        if ticket is not None:
            record_event(
                ticket, "call_logged", by=by, data={"call": call.pk}, at=ended_at or started_at
            )
    return call


def record_callback(
    ticket: Ticket,
    *,
    by,
    outcome: str,
    score: int | None = None,
    note: str = "",
    at: datetime | None = None,
) -> Callback:
    """Log a callback (回访) to the customer of a resolved or closed ticket. "Not solved"
    reopens a resolved ticket."""
    from itsm.desk.services import tickets

    errors: dict[str, list[str]] = {}
    if outcome not in CallbackOutcome.values:
        errors["outcome"] = [str(_("Choose the outcome."))]
    if score is not None and not 1 <= int(score) <= 5:
        errors["score"] = [str(_("Enter a score from 1 to 5."))]
    if outcome == CallbackOutcome.REOPENED and not (note or "").strip():
        errors["note"] = [str(_("Say what is not solved."))]
    if errors:
        raise ValidationFailed(fields=errors)
    if ticket.status not in (TicketStatus.RESOLVED, TicketStatus.CLOSED):
        raise InvalidTransition(str(_("Callbacks follow a resolution.")))
    if outcome == CallbackOutcome.REOPENED and ticket.status != TicketStatus.RESOLVED:
        raise InvalidTransition(str(_("A closed ticket cannot be reopened; log a new one.")))
    at = at or timezone.now()
    with transaction.atomic():
        callback = Callback.objects.create(
            ticket=ticket, by=by, at=at, outcome=outcome, score=score, note=note or ""
        )
        record_event(
            ticket,
            "callback",
            by=by,
            note=str(CallbackOutcome(outcome).label),
            data={"callback": callback.pk, "score": score},
            at=at,
        )
        if outcome == CallbackOutcome.REOPENED:
            tickets.reopen(ticket, by=by, note=note)
    return callback


# --- surveys ---------------------------------------------------------------------------------


def survey_token(survey: Survey) -> str:
    return signing.dumps({"s": survey.pk, "n": survey.nonce}, salt=SURVEY_SALT, compress=True)


def survey_url(survey: Survey) -> str:
    from django.conf import settings

    path = reverse("desk:survey_answer", args=[survey_token(survey)])
    return settings.ITSM_BASE_URL.rstrip("/") + path


def send_survey(ticket: Ticket, *, by=None, at: datetime | None = None) -> Survey | None:
    """Create the ticket's survey (once) and e-mail its link to the contact."""
    if ticket.status != TicketStatus.RESOLVED:
        return None
    survey = Survey.objects.filter(ticket=ticket).first()
    if survey is not None:
        return survey
    survey = Survey.objects.create(
        ticket=ticket, nonce=secrets.token_urlsafe(24)[:40], sent_at=at or timezone.now()
    )
    notifications.survey_link(ticket, survey_url(survey))
    record_event(ticket, "survey_sent", by=by if getattr(by, "pk", None) else None, at=at)
    return survey


def survey_from_token(token: str) -> Survey:
    """The survey a link names; a forged, altered or expired link is not found."""
    try:
        data = signing.loads(token, salt=SURVEY_SALT, max_age=SURVEY_MAX_AGE)
        survey = Survey.objects.select_related("ticket").get(pk=int(data["s"]))
    except (signing.BadSignature, KeyError, TypeError, ValueError, Survey.DoesNotExist):
        raise NotFound(_("This survey link is not valid or has expired.")) from None
    if not secrets.compare_digest(str(data.get("n", "")), survey.nonce):
        raise NotFound(_("This survey link is not valid or has expired."))
    return survey


def answer_survey(
    survey: Survey,
    *,
    score,
    comment: str = "",
    channel: str,
    by=None,
    at: datetime | None = None,
) -> Survey:
    """Record the customer's answer (1–5 and a comment), once."""
    try:
        value = int(score)
    except (TypeError, ValueError):
        value = 0
    if not 1 <= value <= 5:
        raise ValidationFailed(fields={"score": [str(_("Choose a score from 1 to 5."))]})
    if channel not in SurveyChannel.values:
        raise ValidationFailed(fields={"channel": [str(_("Unknown channel."))]})
    if by is not None and not policy.is_provider_staff(by):
        if by.organisation_id != survey.ticket.customer_id or not (by.roles & CUSTOMERS):
            raise Forbidden(_("You may act only on your own organisation's tickets."))
    elif by is not None:
        raise Forbidden(_("Only the customer answers the survey; log a callback instead."))
    with transaction.atomic():
        locked = Survey.objects.select_for_update().get(pk=survey.pk)
        if locked.answered_at is not None:
            raise InvalidTransition(str(_("This survey has already been answered. Thank you!")))
        now = at or timezone.now()
        Survey.objects.filter(pk=survey.pk).update(
            score=value,
            comment=(comment or "").strip(),
            channel=channel,
            answered_at=now,
            answered_by=by if getattr(by, "pk", None) else None,
        )
        Ticket.objects.filter(pk=survey.ticket_id).update(satisfaction=value)
        survey.refresh_from_db()
        record_event(
            survey.ticket,
            "rated",
            by=by if getattr(by, "pk", None) else None,
            note=(comment or "").strip()[:500],
            data={"score": value, "channel": channel},
            at=now,
        )
    return survey
