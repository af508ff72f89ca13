"""What the desk does with one received mail (:func:`receive`).

In order, each mail in its own transaction with its :class:`InboundMail` row:

1. **duplicate** — a Message-ID already processed (a re-poll, a copy sent to a second desk
   address, the same mail in two mailboxes): recorded, nothing else;
2. **too large** — over ``ITSM_MAIL_MAX_BYTES``: no ticket; the sender gets a rejection
   (through the outbox, in their language when they are a user, else in Chinese and
   English), unless the mail is automatic;
3. **bounce** — attached to the ticket whose Message-ID it returns, and only then;
4. **thread** — the ticket named by a subject tag (``[INC-000123]``, when the sender may
   write on that ticket), else the ticket of a Message-ID in In-Reply-To/References (ours or
   received), followed through merges: a person's mail becomes an e-mail entry (it resumes a
   ticket waiting for the customer and reopens a resolved one), an automatic one an
   automatic entry that changes nothing;
5. **new ticket** — a person's mail only: the customer is the sender's organisation when a
   user has the sender's address, else the mailbox's default customer (the address kept on
   the ticket); without one the mail is kept as unmatched. Automatic mail never makes one.

Attachments and inline images become the entry's attachments with their content ids; the
sanitised HTML keeps its ``cid:`` references (``parsing.resolve_cids`` maps them to the
attachments' URLs for display).
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass
from email.utils import parseaddr

from django.conf import settings
from django.db import IntegrityError, transaction
from django.template.defaultfilters import filesizeformat
from django.urls import NoReverseMatch, reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from itsm.core import policy
from itsm.core.choices import OrganisationKind
from itsm.core.errors import DomainError
from itsm.core.models import User
from itsm.core.outbox.delivery import message_id_for
from itsm.core.outbox.services import enqueue
from itsm.core.stored_text import stored
from itsm.desk import selectors as desk_selectors
from itsm.desk import services as desk
from itsm.desk.choices import Channel, EntryKind
from itsm.desk.mail.choices import Outcome
from itsm.desk.mail.models import InboundMail, Mailbox
from itsm.desk.mail.parsing import MailKind, ParsedMail, parse_message, resolve_cids

log = logging.getLogger(__name__)

DEFAULT_MAX_BYTES = 25 * 1024 * 1024
TEXT_KEPT = 100_000


def max_bytes() -> int:
    """The largest mail the desk accepts (``ITSM_MAIL_MAX_BYTES``, 25 MB by default)."""
    return int(getattr(settings, "ITSM_MAIL_MAX_BYTES", DEFAULT_MAX_BYTES))


def own_addresses(mailbox: Mailbox) -> list[str]:
    """The desk's addresses: the mailbox's and the notifications' sender."""
    sender = parseaddr(settings.DEFAULT_FROM_EMAIL)[1].lower()
    return [*mailbox.address_list, *([sender] if sender else [])]


@dataclass
class Received:
    inbound: InboundMail
    parsed: ParsedMail | None


def receive(
    mailbox: Mailbox,
    raw: bytes,
    *,
    uid: int | None = None,
    uid_validity: int | None = None,
    size: int | None = None,
) -> InboundMail:
    """Handle one raw mail of *mailbox* (see the module's docstring); never raises for the
    mail's content: a failure is recorded as outcome ``failed`` with its reason."""
    size = len(raw) if size is None else size
    oversized = size > max_bytes()
    # an oversized mail is read for its headers only (the poller fetches no more of it)
    head = raw.split(b"\r\n\r\n", 1)[0].split(b"\n\n", 1)[0] + b"\r\n\r\n" if oversized else raw
    try:
        parsed = parse_message(head, own_addresses=own_addresses(mailbox))
    except Exception as exc:  # the parser is lenient; this is a last resort
        log.exception("deskmail: mail %s of %s could not be parsed", uid, mailbox)
        parsed = None
        error = f"{type(exc).__name__}: {exc}"
    if parsed is None:
        digest = hashlib.sha256(raw).hexdigest()
        return _record_failure(
            mailbox,
            uid=uid,
            uid_validity=uid_validity,
            message_id=f"<{digest}@unparsed.invalid>",
            size=size,
            detail=error,
        )
    parsed.size = size
    try:
        with transaction.atomic():
            return _receive(
                mailbox, parsed, uid=uid, uid_validity=uid_validity, oversized=oversized
            )
    except IntegrityError:
        # the same Message-ID was processed meanwhile (another poller): a duplicate
        with transaction.atomic():
            return _duplicate(mailbox, parsed, uid=uid, uid_validity=uid_validity)
    except Exception as exc:
        log.exception("deskmail: mail %s of %s failed", parsed.message_id, mailbox)
        detail = str(exc) if isinstance(exc, DomainError) else f"{type(exc).__name__}: {exc}"
        if isinstance(exc, DomainError) and getattr(exc, "fields", None):
            detail = f"{detail} {exc.fields}"
        return _record_failure(
            mailbox,
            uid=uid,
            uid_validity=uid_validity,
            message_id=parsed.message_id,
            size=size,
            detail=detail,
            parsed=parsed,
        )


