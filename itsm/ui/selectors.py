"""Read queries of the dashboard. Every count goes through ``.restrict(user)``."""

from __future__ import annotations

import datetime

from django.db.models import Count

from itsm.core.choices import OrganisationKind
from itsm.core.models import Organisation, Team, User
from itsm.core.policy import ModelPolicy, is_provider_staff, restrict


def core_counts(user) -> dict:
    """Organisations by kind, users and teams that *user* may see."""
    by_kind = dict(
        Organisation.objects.restrict(user)
        .values_list("kind")
        .annotate(n=Count("id"))
        .values_list("kind", "n")
    )
    return {
        "organisations": [
            {"kind": kind, "label": label, "count": by_kind.get(kind, 0)}
            for kind, label in OrganisationKind.choices
        ],
        "organisations_total": sum(by_kind.values()),
        "users": User.objects.restrict(user).count(),
        "teams": Team.objects.restrict(user).count(),
    }


def users_per_organisation(user, *, limit: int = 15) -> dict:
    """Chart data: the organisations with the most users *user* may see (names, counts)."""
    rows = (
        User.objects.restrict(user)
        .filter(organisation__isnull=False)
        .values("organisation__name")
        .annotate(n=Count("id"))
        .order_by("-n", "organisation__name")[:limit]
    )
    return {
        "names": [row["organisation__name"] for row in rows],
        "counts": [row["n"] for row in rows],
    }


def outbox_counts(user) -> dict | None:
    """Pending and dead outbox messages and the latest job runs, for provider staff.

    ``None`` while the outbox app has no models yet, or for users who may not see them.
    """
    if not is_provider_staff(user):
        return None
    try:
        from itsm.core.outbox import models as outbox_models
    except ImportError:
        return None
    message_model = getattr(outbox_models, "OutboxMessage", None)
    job_model = getattr(outbox_models, "JobRun", None) or getattr(outbox_models, "Job", None)
    if message_model is None:
        return None
    messages = _restricted(message_model, user)
    status = dict(messages.values_list("status").annotate(n=Count("pk")).values_list("status", "n"))
    result = {
        "pending": status.get("pending", 0),
        "dead": status.get("dead", 0),
        "jobs": [],
    }
    if job_model is not None:
        order = "-started_at" if _has_field(job_model, "started_at") else "-pk"
        result["jobs"] = list(_restricted(job_model, user).order_by(order)[:5])
    return result


def unconfirmed_years(user, today: datetime.date) -> list | None:
    """Calendar years still running on weekly hours only, for provider staff (or ``None``)."""
    if not is_provider_staff(user):
        return None
    try:
        from itsm.core.calendars.selectors import unconfirmed_calendar_years
    except ImportError:
        return None
    return list(unconfirmed_calendar_years(today))


def _restricted(model, user):
    """Rows of *model* that *user* may view; a model without a policy shows nothing."""
    queryset = model._default_manager.all()
    if not isinstance(getattr(model, "policy", None), ModelPolicy):
        return queryset.none()
    return restrict(queryset, user, "view")


def _has_field(model, name: str) -> bool:
    return any(f.name == name for f in model._meta.get_fields())
