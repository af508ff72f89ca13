"""Raw e-mail bytes → :class:`ParsedMail`: a pure function, no database, no network.

What the desk needs from a message, worked out once:

- **who and what**: sender, recipients, subject, date, Message-ID (one is made from the
  bytes when a mail has none, so a re-poll still dedupes);
- **thread keys**: the ticket numbers tagged in the subject (``[INC-000123]``), then the
  Message-IDs of ``In-Reply-To`` and ``References``;
- **classification** (:class:`MailKind`): a bounce (``multipart/report`` with a delivery
  status, or a returned message from a mailer daemon) with the Message-IDs of the message it
  returns (its ``message/rfc822-headers``, ``text/rfc822-headers`` or ``message/rfc822``
  part); an automatic mail (RFC 3834 ``Auto-Submitted`` other than ``no``, ``Precedence:
  bulk|junk|list``, ``X-Loop`` naming us, ``X-Autoreply``/``X-Autorespond``, ``List-Id``,
  no-reply / mailer-daemon / postmaster senders, our own mail coming back) with the reason;
  otherwise a person's mail;
- **content**: the text, and the HTML sanitised with nh3 (``cid:`` references kept: the
  attachment keeps its content id, see :func:`resolve_cids`); a text made from the HTML when
  the mail has no text part;
- **attachments**: every attached file and inline image, with its content id.

Charsets: ``gb2312``, ``gbk``, ``cp936`` and their aliases are decoded as GB18030, their
superset — mail labelled GB2312 routinely carries GBK characters. Undecodable bytes become
U+FFFD rather than an error: a mail is never refused for its encoding.
"""

from __future__ import annotations

import email
import email.policy
import hashlib
import mimetypes
import re
from dataclasses import dataclass, field, replace
from datetime import datetime
from email.header import Header, decode_header
from email.message import Message
from email.parser import HeaderParser
from email.utils import getaddresses, parsedate_to_datetime
from html import unescape
from html.parser import HTMLParser

import nh3

#: ticket number prefixes the subject tag may carry (incident, service request, consultation)
TICKET_PREFIXES = ("INC", "REQ", "CON")
TAG_RE = re.compile(r"\[\s*((?:" + "|".join(TICKET_PREFIXES) + r")-\d{1,12})\s*\]", re.I)
MESSAGE_ID_RE = re.compile(r"<([^<>\s]+)>")

#: charsets read as GB18030 (a superset of each)
GB_CHARSETS = frozenset(
    {"gb2312", "gb_2312", "gb_2312-80", "gbk", "x-gbk", "cp936", "ms936", "euc-cn", "x-euc-cn"}
)

#: local parts of senders that never expect an answer
NO_REPLY_SENDER_RE = re.compile(
    r"^(?:no[-_.]?reply|do[-_.]?not[-_.]?reply|mailer[-_.]daemon|postmaster|"
    r"mail[-_.]?daemon|bounces?|bounce[-+].*|.*[-+]bounces?)(?:[-+].*)?$",
    re.I,
)

#: headers whose mere presence marks an automatic reply or bulk mail
AUTO_HEADERS = (
    "X-Autoreply",
    "X-Autorespond",
    "X-Autoresponder",
    "X-Auto-Reply",
    "List-Id",
    "List-Unsubscribe",
    "X-Mailing-List",
    "Feedback-ID",
)

NO_MESSAGE_ID_DOMAIN = "no-message-id.invalid"


class MailKind:
    """How a mail is handled: a person's mail, an automatic one, or a bounce."""

    PERSON = "person"
    AUTOMATIC = "automatic"
    BOUNCE = "bounce"


@dataclass(frozen=True)
class ParsedAttachment:
    """A file of the mail: attached, or an inline image its HTML shows as ``cid:<content_id>``."""

    name: str
    content_type: str
    content: bytes
    content_id: str = ""
    inline: bool = False

    @property
    def size(self) -> int:
        return len(self.content)


