"""Reads of service level management: the agreement and target that govern a ticket.

``find_target`` and ``active_sla_for`` are the interface the clocks app (H6) and the ticket
modules use to pick the target that governs a ticket.
"""

from __future__ import annotations

import datetime

from django.db.models import Case, IntegerField, Q, QuerySet, Value, When
from django.utils import timezone

from itsm.core import stamps
from itsm.slm.choices import AgreementKind, AgreementStatus
from itsm.slm.models import Agreement, ReviewMeeting, Target


def _targets_applying(*, agreement, service, priority, metrics):
    service_id = getattr(service, "pk", service)
    service_q = Q(service__isnull=True)
    if service_id:
        service_q |= Q(service_id=service_id)
    priority_q = Q(priority="")
    if priority:
        priority_q |= Q(priority=priority)
    agreement_id = getattr(agreement, "pk", agreement)
    return (
        Target.objects.filter(
            service_q, priority_q, agreement_id=agreement_id, metric__in=list(metrics)
        )
        .annotate(
            _svc=Case(
                When(service__isnull=True, then=Value(1)),
                default=Value(0),
                output_field=IntegerField(),
            ),
            _prio=Case(
                When(priority="", then=Value(1)), default=Value(0), output_field=IntegerField()
            ),
        )
        .order_by("metric", "_svc", "_prio", "id")
    )


def find_target(*, agreement, service, priority, metric) -> Target | None:
    """The target of *agreement* for *metric* that applies to *service* × *priority*.

    A target naming the service wins over an agreement-wide one (service empty); a target of
    the exact priority wins over one with no priority. ``None`` when nothing applies.
    """
    if agreement is None:
        return None
    return _targets_applying(
        agreement=agreement, service=service, priority=priority, metrics=[metric]
    ).first()


def find_targets(*, agreement, service, priority, metrics) -> dict[str, Target]:
    """:func:`find_target` of each of *metrics* in one query: metric → target (the metrics
    without one are left out)."""
    if agreement is None:
        return {}

    def load() -> dict[str, Target]:
        found: dict[str, Target] = {}
        for target in _targets_applying(
            agreement=agreement, service=service, priority=priority, metrics=metrics
        ):
            found.setdefault(target.metric, target)
        return found

    # read once per process until the agreements change (core.stamps); a copy for the caller
    key = (
        "targets",
        getattr(agreement, "pk", agreement),
        getattr(service, "pk", service),
        priority,
        tuple(metrics),
    )
    return dict(stamps.memo(("slm.agreements",), key, load))


def active_sla_for(*, customer, service, on: datetime.date | None = None) -> Agreement | None:
    """The active SLA of *customer* covering *service* (valid on *on*, default today).

    When several match, the most recently signed one wins.
    """
    if customer is None or service is None:
        return None
    on = on or timezone.localdate()
    # read once per process until the agreements or calendars change (core.stamps)
    return stamps.memo(
        ("slm.agreements", "calendars", "people"),
        ("active-sla", customer.pk, service.pk, on),
        lambda: _active_sla(customer=customer, service=service, on=on),
    )


def _active_sla(*, customer, service, on: datetime.date) -> Agreement | None:
    return (
        Agreement.objects.filter(
            kind=AgreementKind.SLA,
            status=AgreementStatus.ACTIVE,
            customer=customer,
            services=service,
        )
        .filter(Q(valid_from__isnull=True) | Q(valid_from__lte=on))
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gte=on))
        .select_related("calendar", "customer")
        .order_by("-signed_at", "-id")
        .first()
    )


# --- the surface other apps read (clocks, SLA reports, ui): never ``slm.models`` itself ------


def agreements_for(user, action: str = "view") -> QuerySet[Agreement]:
    """The agreements *user* may *action* (``restrict``): pickers, filters and reports."""
    return Agreement.objects.restrict(user, action)


def all_agreements() -> QuerySet[Agreement]:
    """Every agreement, unrestricted: for a field's placeholder (``.none()``), a policy
    question about the model (``.model``) and system jobs; pages narrow it per user."""
    return Agreement.objects.all()


def all_targets() -> QuerySet[Target]:
    """Every target, unrestricted (callers filter by agreements the user may view)."""
    return Target.objects.all()


def review_meetings_for(user, action: str = "view") -> QuerySet[ReviewMeeting]:
    """The review meetings *user* may *action* (``restrict``)."""
    return ReviewMeeting.objects.restrict(user, action)
