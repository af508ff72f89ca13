"""Working a ticket's conversation: public replies, customer comments, internal work notes
with the time spent, e-mails received, @mentions, attachments, canned responses and the soft
edit lock ("being edited by …")."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

import nh3
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from itsm.core import policy
from itsm.core.errors import Forbidden, InvalidTransition, ValidationFailed
from itsm.core.models import User
from itsm.core.timeline import record_event
from itsm.core.uploads import max_bytes
from itsm.desk.choices import CUSTOMERS, WORKERS, EntryKind, TicketStatus
from itsm.desk.models import (
    Attachment,
    CannedResponse,
    EditLock,
    Ticket,
    TicketEntry,
    TicketMessage,
)
from itsm.desk.services import notifications

#: an edit lock lasts this long unless renewed (the page renews it while open)
LOCK_MINUTES = 5
MENTION = re.compile(r"(?<![\w@])@([\w.\-]{2,150})")
#: e-mail kinds: what arrives by mail (never typed by a person in the UI)
MAIL_KINDS = (EntryKind.EMAIL, EntryKind.AUTO_REPLY, EntryKind.BOUNCE)
_VERBS = {
    EntryKind.REPLY: "replied",
    EntryKind.COMMENT: "commented",
    EntryKind.NOTE: "noted",
    EntryKind.EMAIL: "mailed",
    EntryKind.AUTO_REPLY: "mailed",
    EntryKind.BOUNCE: "mailed",
    EntryKind.UPDATE: "major_update",
}


def sanitise_html(html: str) -> str:
    """HTML a person or a mail sent, safe to show: nh3's allow-list, links without opener."""
    return nh3.clean(html or "", link_rel="noopener noreferrer nofollow")


def mentioned_users(text: str):
    """Active provider people named ``@username`` in *text*."""
    names = {m.group(1).rstrip(".") for m in MENTION.finditer(text or "")}
    if not names:
        return []
    return list(
        User.objects.filter(username__in=names, is_active=True, organisation__kind="provider")
    )


def add_entry(
    ticket: Ticket,
    *,
    by,
    kind: str,
    body: str,
    body_html: str = "",
    internal: bool | None = None,
    author_email: str = "",
    time_spent_minutes: int = 0,
    automatic: bool = False,
    at: datetime | None = None,
    notify: bool = True,
) -> TicketEntry:
    """Add an entry. Replies go to the contact by e-mail; notes are internal; a customer's
    comment or e-mail on a pending-customer ticket resumes it, and on a resolved one reopens
    it — unless the mail is automatic (auto-reply, bulk, bounce), which never does."""
    at = at or timezone.now()
    if kind not in EntryKind.values:
        raise ValidationFailed(fields={"kind": [str(_("Choose the kind of entry."))]})
    staff = policy.is_provider_staff(by)
    if by is not None and not staff:
        if kind != EntryKind.COMMENT:
            raise Forbidden(_("Customers add comments only."))
        if by.organisation_id != ticket.customer_id or not (by.roles & CUSTOMERS):
            raise Forbidden(_("You may act only on your own organisation's tickets."))
    if by is not None and staff and kind in (EntryKind.REPLY, EntryKind.NOTE, EntryKind.UPDATE):
        if not (by.is_superuser or by.roles & WORKERS):
            raise Forbidden(_("Your roles do not allow working on tickets."))
    text = (body or "").strip()
    html = sanitise_html(body_html) if body_html else ""
    if not text and not html:
        raise ValidationFailed(fields={"body": [str(_("Write something first."))]})
    try:
        minutes = int(time_spent_minutes or 0)
    except (TypeError, ValueError):
        minutes = -1
    if minutes < 0 or minutes > 24 * 60:
        raise ValidationFailed(
            fields={"time_spent_minutes": [str(_("Enter minutes from 0 to 1440."))]}
        )
    if minutes and not staff:
        minutes = 0
    if ticket.status in (TicketStatus.CLOSED, TicketStatus.CANCELLED) and kind not in MAIL_KINDS:
        raise InvalidTransition(str(_("A closed ticket takes no more entries; log a new one.")))
    if internal is None:
        internal = kind == EntryKind.NOTE
    if kind == EntryKind.NOTE:
        internal = True
    with transaction.atomic():
        entry = TicketEntry.objects.create(
            ticket=ticket,
            kind=kind,
            internal=internal,
            author=by if getattr(by, "pk", None) else None,
            author_email=author_email or "",
            body=text,
            body_html=html,
            time_spent_minutes=minutes,
            automatic=automatic,
            at=at,
        )
        updates: dict = {}
        if minutes:
            updates["time_spent_minutes"] = ticket.time_spent_minutes + minutes
        if kind == EntryKind.REPLY and ticket.responded_at is None:
            updates["responded_at"] = at
        if updates:
            Ticket.objects.filter(pk=ticket.pk).update(**updates)
            for name, value in updates.items():
                setattr(ticket, name, value)
        record_event(
            ticket,
            _VERBS[EntryKind(kind)],
            by=by if getattr(by, "pk", None) else None,
            note=text[:500] if not internal else "",
            data={"entry": entry.pk, "internal": internal},
            at=at,
        )
        users = mentioned_users(text) if staff else []
        if users:
            TicketEntry.objects.filter(pk=entry.pk).update(mentions=[u.pk for u in users])
            entry.mentions = [u.pk for u in users]
        if notify:
            if kind == EntryKind.REPLY:
                notifications.replied(ticket, entry)
            if users:
                notifications.mentioned(ticket, entry, users)
        if kind == EntryKind.REPLY and ticket.responded_at == at:
            _stop_response(ticket, at=at, by=by)
        if not automatic and kind in (EntryKind.COMMENT, EntryKind.EMAIL):
            _customer_spoke(ticket, by=by, at=at)
    return entry