@dataclass
class ParsedMail:
    """What the desk reads of one message."""

    message_id: str
    from_address: str
    from_name: str
    recipients: list[str]
    subject: str
    date: datetime | None
    text: str
    html: str
    attachments: list[ParsedAttachment]
    kind: str
    #: why the mail counts as automatic or a bounce (a header and its value, for the record)
    reason: str
    in_reply_to: list[str]
    references: list[str]
    ticket_numbers: list[str]
    bounced_message_ids: list[str]
    #: the language the mail says it is written in (``Content-Language``), lower case, or ""
    language: str
    size: int
    headers: dict[str, str] = field(default_factory=dict)

    @property
    def is_automatic(self) -> bool:
        """Automatic mail and bounces are never answered, never reopen, never make a ticket."""
        return self.kind != MailKind.PERSON

    @property
    def thread_message_ids(self) -> list[str]:
        """Message-IDs to look a ticket up by: In-Reply-To first, then References newest
        first (the last one is the message answered)."""
        ids: list[str] = []
        for message_id in [*self.in_reply_to, *reversed(self.references)]:
            if message_id not in ids:
                ids.append(message_id)
        return ids


# --- decoding ---------------------------------------------------------------------------------


def codec_for(charset: str | None) -> str:
    """The codec to decode *charset* with: GB2312 and GBK as GB18030, unknown ones as UTF-8."""
    name = (charset or "").strip().strip('"').lower()
    if not name or name in {"unknown-8bit", "x-unknown", "us-ascii", "ascii", "default"}:
        return "utf-8"
    if name in GB_CHARSETS:
        return "gb18030"
    try:
        "".encode(name)
    except (LookupError, ValueError):
        return "utf-8"
    return name


def decode_bytes(data: bytes, charset: str | None) -> str:
    codec = codec_for(charset)
    try:
        return data.decode(codec)
    except UnicodeDecodeError:
        if codec == "utf-8":
            # unlabelled 8-bit text from Chinese mail clients is GB18030 more often than not
            try:
                return data.decode("gb18030")
            except UnicodeDecodeError:
                pass
        return data.decode(codec, errors="replace")


def header_text(value: object) -> str:
    """A header's text: encoded words decoded (GB2312 as GB18030), raw 8-bit bytes read as
    UTF-8 or GB18030, folded lines joined."""
    if value is None:
        return ""
    if isinstance(value, Header):
        # compat32 keeps raw 8-bit header bytes as a Header of charset unknown-8bit
        return " ".join(
            "".join(
                decode_bytes(chunk, str(charset)) if isinstance(chunk, bytes) else chunk
                for chunk, charset in decode_header(value)
            ).split()
        )
    raw = str(value)
    if any("\udc80" <= ch <= "\udcff" for ch in raw):
        # compat32 keeps raw 8-bit header bytes as surrogate escapes
        return " ".join(decode_bytes(raw.encode("ascii", "surrogateescape"), None).split())
    parts = []
    try:
        chunks = decode_header(raw)
    except Exception:  # a malformed encoded word: keep the header as it came
        return " ".join(raw.split())
    for chunk, charset in chunks:
        if isinstance(chunk, bytes):
            parts.append(decode_bytes(chunk, charset))
        else:
            parts.append(chunk)
    return " ".join("".join(parts).split())


def message_ids(value: object) -> list[str]:
    """The ``<…>`` Message-IDs of a header, in order, without repeats."""
    found: list[str] = []
    for match in MESSAGE_ID_RE.findall(str(value or "")):
        message_id = f"<{match}>"
        if message_id not in found:
            found.append(message_id)
    return found


def _address_domain(address: str) -> str:
    return address.rsplit("@", 1)[-1].lower() if "@" in address else ""


# --- HTML ---------------------------------------------------------------------------------------

_URL_SCHEMES = set(nh3.ALLOWED_URL_SCHEMES) | {"cid"}
_ATTRIBUTES = {tag: set(names) for tag, names in nh3.ALLOWED_ATTRIBUTES.items()}
for _tag in ("td", "th"):
    _ATTRIBUTES.setdefault(_tag, set()).update({"colspan", "rowspan"})


def sanitise_html(html: str) -> str:
    """The mail's HTML with scripts, styles, event handlers, forms and unknown schemes
    removed (nh3); ``cid:`` image sources are kept."""
    if not html.strip():
        return ""
    return nh3.clean(
        html,
        attributes=_ATTRIBUTES,
        url_schemes=_URL_SCHEMES,
        clean_content_tags={"script", "style", "title", "head"},
        link_rel="noopener noreferrer nofollow",
    ).strip()


