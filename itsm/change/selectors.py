"""Reads of change management that pages, the API, KPIs and other apps may call."""

from __future__ import annotations

from datetime import datetime

from django.db.models import Count, Q, QuerySet

from itsm.change.choices import ChangeStatus, IncidentRelation
from itsm.change.models import Change, IncidentLink
from itsm.core import stamps


def changes_for(user, action: str = "view") -> QuerySet[Change]:
    """The changes *user* may *action* (``restrict``)."""
    return Change.objects.restrict(user, action)


def success_counts(*, user, since: datetime, until: datetime, customer=None) -> tuple[int, int]:
    """(changes not rolled back, changes finished) among the changes *user* may view that
    were closed or failed in [since, until), of *customer* when given: the change success
    rate is their ratio (1 − rolled back / total)."""
    rows = changes_for(user).filter(
        status__in=(ChangeStatus.CLOSED, ChangeStatus.FAILED),
        closed_at__gte=since,
        closed_at__lt=until,
    )
    if customer is not None:
        rows = rows.filter(customers=customer)
    totals = Change.objects.filter(pk__in=rows.values("pk")).aggregate(
        total=Count("pk"), rolled_back=Count("pk", filter=Q(rolled_back=True))
    )
    total = totals["total"] or 0
    return total - (totals["rolled_back"] or 0), total


def incident_links_for(user, action: str = "view") -> QuerySet[IncidentLink]:
    """The incident links *user* may *action* (provider staff only)."""
    return IncidentLink.objects.restrict(user, action)


def incident_links_of_change(change, user) -> QuerySet[IncidentLink]:
    """The incidents linked to *change* (as caused or fixed), newest first."""
    return incident_links_for(user).filter(change=change).select_related("ticket").order_by("-id")


def incident_links_of_ticket(ticket, user) -> QuerySet[IncidentLink]:
    """The changes linked to the incident *ticket* (that caused or fixed it), newest first."""
    return (
        incident_links_for(user)
        .filter(ticket=ticket, change__in=changes_for(user).values("pk"))
        .select_related("change")
        .order_by("-id")
    )


def caused_incident_count(*, user, since: datetime, until: datetime, customer=None) -> int:
    """Incidents linked as caused by a change finished (closed or failed) in [since, until)
    among the changes *user* may view (of *customer* when given): the change report's
    "change-caused incidents"."""
    rows = changes_for(user).filter(
        status__in=(ChangeStatus.CLOSED, ChangeStatus.FAILED),
        closed_at__gte=since,
        closed_at__lt=until,
    )
    if customer is not None:
        rows = rows.filter(customers=customer)
    return (
        IncidentLink.objects.filter(relation=IncidentRelation.CAUSED, change__in=rows.values("pk"))
        .values("ticket")
        .distinct()
        .count()
    )


# --- suppression of monitoring alerts (issue 13, events) -------------------------------------

#: change states whose window suppresses the alerts of its CIs and services
SUPPRESSING_CHANGE_STATES = (ChangeStatus.SCHEDULED, ChangeStatus.IMPLEMENTING)


def suppression_at(*, at: datetime, ci=None, service=None) -> str:
    """Why an alert on *ci* / *service* at *at* is expected, or "" when it is not: the name of
    an active maintenance window on that CI or service (one-off or weekly) whose interval
    holds *at*, else the number of an approved change on that CI or service whose window holds
    *at* — a scheduled change's planned window; an implementing change's from its actual (else
    planned) start until its planned end, or for as long as it is implementing once it started
    (an overrun is still the change's work)."""
    from django.utils.translation import gettext as _

    from itsm.change.choices import WindowKind
    from itsm.change.conflicts import covers
    from itsm.change.models import Window

    ci_id = getattr(ci, "pk", ci)
    service_id = getattr(service, "pk", service)
    if ci_id is None and service_id is None:
        return ""
    on = Q(ci_id=ci_id) if ci_id is not None else Q(service_id=service_id)
    if ci_id is not None and service_id is not None:
        on |= Q(service_id=service_id)
    windows = (
        Window.objects.filter(on, kind=WindowKind.MAINTENANCE, is_active=True)
        .filter(Q(starts_at__isnull=True) | Q(starts_at__lte=at))
        .filter(Q(ends_at__isnull=True) | Q(ends_at__gte=at))
        .order_by("id")
    )
    for window in windows:
        if covers(window, at, at):
            return _("Maintenance window “{name}”").format(name=window.name)
    on = Q(cis=ci_id) if ci_id is not None else Q(services=service_id)
    if ci_id is not None and service_id is not None:
        on |= Q(services=service_id)
    changes = (
        Change.objects.filter(on, status__in=SUPPRESSING_CHANGE_STATES)
        .only("number", "title", "status", "planned_start", "planned_end", "actual_start")
        .distinct()
        .order_by("id")
    )
    for change in changes:
        start = change.actual_start or change.planned_start
        end = change.planned_end
        if start is None or at < start:
            continue
        overrun = change.status == ChangeStatus.IMPLEMENTING and change.actual_start is not None
        if overrun or (end is not None and at < end):
            return _("Approved change {number} “{title}”").format(
                number=change.number, title=change.title
            )
    return ""


def suppression_candidates() -> tuple[frozenset[int], frozenset[int]]:
    """The ids of the CIs and of the services that have an active maintenance window or an
    approved (scheduled or implementing) change: only alerts on them can be suppressed, so a
    delivery asks :func:`suppression_at` for those alone (one read per delivery instead of two
    per alert). Read once per process until a window or a change is written (``core.stamps``
    ``change.suppression``)."""
    return stamps.memo(("change.suppression",), "suppression_candidates", _suppression_candidates)


def _suppression_candidates() -> tuple[frozenset[int], frozenset[int]]:
    from itsm.change.choices import WindowKind
    from itsm.change.models import Window

    cis: set[int] = set()
    services: set[int] = set()
    windows = Window.objects.filter(kind=WindowKind.MAINTENANCE, is_active=True)
    for ci_id, service_id in windows.values_list("ci_id", "service_id"):
        if ci_id is not None:
            cis.add(ci_id)
        if service_id is not None:
            services.add(service_id)
    approved = Change.objects.filter(status__in=SUPPRESSING_CHANGE_STATES).values("pk")
    cis.update(
        Change.cis.through.objects.filter(change_id__in=approved).values_list(
            "configurationitem_id", flat=True
        )
    )
    services.update(
        Change.services.through.objects.filter(change_id__in=approved).values_list(
            "service_id", flat=True
        )
    )
    return frozenset(cis), frozenset(services)
