"""Reads of the service desk that other apps (reports, KPIs, mail, the dashboard) may call:
restricted querysets and lookups. Every user-facing read goes through ``restrict()``."""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import QuerySet

from itsm.desk.choices import OPEN_STATES
from itsm.desk.models import (
    Assignment,
    Attachment,
    Call,
    Callback,
    CannedResponse,
    Category,
    DispatchRule,
    Escalation,
    Survey,
    Task,
    Ticket,
    TicketEntry,
    TicketMessage,
)


def tickets_for(user, action: str = "view") -> QuerySet[Ticket]:
    """The tickets *user* may *action*: a customer's own organisation's, all for the desk."""
    return Ticket.objects.restrict(user, action)


def all_tickets() -> QuerySet[Ticket]:
    """Every ticket, unrestricted: for the worker, mail intake and placeholders of forms."""
    return Ticket.objects.all()


def open_tickets_for(user) -> QuerySet[Ticket]:
    return tickets_for(user).filter(status__in=OPEN_STATES)


def entries_for(user, action: str = "view") -> QuerySet[TicketEntry]:
    """Ticket entries *user* may see (customers: never internal notes)."""
    return TicketEntry.objects.restrict(user, action)


def attachments_for(user, action: str = "view") -> QuerySet[Attachment]:
    return Attachment.objects.restrict(user, action).defer("content")


def assignments_for(user, action: str = "view") -> QuerySet[Assignment]:
    """Dispatches and returns (provider staff only)."""
    return Assignment.objects.restrict(user, action)


def escalations_for(user, action: str = "view") -> QuerySet[Escalation]:
    return Escalation.objects.restrict(user, action)


def calls_for(user, action: str = "view") -> QuerySet[Call]:
    """Logged phone calls (provider staff only)."""
    return Call.objects.restrict(user, action)


def callbacks_for(user, action: str = "view") -> QuerySet[Callback]:
    return Callback.objects.restrict(user, action)


def surveys_for(user, action: str = "view") -> QuerySet[Survey]:
    return Survey.objects.restrict(user, action)


def tasks_for(user, action: str = "view") -> QuerySet[Task]:
    return Task.objects.restrict(user, action)


def categories_for(user, action: str = "view") -> QuerySet[Category]:
    return Category.objects.restrict(user, action)


def all_categories() -> QuerySet[Category]:
    return Category.objects.all()


def dispatch_rules_for(user, action: str = "view") -> QuerySet[DispatchRule]:
    return DispatchRule.objects.restrict(user, action)


def canned_responses_for(
    user, *, team_ids: Iterable[int] | None = None
) -> QuerySet[CannedResponse]:
    """Active canned responses *user* may use: every group's, and those of *team_ids*."""
    from django.db.models import Q

    queryset = CannedResponse.objects.restrict(user, "view").filter(is_active=True)
    if team_ids is not None:
        queryset = queryset.filter(Q(team__isnull=True) | Q(team__in=list(team_ids)))
    return queryset


def ticket_by_number(number: str) -> Ticket | None:
    """The ticket numbered *number* (case-insensitive), unrestricted (mail threading)."""
    return Ticket.objects.filter(number=(number or "").strip().upper()).first()


def ticket_for_message_ids(message_ids: Iterable[str]) -> Ticket | None:
    """The ticket one of *message_ids* (ours or received, with or without ``<>``) belongs to;
    the most recent match wins when several do."""
    wanted = {_bracketed(m) for m in message_ids if m and m.strip()}
    if not wanted:
        return None
    row = (
        TicketMessage.objects.filter(message_id__in=wanted)
        .select_related("ticket")
        .order_by("-id")
        .first()
    )
    return row.ticket if row is not None else None


def _bracketed(message_id: str) -> str:
    value = message_id.strip()
    if not value.startswith("<"):
        value = f"<{value}>"
    return value