def resolve_cids(html: str, urls: dict[str, str]) -> str:
    """*html* with ``cid:<content id>`` references replaced by the URLs of *urls* (content id
    without angle brackets → the attachment's URL), for showing stored sanitised HTML."""

    def replace(match: re.Match[str]) -> str:
        url = urls.get(match.group(2).strip("<>"))
        return f"{match.group(1)}{url}" if url else match.group(0)

    return re.sub(r'((?:src|href)=["\'])cid:([^"\']+)', replace, html, flags=re.I)


_BLOCK_TAGS = frozenset(
    "address article aside blockquote dd div dl dt fieldset figcaption figure footer form h1 h2 "
    "h3 h4 h5 h6 header hr main nav ol p pre section table tr ul".split()
)
_SKIP_TAGS = frozenset({"script", "style", "head", "title"})


class _TextMaker(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.out: list[str] = []
        self.skip = 0
        self.pre = 0

    def handle_starttag(self, tag: str, attrs) -> None:
        if tag in _SKIP_TAGS:
            self.skip += 1
        elif tag == "br":
            self.out.append("\n")
        elif tag == "li":
            self.out.append("\n- ")
        elif tag in ("td", "th"):
            self.out.append("\t")
        elif tag in _BLOCK_TAGS:
            self.out.append("\n")
            if tag == "pre":
                self.pre += 1
        elif tag == "img":
            alt = dict(attrs).get("alt")
            if alt:
                self.out.append(f"[{alt}]")

    def handle_startendtag(self, tag: str, attrs) -> None:
        self.handle_starttag(tag, attrs)
        if tag in _SKIP_TAGS:
            self.skip -= 1

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIP_TAGS:
            self.skip = max(0, self.skip - 1)
        elif tag in _BLOCK_TAGS:
            self.out.append("\n")
            if tag == "pre":
                self.pre = max(0, self.pre - 1)

    def handle_data(self, data: str) -> None:
        if self.skip:
            return
        if self.pre:
            self.out.append(data)
            return
        data = re.sub(r"[ \t\r\n\f]+", " ", data)
        if not self.out or self.out[-1].endswith("\n"):
            data = data.lstrip(" ")
        self.out.append(data)


def html_to_text(html: str) -> str:
    """A plain-text version of *html*: paragraphs and line breaks kept, list items marked."""
    maker = _TextMaker()
    maker.feed(html)
    maker.close()
    text = unescape("".join(maker.out)).replace("\xa0", " ")
    lines = [line.rstrip(" ") for line in text.split("\n")]
    text = "\n".join(lines)
    return re.sub(r"\n{3,}", "\n\n", text).strip()


# --- structure --------------------------------------------------------------------------------


def _payload_bytes(part: Message) -> bytes:
    data = part.get_payload(decode=True)
    if isinstance(data, bytes):
        return data
    payload = part.get_payload()
    if isinstance(payload, str):
        return payload.encode("utf-8", "surrogateescape")
    return b""


def _part_text(part: Message) -> str:
    text = decode_bytes(_payload_bytes(part), part.get_content_charset())
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _returned_ids(part: Message) -> list[str]:
    """Message-IDs of the message a bounce part returns (its headers or the whole message)."""
    payload = part.get_payload()
    headers: list[Message] = []
    if isinstance(payload, list):
        headers = [p for p in payload if isinstance(p, Message)]
    elif isinstance(payload, str):
        headers = [HeaderParser(policy=email.policy.compat32).parsestr(_part_text(part))]
    found: list[str] = []
    for returned in headers:
        for message_id in message_ids(returned.get("Message-ID")):
            if message_id not in found:
                found.append(message_id)
    return found


def _attachment_name(part: Message, position: int) -> str:
    name = part.get_filename()
    if name is None and part.get_content_type() == "message/rfc822":
        inner = part.get_payload()
        if isinstance(inner, list) and inner and isinstance(inner[0], Message):
            subject = header_text(inner[0].get("Subject"))
            name = f"{subject or 'message'}.eml"
    name = header_text(name) if name else ""
    name = re.sub(r'[\x00-\x1f/\\:*?"<>|]+', "_", name).strip(" ._")[:200]
    if name:
        return name
    extension = mimetypes.guess_extension(part.get_content_type()) or ".bin"
    return f"attachment-{position}{extension}"


def _content_id(part: Message) -> str:
    return header_text(part.get("Content-ID")).strip().strip("<>").strip()


def _walk(message: Message, found: dict) -> None:
    """Collect bodies, attachments and bounce data from *message* (depth first)."""
    content_type = message.get_content_type()
    if content_type in ("message/rfc822-headers", "text/rfc822-headers"):
        found["returned"].extend(_returned_ids(message))
        return
    if content_type == "message/delivery-status":
        found["delivery_status"] = True
        return
    if content_type == "message/rfc822" and found["report"]:
        # a report returning the whole message: its ids, and the message kept as a file
        found["returned"].extend(_returned_ids(message))
    if message.is_multipart() and content_type != "message/rfc822":
        payload = message.get_payload()
        for part in payload if isinstance(payload, list) else []:
            if isinstance(part, Message):
                _walk(part, found)
        return
    disposition = (message.get_content_disposition() or "").lower()
    is_body = (
        content_type in ("text/plain", "text/html")
        and disposition != "attachment"
        and not message.get_filename()
    )
    if is_body:
        key = "html" if content_type == "text/html" else "text"
        found[key].append(_part_text(message))
        return
    position = len(found["attachments"]) + 1
    if content_type == "message/rfc822":
        inner = message.get_payload()
        content = (
            inner[0].as_bytes(policy=email.policy.compat32)
            if isinstance(inner, list) and inner and isinstance(inner[0], Message)
            else _payload_bytes(message)
        )
    else:
        content = _payload_bytes(message)
    content_id = _content_id(message)
    found["attachments"].append(
        ParsedAttachment(
            name=_attachment_name(message, position),
            content_type=content_type,
            content=content,
            content_id=content_id,
            inline=bool(content_id) and disposition != "attachment",
        )
    )


# --- classification ---------------------------------------------------------------------------


def _automatic_reason(
    message: Message, from_address: str, own_addresses: frozenset[str], own_domains: frozenset[str]
) -> str:
    auto_submitted = header_text(message.get("Auto-Submitted")).split(";")[0].strip().lower()
    if auto_submitted and auto_submitted != "no":
        return f"Auto-Submitted: {auto_submitted}"
    precedence = header_text(message.get("Precedence")).strip().lower()
    if precedence in ("bulk", "junk", "list", "auto_reply"):
        return f"Precedence: {precedence}"
    for value in message.get_all("X-Loop") or []:
        text = header_text(value).lower()
        if any(address and address in text for address in own_addresses):
            return f"X-Loop: {text}"
    for name in AUTO_HEADERS:
        if message.get(name) is not None:
            return f"{name}: {header_text(message.get(name))[:200]}"
    suppress = header_text(message.get("X-Auto-Response-Suppress")).lower()
    if header_text(message.get("X-MS-Exchange-Generated-Message-Source")) or (
        "oof" in suppress and message.get("X-MS-Exchange-Inbox-Rules-Loop") is not None
    ):
        return "Exchange automatic message"
    return_path = header_text(message.get("Return-Path")).strip()
    if return_path == "<>":
        return "Return-Path: <>"
    if from_address:
        local = from_address.split("@", 1)[0]
        if NO_REPLY_SENDER_RE.match(local):
            return f"From: {from_address}"
        if from_address in own_addresses:
            return f"From: {from_address}"
    for message_id in message_ids(message.get("Message-ID")):
        if _address_domain(message_id.strip("<>")) in own_domains:
            return f"Message-ID: {message_id}"
    return ""


def _bounce_reason(message: Message, found: dict, from_address: str) -> str:
    content_type = message.get_content_type()
    report_type = str(message.get_param("report-type") or "").lower()
    if content_type == "multipart/report" and (
        report_type in ("delivery-status", "disposition-notification") or found["delivery_status"]
    ):
        return f"multipart/report;report-type={report_type or 'delivery-status'}"
    if found["delivery_status"]:
        return "message/delivery-status"
    local = from_address.split("@", 1)[0] if from_address else ""
    if (
        re.match(r"^(?:mailer[-_.]daemon|postmaster|mail[-_.]?daemon)$", local, re.I)
        and found["returned"]
    ):
        return f"From: {from_address}"
    return ""


# --- the entry point ----------------------------------------------------------------------------


def parse_message(raw: bytes, *, own_addresses: tuple[str, ...] | list[str] = ()) -> ParsedMail:
    """Parse the raw bytes of one message. *own_addresses* are the desk's addresses (the
    mailbox's and the notifications' sender): ``X-Loop`` naming one of them, or mail from
    one of them or with a Message-ID on their domains, is our own mail coming back."""
    message = email.message_from_bytes(raw, policy=email.policy.compat32)
    own = frozenset(address.strip().lower() for address in own_addresses if address.strip())
    own_domains = frozenset(_address_domain(address) for address in own) - {""}

    from_pairs = getaddresses([header_text(v) for v in message.get_all("From") or []])
    from_name, from_address = from_pairs[0] if from_pairs else ("", "")
    from_address = from_address.strip().lower()
    recipients: list[str] = []
    for name in ("To", "Cc", "Delivered-To", "X-Original-To", "Envelope-To"):
        values = [header_text(v) for v in message.get_all(name) or []]
        for _, address in getaddresses(values):
            address = address.strip().lower()
            if address and address not in recipients:
                recipients.append(address)

    ids = message_ids(message.get("Message-ID"))
    message_id = ids[0] if ids else f"<{hashlib.sha256(raw).hexdigest()}@{NO_MESSAGE_ID_DOMAIN}>"
    subject = header_text(message.get("Subject"))
    try:
        date = parsedate_to_datetime(header_text(message.get("Date"))) if message["Date"] else None
    except (TypeError, ValueError, IndexError):
        date = None

    daemon = bool(re.match(r"^(?:mailer[-_.]daemon|postmaster|mail[-_.]?daemon)@", from_address))
    found: dict = {
        "text": [],
        "html": [],
        "attachments": [],
        "returned": [],
        "delivery_status": False,
        # a report, or an old-style bounce: a daemon's mail with the message attached
        "report": message.get_content_type() == "multipart/report" or daemon,
    }
    _walk(message, found)
    raw_html = "\n".join(found["html"])
    # an image the HTML shows (cid:) is inline even when its client marked it an attachment
    attachments = [
        replace(attachment, inline=True)
        if attachment.content_id and f"cid:{attachment.content_id}" in raw_html
        else attachment
        for attachment in found["attachments"]
    ]
    html = sanitise_html(raw_html)
    text = "\n".join(t.strip("\n") for t in found["text"]).strip()
    if not text and html:
        text = html_to_text(html)

    bounce_reason = _bounce_reason(message, found, from_address)
    reason = bounce_reason or _automatic_reason(message, from_address, own, own_domains)
    kind = MailKind.BOUNCE if bounce_reason else (MailKind.AUTOMATIC if reason else MailKind.PERSON)
    returned = list(dict.fromkeys(found["returned"])) if bounce_reason else []

    numbers: list[str] = []
    for tag in TAG_RE.findall(subject):
        prefix, digits = tag.upper().split("-", 1)
        number = f"{prefix}-{digits}"
        if number not in numbers:
            numbers.append(number)

    language = header_text(message.get("Content-Language")).split(",")[0].strip().lower()
    return ParsedMail(
        message_id=message_id,
        from_address=from_address,
        from_name=from_name.strip(),
        recipients=recipients,
        subject=subject,
        date=date,
        text=text,
        html=html,
        attachments=attachments,
        kind=kind,
        reason=reason,
        in_reply_to=message_ids(message.get("In-Reply-To")),
        references=message_ids(" ".join(str(v) for v in message.get_all("References") or [])),
        ticket_numbers=numbers,
        bounced_message_ids=returned,
        language=language[:20],
        size=len(raw),
        headers={
            name: header_text(message.get(name))[:500]
            for name in ("Auto-Submitted", "Precedence", "X-Loop", "List-Id", "Return-Path")
            if message.get(name) is not None
        },
    )