def _row(mailbox, parsed: ParsedMail, *, uid, uid_validity, outcome, ticket=None, detail=""):
    keep_text = outcome not in (Outcome.CREATED, Outcome.THREADED, Outcome.DUPLICATE)
    return InboundMail(
        mailbox=mailbox,
        uid=uid,
        uid_validity=uid_validity,
        message_id=parsed.message_id[:255],
        dedupe_key=None if outcome == Outcome.DUPLICATE else parsed.message_id[:255],
        from_address=parsed.from_address[:254],
        from_name=parsed.from_name[:200],
        recipients=", ".join(parsed.recipients)[:5000],
        subject=parsed.subject[:500],
        sent_at=parsed.date,
        size=min(parsed.size, 2**31 - 1),
        kind=parsed.kind,
        reason=parsed.reason[:300],
        outcome=outcome,
        ticket=ticket,
        detail=detail,
        text=parsed.text[:TEXT_KEPT] if keep_text else "",
    )


def _save(row: InboundMail) -> InboundMail:
    row.save()
    return row


def _record_failure(
    mailbox, *, uid, uid_validity, message_id, size, detail, parsed: ParsedMail | None = None
) -> InboundMail:
    with transaction.atomic():
        taken = InboundMail.objects.filter(dedupe_key=message_id[:255]).exists()
        return _save(
            InboundMail(
                mailbox=mailbox,
                uid=uid,
                uid_validity=uid_validity,
                message_id=message_id[:255],
                # a failed mail keeps its key: a re-poll does not retry it into two tickets
                dedupe_key=None if taken else message_id[:255],
                from_address=(parsed.from_address if parsed else "")[:254],
                from_name=(parsed.from_name if parsed else "")[:200],
                subject=(parsed.subject if parsed else "")[:500],
                sent_at=parsed.date if parsed else None,
                size=min(size, 2**31 - 1),
                kind=parsed.kind if parsed else MailKind.PERSON,
                reason=(parsed.reason if parsed else "")[:300],
                outcome=Outcome.FAILED,
                detail=detail[:5000],
                text=(parsed.text if parsed else "")[:TEXT_KEPT],
            )
        )


def _duplicate(mailbox, parsed: ParsedMail, *, uid, uid_validity) -> InboundMail:
    first = InboundMail.objects.filter(dedupe_key=parsed.message_id[:255]).first()
    return _save(
        _row(
            mailbox,
            parsed,
            uid=uid,
            uid_validity=uid_validity,
            outcome=Outcome.DUPLICATE,
            ticket=first.ticket if first else None,
            detail=str(first.pk) if first else "",
        )
    )


