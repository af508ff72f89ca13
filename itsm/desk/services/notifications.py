"""Who is told what about a ticket, through the outbox (X-05): e-mail threaded on the ticket
and the assignment group's chat channel.

Every e-mail about a ticket carries the number tag in its subject (``[INC-000123] …``), a
Message-ID on our domain (the outbox's, derived from the message key, so a re-send keeps it)
that is recorded as the ticket's (``TicketMessage``: a reply's In-Reply-To finds the
ticket), ``References`` to the ticket's first message, and ``Auto-Submitted:
auto-generated`` with ``X-Auto-Response-Suppress`` so auto-responders stay quiet and loops
cannot start (RFC 3834). Each text is composed in the reader's language and time zone.
"""

from __future__ import annotations

from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from itsm.core import stamps
from itsm.core.links import id_url
from itsm.core.lists.columns import choice_label
from itsm.core.outbox.delivery import message_id_for
from itsm.core.outbox.services import Message, enqueue_many, in_reader_language
from itsm.core.writes import Rows, new_row
from itsm.desk.choices import Priority, TicketStatus
from itsm.desk.models import GroupSettings, Ticket, TicketEntry, TicketMessage

EMAIL = "email"
CHAT = "chat"


def ticket_url(ticket: Ticket) -> str:
    return settings.ITSM_BASE_URL.rstrip("/") + id_url("desk:ticket_detail", ticket.pk)


def subject_for(ticket: Ticket, text: str) -> str:
    return f"[{ticket.number}] {text}"


def _thread_root(ticket: Ticket) -> str | None:
    return (
        TicketMessage.objects.filter(ticket=ticket)
        .order_by("id")
        .values_list("message_id", flat=True)
        .first()
    )


class _Mails:
    """The e-mails of one notification about *ticket*: each gets its Message-ID (the outbox
    key's) and the thread's headers; :meth:`send` records the ids as the ticket's in one
    statement and enqueues the messages in one more. The thread's root — the ticket's first
    recorded Message-ID — is read once, and not at all for a ticket just created (``new``:
    its first mail is the root)."""

    def __init__(self, ticket: Ticket, *, new: bool = False):
        self.ticket = ticket
        self.new = new
        self.root = None if new else _thread_root(ticket)
        self.messages: list[Message] = []
        self.ids: list[tuple[str, TicketEntry | None]] = []

    def add(self, *, key: str, to: str, subject: str, body: str, entry=None) -> None:
        message_id = message_id_for(key)
        headers = {
            "Auto-Submitted": "auto-generated",
            "X-Auto-Response-Suppress": "All",
            "X-Loop": settings.DEFAULT_FROM_EMAIL,
        }
        root = self.root or (self.ids[0][0] if self.ids else None)
        if root:
            headers["References"] = root
            headers["In-Reply-To"] = root
        self.ids.append((message_id, entry))
        self.messages.append(
            Message(
                key=key,
                channel=EMAIL,
                target=to,
                payload={"subject": subject, "body": body, "headers": headers},
            )
        )

    def extend(self, messages: list[Message]) -> None:
        self.messages.extend(messages)

    def send(self) -> None:
        ids = Rows(
            [
                new_row(
                    TicketMessage,
                    ticket=self.ticket,
                    entry=entry,
                    message_id=mid,
                    outgoing=True,
                )
                for mid, entry in self.ids
            ],
            ignore_conflicts=True,  # a repeated notification keeps its Message-ID
        )
        if self.messages or ids.objs:
            # a ticket just created: its keys name it, so none can exist yet
            enqueue_many(self.messages, new_keys=self.new, along=[ids])


def _contact(ticket: Ticket):
    """(address, reader) of the ticket's contact, or (None, None)."""
    address = ticket.contact_email or getattr(ticket.contact, "email", "")
    return (address or None), ticket.contact


def _group_chat(ticket: Ticket, key: str, text: str) -> list[Message]:
    if ticket.assignment_group_id is None:
        return []
    channel = stamps.memo(
        ("desk.config",),
        "chat-channels",
        lambda: dict(GroupSettings.objects.values_list("team_id", "chat_channel")),
    ).get(ticket.assignment_group_id)
    if not channel:
        return []
    return [
        Message(
            key=f"{key}:chat",
            channel=CHAT,
            target=channel,
            payload={"title": text, "text": f"{text}\n{ticket_url(ticket)}"},
        )
    ]


def ticket_created(ticket: Ticket) -> None:
    """Acknowledge the ticket to its contact; tell the group (and assignee) it has new work."""
    mails = _Mails(ticket, new=True)
    address, reader = _contact(ticket)
    if address and ticket.channel != "monitoring":
        with in_reader_language(reader):
            mails.add(
                key=f"desk:{ticket.pk}:created",
                to=address,
                subject=subject_for(ticket, ticket.title),
                body=_(
                    "We have logged your request as {number}: {title}\n\n"
                    "Reply to this e-mail to add information; keep the number in the "
                    "subject.\n{url}"
                ).format(number=ticket.number, title=ticket.title, url=ticket_url(ticket)),
            )
    _assignment_messages(mails, f"desk:{ticket.pk}:created")
    mails.send()


