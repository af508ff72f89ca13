"""Reads of problem management that views, the API, reports, KPIs and other apps (the UI, a
later desk hook) may call: restricted querysets and suggestions. Every user-facing read goes
through ``restrict()``; problems and known errors are provider-internal (customers: none)."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from itsm.problems.choices import KnownErrorStatus, ProposalStatus
from itsm.problems.models import DetectionRule, KnownError, Problem, ProblemProposal

#: suggestions shown on a known error's page
SUGGESTIONS = 20


def problems_for(user, action: str = "view") -> QuerySet[Problem]:
    return Problem.objects.restrict(user, action)


def all_problems() -> QuerySet[Problem]:
    """Every problem, unrestricted: for the worker and form placeholders."""
    return Problem.objects.all()


def known_errors_for(user, action: str = "view") -> QuerySet[KnownError]:
    return KnownError.objects.restrict(user, action)


def active_known_errors_for(user) -> QuerySet[KnownError]:
    return known_errors_for(user).filter(status=KnownErrorStatus.ACTIVE)


def proposals_for(user, action: str = "view") -> QuerySet[ProblemProposal]:
    return ProblemProposal.objects.restrict(user, action)


def waiting_proposals_for(user) -> QuerySet[ProblemProposal]:
    return proposals_for(user).filter(status=ProposalStatus.PROPOSED)


def rules_for(user, action: str = "view") -> QuerySet[DetectionRule]:
    return DetectionRule.objects.restrict(user, action)


def problems_of_ticket(ticket, user) -> QuerySet[Problem]:
    """The problems *ticket* is linked to, as *user* may see them (none for customers)."""
    return problems_for(user).filter(incidents=ticket)


def known_errors_of_ticket(ticket, user) -> QuerySet[KnownError]:
    return known_errors_for(user).filter(incidents=ticket)


def existing_articles(article_ids) -> set[int]:
    """Those of *article_ids* (known errors' ``article_id``) whose knowledge article still
    exists: a draft article that was deleted leaves its known error unpublished."""
    from itsm.knowledge.selectors import all_articles

    wanted = {pk for pk in article_ids if pk is not None}
    if not wanted:
        return set()
    return set(all_articles().filter(pk__in=wanted).values_list("pk", flat=True))


def suggested_incidents(known_error: KnownError, user, *, limit: int = SUGGESTIONS):
    """Open incidents that may match *known_error*: on one of its CIs, its service or its
    category, not linked to it yet; newest first."""
    from itsm.desk import selectors as desk
    from itsm.desk.choices import OPEN_STATES, TicketKind

    ci_ids = list(known_error.cis.values_list("pk", flat=True))
    match = Q()
    if ci_ids:
        match |= Q(cis__in=ci_ids)
    if known_error.service_id is not None:
        match |= Q(service_id=known_error.service_id)
    if known_error.category_id is not None:
        match |= Q(category_id=known_error.category_id)
    tickets = desk.tickets_for(user)
    if not match:
        return tickets.none()
    linked = known_error.incidents.values("pk")
    ids = (
        tickets.filter(match, kind=TicketKind.INCIDENT, status__in=OPEN_STATES)
        .exclude(pk__in=linked)
        .values("pk")
    )
    return (
        tickets.filter(pk__in=ids)
        .select_related("customer")
        .only("id", "number", "title", "status", "opened_at", "customer__name")
        .order_by("-opened_at", "-id")[:limit]
    )