def _stop_response(ticket: Ticket, *, at, by) -> None:
    from itsm.desk.services.tickets import RESPONSE, _actor
    from itsm.slm.clocks import services as clocks

    for clock in clocks.clocks_of(ticket, "running", "paused"):
        if clock.metric == RESPONSE:
            clocks.stop_clock(clock, at=at, by=_actor(by))


def _customer_spoke(ticket: Ticket, *, by, at) -> None:
    """The customer answered: a ticket waiting for them resumes; a resolved one reopens."""
    from itsm.desk.services import tickets

    ticket.refresh_from_db()
    if ticket.status == TicketStatus.PENDING_CUSTOMER:
        tickets.move(
            ticket,
            TicketStatus.IN_PROGRESS,
            by=None,
            at=at,
            verb="resume",
            note=str(_("The customer answered.")),
        )
    elif ticket.status == TicketStatus.RESOLVED:
        tickets.move(
            ticket,
            TicketStatus.IN_PROGRESS,
            by=None,
            at=at,
            verb="reopen",
            note=str(_("The customer answered after the resolution.")),
        )


def record_message_id(ticket: Ticket, *, message_id: str, outgoing: bool, entry=None) -> None:
    """Remember an e-mail's Message-ID as the ticket's (a repeat is ignored)."""
    value = (message_id or "").strip()
    if not value:
        return
    if not value.startswith("<"):
        value = f"<{value}>"
    TicketMessage.objects.get_or_create(
        message_id=value[:255], defaults={"ticket": ticket, "entry": entry, "outgoing": outgoing}
    )


SAFE_INLINE = ("image/png", "image/jpeg", "image/gif", "image/webp")


