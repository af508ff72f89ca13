"""Reads of the core app that several apps share (DESIGN rule 1: selectors read, services
write)."""

from __future__ import annotations

from django.db.models import QuerySet

from itsm.core.choices import OrganisationKind, Role
from itsm.core.models import Organisation, User


def administrators() -> QuerySet[User]:
    """The active administrators, by id: provider users holding the administrator role (the
    people :func:`itsm.core.policy.is_administrator` answers yes for, superusers aside).

    The one answer to "whom do we alert": the outbox (dead letters), calendars (unconfirmed
    years) and SLA clocks (warnings and breaches) notify these people; a caller that e-mails
    them excludes those without an address (``.exclude(email="")``)."""
    return (
        User.objects.filter(
            is_active=True,
            role_assignments__role=Role.ADMINISTRATOR,
            organisation__kind=OrganisationKind.PROVIDER,
        )
        .distinct()
        .order_by("pk")
    )


def visible_organisations(user, kind: str) -> QuerySet[Organisation]:
    """The organisations of *kind* (customers, suppliers …) *user* may see, by name: a
    customer user only their own, provider staff all; no user, none (fail closed)."""
    queryset = Organisation.objects.filter(kind=kind).order_by("name")
    return queryset.restrict(user, "view") if user is not None else queryset.none()