def _receive(mailbox, parsed: ParsedMail, *, uid, uid_validity, oversized) -> InboundMail:
    if InboundMail.objects.filter(dedupe_key=parsed.message_id[:255]).exists():
        return _duplicate(mailbox, parsed, uid=uid, uid_validity=uid_validity)
    row = {"uid": uid, "uid_validity": uid_validity}
    sender = _sender(parsed.from_address)

    if oversized:
        inbound = _save(_row(mailbox, parsed, outcome=Outcome.TOO_LARGE, **row))
        if not parsed.is_automatic and parsed.from_address:
            _reject_too_large(inbound, parsed, sender)
        return inbound

    if parsed.kind == MailKind.BOUNCE:
        ticket = desk_selectors.ticket_for_message_ids(parsed.bounced_message_ids)
        if ticket is None:
            return _save(_row(mailbox, parsed, outcome=Outcome.BOUNCE_UNMATCHED, **row))
        ticket = desk.final_target(ticket)
        detail = _add_mail_entry(ticket, parsed, EntryKind.BOUNCE)
        return _save(
            _row(
                mailbox,
                parsed,
                outcome=Outcome.BOUNCE_ATTACHED,
                ticket=ticket,
                detail=detail,
                **row,
            )
        )

    ticket = _thread(parsed, sender)
    if ticket is not None:
        if parsed.is_automatic:
            detail = _add_mail_entry(ticket, parsed, EntryKind.AUTO_REPLY)
            outcome = Outcome.AUTO_STORED
        else:
            detail = _add_mail_entry(ticket, parsed, EntryKind.EMAIL)
            outcome = Outcome.THREADED
        return _save(_row(mailbox, parsed, outcome=outcome, ticket=ticket, detail=detail, **row))

    if parsed.is_automatic:
        return _save(_row(mailbox, parsed, outcome=Outcome.AUTO_IGNORED, **row))
    if not parsed.from_address:
        return _save(
            _row(
                mailbox,
                parsed,
                outcome=Outcome.UNMATCHED,
                detail=stored(gettext_noop("The mail has no sender address.")),
                **row,
            )
        )

    contact = sender if _is_customer_user(sender) else None
    customer = contact.organisation if contact is not None else mailbox.default_customer
    if customer is None:
        return _save(
            _row(
                mailbox,
                parsed,
                outcome=Outcome.UNMATCHED,
                detail=stored(
                    gettext_noop(
                        "No user has the address {address} and the mailbox has no default customer."
                    ),
                    address=parsed.from_address,
                ),
                **row,
            )
        )
    ticket = desk.create_ticket(
        by=None,
        kind=mailbox.default_kind,
        title=_title(parsed),
        description=parsed.text[:TEXT_KEPT],
        customer=customer,
        contact=contact,
        contact_email=parsed.from_address,
        channel=Channel.EMAIL,
        opened_at=None,
    )
    detail = _add_mail_entry(ticket, parsed, EntryKind.EMAIL)
    return _save(
        _row(mailbox, parsed, outcome=Outcome.CREATED, ticket=ticket, detail=detail, **row)
    )


def _title(parsed: ParsedMail) -> str:
    title = " ".join(parsed.subject.split())
    if not title:
        first = next((line.strip() for line in parsed.text.splitlines() if line.strip()), "")
        title = first or _("(no subject)")
    return title[:200]


def _sender(address: str) -> User | None:
    """The active user with the sender's address: a customer user before provider staff."""
    if not address:
        return None
    users = list(
        User.objects.filter(email__iexact=address, is_active=True)
        .select_related("organisation")
        .order_by("id")[:5]
    )
    customers = [u for u in users if _is_customer_user(u)]
    chosen = customers or users
    return chosen[0] if chosen else None


def _is_customer_user(user: User | None) -> bool:
    return (
        user is not None
        and user.organisation is not None
        and user.organisation.kind == OrganisationKind.CUSTOMER
    )


def _may_write_on(ticket, parsed: ParsedMail, sender: User | None) -> bool:
    """A subject tag is taken at its word from the ticket's contact, a user of its customer
    or provider staff; anyone else must answer one of the ticket's messages."""
    if parsed.from_address and parsed.from_address == (ticket.contact_email or "").lower():
        return True
    if sender is None:
        return False
    if ticket.contact_id is not None and sender.pk == ticket.contact_id:
        return True
    return sender.organisation_id == ticket.customer_id or policy.is_provider_staff(sender)


def _thread(parsed: ParsedMail, sender: User | None):
    """The ticket *parsed* continues: by subject tag, then by Message-ID; merges followed."""
    for number in parsed.ticket_numbers:
        ticket = desk_selectors.ticket_by_number(number)
        if ticket is not None and _may_write_on(ticket, parsed, sender):
            return desk.final_target(ticket)
    ids = parsed.thread_message_ids
    if ids:
        ticket = desk_selectors.ticket_for_message_ids(ids)
        if ticket is not None:
            return desk.final_target(ticket)
    return None


