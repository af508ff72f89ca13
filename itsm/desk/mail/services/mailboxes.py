"""Mailbox configuration: create, edit, delete (administrators)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils.translation import gettext as _

from itsm.core.choices import OrganisationKind
from itsm.core.errors import ValidationFailed
from itsm.core.services import clean_record, refuse_unknown_fields, save_versioned
from itsm.core.timeline import record_event
from itsm.desk.mail.models import Mailbox, split_addresses

EDITABLE = frozenset(
    {
        "name",
        "host",
        "port",
        "security",
        "username",
        "password",
        "folder",
        "addresses",
        "default_customer",
        "default_kind",
        "is_active",
    }
)
#: a change of any of these points the mailbox at other mail: it is read from the start
#: again (the Message-ID dedupe keeps mail already handled from making second tickets)
SOURCE_FIELDS = ("host", "port", "username", "folder")


def _check(mailbox: Mailbox) -> None:
    errors: dict[str, list[str]] = {}
    addresses = split_addresses(mailbox.addresses or "")
    if not addresses:
        errors["addresses"] = [_("Enter at least one desk address.")]
    for address in addresses:
        try:
            validate_email(address)
        except ValidationError:
            message = _("“{address}” is not an e-mail address.")
            errors["addresses"] = [message.format(address=address)]
            break
    else:
        mailbox.addresses = "\n".join(addresses)
    if mailbox.port is not None and not 1 <= int(mailbox.port) <= 65535:
        errors["port"] = [_("Enter a port from 1 to 65535.")]
    customer = mailbox.default_customer
    if customer is not None and customer.kind != OrganisationKind.CUSTOMER:
        errors["default_customer"] = [_("Tickets belong to a customer organisation.")]
    if errors:
        raise ValidationFailed(fields=errors)


def create_mailbox(*, by, **fields) -> Mailbox:
    """Add a mailbox to poll."""
    refuse_unknown_fields(fields, EDITABLE)
    mailbox = Mailbox(**fields)
    _check(mailbox)
    clean_record(mailbox)
    with transaction.atomic():
        mailbox._history_user = by if getattr(by, "pk", None) else None
        mailbox.save()
        record_event(mailbox, "created", by=by)
    return mailbox


def update_mailbox(mailbox: Mailbox, *, by, expected_version: int | None, **fields) -> Mailbox:
    """Change a mailbox; an empty ``password`` keeps the stored one."""
    refuse_unknown_fields(fields, EDITABLE)
    if not fields.get("password", "x"):
        fields.pop("password")
    moved = any(name in fields and fields[name] != getattr(mailbox, name) for name in SOURCE_FIELDS)
    with transaction.atomic():
        for name, value in fields.items():
            setattr(mailbox, name, value)
        _check(mailbox)
        if moved:
            mailbox.uid_validity, mailbox.last_uid = None, 0
        save_versioned(mailbox, expected_version=expected_version, by=by)
        record_event(
            mailbox,
            "updated",
            by=by,
            data={"fields": sorted(name for name in fields if name != "password")},
        )
    return mailbox


def delete_mailbox(mailbox: Mailbox, *, by) -> None:
    """Stop polling and forget the mailbox; its received mail stays in the log."""
    with transaction.atomic():
        record_event(mailbox, "deleted", by=by, note=mailbox.name)
        mailbox.delete()