def add_attachment(
    ticket: Ticket,
    *,
    by,
    name: str,
    content_type: str,
    content: bytes,
    entry: TicketEntry | None = None,
    content_id: str = "",
    internal: bool = False,
) -> Attachment:
    """Keep a file on the ticket (within ``ITSM_UPLOAD_MAX_BYTES``)."""
    limit = max_bytes()
    if len(content) > limit:
        raise ValidationFailed(
            fields={
                "file": [
                    str(_("The file is larger than {size} MB.")).format(size=limit // (1024 * 1024))
                ]
            }
        )
    name = (name or "").replace("\\", "/").rsplit("/", 1)[-1].strip()[:255] or "attachment"
    if by is not None and not policy.is_provider_staff(by):
        if by.organisation_id != ticket.customer_id:
            raise Forbidden(_("You may act only on your own organisation's tickets."))
        internal = False
    if ticket.status in (TicketStatus.CLOSED, TicketStatus.CANCELLED) and by is not None:
        raise InvalidTransition(str(_("A closed ticket takes no more entries; log a new one.")))
    with transaction.atomic():
        attachment = Attachment.objects.create(
            ticket=ticket,
            entry=entry,
            name=name,
            content_type=(content_type or "application/octet-stream")[:120],
            size=len(content),
            content=content,
            content_id=(content_id or "").strip("<> ")[:255],
            internal=internal,
            uploaded_by=by if getattr(by, "pk", None) else None,
        )
        record_event(
            ticket,
            "attachment_added",
            by=by if getattr(by, "pk", None) else None,
            note=name if not internal else "",
            data={"attachment": attachment.pk},
        )
    return attachment


# --- canned responses ---------------------------------------------------------------------

PLACEHOLDERS = ("number", "title", "contact", "customer", "agent", "service", "group")


def render_canned(response: CannedResponse, ticket: Ticket, *, agent) -> str:
    """The response's text with its placeholders (``{number}``, ``{contact}`` …) filled in;
    unknown ones are left as written."""
    values = {
        "number": ticket.number,
        "title": ticket.title,
        "contact": notifications._name(ticket.contact) if ticket.contact else ticket.contact_email,
        "customer": ticket.customer.name,
        "agent": notifications._name(agent),
        "service": ticket.service.name if ticket.service is not None else "",
        "group": ticket.assignment_group.name if ticket.assignment_group is not None else "",
    }
    return re.sub(r"\{(\w+)\}", lambda m: str(values.get(m.group(1), m.group(0))), response.body)


def create_canned(*, by, title: str, body: str, team=None, is_active: bool = True):
    errors = {}
    if not (title or "").strip():
        errors["title"] = [str(_("This field is required."))]
    if not (body or "").strip():
        errors["body"] = [str(_("This field is required."))]
    if errors:
        raise ValidationFailed(fields=errors)
    from itsm.core.services import clean_record, set_actor

    response = CannedResponse(title=title.strip(), body=body, team=team, is_active=is_active)
    clean_record(response)
    set_actor(response, by)
    with transaction.atomic():
        response.save()
        record_event(response, "created", by=by)
    return response


def update_canned(response, *, by, expected_version, **fields):
    from itsm.core.services import refuse_unknown_fields, update_record

    refuse_unknown_fields(fields, {"title", "body", "team", "is_active"})
    return update_record(response, by=by, expected_version=expected_version, **fields)


def delete_canned(response, *, by) -> None:
    with transaction.atomic():
        record_event(response, "deleted", by=by)
        response.delete()


# --- the soft lock ------------------------------------------------------------------------


def take_lock(ticket: Ticket, *, by, now: datetime | None = None):
    """Mark *ticket* as being edited by *by* for ``LOCK_MINUTES``; return who else holds it
    (or None). The lock only warns: it never refuses a save (``version`` does that)."""
    now = now or timezone.now()
    with transaction.atomic():
        held = (
            EditLock.objects.select_for_update()
            .filter(ticket=ticket, until__gt=now)
            .exclude(user=by)
            .select_related("user")
            .first()
        )
        if held is not None:
            return held.user
        EditLock.objects.update_or_create(
            ticket=ticket, defaults={"user": by, "until": now + timedelta(minutes=LOCK_MINUTES)}
        )
    return None


def release_lock(ticket: Ticket, *, by) -> None:
    EditLock.objects.filter(ticket=ticket, user=by).delete()
