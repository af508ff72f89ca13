"""Real-looking raw messages for the desk e-mail tests, shaped as the clients and servers that
send them write them (Gmail, Outlook/Exchange, Foxmail with GB2312, Postfix's bounces)."""

from __future__ import annotations

import base64
from datetime import UTC, datetime
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import format_datetime

#: a 1×1 PNG
PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="
)

DATE = format_datetime(datetime(2026, 11, 30, 8, 0, tzinfo=UTC))


def plain(
    *,
    sender: str = "Li Lei <li.lei@acme.example>",
    to: str = "desk@itsm.example.com",
    subject: str = "Printer on floor 3 is jammed",
    body: str = "The printer on floor 3 shows error E-52.\nPlease help.",
    message_id: str = "<plain-1@acme.example>",
    headers: dict[str, str] | None = None,
) -> bytes:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = to
    message["Subject"] = subject
    message["Date"] = DATE
    message["Message-ID"] = message_id
    for name, value in (headers or {}).items():
        message[name] = value
    message.set_content(body)
    return message.as_bytes(policy=SMTP)


def reply(
    *,
    to_message_id: str,
    references: str = "",
    subject: str = "Re: Printer on floor 3 is jammed",
    body: str = "It jammed again this morning.",
    message_id: str = "<reply-1@acme.example>",
    sender: str = "Li Lei <li.lei@acme.example>",
    to: str = "desk@itsm.example.com",
) -> bytes:
    return plain(
        sender=sender,
        to=to,
        subject=subject,
        body=body + "\n\n> earlier text quoted by the client\n",
        message_id=message_id,
        headers={"In-Reply-To": to_message_id, "References": references or to_message_id},
    )


GB_TEXT = "您好，财务部的打印机无法打印，显示“卡纸”。镕钢公司的朱镕基同志也反映了这个问题。"
GB_SUBJECT = "打印机故障：无法打印"


def gb2312(
    *,
    message_id: str = "<gb-1@foxmail.example>",
    to: str = "desk@itsm.example.com",
    sender_name: str = "王芳",
    sender: str = "wang.fang@acme.example",
) -> bytes:
    """A Foxmail-style mail labelled GB2312 whose text holds a GBK-only character (镕,
    U+9555, absent from GB2312): header words and body base64 in the GBK bytes."""
    body = GB_TEXT.encode("gbk")
    subject = base64.b64encode(GB_SUBJECT.encode("gbk")).decode()
    name = base64.b64encode(sender_name.encode("gbk")).decode()
    lines = [
        f"From: =?gb2312?B?{name}?= <{sender}>",
        f"To: {to}",
        f"Subject: =?gb2312?B?{subject}?=",
        f"Date: {DATE}",
        f"Message-ID: {message_id}",
        "MIME-Version: 1.0",
        'Content-Type: text/plain; charset="gb2312"',
        "Content-Transfer-Encoding: base64",
        "X-Mailer: Foxmail 7.2.25.228[cn]",
        "",
        base64.encodebytes(body).decode().replace("\n", "\r\n"),
    ]
    return "\r\n".join(lines).encode("ascii")


def gmail_html_with_inline_image(
    *, message_id: str = "<CAF=gmail-1@mail.gmail.example>", to: str = "desk@itsm.example.com"
) -> bytes:
    """Gmail's shape: multipart/related around multipart/alternative, an inline image
    referenced as cid:, an attached PDF; the HTML carries a script and an event handler."""
    message = EmailMessage()
    message["From"] = "Han Meimei <han.meimei@gmail.example>"
    message["To"] = to
    message["Subject"] = "VPN drops every 10 minutes"
    message["Date"] = DATE
    message["Message-ID"] = message_id
    message.set_content("VPN drops every 10 minutes. Screenshot attached.\n")
    message.add_alternative(
        '<div dir="ltr"><p>VPN drops <b>every 10 minutes</b>.</p>'
        '<p><img src="cid:ii_screenshot01" alt="screenshot" onerror="alert(1)"></p>'
        "<script>alert('x')</script>"
        '<a href="javascript:alert(2)">click</a></div>',
        subtype="html",
    )
    html_part = message.get_payload()[1]
    html_part.add_related(
        PNG, "image", "png", cid="<ii_screenshot01>", filename="image.png", disposition="inline"
    )
    message.add_attachment(
        b"%PDF-1.4\n%fake but binary\n", maintype="application", subtype="pdf", filename="log.pdf"
    )
    return message.as_bytes(policy=SMTP)