def _add_mail_entry(ticket, parsed: ParsedMail, kind: str) -> str:
    """The mail as an entry of *ticket*, its files as attachments, its Message-ID recorded;
    returns the stored note of files not kept (over ``ITSM_UPLOAD_MAX_BYTES``), or "".

    Images the HTML shows (``cid:``) are stored first, so the entry's HTML can point at
    their download URLs (desk's sanitiser keeps no ``cid:`` scheme); they keep their content
    id. The other files are attached to the entry."""
    automatic = kind != EntryKind.EMAIL
    skipped: list[str] = []
    urls: dict[str, str] = {}
    shown_inline = [a for a in parsed.attachments if a.inline and a.content_id]
    for attachment in shown_inline:
        stored_file = _attach(ticket, attachment, entry=None, skipped=skipped)
        if stored_file is not None:
            url = attachment_url(stored_file.pk)
            if url:
                urls[attachment.content_id] = url
    body = parsed.text or (parsed.subject if not parsed.html else "")
    entry = desk.add_entry(
        ticket,
        by=None,
        kind=kind,
        body=body or "—",
        body_html=resolve_cids(parsed.html, urls) if urls else parsed.html,
        internal=False,
        author_email=parsed.from_address,
        automatic=automatic,
        notify=False,
    )
    for attachment in parsed.attachments:
        if attachment not in shown_inline:
            _attach(ticket, attachment, entry=entry, skipped=skipped)
    desk.record_message_id(ticket, message_id=parsed.message_id, outgoing=False, entry=entry)
    if not skipped:
        return ""
    log.warning("deskmail: attachments skipped on %s: %s", ticket, skipped)
    return stored(gettext_noop("Files not kept: {files}"), files="; ".join(skipped)[:4000])


def _attach(ticket, attachment, *, entry, skipped: list[str]):
    try:
        return desk.add_attachment(
            ticket,
            by=None,
            name=attachment.name,
            content_type=attachment.content_type,
            content=attachment.content,
            entry=entry,
            content_id=attachment.content_id,
        )
    except DomainError as exc:  # over the upload limit: the rest are kept
        skipped.append(f"{attachment.name}: {exc}")
        return None


def attachment_url(attachment_id: int) -> str | None:
    """The download URL of a ticket's attachment (``desk:attachment_download``)."""
    try:
        return reverse("desk:attachment_download", args=[attachment_id])
    except NoReverseMatch:  # the desk pages are not mounted: the cid: reference stays
        return None


# --- the rejection of an oversized mail ------------------------------------------------------


def _rejection_text(subject: str) -> tuple[str, str]:
    return (
        _("Your e-mail was not accepted: it is too large"),
        _(
            "Your e-mail “{subject}” is larger than {size}, the most the service desk "
            "accepts, so no ticket was logged.\n\nPlease send it again without the large "
            "attachments, or share them by a link."
        ).format(subject=subject or "—", size=filesizeformat(max_bytes())),
    )


def sender_language(parsed: ParsedMail, sender: User | None) -> str:
    """The sender's language when known: the user's, else the mail's ``Content-Language``
    when it is one the product speaks (zh → zh-Hans, en); "" when unknown."""
    if sender is not None and sender.language:
        return sender.language
    if parsed.language.startswith("zh"):
        return "zh-hans"
    if parsed.language.startswith("en"):
        return "en"
    return ""


def _reject_too_large(inbound: InboundMail, parsed: ParsedMail, sender: User | None) -> None:
    language = sender_language(parsed, sender)
    if language:
        with translation.override(language):
            subject, body = _rejection_text(parsed.subject)
    else:
        with translation.override("zh-hans"):
            subject_zh, body_zh = _rejection_text(parsed.subject)
        with translation.override("en"):
            subject_en, body_en = _rejection_text(parsed.subject)
        subject = f"{subject_zh} / {subject_en}"
        body = f"{body_zh}\n\n----\n\n{body_en}"
    key = "deskmail:too-large:" + hashlib.sha256(parsed.message_id.encode()).hexdigest()[:40]
    headers = {
        "Auto-Submitted": "auto-replied",
        "X-Auto-Response-Suppress": "All",
        "In-Reply-To": parsed.message_id,
        "References": parsed.message_id,
    }
    if inbound.mailbox is not None and inbound.mailbox.address_list:
        headers["X-Loop"] = inbound.mailbox.address_list[0]
    enqueue(
        key=key,
        channel="email",
        target=parsed.from_address,
        payload={"subject": subject, "body": body, "headers": headers},
    )
    detail = stored(
        gettext_noop("Rejection {message_id} sent to {address}."),
        message_id=message_id_for(key),
        address=parsed.from_address,
    )
    InboundMail.objects.filter(pk=inbound.pk).update(detail=detail)
    inbound.detail = detail
