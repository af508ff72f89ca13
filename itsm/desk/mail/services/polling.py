"""Reading a mailbox over IMAP (imap-tools): only mail not read yet, each handled once.

A mailbox remembers the folder's ``UIDVALIDITY`` and the last UID it handled. A poll asks for
the UIDs after it (``UID n:*``; the server answers the last message even when it is older,
so UIDs are filtered), fetches each message's size, then the whole message — or only its
headers when it is over ``ITSM_MAIL_MAX_BYTES`` — without setting ``\\Seen``, hands it to
:func:`intake.receive` and moves ``last_uid`` in the same transaction. When the server's
``UIDVALIDITY`` changes (the folder was recreated) the mailbox is read again from the start;
the Message-ID dedupe keeps that from making second tickets.
"""

from __future__ import annotations

import logging
import re
import ssl
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_noop

from itsm.core.stored_text import stored
from itsm.desk.mail.choices import Outcome, Security
from itsm.desk.mail.models import Mailbox
from itsm.desk.mail.services import intake

log = logging.getLogger(__name__)

#: at most this many messages a mailbox per poll (the rest on the next one)
BATCH = 200
TIMEOUT_SECONDS = 30
_SIZE = re.compile(rb"RFC822\.SIZE\s+(\d+)")


class PollError(Exception):
    """The mailbox could not be read (connection, login, folder)."""


@dataclass
class PollResult:
    mailbox: str
    read: int = 0
    outcomes: dict[str, int] = field(default_factory=dict)
    error: str = ""

    def count(self, outcome: str) -> None:
        self.outcomes[outcome] = self.outcomes.get(outcome, 0) + 1


def _connect(mailbox: Mailbox):
    from imap_tools import MailBox, MailBoxStartTls, MailBoxUnencrypted

    client: MailBox | MailBoxStartTls | MailBoxUnencrypted
    if mailbox.security == Security.SSL:
        client = MailBox(mailbox.host, mailbox.port, timeout=TIMEOUT_SECONDS)
    elif mailbox.security == Security.STARTTLS:
        client = MailBoxStartTls(mailbox.host, mailbox.port, timeout=TIMEOUT_SECONDS)
    else:
        client = MailBoxUnencrypted(mailbox.host, mailbox.port, timeout=TIMEOUT_SECONDS)
    return client.login(mailbox.username, mailbox.password, initial_folder=mailbox.folder)


def _fetch(client, uid: int, parts: str) -> tuple[bytes, int | None]:
    status, data = client.uid("fetch", str(uid), parts)
    if status != "OK":
        raise PollError(f"UID FETCH {uid} {parts}: {status} {data!r}")
    body = b""
    size = None
    for item in data or []:
        head = item[0] if isinstance(item, tuple) else item
        if isinstance(head, bytes):
            match = _SIZE.search(head)
            if match:
                size = int(match.group(1))
        if isinstance(item, tuple) and len(item) > 1 and isinstance(item[1], bytes):
            body = item[1]
    return body, size


def poll(mailbox: Mailbox, *, limit: int = BATCH) -> PollResult:
    """Read the new mail of *mailbox*; a connection or login failure is stored on the mailbox
    (``last_error``) and raised as :class:`PollError`."""
    from imap_tools import AND, U
    from imap_tools.errors import MailboxLoginError

    result = PollResult(mailbox=mailbox.name)
    try:
        with _connect(mailbox) as box:
            status = box.folder.status(mailbox.folder, ["UIDVALIDITY"])
            validity = int(status["UIDVALIDITY"])
            last = mailbox.last_uid if mailbox.uid_validity == validity else 0
            if mailbox.uid_validity not in (None, validity):
                log.warning(
                    "deskmail: UIDVALIDITY of %s changed (%s → %s): reading it again",
                    mailbox,
                    mailbox.uid_validity,
                    validity,
                )
            found = box.uids(AND(uid=U(str(last + 1), "*")))
            uids = sorted(uid for uid in (int(u) for u in found) if uid > last)
            client = box.client
            limit_bytes = intake.max_bytes()
            for uid in uids[:limit]:
                _, size = _fetch(client, uid, "(RFC822.SIZE)")
                if size is not None and size > limit_bytes:
                    raw, _ = _fetch(client, uid, "(BODY.PEEK[HEADER])")
                else:
                    raw, _ = _fetch(client, uid, "(BODY.PEEK[])")
                if not raw:  # expunged since the UID SEARCH: nothing to read
                    log.info("deskmail: UID %s of %s is gone", uid, mailbox)
                    Mailbox.objects.filter(pk=mailbox.pk).update(
                        uid_validity=validity, last_uid=uid
                    )
                    mailbox.uid_validity, mailbox.last_uid = validity, uid
                    continue
                with transaction.atomic():
                    inbound = intake.receive(
                        mailbox, raw, uid=uid, uid_validity=validity, size=size or len(raw)
                    )
                    Mailbox.objects.filter(pk=mailbox.pk).update(
                        uid_validity=validity, last_uid=uid
                    )
                mailbox.uid_validity, mailbox.last_uid = validity, uid
                result.read += 1
                result.count(inbound.outcome)
            if not uids:
                Mailbox.objects.filter(pk=mailbox.pk).update(uid_validity=validity)
                mailbox.uid_validity = validity
    except (TimeoutError, MailboxLoginError, OSError, ssl.SSLError, PollError) as exc:
        result.error = f"{type(exc).__name__}: {exc}"
    except Exception as exc:  # imaplib's errors and a server's odd answers
        if type(exc).__module__.startswith(("imaplib", "imap_tools")):
            result.error = f"{type(exc).__name__}: {exc}"
        else:
            raise
    now = timezone.now()
    error = (
        stored(gettext_noop("Reading the mailbox failed: {error}"), error=result.error)
        if result.error
        else ""
    )
    Mailbox.objects.filter(pk=mailbox.pk).update(last_polled_at=now, last_error=error)
    mailbox.last_polled_at, mailbox.last_error = now, error
    if result.error:
        raise PollError(result.error)
    return result


def poll_active(*, limit: int = BATCH) -> list[PollResult]:
    """Poll every active mailbox; one failing does not stop the others."""
    results = []
    for mailbox in Mailbox.objects.filter(is_active=True).order_by("name"):
        try:
            results.append(poll(mailbox, limit=limit))
        except PollError as exc:
            results.append(PollResult(mailbox=mailbox.name, error=str(exc)))
    return results


def summary(results: list[PollResult]) -> str:
    """The poll's counts for the Job row, in the reader's language later."""
    read = sum(r.read for r in results)
    created = sum(r.outcomes.get(Outcome.CREATED, 0) for r in results)
    threaded = sum(r.outcomes.get(Outcome.THREADED, 0) for r in results)
    errors = "\n".join(f"{r.mailbox}: {r.error}" for r in results if r.error)
    if errors:
        return stored(
            gettext_noop(
                "Mailboxes {mailboxes}, mails read {read}, tickets created {created}, "
                "added to tickets {threaded}\n{errors}"
            ),
            mailboxes=len(results),
            read=read,
            created=created,
            threaded=threaded,
            errors=errors[:4000],
        )
    return stored(
        gettext_noop(
            "Mailboxes {mailboxes}, mails read {read}, tickets created {created}, "
            "added to tickets {threaded}"
        ),
        mailboxes=len(results),
        read=read,
        created=created,
        threaded=threaded,
    )