def html_only(*, message_id: str = "<html-only-1@acme.example>") -> bytes:
    message = EmailMessage()
    message["From"] = "Li Lei <li.lei@acme.example>"
    message["To"] = "desk@itsm.example.com"
    message["Subject"] = "Mail with HTML only"
    message["Date"] = DATE
    message["Message-ID"] = message_id
    message.set_content(
        "<html><head><style>p{color:red}</style><title>t</title></head><body>"
        "<p>First&nbsp;paragraph &amp; more.</p><p>Second<br>line</p>"
        "<ul><li>one</li><li>two</li></ul></body></html>",
        subtype="html",
    )
    return message.as_bytes(policy=SMTP)


def exchange_auto_reply(
    *,
    in_reply_to: str,
    subject: str = "Automatic reply: [INC-000001] Printer on floor 3 is jammed",
    message_id: str = "<oof-1@EXCH01.acme.example>",
    to: str = "desk@itsm.example.com",
) -> bytes:
    """Exchange's out-of-office reply (RFC 3834 header plus Exchange's own)."""
    message = EmailMessage()
    message["From"] = "Li Lei <li.lei@acme.example>"
    message["To"] = to
    message["Subject"] = subject
    message["Date"] = DATE
    message["Message-ID"] = message_id
    message["In-Reply-To"] = in_reply_to
    message["References"] = in_reply_to
    message["Auto-Submitted"] = "auto-replied"
    message["X-Auto-Response-Suppress"] = "All"
    message["X-MS-Exchange-Inbox-Rules-Loop"] = "li.lei@acme.example"
    message.set_content("I am out of the office until Monday.")
    message["Content-Language"] = "en-US"
    return message.as_bytes(policy=SMTP)


def postfix_bounce(
    *,
    returned_message_id: str,
    returned_subject: str = "[INC-000001] Printer on floor 3 is jammed",
    recipient: str = "gone@acme.example",
    message_id: str = "<20261130080000.ABC123@mx.itsm.example.com>",
    to: str = "desk@itsm.example.com",
    headers_only: bool = True,
) -> bytes:
    """Postfix's non-delivery report: multipart/report with the human text, the delivery
    status and the returned message's headers (text/rfc822-headers) or the whole message."""
    returned = (
        f"From: Service desk <desk@itsm.example.com>\r\nTo: {recipient}\r\n"
        f"Subject: {returned_subject}\r\nMessage-ID: {returned_message_id}\r\n"
        "Auto-Submitted: auto-generated\r\n"
    )
    boundary = "3F2C0C1A2B.1732953600/mx.itsm.example.com"
    status = (
        "Reporting-MTA: dns; mx.itsm.example.com\r\n\r\n"
        f"Final-Recipient: rfc822; {recipient}\r\nAction: failed\r\nStatus: 5.1.1\r\n"
        "Diagnostic-Code: smtp; 550 5.1.1 User unknown\r\n"
    )
    returned_part = (
        "Content-Description: Undelivered Message Headers\r\n"
        "Content-Type: text/rfc822-headers\r\n\r\n" + returned
        if headers_only
        else "Content-Description: Undelivered Message\r\nContent-Type: message/rfc822\r\n\r\n"
        + returned
        + "\r\nThe body of our notification.\r\n"
    )
    raw = (
        "From: MAILER-DAEMON@mx.itsm.example.com (Mail Delivery System)\r\n"
        f"To: {to}\r\n"
        "Subject: Undelivered Mail Returned to Sender\r\n"
        f"Date: {DATE}\r\n"
        f"Message-ID: {message_id}\r\n"
        "Auto-Submitted: auto-replied\r\n"
        "MIME-Version: 1.0\r\n"
        f'Content-Type: multipart/report; report-type=delivery-status; boundary="{boundary}"\r\n'
        "\r\n"
        f"--{boundary}\r\n"
        "Content-Description: Notification\r\nContent-Type: text/plain; charset=us-ascii\r\n\r\n"
        "This is the mail system at host mx.itsm.example.com.\r\n\r\n"
        "I'm sorry to have to inform you that your message could not\r\n"
        f"be delivered to one or more recipients.\r\n\r\n<{recipient}>: User unknown\r\n\r\n"
        f"--{boundary}\r\n"
        "Content-Description: Delivery report\r\nContent-Type: message/delivery-status\r\n\r\n"
        + status
        + f"\r\n--{boundary}\r\n"
        + returned_part
        + f"\r\n--{boundary}--\r\n"
    )
    return raw.encode("ascii")
