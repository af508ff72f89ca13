"""Checks shared by the problem services: related records must exist for the acting user,
incidents must be incidents, the manager must be provider staff, the fix change must be one
the user may see."""

from __future__ import annotations

from collections.abc import Iterable

from django.utils.translation import gettext_lazy as _

from itsm.core.errors import ValidationFailed
from itsm.core.policy import is_provider_staff
from itsm.desk.choices import TicketKind

#: at most this many incidents are given in one call (a problem of a thousand incidents is a
#: major incident's business, not one form's)
MAX_INCIDENTS = 500


def error(field: str, message) -> ValidationFailed:
    return ValidationFailed(fields={field: [str(message)]})


def check_incidents(tickets: Iterable, *, by, field: str = "incidents") -> list:
    """*tickets* as a list of distinct incidents the acting user may see (unchecked for the
    system, ``by=None``); an error names *field* and the first wrong ticket."""
    from itsm.desk import selectors as desk

    rows = list({t.pk: t for t in tickets}.values())
    if len(rows) > MAX_INCIDENTS:
        raise error(field, _("At most {count} incidents at a time.").format(count=MAX_INCIDENTS))
    wrong = [t for t in rows if t.kind != TicketKind.INCIDENT]
    if wrong:
        raise error(
            field,
            _("{number} is not an incident.").format(number=wrong[0].number),
        )
    if by is not None and rows:
        ids = {t.pk for t in rows}
        visible = set(desk.tickets_for(by).filter(pk__in=ids).values_list("pk", flat=True))
        if ids - visible:
            raise error(field, _("Unknown incident."))
    return rows


def check_cis(cis: Iterable, *, by, field: str = "cis") -> list:
    rows = list({c.pk: c for c in cis}.values())
    if by is not None and rows:
        from itsm.cmdb.selectors import cis_for

        ids = {c.pk for c in rows}
        visible = set(cis_for(by).filter(pk__in=ids).values_list("pk", flat=True))
        if ids - visible:
            raise error(field, _("Unknown configuration item."))
    return rows


def check_service(service, *, by) -> None:
    if service is None or by is None:
        return
    from itsm.catalog.selectors import visible_services

    if not visible_services(by).filter(pk=service.pk).exists():
        raise error("service", _("Unknown service."))


def check_change(change, *, by, field: str = "fix_change") -> None:
    """*change* must be one the acting user may see (``change.selectors.changes_for``)."""
    if change is None or by is None:
        return
    from itsm.change.selectors import changes_for

    if not changes_for(by).filter(pk=change.pk).exists():
        raise error(field, _("Unknown change."))


def check_manager(manager) -> None:
    if manager is None:
        return
    if not manager.is_active or not is_provider_staff(manager):
        raise error("manager", _("The problem manager must be an active person of the provider."))


def actor(by):
    return by if getattr(by, "pk", None) else None


def validate(obj, **kwargs) -> None:
    """``core.services.clean_record`` with its Django error as a ``ValidationFailed`` naming
    each field (the services' one error type)."""
    from django.core.exceptions import ValidationError as DjangoValidationError

    from itsm.core.services import clean_record

    try:
        clean_record(obj, **kwargs)
    except DjangoValidationError as failure:
        raise ValidationFailed.from_django(failure) from None