def _assignment_messages(mails: _Mails, key: str) -> None:
    ticket = mails.ticket
    assignee = ticket.assignee
    if assignee is not None and assignee.email:
        with in_reader_language(assignee):
            mails.add(
                key=f"{key}:assignee:{assignee.pk}",
                to=assignee.email,
                subject=subject_for(
                    ticket, _("Assigned to you: {title}").format(title=ticket.title)
                ),
                body=_("{number} ({priority}) is assigned to you.\n{url}").format(
                    number=ticket.number,
                    # get_priority_display() without flattening the field's choices each time
                    priority=choice_label(Priority, ticket.priority),
                    url=ticket_url(ticket),
                ),
            )
    if ticket.assignment_group_id is not None:
        with in_reader_language(None):
            text = _("{number} for group {group}: {title}").format(
                number=ticket.number, group=ticket.assignment_group, title=ticket.title
            )
        mails.extend(_group_chat(ticket, key, text))


def assigned(ticket: Ticket, *, by) -> None:
    mails = _Mails(ticket)
    _assignment_messages(mails, f"desk:{ticket.pk}:assigned:{ticket.version}")
    mails.send()


_TOLD: dict[str, tuple[str, str]] = {
    TicketStatus.PENDING_CUSTOMER: (
        gettext_noop("Your ticket {number} is waiting for your answer"),
        gettext_noop(
            "We need information from you to go on with {number}:\n\n{note}\n\n"
            "Reply to this e-mail or answer in the portal.\n{url}"
        ),
    ),
    TicketStatus.RESOLVED: (
        gettext_noop("Your ticket {number} is resolved"),
        gettext_noop(
            "{number} is resolved:\n\n{note}\n\nPlease confirm the resolution in the portal, "
            "or reply if the problem remains.\n{url}"
        ),
    ),
}


def status_changed(ticket: Ticket, source: str, to: str, *, note: str, by) -> None:
    """Tell the contact what the move asks of them (an answer, a confirmation)."""
    told = _TOLD.get(to)
    address, reader = _contact(ticket)
    if told is None or not address:
        return
    subject, body = told
    mails = _Mails(ticket)
    with in_reader_language(reader):
        text = note if to != TicketStatus.RESOLVED else ticket.resolution
        mails.add(
            key=f"desk:{ticket.pk}:{to}:{ticket.version}",
            to=address,
            subject=subject_for(ticket, _(subject).format(number=ticket.number)),
            body=_(body).format(number=ticket.number, note=text, url=ticket_url(ticket)),
        )
    mails.send()


def replied(ticket: Ticket, entry) -> None:
    """A public reply of the desk goes to the contact by e-mail, threaded."""
    address, reader = _contact(ticket)
    if not address:
        return
    mails = _Mails(ticket)
    with in_reader_language(reader):
        mails.add(
            key=f"desk:{ticket.pk}:entry:{entry.pk}",
            to=address,
            subject=subject_for(ticket, ticket.title),
            body=entry.body + "\n\n" + ticket_url(ticket),
            entry=entry,
        )
    mails.send()


def mentioned(ticket: Ticket, entry, users) -> None:
    """People @mentioned in a work note or reply are told by e-mail."""
    mails = _Mails(ticket)
    for user in users:
        if not user.email:
            continue
        with in_reader_language(user):
            mails.add(
                key=f"desk:{ticket.pk}:entry:{entry.pk}:mention:{user.pk}",
                to=user.email,
                subject=subject_for(
                    ticket, _("{name} mentioned you").format(name=_name(entry.author))
                ),
                body=entry.body + "\n\n" + ticket_url(ticket),
                entry=entry,
            )
    mails.send()


def escalated(ticket: Ticket, *, key: str, users, text: str) -> None:
    """The people an escalation goes to (group leader, manager, the next line's members)."""
    mails = _Mails(ticket)
    for user in users:
        if not user or not user.email:
            continue
        with in_reader_language(user):
            mails.add(
                key=f"{key}:to:{user.pk}",
                to=user.email,
                subject=subject_for(ticket, _("Escalated: {title}").format(title=ticket.title)),
                body=_("{number} ({priority}) was escalated: {text}\n{url}").format(
                    number=ticket.number,
                    priority=choice_label(Priority, ticket.priority),
                    text=text,
                    url=ticket_url(ticket),
                ),
            )
    mails.extend(_group_chat(ticket, key, text))
    mails.send()


def survey_link(ticket: Ticket, url: str) -> None:
    """The satisfaction survey's one-time link to the contact."""
    address, reader = _contact(ticket)
    if not address:
        return
    mails = _Mails(ticket)
    with in_reader_language(reader):
        mails.add(
            key=f"desk:{ticket.pk}:survey",
            to=address,
            subject=subject_for(ticket, _("How did we do?")),
            body=_(
                "{number} is resolved. Rate our service from 1 to 5 (one click, no sign-in):\n{url}"
            ).format(number=ticket.number, url=url),
        )
    mails.send()


def _name(user) -> str:
    if user is None:
        return "—"
    return user.display_name or user.get_full_name() or user.username
